"""Start-up of `archc summary` (issue 21): ResNet-152's summary against the pydantic + YAML floor.

The floor is `python -c "from pydantic import BaseModel; import yaml;
yaml.safe_load(SPEC)"`: what any pydantic-validated YAML tool pays before its own work.
`archc summary specs/resnet.yaml --variant resnet152` runs as a whole process (`python -m
archc`) beside it, interleaved, median of the repeats after two warm-up rounds; the target
is under 1.5x the floor. The floor with one pydantic model validated runs in the same
rounds: the least any tool that validates with pydantic pays. With `--before DIR` (a
checkout of an older archc) that checkout's summary runs in the same rounds, so both sides
see the same load. *import* is the import of the archc modules one summary loads (and what
they pull in), timed inside a process that has already imported yaml and pydantic's
BaseModel, median of as many processes: archc's own import cost. The module counts are what
one summary leaves in `sys.modules`; the commands' lazy imports must keep lint, the report
page, the language server, export, Graphviz, the diagnostic-code registry and pydantic off
this path (also a test: tests/test_cli_startup.py). The *in-process* rows split one summary into its
steps (medians, this checkout): archc's imports against its work; the probe fails if the
summary imported pydantic (a valid spec is checked without it: archc/spec/plain.py).

Run ``python -m bench.bench_startup [--before DIR] [--repeats N] [--write]``; `--write`
puts the figures in docs/benchmarks.md. `run()` returns the dict it prints (`make bench`).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench.timing import bench_env, run_process

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "specs" / "resnet.yaml"
VARIANT = "resnet152"
TARGET = 1.5
"""Summary over the floor, at most (issue 21)."""

OFF_PATH = ("archc.lint", "archc.backends.html", "archc.lsp", "archc.cli.export",
            "archc.backends.keras.export", "archc.backends.graphviz", "archc.diagnostic_codes",
            "pydantic", "archc.spec.schema")
"""Module prefixes `archc summary` must not import."""

FLOOR = [sys.executable, "-c",
         f"from pydantic import BaseModel; import yaml; yaml.safe_load(open({str(SPEC)!r}))"]

MODEL_FLOOR = [sys.executable, "-c", FLOOR[2] + (
    "\nclass One(BaseModel):\n    n: int\nOne(n=1)")]
"""The floor plus one pydantic model of one field, validated once: what validating anything
with pydantic costs beyond `from pydantic import BaseModel` (pydantic's field machinery,
its plugin loader and entry-point discovery, the model, its validator): the least archc's
ratio could be while its summary validated with pydantic. A valid spec now needs none
(archc/spec/plain.py), so the summary can go below it."""

_IMPORT_PROBE = """\
import importlib, json, sys, time
import yaml
from pydantic import BaseModel
modules = json.loads(sys.argv[1])
start = time.perf_counter()
for name in modules:
    importlib.import_module(name)
print(time.perf_counter() - start)
"""

_MODULES_PROBE = f"""\
import atexit, json, os, sys
from archc.cli import run
stdout = os.dup(1)
os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
atexit.register(lambda: os.write(stdout, json.dumps(sorted(sys.modules)).encode()))
sys.argv = ["archc", "summary", {str(SPEC)!r}, "--variant", {VARIANT!r}]
run()
"""
"""The console script itself (`run()`, as `python -m archc` runs it), the summary thrown
away: its modules are what the timed processes load."""


_SEGMENTS = f"""\
import time
marks = [time.perf_counter()]
import yaml
marks.append(time.perf_counter())
import archc.ir
marks.append(time.perf_counter())
import archc.spec.plain
marks.append(time.perf_counter())
import archc.cli.commands, archc.cli.plumbing, archc.backends.summary, archc.ir.printer
marks.append(time.perf_counter())
from archc.backends.summary import RENDERERS, build_report
from archc.pipeline import Options, compile_file
for _ in range(2):
    compiled = compile_file({str(SPEC)!r}, Options(variant={VARIANT!r}))
    marks.append(time.perf_counter())
    RENDERERS["table"](build_report(compiled.analysis, None))
    marks.append(time.perf_counter())
import sys
assert "pydantic" not in sys.modules, "the summary imported pydantic"
print(*(b - a for a, b in zip(marks, marks[1:])))
"""

SEGMENTS = ("import yaml",
            "archc, its diagnostics (dataclasses, inspect) and the IR (op catalogue, graph)",
            "archc.spec.plain (the pydantic-free checker and the compiled schema)",
            "the rest of archc that summary imports",
            "first compile (compiles the checkers of the models it uses)", "first table",
            "second compile, same process", "second table")


def segments(repeats: int) -> dict[str, float]:
    """Median milliseconds of each step of a summary, in-process, in this checkout."""
    samples = [[float(v) for v in _probe(_SEGMENTS, ROOT).split()] for _ in range(repeats)]
    return {name: statistics.median(s[i] for s in samples) * 1000
            for i, name in enumerate(SEGMENTS)}


def _summary(checkout: Path) -> list[str]:
    return [sys.executable, "-m", "archc", "summary", str(SPEC), "--variant", VARIANT]


def _env(checkout: Path) -> dict[str, str]:
    env = bench_env()
    env["PYTHONPATH"] = str(checkout)
    return env


def _probe(code: str, checkout: Path, *args: str) -> str:
    return subprocess.run([sys.executable, "-c", code, *args], cwd=checkout,
                          env=_env(checkout), capture_output=True, text=True,
                          check=True).stdout


def loaded_modules(checkout: Path = ROOT) -> list[str]:
    """What one `archc summary` of ResNet-152 leaves in `sys.modules` (run in `checkout`)."""
    names: list[str] = json.loads(_probe(_MODULES_PROBE, checkout))
    return names


def off_path(modules: list[str]) -> list[str]:
    """The modules of `modules` that `archc summary` must not import."""
    return [m for m in modules if any(m == p or m.startswith(p + ".") for p in OFF_PATH)]


def _grouped(modules: list[str]) -> str:
    """Off-path modules for a table cell: archc's by name, a third party's counted."""
    own = [m for m in modules if m.split(".")[0] == "archc"]
    others: dict[str, int] = {}
    for m in modules:
        if m.split(".")[0] != "archc":
            others[m.split(".")[0]] = others.get(m.split(".")[0], 0) + 1
    parts = own + [f"{top} ({n} modules)" for top, n in others.items()]
    return ", ".join(parts) or "none"


def run(repeats: int = 15, before: Path | None = None) -> dict[str, Any]:
    """Time the floor and the summary (and `before`'s summary) in interleaved rounds."""
    sides = {"after": ROOT} if before is None else {"before": before, "after": ROOT}
    commands: dict[str, tuple[list[str], dict[str, str], Path]] = {
        "floor": (FLOOR, bench_env(), ROOT), "model floor": (MODEL_FLOOR, bench_env(), ROOT)}
    for side, checkout in sides.items():
        commands[f"summary {side}"] = (_summary(checkout), _env(checkout), checkout)
    for _ in range(2):  # warm-up: bytecode caches written, files in the page cache
        for argv, env, cwd in commands.values():
            run_process(argv, env, str(cwd))
    modules = {side: loaded_modules(checkout) for side, checkout in sides.items()}
    archc_modules = {side: json.dumps([m for m in names if m.split(".")[0] == "archc"])
                     for side, names in modules.items()}
    wall: dict[str, list[float]] = {name: [] for name in commands}
    imports: dict[str, list[float]] = {side: [] for side in sides}
    load_before = os.getloadavg()[0]
    for _ in range(repeats):
        for name, (argv, env, cwd) in commands.items():
            wall[name].append(run_process(argv, env, str(cwd))[0])
        for side, checkout in sides.items():
            imports[side].append(float(_probe(_IMPORT_PROBE, checkout, archc_modules[side])))
    floor = statistics.median(wall["floor"])
    result: dict[str, Any] = {
        "load average (1 min) before / after": f"{load_before:.2f} / {os.getloadavg()[0]:.2f}",
        "repeats (interleaved, medians)": repeats,
        "floor ms": floor * 1000,
        "floor + one pydantic model validated / floor": (
            statistics.median(wall["model floor"]) / floor),
    }
    for side in sides:
        summary = statistics.median(wall[f"summary {side}"])
        loaded = modules[side]
        result[f"summary {side} ms"] = summary * 1000
        result[f"summary {side} / floor"] = summary / floor
        result[f"import of the archc modules summary loads, {side}, ms"] = (
            statistics.median(imports[side]) * 1000)
        result[f"modules loaded {side} (archc)"] = (
            f"{len(loaded)} ({sum(m.split('.')[0] == 'archc' for m in loaded)})")
        result[f"off-path modules loaded {side}"] = _grouped(off_path(loaded))
    result[f"summary under {TARGET}x the floor"] = result["summary after / floor"] < TARGET
    for name, ms in segments(repeats).items():
        result[f"in-process ms: {name}"] = ms
    return result


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3g}" if value < 10 else f"{value:,.0f}"
    return str(value)


def limits(result: dict[str, Any]) -> str:
    """Where the time goes, in figures of this run's in-process rows."""
    def ms(segment: str) -> float:
        value: float = result[f"in-process ms: {segment}"]
        return value

    first, second = ms(SEGMENTS[4]), ms(SEGMENTS[6])
    floor = result["floor ms"]
    summary = result["summary after ms"]
    model = result["floor + one pydantic model validated / floor"]
    return (f"Where the time goes: the summary ({summary:,.0f} ms) imports no pydantic. A valid "
            f"spec is checked by archc/spec/plain.py against the models compiled to plain "
            f"data (archc/spec/compiled_schema.py, generated from the pydantic models' core "
            f"schemas by `make docs`); pydantic is imported only for an item the checker "
            f"leaves to it, which is how every error is still worded. The floor imports "
            f"pydantic's BaseModel, and one pydantic model validated costs {model:.2f}x the "
            f"floor ({floor:,.0f} ms) in the same rounds. In-process: yaml "
            f"{ms(SEGMENTS[0]):.0f} ms; archc's diagnostics and IR {ms(SEGMENTS[1]):.0f} ms "
            f"(mostly creating frozen dataclasses, the op catalogue's records among them); the "
            f"checker and compiled schema {ms(SEGMENTS[2]):.0f} ms; the rest of archc's "
            f"imports {ms(SEGMENTS[3]):.0f} ms; the work itself, compile {first:.0f} ms the "
            f"first time ({second:.0f} ms warm) and table {ms(SEGMENTS[5]):.0f} ms.")


def update_doc(result: dict[str, Any], doc: Path = ROOT / "docs" / "benchmarks.md") -> None:
    """Put this run's section and target row into docs/benchmarks.md, as `make bench` would."""
    from bench.doc_section import splice
    from bench.run import Doc, _hook_targets

    part = Doc()
    _hook_targets(part, "bench_startup", result)
    rows = ["| " + " | ".join(row) + " |" for row in part.targets]
    heading = "### `bench/bench_startup.py`"
    section = [heading, "", (__doc__ or "").strip().split("\n\n")[0], "",
               "| measurement | value |", "|---|---:|"]
    section += [f"| {k} | {_fmt(v)} |" for k, v in result.items()]
    section += ["", limits(result), "",
                "(measured by `python -m bench.bench_startup --before DIR --write`, DIR a "
                "checkout of main before issue 21's start-up work; `make bench` reruns it "
                "without `before`)", ""]
    splice(doc, heading, section, rows, "| 21 | `archc summary`")


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.bench_startup",
                                     description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--before", type=Path, help="a checkout of an older archc to compare")
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = parser.parse_args(argv)
    figures = run(args.repeats, args.before)
    for key, value in figures.items():
        print(f"{key}: {_fmt(value)}")
    if args.write:
        update_doc(figures)
        print("updated docs/benchmarks.md")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
