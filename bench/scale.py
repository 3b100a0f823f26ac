"""Generated specs of growing size, to check that analysis time grows linearly.

`flat` specs are N plain layers (conv2d / batch_norm / activation, in turn) at 32x32x16;
`repeated` is one residual block (6 layers + add) repeated N times with `repeat`. Both are
written with the short forms a person would use (no per-layer names), which keeps the
10,000-layer file under the loader's cap of 50,000 YAML nodes.
"""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from pathlib import Path

FLAT_SIZES = (100, 1_000, 10_000)
REPEATS = 1_000

_FLAT_HEAD = """\
archc: 1
name: flat{n}
description: {n} generated layers for the scale benchmark.
input: [32, 32, 16]
defaults:
  conv2d: {{kernel_size: 3, padding: same}}
layers:
"""
_FLAT_ITEMS = ("  - conv2d: {filters: 16}\n", "  - batch_norm: {}\n", "  - activation: relu\n")

_REPEATED = """\
archc: 1
name: repeated{n}
description: one residual block repeated {n} times, for the scale benchmark.
input: [32, 32, 16]
blocks:
  unit:
    params: [filters]
    layers:
      - residual:
          body:
            - conv2d: {{filters: $filters, kernel_size: 3, padding: same}}
            - batch_norm: {{}}
            - activation: relu
            - conv2d: {{filters: $filters, kernel_size: 3, padding: same}}
            - batch_norm: {{}}
      - activation: relu
layers:
  - repeat: {{name: stack, times: {n}, block: unit, with: {{filters: 16}}}}
"""


def flat_spec(n: int) -> str:
    return _FLAT_HEAD.format(n=n) + "".join(_FLAT_ITEMS[i % 3] for i in range(n))


def repeated_spec(n: int) -> str:
    return _REPEATED.format(n=n)


def write_specs(directory: Path) -> dict[str, Path]:
    """Write every scale spec into `directory`; name -> path, smallest first."""
    paths: dict[str, Path] = {}
    for n in FLAT_SIZES:
        paths[f"flat{n}"] = directory / f"flat{n}.yaml"
        paths[f"flat{n}"].write_text(flat_spec(n), encoding="utf-8")
    paths[f"repeated{REPEATS}"] = directory / f"repeated{REPEATS}.yaml"
    paths[f"repeated{REPEATS}"].write_text(repeated_spec(REPEATS), encoding="utf-8")
    return paths


def summarize_in_process(path: Path) -> int:
    """What `archc summary PATH` does, minus process start-up; returns the layer count."""
    from archc.cli import main

    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["summary", str(path)])
    if code != 0:
        raise RuntimeError(f"archc summary {path} exited {code}")
    return out.getvalue().count("\n")


def layer_count(path: Path) -> int:
    import archc

    return len(archc.load(path).layers)
