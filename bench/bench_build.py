"""`archc build` against keras.applications: building ResNet-50 and running inference.

Build: whole processes side by side (interleaved, medians), each importing TensorFlow and
building the network from scratch: `archc.build("specs/resnet.yaml")` (which also checks
every layer against archc's analysis) against `keras.applications.ResNet50(weights=None)`.
Target: archc takes at most 1.15x as long. The same comparison is also timed in one process
after TensorFlow is loaded, which isolates model construction from the import.

Inference: both models in one process, same random batch, each call compiled once with
`tf.function` and timed interleaved after warm-up (medians). The ratio is reference time /
archc time; target: archc at least 0.95x as fast. Run `python -m bench.bench_build`.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parent.parent
SPEC = str(ROOT / "specs" / "resnet.yaml")
BATCH = 8

ARCHC_BUILD = f"import archc; archc.build({SPEC!r}, variant='resnet50')"
KERAS_BUILD = ("import os; os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2'); import keras; "
               "keras.applications.ResNet50(weights=None)")


def _build_processes(repeats: int) -> dict[str, float]:
    from bench.timing import side_by_side

    runs = side_by_side({"archc": [sys.executable, "-c", ARCHC_BUILD],
                         "keras": [sys.executable, "-c", KERAS_BUILD]},
                        repeats=repeats, warmup=1, cwd=str(ROOT))
    return {"archc": runs["archc"].median, "keras": runs["keras"].median}


def _build_in_process(repeats: int) -> dict[str, float]:
    import keras

    import archc

    times: dict[str, list[float]] = {"archc": [], "keras": []}
    makers = {"archc": lambda: archc.build(SPEC, variant="resnet50"),
              "keras": lambda: keras.applications.ResNet50(weights=None)}
    for round_ in range(repeats + 1):
        for name, make in makers.items():
            keras.backend.clear_session()
            start = time.perf_counter()
            make()
            if round_:  # the first round is a warm-up
                times[name].append(time.perf_counter() - start)
    keras.backend.clear_session()
    return {name: statistics.median(values) for name, values in times.items()}


def _inference(repeats: int) -> dict[str, float]:
    import keras
    import numpy as np
    import tensorflow as tf

    import archc

    ours = archc.build(SPEC, variant="resnet50")
    ref = keras.applications.ResNet50(weights=None)
    batch = tf.constant(np.random.default_rng(0).standard_normal((BATCH, 224, 224, 3)),
                        dtype=tf.float32)
    steps = {"archc": tf.function(lambda x: ours(x, training=False)),
             "keras": tf.function(lambda x: ref(x, training=False))}
    for step in steps.values():  # trace and warm up
        for _ in range(3):
            step(batch).numpy()
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(repeats):
        for name, step in steps.items():
            start = time.perf_counter()
            step(batch).numpy()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def run(quick: bool = False) -> dict[str, Any]:
    """Every figure of this benchmark; ratios next to their targets."""
    processes = _build_processes(2 if quick else 5)
    in_process = _build_in_process(2 if quick else 5)
    inference = _inference(5 if quick else 20)
    build_ratio = processes["archc"] / processes["keras"]
    speed_ratio = inference["keras"] / inference["archc"]
    return {
        "build process, archc (s, median)": processes["archc"],
        "build process, keras.applications (s, median)": processes["keras"],
        "build process ratio archc/keras (target <= 1.15)": build_ratio,
        "build in-process, archc (s, median)": in_process["archc"],
        "build in-process, keras.applications (s, median)": in_process["keras"],
        "build in-process ratio archc/keras": in_process["archc"] / in_process["keras"],
        f"inference batch {BATCH}, archc (s, median)": inference["archc"],
        f"inference batch {BATCH}, keras.applications (s, median)": inference["keras"],
        "inference speed ratio keras_time/archc_time (target >= 0.95)": speed_ratio,
        "build target met": build_ratio <= 1.15,
        "inference target met": speed_ratio >= 0.95,
    }


if __name__ == "__main__":
    print(json.dumps(run(quick="--quick" in sys.argv), indent=2))
