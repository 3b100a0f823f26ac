"""Measure the figures in docs/reliability.md: run with `python -m tests.hostile.reliability`.

Every bad spec (the corpus plus the generated hostile cases of the tests: bombs, deep
nesting, caps, huge numbers, bad bytes) is checked by `archc check` in its own child
process, so each run's time and peak memory are its own. Printed: how many were tried, the
share with a located diagnostic, tracebacks and dead children, the worst time and peak
memory (and which case), whether TensorFlow was imported; then a kill test of the atomic
writer. Options: `--kills N` (default 100), `--jobs N` (default 2).
"""

from __future__ import annotations

import argparse
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from . import generators as gen
from .hostile_helpers import ROOT, ChildRun, run_child
from .test_caps import _CASES as CAP_CASES
from .test_loading import _DEEP, billion_laughs
from .test_outputs import _WRITER

_LOCATED = re.compile(r"^\S+:\d+:\d+: error\[[A-Z]\d{3}\]: ", re.MULTILINE)
_HEADER = "archc: 1\nname: t\ninput: [8, 8, 1]\n"


def generated_cases(tmp: Path) -> dict[str, tuple[list[str], int]]:
    """Write the large hostile files; name -> (archc arguments, expected exit code)."""
    files: dict[str, Callable[[], str | bytes]] = {
        "billion-laughs": billion_laughs,
        "million-aliases": lambda: "a: &a 1\nb: [" + ",".join(["*a"] * 1_000_000) + "]\n",
        "million-on-words": lambda: "b: [" + ",".join(["on"] * 1_000_000) + "]\n",
        "node-cap-1.9e6-items": lambda: _HEADER + "layers: [" + ",".join(["0"] * 1_900_000)
        + "]\n",
        "size-cap-5MB": lambda: _HEADER + "layers: [flatten]\n" + ("# " + "x" * 98 + "\n")
        * 50_000,
        "int-5000-digits": lambda: _HEADER + "layers:\n  - dense: {units: " + "9" * 5000 + "}\n",
        "nul-byte": lambda: (_HEADER + 'description: "a\x00b"\nlayers: [flatten]\n').encode(),
        "latin-1": lambda: (_HEADER + "description: caf\xe9\n").encode("latin-1"),
        **{f"deep-{k}": v for k, v in _DEEP.items()},
        "exponential-2x31-blocks": _two_branch_blocks,
    }
    for key, (text, _, _) in CAP_CASES.items():
        files[f"cap-{key}"] = _constant(text)
    for key, text in gen.LARGEST.items():  # issue 18's classes, past their caps
        files[f"cost-{key}"] = _constant(text)
    cases: dict[str, tuple[list[str], int]] = {}
    for name, make in files.items():
        path = tmp / f"{name}.yaml"
        data = make()
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        cases[name] = (["check", str(path)], 1)
    for name, (text, rc) in gen.AT_THE_CAPS.items():  # valid specs as large as the caps allow
        path = tmp / f"at-cap-{name}.yaml"
        path.write_text(text, encoding="utf-8")
        cases[f"at-cap-{name}"] = (["check", str(path)], rc)
    # Variant amplification: the commands that compile every variant.
    variants = tmp / "variants-3000x100.yaml"
    variants.write_text(gen.many_variants(3_000, 100), encoding="utf-8")
    large = tmp / "variants-20x1000.yaml"
    large.write_text(gen.many_variants(20, 1_000), encoding="utf-8")
    for spec in (variants, large):
        cases[f"report-{spec.stem}"] = (["report", str(spec), "-o", str(tmp / "r.html")], 1)
        cases[f"summary-all-variants-{spec.stem}"] = (["summary", "--all-variants", str(spec)],
                                                      1)
    cases["dev-zero"] = (["check", "/dev/zero"], 1)
    cases["dev-zero-max-bytes-1e11"] = (["check", "--max-bytes", "100000000000", "/dev/zero"], 1)
    cases["dev-urandom"] = (["check", "/dev/urandom"], 1)
    cases["a-directory"] = (["check", str(tmp)], 2)
    cases["missing-file"] = (["check", str(tmp / "missing.yaml")], 2)
    return cases


def _two_branch_blocks() -> str:
    """b0 is two activations; each b{i} calls b{i-1} twice, 31 levels: 2**32 layers."""
    lines = [_HEADER, "blocks:\n", "  b0: {layers: [activation: relu, activation: relu]}\n"]
    lines += [f"  b{i}: {{layers: [b{i - 1}, b{i - 1}]}}\n" for i in range(1, 32)]
    return "".join(lines) + "layers:\n  - b31\n"


def _constant(text: str) -> Callable[[], str]:
    return lambda: text


def corpus_cases() -> dict[str, tuple[list[str], int]]:
    cases = {}
    for spec in sorted((ROOT / "tests" / "hostile" / "corpus").glob("*.yaml")):
        first = spec.read_bytes().split(b"\n", 1)[0]
        extra = first[len(b"# args:"):].decode().split() if first.startswith(b"# args:") else []
        cases[f"corpus/{spec.stem}"] = (["check", *extra, str(spec)], 1)
    return cases


def measure(jobs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cases = corpus_cases() | generated_cases(Path(tmp))
        with ThreadPoolExecutor(jobs) as pool:
            runs = dict(zip(cases, pool.map(lambda c: run_child(c[0], timeout=120),
                                            cases.values()), strict=True))
    tried = len(runs)
    spec_errors = {n: r for n, r in runs.items() if cases[n][1] == 1}
    valid = {n: r for n, r in runs.items() if cases[n][1] == 0}
    located = sum(1 for r in spec_errors.values() if r.rc == 1 and _LOCATED.search(r.stderr))
    usage = sum(1 for n, r in runs.items() if cases[n][1] == 2 and r.rc == 2)
    broken = [n for n, r in runs.items() if _crashed(r, cases[n][1])]
    worst_time = max(runs.items(), key=lambda kv: kv[1].run_s)
    worst_mem = max(runs.items(), key=lambda kv: kv[1].peak_mb)
    imports = sorted(r.peak_mb for r in runs.values())
    io_cases = tried - len(spec_errors) - len(valid)
    print(f"specs tried:                   {tried} ({len(spec_errors)} spec errors, "
          f"{io_cases} I/O cases, {len(valid)} valid at the caps)")
    print(f"located diagnostic (exit 1):   {located}/{len(spec_errors)} "
          f"({100 * located / len(spec_errors):.1f}%)")
    print(f"exit 2 for unreadable paths:   {usage}/{io_cases}")
    print(f"valid at the caps (exit 0):    {sum(r.rc == 0 for r in valid.values())}/{len(valid)}")
    print(f"tracebacks / internal errors / dead children: {len(broken)} {broken}")
    worst_cpu = max(runs.items(), key=lambda kv: kv[1].cpu_s)
    print(f"worst run time (after import): {worst_time[1].run_s:.3f} s wall ({worst_time[0]}); "
          f"{worst_cpu[1].cpu_s:.3f} s CPU ({worst_cpu[0]})")
    by_cpu = sorted(runs.items(), key=lambda kv: -kv[1].cpu_s)[:4]
    print("slowest (CPU s):              " + ", ".join(f"{n} {r.cpu_s:.3f}" for n, r in by_cpu))
    laughs = runs["billion-laughs"]
    print(f"billion laughs:                {laughs.cpu_s:.3f} s CPU, {laughs.peak_mb:.0f} MB peak")
    print(f"worst peak memory (whole process): {worst_mem[1].peak_mb:.0f} MB ({worst_mem[0]}); "
          f"median {imports[len(imports) // 2]:.0f} MB")
    slowest_start = max(r.import_s + r.run_s for r in runs.values())
    print(f"median import time:            "
          f"{sorted(r.import_s for r in runs.values())[tried // 2]:.3f} s; worst import + run "
          f"{slowest_start:.3f} s")
    print(f"TensorFlow or Keras imported:  {sum(r.tensorflow for r in runs.values())} runs")


def issue_18_cases(tmp: Path) -> dict[str, list[str]]:
    """The cases issue 18 reported, at the sizes it reported them; name -> archc arguments."""
    texts = {
        "variables nested 600 deep": gen.nested_values(600),
        "3 functions x 190 minus signs": gen.functions_through_minus_signs(3, 190),
        "20 blocks x 14 nested residuals": gen.blocks_of_residuals(20, 14),
        "[$v, $v] 40 times, compared": gen.doubling(40),
        "[$v, $v] 40 times, as units": gen.doubling(40).replace(
            "layers:\n", "layers:\n  - dense: {units: $v40}\n"),
        "10,000 let names": gen.many_lets(10_000),
        "20,000 let names": gen.many_lets(20_000),
        "10,000 parameters": gen.many_parameters(10_000),
        "100 bare lets, mapped": gen.bare_lets_mapped(100, 100),
        "10,000 copies of a costly when": gen.costly_when(10_000),
        "repeat 10000 x 10000 of a removed layer": gen.removed_repeat(10_000, 10_000),
        "3,000 variants of 100 layers": gen.many_variants(3_000, 100),
    }
    cases: dict[str, list[str]] = {}
    for i, (name, text) in enumerate(texts.items()):
        path = tmp / f"issue18-{i}.yaml"
        path.write_text(text, encoding="utf-8")
        cases[name] = ["check", str(path)]
    variants = cases.pop("3,000 variants of 100 layers")[1]
    cases["3,000 variants: check"] = ["check", variants]
    cases["3,000 variants: report"] = ["report", variants, "-o", str(tmp / "v.html")]
    cases["3,000 variants: summary --all-variants"] = ["summary", "--all-variants", variants]
    return cases


def measure_issue_18() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cases = issue_18_cases(Path(tmp))
        runs = {name: run_child(args, timeout=120) for name, args in cases.items()}
    print("issue 18's cases (exit, first code, CPU after import, whole-process peak):")
    for name, run in runs.items():
        code = _CODE.search(run.stderr)
        print(f"  {name:<42} exit {run.rc}  {code.group(1) if code else '-':<5} "
              f"{run.cpu_s:.3f} s  {run.peak_mb:.0f} MB")


_CODE = re.compile(r"error\[([A-Z]\d{3})\]")


def _crashed(run: ChildRun, expected: int) -> bool:
    text = run.stderr + run.raw_stderr
    return (run.returncode != 0 or run.rc not in (1, 2, expected) or "Traceback" in text
            or "internal error" in text)


def kill_test(kills: int) -> None:
    size = 4 * 1024 * 1024
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "model.keras"
        target.write_bytes(b"initial")
        allowed = {b"initial", b"A" * size, b"B" * size}
        intact = 0
        for i in range(kills):
            proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(target), str(size)],
                                    stdout=subprocess.PIPE, cwd=ROOT)
            assert proc.stdout is not None
            proc.stdout.readline()
            time.sleep((i % 16) * 0.01)
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            proc.stdout.close()
            intact += target.read_bytes() in allowed
    print(f"kill test: target intact after {intact}/{kills} SIGKILLs during atomic writes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    measure(args.jobs)
    measure_issue_18()
    kill_test(args.kills)


if __name__ == "__main__":
    main()
