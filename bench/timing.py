"""Timing primitives: whole processes side by side, in-process calls, medians.

Comparisons are interleaved (A, B, A, B, ...) so that a load spike on a shared machine
hits every contender alike, and each figure is the median of its repeats. A process's peak
memory is its own `ru_maxrss` from `os.wait4`, not the harness's.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass
class Runs:
    """Wall times (seconds) and peak resident memory (MiB) of repeated runs of one command."""

    seconds: list[float] = field(default_factory=list)
    peak_mib: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def peak(self) -> float:
        return max(self.peak_mib) if self.peak_mib else 0.0


def bench_env() -> dict[str, str]:
    """The environment for measured processes: bytecode caching on, as on a user's machine.

    Some sandboxes set PYTHONDONTWRITEBYTECODE, which makes every run recompile archc from
    source and measures the sandbox, not archc.
    """
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    return env


# A small launcher forks and execs the command and reports the child's own wall time and
# ru_maxrss. The harness cannot use its own wait4 figure: Linux carries the parent's RSS
# high-water mark over fork + exec, so every child would "peak" at the harness's size.
_LAUNCHER = """\
import os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
elapsed = time.perf_counter() - start
os.write(2, f"\\n@@launcher {os.waitstatus_to_exitcode(status)} {elapsed} {usage.ru_maxrss}\\n"
         .encode())
"""


def run_process(argv: Sequence[str], env: Mapping[str, str] | None = None,
                cwd: str | None = None) -> tuple[float, float]:
    """Run one process to completion; (wall seconds, peak RSS MiB). Fails loudly on error."""
    proc = subprocess.run([sys.executable, "-S", "-c", _LAUNCHER, *argv],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                          env=dict(env) if env is not None else bench_env(), cwd=cwd,
                          check=False)
    err = proc.stderr.decode(errors="replace")
    tail = err.rstrip().rsplit("\n", 1)[-1].split()
    if proc.returncode != 0 or len(tail) != 4 or tail[0] != "@@launcher" or tail[1] != "0":
        raise RuntimeError(f"{' '.join(argv)} failed: {err[-2000:]}")
    return float(tail[2]), int(tail[3]) / 1024  # Linux reports KiB


def side_by_side(commands: Mapping[str, Sequence[str]], repeats: int, warmup: int = 1,
                 cwd: str | None = None) -> dict[str, Runs]:
    """Run every command `repeats` times, interleaved, after `warmup` unmeasured rounds."""
    env = bench_env()
    for _ in range(warmup):
        for argv in commands.values():
            run_process(argv, env, cwd)
    runs = {name: Runs() for name in commands}
    for _ in range(repeats):
        for name, argv in commands.items():
            seconds, peak = run_process(argv, env, cwd)
            runs[name].seconds.append(seconds)
            runs[name].peak_mib.append(peak)
    return runs


def time_call(fn: Callable[[], object], repeats: int, warmup: int = 1) -> Runs:
    """Median-ready wall times of an in-process call."""
    for _ in range(warmup):
        fn()
    runs = Runs()
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        runs.seconds.append(time.perf_counter() - start)
    return runs
