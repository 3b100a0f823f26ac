"""Why `archc.build` is slow under JAX, measured: build times per configuration.

Run with a Python that has JAX and Keras (the `make test-backends` venv):
``KERAS_BACKEND=jax .venv-jax/bin/python -m bench.bench_jax_build``. Each configuration
builds LeNet-5, GoogLeNet and ResNet-50 in a fresh process (so every compilation is paid
as a user pays it), the configurations interleaved round by round so that load from other
processes hits them alike; the machine, its load and the versions are printed with the
figures. The configurations:

- `default`: Keras as installed.
- `threefry_partitionable=False`: JAX's older threefry lowering for the random weights.
- `xla_opt0`: `XLA_FLAGS=--xla_backend_optimization_level=0` (compiles faster, runs slower).
- `cache, 2nd run`: JAX's persistent compilation cache, filled by a first run.

The profile behind it (`cProfile` of `archc.build`, docs/backends.md): nearly all the time
is XLA compiling the weight initialiser once per distinct weight shape.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
MODELS = [("lenet5.yaml", None), ("googlenet.yaml", None), ("resnet.yaml", "resnet50")]

_CHILD = """
import json, sys, time
t0 = time.perf_counter()
import jax
for key, value in json.loads(sys.argv[1]).items():
    jax.config.update(key, value)
import archc, keras
assert keras.config.backend() == "jax"
out = {"import": time.perf_counter() - t0}
for spec, variant in json.loads(sys.argv[2]):
    t = time.perf_counter()
    archc.build(spec, variant=variant)
    out[spec.rsplit("/", 1)[-1] + (f" {variant}" if variant else "")] = time.perf_counter() - t
print(json.dumps(out))
"""


def _child(config: dict[str, Any], env: dict[str, str]) -> dict[str, float]:
    models = [(str(ROOT / "specs" / s), v) for s, v in MODELS]
    done = subprocess.run([sys.executable, "-c", _CHILD, json.dumps(config), json.dumps(models)],
                          capture_output=True, text=True, env=env, check=True, timeout=1800)
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def run(rounds: int = 2) -> dict[str, Any]:
    from bench.machine import describe

    base = {**os.environ, "KERAS_BACKEND": "jax", "PYTHONPATH": str(ROOT)}
    cache = tempfile.mkdtemp(prefix="archc-jax-cache-")
    cached = {"jax_compilation_cache_dir": cache,
              "jax_persistent_cache_min_compile_time_secs": 0.0}
    configs: dict[str, tuple[dict[str, Any], dict[str, str]]] = {
        "default": ({}, base),
        "threefry_partitionable=False": ({"jax_threefry_partitionable": False}, base),
        "xla_opt0": ({}, {**base, "XLA_FLAGS": "--xla_backend_optimization_level=0"}),
        "cache, 2nd run": (cached, base),
    }
    import jax
    import keras

    result: dict[str, Any] = {**describe(), "jax": jax.__version__, "keras (jax venv)":
                              keras.__version__}
    _child(cached, base)  # fills the persistent cache: the next runs are second runs
    times: dict[str, list[dict[str, float]]] = {name: [] for name in configs}
    for _ in range(rounds):
        for name, (config, env) in configs.items():
            times[name].append(_child(config, env))
    for name, runs in times.items():
        for key in runs[0]:
            result[f"{name}: {key} s"] = statistics.median(r[key] for r in runs)
    result["load average (1 min) at the end"] = f"{os.getloadavg()[0]:.2f}"
    return result


if __name__ == "__main__":
    for key, value in run().items():
        print(f"{key}: {value:.2f}" if isinstance(value, float) else f"{key}: {value}")
