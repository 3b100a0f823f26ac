"""Work on a document under a budget the server enforces: a time limit and a memory limit.

Each analysis (and each request that may compute) runs in a worker thread of its own, so
the server's event loop keeps reading messages and answering other documents while one
document is slow. When the work passes its time budget, or the process grows by more than
its memory budget while it runs, the server stops it: it raises `Stopped` inside the
worker thread (CPython's asynchronous exception, delivered between two bytecodes, so
Python-level loops stop at once; `Stopped` derives from BaseException so a broad
`except Exception` in the compiler cannot swallow it) and reports which budget ran out.

One limit is stated plainly: a single C-level operation (one huge `str()`, one big-integer
multiplication) cannot be interrupted between bytecodes; the compiler's own caps keep each
such step small, and the features never stringify unbounded values (`preview`).
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

POLL_SECONDS = 0.05
"""How often the memory of a running job is checked."""


class Stopped(BaseException):
    """Raised inside a worker thread whose job ran out of budget."""


@dataclass(frozen=True)
class Budget:
    seconds: float = 10.0
    memory_mb: int = 2048
    """Growth of the server's resident memory while the job runs."""


@dataclass(frozen=True)
class Outcome(Generic[T]):
    """A job's result, or why it has none: "time", "memory" or an exception."""

    value: T | None = None
    stopped: str | None = None
    error: BaseException | None = None
    seconds: float = 0.0


def resident_mb() -> float | None:
    """The process's resident memory in MB (Linux `/proc`; None elsewhere)."""
    try:
        with open("/proc/self/statm", "rb") as f:
            pages = int(f.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _interrupt(thread: threading.Thread) -> None:
    ident = thread.ident
    if ident is not None and thread.is_alive():
        ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident),
                                                   ctypes.py_object(Stopped))


async def run_budgeted(job: Callable[[], T], budget: Budget, name: str = "archc-job",
              on_end: Callable[[], None] | None = None) -> Outcome[T]:
    """Run `job` in a worker thread; stop it when it exceeds `budget`.

    Returns as soon as the job ends or is stopped; `on_end` runs (on the event loop) once
    the thread has really ended, which after a stop may be a little later.
    """
    loop = asyncio.get_running_loop()
    done: asyncio.Future[Outcome[T]] = loop.create_future()
    start = time.perf_counter()

    def finish(outcome: Outcome[T]) -> None:
        if not done.done():
            done.set_result(outcome)
        if on_end is not None:
            on_end()

    def work() -> None:
        try:
            value = job()
            outcome: Outcome[T] = Outcome(value=value)
        except Stopped:
            outcome = Outcome(stopped="stopped")
        except BaseException as exc:  # reported as data: the server answers, never crashes
            outcome = Outcome(error=exc)
        with contextlib.suppress(RuntimeError):  # the loop closed: the server is exiting
            loop.call_soon_threadsafe(finish, outcome)

    thread = threading.Thread(target=work, name=name, daemon=True)
    base = resident_mb()
    thread.start()
    reason: str | None = None
    deadline = start + budget.seconds
    while not done.done():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(done), timeout=min(
                POLL_SECONDS, max(0.0, deadline - time.perf_counter())))
        if done.done():
            break
        now_mb = resident_mb()
        if time.perf_counter() >= deadline:
            reason = "time"
        elif base is not None and now_mb is not None and now_mb - base > budget.memory_mb:
            reason = "memory"
        if reason is not None:
            _interrupt(thread)
            break
    if reason is not None:
        # The thread unwinds at its next bytecode; do not wait for it (a C-level step may
        # take a while): the caller answers now, the thread ends on its own.
        return Outcome(stopped=reason, seconds=time.perf_counter() - start)
    outcome = done.result()
    return Outcome(outcome.value, outcome.stopped, outcome.error, time.perf_counter() - start)
