"""The IR's text form: the debug view (`archc summary --dump ir`) and a golden-test format."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from archc.diagnostics import visible
from archc.ir.shape_rules import Shape, format_shape

if TYPE_CHECKING:  # `Graph.__str__` calls this module; the printer only reads the graph
    from archc.ir.graph import Graph

__all__ = ["format_graph", "format_shape"]


def format_graph(graph: Graph, shapes: Mapping[str, Shape | None] | None = None) -> str:
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
