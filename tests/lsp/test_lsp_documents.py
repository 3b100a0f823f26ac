"""The analysis scheduler and its budget in-process (no protocol): what a stopped or failed
analysis publishes (C020-C022), that a stop really stops the work, and the debounce.

Budgets here are tiny so that the jobs run past them; no test asserts a duration.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest
from lsp_helpers import read

from archc.diagnostics import Diagnostic
from archc.lsp import budget, documents
from archc.lsp.documents import DocState, Documents, Settings


def _run(settings: Settings, steps: Any) -> list[tuple[str, int | None, list[Diagnostic]]]:
    """Drive a Documents on a fresh loop; `steps(docs)` is a coroutine function."""
    published: list[tuple[str, int | None, list[Diagnostic]]] = []

    def publish(state: DocState, diagnostics: list[Diagnostic]) -> None:
        published.append((state.uri, state.version, diagnostics))

    async def main() -> None:
        docs = Documents(settings, publish)
        await steps(docs)

    asyncio.run(main())
    return published


async def _until(docs: Documents, uri: str) -> DocState:
    state = await docs.current(uri)
    assert state is not None
    return state


def test_a_crashing_compile_publishes_c022(monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(text: str, file: str, variant: str | None = None, memo: Any = None) -> Any:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(documents, "build", crash)

    async def steps(docs: Documents) -> None:
        docs.opened("file:///a.yaml", "a.yaml", 1, "archc: 1\n")
        await _until(docs, "file:///a.yaml")

    ((uri, version, (only,)),) = _run(Settings(), steps)
    assert (uri, version, only.code) == ("file:///a.yaml", 1, "C022")
    assert only.message == ("analysis failed: internal error (RecursionError); this is a "
                            "bug in archc")
    assert only.help == ("run `archc check` on the file (with ARCHC_TRACEBACK=1) and "
                         "report it")
    assert only.span is not None and (only.span.line, only.span.col) == (1, 1)


def test_a_slow_compile_is_stopped_with_c020_and_really_stops() -> None:
    ran = threading.Event()
    stopped_at: list[float] = []

    def slow() -> None:
        ran.set()
        try:
            while True:
                sum(range(1000))
        except budget.Stopped:
            stopped_at.append(time.monotonic())
            raise

    async def steps(docs: Documents) -> None:
        outcome = await budget.run_budgeted(slow, budget.Budget(seconds=0.05))
        assert outcome.stopped == "time" and outcome.value is None
        assert ran.is_set()
        for _ in range(200):  # the thread unwinds at its next bytecode
            if stopped_at:
                break
            await asyncio.sleep(0.01)
        assert stopped_at, "the worker thread was not stopped"

    _run(Settings(), steps)


def test_the_c020_and_c021_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    docs = Documents(Settings(budget=budget.Budget(seconds=2.5, memory_mb=512)),
                     lambda s, d: None)
    state = DocState("file:///a.yaml", "a.yaml", 1, "")
    time_out = docs._failure(state, budget.Outcome(stopped="time"))
    assert (time_out.code, time_out.message) == (
        "C020", "analysis stopped: it ran past the time budget of 2.5 s")
    assert time_out.help == ("`archc check` on the file shows whether the spec itself is "
                             "slow; the budget is set in initializationOptions")
    memory = docs._failure(state, budget.Outcome(stopped="memory"))
    assert (memory.code, memory.message) == (
        "C021", "analysis stopped: the server grew past the memory budget of 512 MB")


@pytest.mark.skipif(budget.resident_mb() is None, reason="no /proc/self/statm here")
def test_a_job_growing_past_the_memory_budget_is_stopped() -> None:
    kept: list[bytearray] = []

    def grow() -> None:
        while True:  # about 1 MB a millisecond, touched so that it is resident
            kept.append(bytearray(b"x" * (1 << 20)))
            time.sleep(0.001)

    async def steps(docs: Documents) -> None:
        outcome = await budget.run_budgeted(grow, budget.Budget(seconds=60, memory_mb=64))
        assert outcome.stopped == "memory"

    _run(Settings(), steps)
    kept.clear()


def test_changes_closer_than_the_debounce_cost_one_compile(
        monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[str] = []
    real = documents.build

    def counting(text: str, file: str, variant: str | None = None, memo: Any = None) -> Any:
        compiled.append(text)
        return real(text, file, variant, memo)

    monkeypatch.setattr(documents, "build", counting)
    text = read("lenet5.yaml")

    async def steps(docs: Documents) -> None:
        docs.opened("file:///l.yaml", "l.yaml", 1, text)
        for version in range(2, 102):  # no await between them: one burst
            docs.changed("file:///l.yaml", version, text + f"# {version}\n")
        state = await _until(docs, "file:///l.yaml")
        assert state.analysed == 101

    published = _run(Settings(), steps)
    assert compiled == [text + "# 101\n"]
    assert [(v, d) for _, v, d in published] == [(101, [])]


def test_more_input_waiting_postpones_the_compile(monkeypatch: pytest.MonkeyPatch) -> None:
    compiled: list[str] = []
    real = documents.build

    def counting(text: str, file: str, variant: str | None = None, memo: Any = None) -> Any:
        compiled.append(text)
        return real(text, file, variant, memo)

    monkeypatch.setattr(documents, "build", counting)
    waiting = [True]

    async def steps(docs: Documents) -> None:
        docs.busy = lambda: waiting[0]
        docs.opened("file:///p.yaml", "p.yaml", 1, "x: 1\n")
        await asyncio.sleep(10 * docs.settings.debounce)
        assert compiled == []  # more input is waiting: not yet
        waiting[0] = False
        await _until(docs, "file:///p.yaml")
        assert compiled == ["x: 1\n"]

    _run(Settings(), steps)


def test_a_closed_document_keeps_nothing() -> None:
    async def steps(docs: Documents) -> None:
        docs.opened("file:///c.yaml", "c.yaml", 1, read("lenet5.yaml"))
        state = await _until(docs, "file:///c.yaml")
        assert state.model is not None and state.memo.recorded is not None
        docs.closed("file:///c.yaml")
        assert docs.open == {}
        assert await docs.current("file:///c.yaml") is None  # as if never opened
        docs.changed("file:///c.yaml", 2, "archc: 1\n")  # a change after close: ignored
        assert docs.open == {}

    assert [v for _, v, _ in _run(Settings(), steps)] == [1]
