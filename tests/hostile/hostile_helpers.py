"""Shared helpers for the hostile-input tests: run archc in-process or in a child process.

Hostile cases that could crash the interpreter (deep nesting reaches C code) or that must be
measured for time and memory run in a fresh child process, so a segfault is a failed test
rather than a dead test run, and peak memory is the child's alone.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

_CHILD = r"""
import contextlib, io, json, resource, sys, time

def _peak_mb():
    # VmHWM belongs to this process image; ru_maxrss keeps the parent's high-water mark
    # across fork + exec, so a child of a big test process would report the parent's peak.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

t0 = time.perf_counter()
import archc.cli
t1 = time.perf_counter()
c1 = time.process_time()
err = io.StringIO()
with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
    rc = archc.cli.main(sys.argv[1:])
t2 = time.perf_counter()
c2 = time.process_time()
print(json.dumps({
    "rc": rc, "stderr": err.getvalue(), "import_s": t1 - t0, "run_s": t2 - t1,
    "cpu_s": c2 - c1,
    "peak_mb": _peak_mb(),
    "tensorflow": any(m.split(".")[0] in ("tensorflow", "keras") for m in sys.modules),
}))
"""


@dataclass(frozen=True)
class ChildRun:
    """What a child `archc` run did: exit code, stderr, time (s) and peak memory (MB).

    `run_s` is wall time and `cpu_s` CPU time of `main()` alone. Only the reliability
    measurement (`python -m tests.hostile.reliability`) reports them: a test never asserts a
    duration, since a busy 2-core machine makes any such bound flaky.
    """

    returncode: int
    rc: int | None
    stderr: str
    run_s: float
    cpu_s: float
    import_s: float
    peak_mb: float
    tensorflow: bool
    raw_stderr: str


def run_child(args: list[str], timeout: float = 60.0) -> ChildRun:
    """Run `archc.cli.main(args)` in a fresh interpreter and report what happened.

    `returncode` is the process's (negative for a signal, e.g. -11 for a segfault); `rc` is
    the value `main` returned, or None if the child died before printing it.
    """
    env = dict(os.environ, PYTHONHASHSEED="0")
    env.pop("ARCHC_TRACEBACK", None)
    proc = subprocess.run([sys.executable, "-c", _CHILD, *args], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT, env=env, check=False)
    report = None
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith("{"):
            report = json.loads(line)
            break
    if report is None:
        return ChildRun(proc.returncode, None, "", 0.0, 0.0, 0.0, 0.0, False, proc.stderr)
    return ChildRun(proc.returncode, report["rc"], report["stderr"], report["run_s"],
                    report["cpu_s"], report["import_s"], report["peak_mb"],
                    report["tensorflow"], proc.stderr)
