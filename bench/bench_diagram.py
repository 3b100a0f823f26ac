"""archc's own diagram time against Graphviz's layout time, on fully expanded ResNet-152.

"Spec to DOT" is everything archc does for `archc diagram --format gv`: load, validate,
lower, analyse, plan and emit, in-process, median of several runs after a warm-up. The
`dot -Tsvg` time is the median wall time of the Graphviz process on that same DOT text
(layout and SVG output). The claim to check (issue 4): archc's share is small beside dot's.

Run ``python bench/bench_diagram.py``; `run()` returns the dict it prints.
"""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any

from archc.backends.graphviz import DiagramOptions, build_diagram
from archc.pipeline import Options, compile_file

SPEC = Path(__file__).resolve().parents[1] / "specs" / "resnet.yaml"
VARIANT = "resnet152"


def _spec_to_dot() -> str:
    compiled = compile_file(str(SPEC), Options(variant=VARIANT))
    assert compiled.analysis is not None
    return build_diagram(compiled.analysis, DiagramOptions()).source


def _median_seconds(step: Any, repeats: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        step()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(archc_repeats: int = 15, dot_repeats: int = 5) -> dict[str, Any]:
    source = _spec_to_dot()
    result: dict[str, Any] = {
        "spec": f"{SPEC.name} --variant {VARIANT}, fully expanded",
        "dot_nodes": sum(1 for line in source.splitlines() if line.lstrip().startswith('"')
                         and " -> " not in line),
        "dot_bytes": len(source.encode()),
        "archc_spec_to_dot_s": round(_median_seconds(_spec_to_dot, archc_repeats), 4),
    }
    dot = shutil.which("dot")
    if dot is None:
        result["dot_svg_s"] = None
        result["note"] = "Graphviz `dot` is not installed; only archc's time was measured"
        return result

    def layout() -> None:
        subprocess.run([dot, "-Tsvg"], input=source.encode(), capture_output=True,
                       check=True, timeout=600)

    result["dot_svg_s"] = round(_median_seconds(layout, dot_repeats), 4)
    result["dot_version"] = subprocess.run([dot, "-V"], capture_output=True, text=True,
                                           check=False).stderr.strip()
    result["archc_share"] = round(result["archc_spec_to_dot_s"] /
                                  (result["archc_spec_to_dot_s"] + result["dot_svg_s"]), 3)
    return result


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
