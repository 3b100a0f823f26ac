"""Shared helpers for the Graphviz backend tests: compile a zoo spec, count DOT items."""

from __future__ import annotations

import re
from pathlib import Path

from archc.backends.graphviz import Diagram, DiagramOptions, build_diagram
from archc.passes.analysis import Analysis
from archc.pipeline import Options, compile_file

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"
GOLDEN = ROOT / "tests" / "golden"

ZOO: list[tuple[str, str | None]] = [
    ("lenet5", None), ("alexnet", "one_tower"), ("alexnet", "two_gpu"), ("vgg16", None),
    ("googlenet", "default"), ("googlenet", "with_aux"), ("resnet", "resnet18"),
    ("resnet", "resnet34"), ("resnet", "resnet50"), ("resnet", "resnet101"),
    ("resnet", "resnet152"), ("xception", None), ("se_resnet50", None), ("yolov8", "n"),
]


def analysis_of(spec: str | Path, variant: str | None = None) -> Analysis:
    path = spec if isinstance(spec, Path) else SPECS / f"{spec}.yaml"
    compiled = compile_file(str(path), Options(variant=variant))
    assert compiled.analysis is not None
    return compiled.analysis


def draw(spec: str | Path, variant: str | None = None, **options: object) -> Diagram:
    return build_diagram(analysis_of(spec, variant), DiagramOptions(**options))  # type: ignore[arg-type]


# Names that would break out of DOT quotes, add attributes, or inject HTML if unescaped.
HOSTILE = '''\
archc: 1
name: 'evil" ] ; x [label=<<b>pwn</b>>] //'
input: [8, 8, 1]
layers:
  - conv2d: {name: c1, filters: 2, kernel_size: 3}
  - conv2d: {name: c2, filters: 2, kernel_size: 3}
'''
# Layer, block and variable names are plain identifiers (S004/S008), so the free text a
# spec can put into a diagram is its `name` (the title): the escaping must hold there.


_NODE_LINE = re.compile(r'^\t+"[^"]*" \[')
_EDGE_LINE = re.compile(r'^\t+"[^"]*" -> "[^"]*" \[')


def dot_nodes(source: str) -> list[str]:
    """Node statements (one per drawn box) in DOT text written by archc."""
    return [line for line in source.splitlines() if _NODE_LINE.match(line)]


def dot_edges(source: str) -> list[str]:
    return [line for line in source.splitlines() if _EDGE_LINE.match(line)]


def dot_clusters(source: str) -> list[str]:
    return [line for line in source.splitlines() if line.lstrip().startswith("subgraph ")]
