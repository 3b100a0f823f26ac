"""`make bench`: every comparison of issues 2 and 7 side by side, written to docs/benchmarks.md.

Sections, in order (the TF-free ones first, so TensorFlow's threads never share the machine
with them):

1. start-up: `archc summary` of ResNet-152 against the bare floor (issue 7, <= 2x) and
   against keras.applications.ResNet152 + summary() (issue 2, >= 20x faster), whole
   processes, interleaved, medians; the `-X importtime` audit of what summary loads;
2. editor: `archc lsp`, an edit of each zoo spec to its diagnostics (issue 19, < 50 ms);
3. scale: generated 100 / 1,000 / 10,000-layer specs and a block repeated 1,000 times,
   in-process and as processes with their peak memory (< 2 s and < 200 MB at 10,000;
   10,000 / 1,000 <= 12x), plus `diagram` (DOT text) on the same specs; a plot;
4. TensorFlow: `build` on the scale specs, run-time parity (bench/parity.py), and the other
   helpers' scripts when present (bench_build, bench_custom_layers, bench_diagram,
   bench_report, bench_startup), each exposing `run() -> dict`.

`python -m bench.run --quick` uses fewer repeats and skips TensorFlow (for a smoke test).
"""

from __future__ import annotations

import argparse
import importlib
import json
import subprocess
import sys
import tempfile
import time
import traceback
from functools import partial
from pathlib import Path
from typing import Any

from archc.outputs import atomic_output
from bench import floor, machine, scale
from bench.svg import loglog_svg
from bench.timing import Runs, bench_env, side_by_side, time_call

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
PLOT = ROOT / "docs" / "bench-scale.svg"
HOOKS = ("bench_build", "bench_custom_layers", "bench_diagram", "bench_report",
         "bench_startup")
ARCHC = floor.ARCHC


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def _verdict(ok: bool) -> str:
    return "met" if ok else "**missed**"


class Doc:
    """Collects the markdown of docs/benchmarks.md and echoes a plain table to stdout."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.targets: list[list[str]] = []

    def target(self, issue: str, what: str, goal: str, measured: str, ok: bool | None,
               note: str = "") -> None:
        """One row of "Targets at a glance" (ok=None: not measurable here, see the note)."""
        verdict = "n/a" if ok is None else _verdict(ok)
        self.targets.append([issue, what, goal, measured, verdict, note])

    def add(self, *lines: str) -> None:
        self.lines.extend(lines)

    def table(self, header: list[str], rows: list[list[str]]) -> None:
        self.add("| " + " | ".join(header) + " |",
                 "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|")
        for row in rows:
            self.add("| " + " | ".join(row) + " |")
        self.add("")
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(header)]
        print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
        for row in rows:
            print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
        print()


# -- 1. start-up ------------------------------------------------------------------------------


def startup(doc: Doc, repeats: int, keras_repeats: int, with_tf: bool) -> None:
    runs = floor.floor(repeats)
    ours = runs["archc summary"].median
    base = runs["floor"].median
    ratio = ours / base
    doc.add("## Start-up: `archc summary` of ResNet-152 (issues 2 and 7)", "",
            f"Whole processes, interleaved, median of {repeats} after 2 warm-up rounds.", "")
    rows = [[f"`{name}`", _ms(r.median), f"{r.peak:.0f} MiB"] for name, r in runs.items()]
    doc.table(["command", "median", "peak RSS"], rows)
    bm = runs["floor + pydantic.BaseModel"].median
    doc.target("7", "summary of ResNet-152 vs the bare floor", "<= 2x", f"{ratio:.2f}x",
               ratio <= 2, "" if ratio <= 2 else "see Start-up")
    doc.add(f"- **Floor (issue 7): {ratio:.2f}x** the bare floor (target <= 2x): "
            f"{_verdict(ratio <= 2)}.",
            "  - floor: `python -c \"import yaml, pydantic; yaml.safe_load(open(SPEC))\"`; "
            "`import pydantic` alone is lazy and loads almost nothing.",
            f"  - `from pydantic import BaseModel` alone adds {_ms(bm - base)} to the floor; "
            f"interpreter start-up is {_ms(runs['python -c pass'].median)}. The summary "
            "imports no pydantic: a valid spec is checked by archc/spec/plain.py against the "
            "models compiled to plain data, and pydantic is imported only to word an error. "
            f"Above the floor, archc spends {_ms(ours - base)} on importing itself, loading, "
            "lowering, analysing and printing 560 layers.",
            "")
    parts = floor.breakdown(max(5, repeats // 2))
    doc.add("Where the time goes (in-process segments of one `archc summary` process, "
            "medians):", "")
    doc.table(["segment", "median"], [[k, _ms(v)] for k, v in parts.items()])
    if ratio > 2:
        doc.add("What limits the ratio: archc's own imports "
                f"({_ms(parts['import archc (all modules)'])}) and the first summary "
                f"({_ms(parts['first summary (compiles the checkers it needs)'])}) against a "
                f"floor of {_ms(base)}.", "")
    if with_tf:
        kr = floor.keras_summary(keras_repeats)
        speedup = kr["keras ResNet152 summary"].median / kr["archc summary"].median
        doc.add(f"Against Keras (issue 2), median of {keras_repeats}, interleaved:", "")
        doc.table(["command", "median", "peak RSS"],
                  [[f"`{n}`", _ms(r.median), f"{r.peak:.0f} MiB"] for n, r in kr.items()])
        doc.target("2", "summary of ResNet-152 vs keras.applications + summary()",
                   ">= 20x faster", f"{speedup:.0f}x", speedup >= 20)
        doc.add(f"- **archc is {speedup:.0f}x faster** than building "
                "`keras.applications.ResNet152(weights=None)` and calling `summary()` "
                f"(target >= 20x): {_verdict(speedup >= 20)}.", "")
    audit = floor.import_audit()
    doc.target("7", "heavy modules imported by summary", "none", ", ".join(audit.heavy) or "none",
               not audit.heavy)
    doc.add("### What `archc summary` imports (`python -X importtime`)", "",
            f"- {audit.modules} modules in all; third-party: "
            + ", ".join(f"`{m}`" for m in audit.third_party) + ".",
            "- Heavy modules it must not load (" + ", ".join(f"`{m}`" for m in floor.HEAVY)
            + "): " + ("**" + ", ".join(audit.heavy) + "**" if audit.heavy
                       else "none loaded") + ".",
            "- Slowest top-level imports (cumulative, one run, microseconds): "
            + ", ".join(f"`{n}` {us:,}" for n, us in audit.slowest_top_level) + ".",
            "")


# -- 2. scale ---------------------------------------------------------------------------------


def scaling(doc: Doc, directory: Path, repeats: int) -> dict[str, Path]:
    paths = scale.write_specs(directory)
    counts = {name: scale.layer_count(p) for name, p in paths.items()}
    inproc: dict[str, Runs] = {}
    for name, path in paths.items():
        n = repeats if counts[name] <= 1_000 else max(3, repeats // 3)
        inproc[name] = time_call(partial(scale.summarize_in_process, path), n)
    procs = side_by_side({name: [ARCHC, "summary", str(p)] for name, p in paths.items()},
                         max(3, repeats // 2), warmup=1)
    dot = side_by_side({name: [ARCHC, "diagram", str(p), "--format", "gv", "-o", "-",
                               "--depth", "1", "--max-nodes", "20000"]
                        for name, p in paths.items()}, 3, warmup=0)
    doc.add("## Scale: generated specs (issue 7)", "",
            "Specs generated at bench time by `bench/scale.py`: `flatN` is N layers "
            "(conv2d 3x3 same / batch_norm / activation in turn) on 32x32x16; "
            "`repeated1000` is one residual block (2 conv + 2 BN + ReLU, add, ReLU) repeated "
            "1,000 times. *In-process* is `archc.cli.main(['summary', SPEC])` without "
            "process start-up (median); *process* is `archc summary SPEC` as a whole process "
            "with its peak RSS; *diagram* is `archc diagram SPEC --format gv -o - --depth 1` "
            "(DOT text, no Graphviz layout; `--max-nodes 20000` because a flat spec has no "
            "block to collapse).", "")
    rows = []
    for name in paths:
        rows.append([name, f"{counts[name]:,}", _ms(inproc[name].median),
                     _ms(procs[name].median), f"{procs[name].peak:.0f} MiB",
                     _ms(dot[name].median), f"{dot[name].peak:.0f} MiB"])
    doc.table(["spec", "layers", "summary in-process", "summary process", "peak RSS",
               "diagram process", "diagram peak RSS"], rows)
    big, mid = procs["flat10000"], procs["flat1000"]
    growth_in = inproc["flat10000"].median / inproc["flat1000"].median
    growth_proc = big.median / mid.median
    doc.target("7", "10,000-layer spec, whole process", "< 2 s", _ms(big.median),
               big.median < 2)
    doc.target("7", "10,000-layer spec, peak memory", "< 200 MB", f"{big.peak:.0f} MiB",
               big.peak < 200)
    doc.target("7", "growth 10,000 / 1,000 layers (in-process)", "<= 12x", f"{growth_in:.1f}x",
               growth_in <= 12)
    doc.add(f"- 10,000 layers in **{_ms(big.median)}** as a whole process (target < 2 s): "
            f"{_verdict(big.median < 2)}; peak memory **{big.peak:.0f} MiB** (target "
            f"< 200 MB): {_verdict(big.peak < 200)}.",
            f"- Growth 10,000 / 1,000 layers: **{growth_in:.1f}x** in-process, "
            f"{growth_proc:.1f}x as processes (target <= 12x): {_verdict(growth_in <= 12)}. "
            "Linear growth would be 10x; the process figure is lower because start-up is "
            "a fixed cost.",
            f"- A block repeated 1,000 times ({counts['repeated1000']:,} layers): "
            f"{_ms(procs['repeated1000'].median)} as a process.",
            "", f"![analysis time against network size]({PLOT.name})", "")
    flat = [n for n in paths if n.startswith("flat")]
    svg = loglog_svg(
        "archc summary: time against network size", "layers (log)", "milliseconds (log)",
        [("in-process", [(counts[n], inproc[n].median * 1000) for n in flat]),
         ("whole process", [(counts[n], procs[n].median * 1000) for n in flat]),
         ("repeated block, in-process",
          [(counts["repeated1000"], inproc["repeated1000"].median * 1000)])])
    with atomic_output(PLOT) as tmp:
        tmp.write_text(svg, encoding="utf-8")
    return paths


# -- 3. TensorFlow ----------------------------------------------------------------------------


_BUILD_PROBE = """\
import sys, time, os
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import archc
start = time.perf_counter()
model = archc.build(sys.argv[1])
print(f"{time.perf_counter() - start:.3f} {len(model.layers)}")
"""


def build_scale(doc: Doc, paths: dict[str, Path]) -> None:
    doc.add("### `archc build` on the scale specs", "",
            "One child process per spec (`archc.build(SPEC)`: lower, create the Keras "
            "model, verify its params and shapes against the analysis); the figure is the "
            "build time inside the process, without TensorFlow's import.", "")
    rows = []
    for name, path in paths.items():
        if name == "flat10000" and any(r[0] == "flat1000" and r[1] != "built" and
                                       not r[1].endswith(" s") for r in rows):
            rows.append([name, "not run", "skipped: the 1,000-layer build already failed"])
            continue
        try:
            proc = subprocess.run([sys.executable, "-c", _BUILD_PROBE, str(path)],
                                  capture_output=True, text=True, env=bench_env(),
                                  timeout=900, cwd=ROOT)
        except subprocess.TimeoutExpired:
            rows.append([name, "timeout", "over 900 s"])
            continue
        if proc.returncode == 0:
            seconds, layers = proc.stdout.split()[-2:]
            rows.append([name, f"{float(seconds):.1f} s", f"{int(layers):,} Keras layers"])
        else:
            last = (proc.stderr.strip().splitlines() or ["?"])[-1]
            rows.append([name, "failed", f"`{last[:120]}`"])
    doc.table(["spec", "build", "note"], rows)
    failed = [r[0] for r in rows if r[1] == "failed"]
    doc.target("7", "`archc build` of the scale specs", "builds", "fails: " + ", ".join(failed)
               if failed else "all built", not failed,
               "Keras's functional graph walk (keras/src/ops/function.py `_build_map_helper`) "
               "recurses once per layer and passes Python's recursion limit near 1,000 "
               "sequential layers" if failed else "")
    if failed:
        doc.add("The failures come from Keras, not from archc's analysis: `keras.Model(inputs, "
                "outputs)` walks the layer graph recursively (`_build_map_helper` in "
                "keras/src/ops/function.py), one Python frame per layer of depth, so any "
                "chain longer than about 1,000 layers exceeds the default recursion limit. "
                "The Keras backend would have to raise the limit (and the thread's stack) "
                "around model construction.", "")


def parity(doc: Doc, repeats: int) -> None:
    proc = subprocess.run([sys.executable, "-m", "bench.parity", str(repeats)],
                          capture_output=True, text=True, env=bench_env(), cwd=ROOT,
                          timeout=3600)
    doc.add("## Run-time parity (issue 7)", "",
            "`bench/parity.py`: archc's compiled model against keras.applications (ResNet-50, "
            "Xception) or a direct Keras rewrite (GoogLeNet), batch "
            f"{4}, random data, one `tf.function` per step, interleaved with alternating "
            f"order, median of {3 * repeats} (inference) or {repeats} (train step) after 2 "
            "warm-ups. Ratio = Keras time / archc time (target >= 0.95). The two models are "
            "made of the same Keras layers (tests/backends/keras/test_keras_parity.py copies "
            "the weights one to one and gets identical predictions), so the ratios' spread "
            "around 1.0 is this shared machine's noise, a few percent from run to run.", "")
    if proc.returncode != 0:
        doc.add(f"Failed: `{(proc.stderr.strip().splitlines() or ['?'])[-1]}`", "")
        return
    data = json.loads(proc.stdout)
    rows = []
    for net in ("ResNet-50", "Xception", "GoogLeNet"):
        for mode in ("inference", "train step"):
            r = data[f"{net} {mode} ratio"]
            doc.target("7", f"{net} {mode} speed vs Keras", ">= 0.95x", f"{r:.2f}x", r >= 0.95)
            rows.append([net, mode, _ms(data[f"{net} {mode} s archc"]),
                         _ms(data[f"{net} {mode} s keras"]), f"{r:.2f}", _verdict(r >= 0.95)])
    doc.table(["network", "step", "archc", "Keras", "ratio", "target >= 0.95"], rows)
    doc.add("Params archc / reference: " + "; ".join(
        f"{net} {data[f'{net} params archc / reference']}"
        for net in ("ResNet-50", "Xception", "GoogLeNet")) + ".", "")


def editor(doc: Doc) -> None:
    """Issues 13 and 19: `archc lsp`, edit of every zoo spec to published diagnostics."""
    from bench import bench_lsp

    result = bench_lsp.run()
    worst = max(result["specs"].items(), key=lambda kv: kv[1]["p50 ms"])
    doc.target("19", "`archc lsp`: edit to diagnostics, every zoo spec (worst median)",
               f"< {bench_lsp.TARGET_MS:.0f} ms", f"{worst[1]['p50 ms']:.1f} ms ({worst[0]})",
               result["all medians under target"])
    about = [p.replace("\n", " ") for p in (bench_lsp.__doc__ or "").strip().split("\n\n")]
    doc.add("## Editor: `archc lsp` diagnostics latency (issues 13, 19)", "", about[0], "",
            about[1], "", about[2], "",
            f"Machine: {result['machine']}; load average (1, 5, 15 min) "
            f"{result['load average (1, 5, 15 min) before']} before, "
            f"{result['load average (1, 5, 15 min) after']} after.", "",
            bench_lsp.table(result), "")


def hooks(doc: Doc) -> None:
    doc.add("## Other helpers' benchmarks", "")
    for name in HOOKS:
        if not (ROOT / "bench" / f"{name}.py").exists():
            doc.add(f"### `bench/{name}.py`", "", "Not present in this checkout.", "")
            continue
        doc.add(f"### `bench/{name}.py`", "")
        start = time.perf_counter()
        try:
            module = importlib.import_module(f"bench.{name}")
            result: dict[str, Any] = module.run()
        except Exception:  # a broken hook must not lose the other figures
            doc.add("Failed:", "", "```", traceback.format_exc(limit=3).strip(), "```", "")
            continue
        _hook_targets(doc, name, result)
        if hasattr(module, "update_quotes"):  # sentences elsewhere that quote this run
            module.update_quotes(result)
        doc.add((module.__doc__ or "").strip().split("\n\n")[0], "")
        doc.table(["measurement", "value"], [[k, _fmt(v)] for k, v in result.items()])
        doc.add(f"(ran in {time.perf_counter() - start:.0f} s)", "")


_CUSTOM_LAYER_RATIOS = {  # bench_custom_layers key -> what it compares (archc / built-in)
    "c3_ratio_table_vs_plain": "connection-table C3 vs plain Conv2D (LeNet step)",
    "lrn_ratio": "LRN vs tf.nn.local_response_normalization",
    "subsampling_ratio_vs_builtin_equivalent":
        "trainable subsampling vs AveragePooling2D + 1x1 DepthwiseConv2D (layer alone)",
    "s2s4_ratio_subsampling_vs_avgpool": "subsampling S2/S4 vs AveragePooling2D (LeNet step)",
}


def _hook_targets(doc: Doc, name: str, result: dict[str, Any]) -> None:
    if name == "bench_build":
        build = result.get("build process ratio archc/keras (target <= 1.15)")
        infer = result.get("inference speed ratio keras_time/archc_time (target >= 0.95)")
        if isinstance(build, float):
            doc.target("3", "build ResNet-50 from its spec vs keras.applications, processes",
                       "<= 1.15x", f"{build:.2f}x", build <= 1.15)
        if isinstance(infer, float):
            doc.target("3", "ResNet-50 inference speed vs keras.applications, batch 8",
                       ">= 0.95x", f"{infer:.2f}x", infer >= 0.95)
    if name == "bench_diagram":
        share = result.get("archc_share")
        if isinstance(share, float):
            doc.target("4", "ResNet-152 expanded: archc spec-to-DOT time / dot layout time",
                       "small", f"{share:.2f}", share < 0.5)
    if name == "bench_report":
        opened = result.get("open to first paint ms (max)")
        size = result.get("file size MB")
        if isinstance(opened, float):
            doc.target("14", "`archc report` ResNet-152 expanded: open to first paint (slowest "
                       "of the runs)", "< 1 s", f"{opened:,.0f} ms", opened < 1000)
        if isinstance(size, float):
            doc.target("14", "`archc report` ResNet-152 expanded: file size", "< 2 MB",
                       f"{size:.2f} MB", size < 2)
    if name == "bench_startup":
        ratio = result.get("summary after / floor")
        if isinstance(ratio, float):
            doc.target("21", "`archc summary` of ResNet-152 vs pydantic BaseModel + yaml floor",
                       "< 1.5x", f"{ratio:.2f}x", ratio < 1.5)
    if name == "bench_custom_layers":
        for key, what in _CUSTOM_LAYER_RATIOS.items():
            value = result.get(key)
            if isinstance(value, float):
                doc.target("7", what, "<= 1.5x", f"{value:.2f}x", value <= 1.5)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value).replace("|", "\\|")


# -- driver -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="few repeats, no TensorFlow")
    parser.add_argument("--repeats", type=int, default=15, help="repeats of the fast runs")
    args = parser.parse_args(argv)
    repeats = 5 if args.quick else args.repeats
    started = time.time()
    info = machine.describe()
    doc = Doc()
    doc.add("# Benchmarks", "",
            "Written by `make bench` (`python -m bench.run`); every figure below comes from "
            "one run of it on the machine described here. Re-run it to refresh the file. "
            "Medians over repeats; contenders run interleaved so that load from other "
            "processes hits them alike. The machine was shared with other jobs while this "
            "ran, so absolute times are noisy; the ratios are the figures to read.", "",
            "## Machine", "")
    doc.table(["", ""], [[k, v] for k, v in info.items()])
    doc.add("Processes run with bytecode caching enabled (`PYTHONDONTWRITEBYTECODE` unset), "
            "as on a user's machine after the first run.", "")
    startup(doc, repeats, 3, not args.quick)
    editor(doc)
    with tempfile.TemporaryDirectory(prefix="archc-bench-") as tmp:
        paths = scaling(doc, Path(tmp), repeats)
        if not args.quick:
            build_scale(doc, paths)
    if not args.quick:
        parity(doc, 9)
        hooks(doc)
    glance = ["## Targets at a glance", ""]
    glance += ["| issue | what | target | measured | verdict | note |",
               "|---|---|---|---:|---|---|"]
    glance += ["| " + " | ".join(row) + " |" for row in doc.targets]
    glance.append("")
    at = doc.lines.index("## Start-up: `archc summary` of ResNet-152 (issues 2 and 7)")
    doc.lines[at:at] = glance
    doc.add("---", "", f"Total bench time: {time.time() - started:.0f} s.", "")
    with atomic_output(DOC) as tmp_doc:
        tmp_doc.write_text("\n".join(doc.lines), encoding="utf-8")
    print(f"wrote {DOC.relative_to(ROOT)} and {PLOT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
