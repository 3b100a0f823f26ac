"""`archc report` of fully expanded ResNet-152 in headless Chromium: file size, time to open,
frame times while zooming and panning, and the time to expand or collapse a stage.

Opening is timed by the page itself from the start of navigation (`performance.now()`, whose
origin is the navigation start) to the moment it is interactive (data parsed, layout done,
diagram and table built) and to the first frame painted after that; median over fresh
navigations of the file:// URL. Zoom and pan are real input events (mouse wheel, drag) sent
over the DevTools protocol, one per animation frame; the page records the time between
frames meanwhile. Targets (issue 14): opens in under 1 s, file under 2 MB.

The machine, the browser and the load average before and after are part of the result:
on a loaded 2-core machine the open times vary by a factor of two. Run
``python -m bench.bench_report`` (``--write`` also updates docs/benchmarks.md and the
figures quoted in README.md and docs/report.md); `run()` returns the dict it prints. Needs
Chromium (Debian's `chromium`); without it `run()` raises `BrowserError`.
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from archc.cli import main
from archc.outputs import atomic_output
from bench.chromium import Chromium, browser
from bench.machine import describe

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "specs" / "resnet.yaml"
VARIANT = "resnet152"

_FRAME_LOGGER = """(() => {
  window.__frames = [];
  const tick = t => { window.__frames.push(t); if (window.__frames.length < 100000)
    requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
  return true; })()"""


def _write(target: Path, *args: str) -> float:
    start = time.perf_counter()
    with contextlib.redirect_stderr(io.StringIO()):
        assert main(["report", str(SPEC), *args, "-o", str(target), "-q"]) == 0
    return time.perf_counter() - start


def _open_times(b: Chromium, url: str, repeats: int) -> tuple[list[float], list[float]]:
    ready, painted = [], []
    for _ in range(repeats):
        b.open(url)
        deadline = time.monotonic() + 30
        while b.evaluate("document.body.dataset.paintedAt") is None:
            if time.monotonic() > deadline:
                raise RuntimeError("the page never painted")
            time.sleep(0.01)
        ready.append(float(b.evaluate("Number(document.body.dataset.readyAt)")))
        painted.append(float(b.evaluate("Number(document.body.dataset.paintedAt)")))
    return ready, painted


def _frame_intervals(b: Chromium, steps: int, action: Any) -> list[float]:
    """Milliseconds between painted frames while `action(i)` sends input, one per frame."""
    b.evaluate(_FRAME_LOGGER)
    for i in range(steps):
        action(i)
        b.evaluate("new Promise(r => requestAnimationFrame(() => r(true)))")
    frames: list[float] = b.evaluate("window.__frames.slice()")
    b.evaluate("window.__frames.length = 100000")  # stops the logger
    return [later - earlier for earlier, later in itertools.pairwise(frames)]


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} (5 min: {five:.2f})"


def run(repeats: int = 9, steps: int = 90) -> dict[str, Any]:
    machine = describe()
    started = {"machine": f"{machine['cores']} cores, {machine['cpu']}, {machine['os']}",
               "load average (1 min) at start": _load()}
    with tempfile.TemporaryDirectory(prefix="archc-bench-report-") as tmp:
        page = Path(tmp) / "resnet152.html"
        write_s = statistics.median(_write(page, "--variant", VARIANT) for _ in range(3))
        every = Path(tmp) / "resnet-all.html"
        _write(every)
        data = page.read_text("utf-8")
        nodes = len(json.loads(data.split('id="archc-data">', 1)[1].split("</script>", 1)[0])
                    ["models"][0]["nodes"])
        result: dict[str, Any] = {
            **started,
            "spec": f"{SPEC.name} --variant {VARIANT}, fully expanded",
            "layers drawn (nodes incl. input)": nodes,
            "file size MB": page.stat().st_size / 1e6,
            "file size all five ResNets in one page MB": every.stat().st_size / 1e6,
            "archc report write s (median of 3)": write_s,
        }
        with browser() as b:
            result["browser"] = str(b.send("Browser.getVersion").get("product", "unknown"))
            url = page.resolve().as_uri()
            b.open(url)  # warm-up: the first start of a renderer is not what users repeat
            ready, painted = _open_times(b, url, repeats)
            result["open to interactive ms (median)"] = statistics.median(ready)
            result["open to first paint after that ms (median)"] = statistics.median(painted)
            result["open to first paint ms (max)"] = max(painted)
            result["script time in page ms (last open)"] = float(
                b.evaluate("Number(document.body.dataset.readyMs)"))
            result["SVG elements drawn"] = int(b.evaluate(
                "document.querySelectorAll('#world *').length"))
            b.open(url)
            box = b.evaluate("(() => { const r = document.getElementById('diagram')"
                             ".getBoundingClientRect(); return [r.x + r.width / 2,"
                             " r.y + r.height / 2]; })()")
            x, y = box

            def wheel(i: int) -> None:
                b.mouse("mouseWheel", x, y, deltaX=0, deltaY=-40 if (i // 15) % 2 == 0 else 40)

            zoom = _frame_intervals(b, steps, wheel)
            b.mouse("mouseMoved", x, y)
            b.mouse("mousePressed", x, y, button="left", clickCount=1)

            def drag(i: int) -> None:
                b.mouse("mouseMoved", x + (i % 30) * 6, y + (i % 30) * 9, button="left",
                        buttons=1)

            pan = _frame_intervals(b, steps, drag)
            b.mouse("mouseReleased", x, y, button="left", clickCount=1)
            b.evaluate("archcReport.setDepth(null)")
            b.evaluate("(() => { const d = document.getElementById('diagram')"
                       ".getBoundingClientRect(); return true; })()")
            toggles = []
            for _ in range(6):
                b.evaluate("archcReport.toggle('conv4')")
                toggles.append(float(b.evaluate("Number(document.body.dataset.drawMs)")))
            errors = b.console_errors()
        result["zoom: frame interval ms median / p95"] = \
            f"{statistics.median(zoom):.1f} / {_p95(zoom):.1f} ({len(zoom)} frames)"
        result["pan: frame interval ms median / p95"] = \
            f"{statistics.median(pan):.1f} / {_p95(pan):.1f} ({len(pan)} frames)"
        result["collapse or expand conv4 (36 blocks), layout + redraw ms (median of 6)"] = \
            statistics.median(toggles)
        result["console errors"] = len(errors)
        result["load average (1 min) at the end"] = _load()
        result["opens under 1 s"] = result["open to first paint ms (max)"] < 1000
        result["file under 2 MB"] = result["file size MB"] < 2
    return result


def update_doc(result: dict[str, Any], doc: Path = ROOT / "docs" / "benchmarks.md") -> None:
    """Put this run's section and target rows into docs/benchmarks.md, as `make bench`
    would, without re-running the other (TensorFlow) benchmarks."""
    from bench.doc_section import splice
    from bench.run import Doc, _fmt, _hook_targets

    part = Doc()
    _hook_targets(part, "bench_report", result)
    rows = ["| " + " | ".join(row) + " |" for row in part.targets]
    section = ["### `bench/bench_report.py`", "", (__doc__ or "").strip().split("\n\n")[0],
               "", "| measurement | value |", "|---|---:|"]
    section += [f"| {k} | {_fmt(v)} |" for k, v in result.items()]
    section += ["", "(this section and its two target rows were measured by "
                "`python -m bench.bench_report --write`; `make bench` rewrites them with the "
                "rest)", ""]
    splice(doc, "### `bench/bench_report.py`", section, rows, "| 14 |")


# The sentences of README.md and docs/report.md that quote this benchmark sit between these
# markers; `--write` rewrites them from the run, tests/docs/test_bench_figures.py checks
# they agree with docs/benchmarks.md.
QUOTE_START, QUOTE_END = "<!-- bench_report -->", "<!-- /bench_report -->"


def quotes(result: dict[str, Any]) -> dict[str, str]:
    """File name -> the sentence that quotes this run (README.md and docs/report.md)."""
    # Through the 4 significant digits benchmarks.md keeps, so the quotes follow from it.
    def kept(key: str) -> float:
        return float(f"{float(str(result[key]).replace(',', '')):.4g}")

    size = kept("file size MB")
    median = kept("open to first paint after that ms (median)") / 1000
    slowest = kept("open to first paint ms (max)") / 1000
    load = str(result["load average (1 min) at start"]).split(" ")[0]
    return {
        "README.md": f"Fully expanded ResNet-152 is a {size:.2f} MB file, on screen "
                     f"{median:.1f} s after it is opened (median; `python -m "
                     f"bench.bench_report`).",
        "docs/report.md": f"Fully expanded ResNet-152 is a {size:.2f} MB file that is on "
                          f"screen {median:.1f} s after it is opened (median of the runs, "
                          f"the slowest {slowest:.1f} s; headless Chromium on a 2-core machine "
                          f"at load average {load}, `python -m bench.bench_report`).",
    }


def update_quotes(result: dict[str, Any]) -> None:
    for name, sentence in quotes(result).items():
        path = ROOT / name
        text = path.read_text("utf-8")
        start, end = text.index(QUOTE_START) + len(QUOTE_START), text.index(QUOTE_END)
        with atomic_output(path) as tmp:
            tmp.write_text(text[:start] + sentence + text[end:], encoding="utf-8")


if __name__ == "__main__":
    figures = run()
    for key, value in figures.items():
        print(f"{key}: {value:.4g}" if isinstance(value, float) else f"{key}: {value}")
    if "--write" in sys.argv[1:]:
        update_doc(figures)
        update_quotes(figures)
        print("updated docs/benchmarks.md, README.md and docs/report.md")
