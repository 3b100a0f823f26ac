"""The IR's text form: the debug view (`archc summary --dump ir`) and a golden-test format."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from archc.diagnostics import visible
from archc.ir.ops import Attrs, Op
from archc.ir.shape_rules import Shape, format_shape

__all__ = ["PrintableGraph", "format_graph", "format_shape"]


class _PrintableNode(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def op(self) -> Op: ...
    @property
    def inputs(self) -> tuple[str, ...]: ...
    @property
    def attrs(self) -> Attrs: ...


class PrintableGraph(Protocol):
    """What the printer reads of a graph. `Graph.__str__` calls this module, so the printer
    names the graph's shape, not `graph.Graph` (that import would be a cycle)."""

    @property
    def name(self) -> str: ...
    @property
    def variant(self) -> str | None: ...
    @property
    def nodes(self) -> Sequence[_PrintableNode]: ...
    @property
    def outputs(self) -> tuple[str, ...]: ...


def format_graph(graph: PrintableGraph, shapes: Mapping[str, Shape | None] | None = None) -> str:
    """One line per node: `%name = op(inputs) {attrs} -> shape`."""
    title = visible(graph.name) + (f" [{graph.variant}]" if graph.variant else "")
    lines = [f"graph {title}:"]
    for node in graph.nodes:
        args = ", ".join(f"%{i}" for i in node.inputs)
        attrs = " ".join(f"{k}={_fmt(v)}" for k, v in sorted(node.attrs.items()) if v is not None)
        line = f"  %{node.name} = {node.op.value}({args})"
        if attrs:
            line += f" {{{attrs}}}"
        if shapes is not None and shapes.get(node.name) is not None:
            line += " -> " + format_shape(shapes[node.name])
        lines.append(line)
    lines.append("  return " + ", ".join(f"%{o}" for o in graph.outputs))
    return "\n".join(lines)


def _fmt(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_fmt(v) for v in value) + "]"
    if isinstance(value, float):
        return repr(value)
    return str(value)
