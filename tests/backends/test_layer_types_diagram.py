"""Diagram labels and colours of the layer types added for the modern families (issue 12):
each box names the type and the arguments that tell it apart, coloured by its family."""

from __future__ import annotations

import textwrap

from archc.backends.graphviz import build_diagram
from archc.backends.graphviz.style import NORM, Swatch
from archc.pipeline import compile_text


def _box(spec: str, name: str) -> str:
    """The DOT line of the box named `name`."""
    compiled = compile_text(textwrap.dedent(spec), "t.yaml")
    assert compiled.analysis is not None
    dot = build_diagram(compiled.analysis).source
    [line] = [x for x in dot.splitlines() if x.strip().startswith(f'"{name}" [')]
    return line


def _filled(line: str, swatch: Swatch) -> bool:
    return f'fillcolor="{swatch.fill}"' in line


def test_layer_scale_shows_its_start_value() -> None:
    line = _box("""
        archc: 1
        name: t
        input: [4, 4, 8]
        layers:
          - layer_scale: {name: ls}
    """, "ls")
    assert _filled(line, NORM)
    assert "layer_scale x1e-06" in line
    assert "8 params" in line  # one gamma per channel

