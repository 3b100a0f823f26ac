"""The open documents and their analyses: debounced, one at a time per document, budgeted.

Only documents the client opened are analysed; the server refuses requests about any
other URI (it never reads a path a request names). Each change re-arms a short timer
(`debounce`); when it fires while more messages are already waiting to be read, it waits
for them (up to `MAX_POSTPONE_SECONDS`); then the latest text is compiled once, however
many changes came in between, so a burst of changes costs one compile. A document has at
most one analysis running; changes that arrive meanwhile are compiled once it ends. Each
analysis runs under the server's budget (`budget.run_budgeted`), so a slow document never blocks
the others or the requests about them.

When an analysis fails (the compiler raised) or is stopped by the budget, the document
gets a diagnostic saying so (C020-C022) instead of silently looking clean; its features
keep answering from the last model that was built.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from archc.diagnostics import Diagnostic, SourceSpan
from archc.lsp.budget import Budget, Outcome, run_budgeted
from archc.lsp.model import SpecModel, build
from archc.pipeline import ExpansionMemo

log = logging.getLogger("archc.lsp")

DEBOUNCE_SECONDS = 0.005
"""Quiet time after a change before compiling: changes closer together share a compile."""

MAX_POSTPONE_SECONDS = 1.0
"""While more input is waiting the compile is postponed, but not longer than this."""


@dataclass
class Settings:
    """What a client may tune in `initializationOptions` (see docs/editors.md)."""

    budget: Budget = field(default_factory=Budget)
    debounce: float = DEBOUNCE_SECONDS
    variant: str | None = None


@dataclass
class DocState:
    """One open document: its latest text and what its analyses produced."""

    uri: str
    file: str
    version: int | None
    text: str
    model: SpecModel | None = None
    """The model of the latest analysed version (None before the first one ends)."""
    last_good: SpecModel | None = None
    """The latest model whose analysis had no errors (hover falls back on it)."""
    analysed: int | None = -1
    """The version `model` and the published diagnostics belong to."""
    timer: asyncio.TimerHandle | None = None
    armed: float = 0.0
    """When the pending timer was first armed (postponing has a limit)."""
    running: bool = False
    again: bool = False
    compiles: int = 0
    waiters: list[asyncio.Future[None]] = field(default_factory=list)
    memo: ExpansionMemo = field(default_factory=ExpansionMemo)
    """Expansions and figures carried from one version to the next (`lower.memo`)."""


Publish = Callable[[DocState, list[Diagnostic]], None]


class Documents:
    """The open documents, their analyses, and the counters a test can read."""

    def __init__(self, settings: Settings, publish: Publish,
                 busy: Callable[[], bool] = lambda: False) -> None:
        self.settings = settings
        self.publish = publish
        self.busy = busy
        """Are more messages waiting to be read? (`stdio.ReadAhead.pending`)"""
        self.open: dict[str, DocState] = {}
        self.compiles = 0

    # -- notifications ------------------------------------------------------------------

    def opened(self, uri: str, file: str, version: int | None, text: str) -> None:
        state = self.open.get(uri)
        if state is None:
            state = self.open[uri] = DocState(uri, file, version, text)
        state.version, state.text = version, text
        self._arm(state)

    def changed(self, uri: str, version: int | None, text: str) -> None:
        state = self.open.get(uri)
        if state is None:
            return  # a change to a document that was never opened: nothing to analyse
        state.version, state.text = version, text
        self._arm(state)

    def closed(self, uri: str) -> None:
        state = self.open.pop(uri, None)
        if state is not None and state.timer is not None:
            state.timer.cancel()
        if state is not None:
            self._wake(state)

    # -- requests -------------------------------------------------------------------------

    async def current(self, uri: str) -> DocState | None:
        """The document's state once its latest version is analysed (or its analysis has
        run out of budget); None if the client has not opened it."""
        state = self.open.get(uri)
        if state is None:
            return None
        if state.analysed != state.version:
            waiter = asyncio.get_running_loop().create_future()
            state.waiters.append(waiter)
            # Past this wait the analysis is still running (a stop is pending): the
            # request is answered from the last model.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter, self.settings.budget.seconds
                                       + self.settings.debounce + 1.0)
        return state

    # -- analysis -------------------------------------------------------------------------

    def _arm(self, state: DocState) -> None:
        loop = asyncio.get_running_loop()
        if state.timer is not None:
            state.timer.cancel()
        else:
            state.armed = loop.time()
        state.timer = loop.call_later(self.settings.debounce, self._start, state.uri)

    def _start(self, uri: str) -> None:
        state = self.open.get(uri)
        if state is None:
            return
        loop = asyncio.get_running_loop()
        if self.busy() and loop.time() - state.armed < MAX_POSTPONE_SECONDS:
            # More messages are queued (maybe more changes of this document): compile
            # once they are read, not the text they are about to replace.
            state.timer = loop.call_later(self.settings.debounce, self._start, uri)
            return
        state.timer = None
        if state.running:
            state.again = True  # compiled once the running analysis ends
            return
        state.running = True
        asyncio.get_running_loop().create_task(self._analyse(state))

    async def _analyse(self, state: DocState) -> None:
        version, text = state.version, state.text
        self.compiles += 1
        state.compiles += 1
        variant = self.settings.variant

        def ended() -> None:  # the worker thread is gone (after a stop, maybe later)
            state.running = False
            if state.again:
                state.again = False
                self._start(state.uri)

        outcome = await run_budgeted(lambda: build(text, state.file, variant, state.memo),
                                   self.settings.budget, f"archc-analyse {state.uri}", ended)
        if outcome.value is not None:
            model = outcome.value
            model.version = version
            state.model = model
            if model.analysis is not None:
                state.last_good = model
            diagnostics = list(model.diagnostics)
        else:
            diagnostics = [self._failure(state, outcome)]
        state.analysed = version
        if state.uri in self.open and state.version == version:
            self.publish(state, diagnostics)
            self._wake(state)

    def _failure(self, state: DocState, outcome: Outcome[SpecModel]) -> Diagnostic:
        limits = self.settings.budget
        start = SourceSpan(state.file, 1, 1)
        if outcome.stopped == "time":
            return Diagnostic("C020", f"analysis stopped: it ran past the time budget of "
                              f"{limits.seconds:g} s", start,
                              "`archc check` on the file shows whether the spec itself is "
                              "slow; the budget is set in initializationOptions")
        if outcome.stopped is not None:
            return Diagnostic("C021", f"analysis stopped: the server grew past the memory "
                              f"budget of {limits.memory_mb:,} MB", start,
                              "`archc check` on the file shows whether the spec itself is "
                              "large; the budget is set in initializationOptions")
        error = outcome.error
        log.error("archc: analysis of %s failed: %s", state.uri, type(error).__name__)
        return Diagnostic("C022", "analysis failed: internal error "
                          f"({type(error).__name__}); this is a bug in archc", start,
                          "run `archc check` on the file (with ARCHC_TRACEBACK=1) and "
                          "report it")

    @staticmethod
    def _wake(state: DocState) -> None:
        waiters, state.waiters = state.waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)
