"""The data a report page shows, as plain JSON-ready values: built here, drawn in the browser.

Everything the page displays comes from the same `Analysis` as `archc summary`: each layer
carries, unchanged, its object from `archc summary --format json` (`layer`), so a key added
to that JSON later shows up in the page's detail panel without touching this module or the
page's script. What the summary JSON does not say (a node's arguments, input shapes, the
spec line it came from, its scope and the lint findings about it) is added beside it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from enum import Enum
from typing import Any

from archc.backends.graphviz.style import OP_LABELS, swatch
from archc.backends.summary import build_report, report_dict
from archc.diagnostics import Diagnostic, SourceSpan
from archc.passes.analysis import Analysis

MAX_LINE_CHARS = 300
"""Spec lines shown in the page are cut here: a minified spec must not bloat the file."""


def model_data(analysis: Analysis, spec: str, source: str | None,
               findings: Sequence[Diagnostic] = ()) -> dict[str, Any]:
    """One network (one spec and variant) as the page's JSON."""
    summary = report_dict(build_report(analysis))
    layers = {layer["name"]: layer for layer in summary.pop("layers")}
    blocks = {block["name"]: block for block in summary.pop("blocks")}
    graph = analysis.graph
    scope_index: dict[tuple[str, ...], int] = {}
    scopes: list[dict[str, Any]] = []
    spans: list[SourceSpan | None] = []
    declared = analysis.scope_info

    def scope_id(path: tuple[str, ...]) -> int:
        if not path:
            return -1
        if path not in scope_index:
            parent = scope_id(path[:-1])
            known = declared.get(path)
            scope_index[path] = len(scopes)
            span = known.span if known else None
            spans.append(span)
            scopes.append({"name": path[-1], "path": "/".join(path),
                           "kind": known.kind if known else "block", "parent": parent,
                           "span": _span(span, spec), "block": blocks.get("/".join(path))})
        return scope_index[path]

    index = {info.node.name: i for i, info in enumerate(analysis.nodes)}
    nodes: list[dict[str, Any]] = []
    for info in analysis.nodes:
        node = info.node
        spans.append(node.span)
        layer = layers.get(node.name)
        if layer is None:  # inputs are not layers in the summary; give them the same keys
            layer = {"name": node.name, "type": node.op.value, "output_shape": list(info.shape)}
        nodes.append({
            "name": node.name,
            "local": _local_name(node.name, node.scope),
            "op": node.op.value,
            "label": OP_LABELS[node.op](info),
            "family": swatch(node.op).name,
            "scope": scope_id(node.scope),
            "inputs": [index[s] for s in node.inputs],
            "input_shapes": [list(s) for s in info.input_shapes],
            "args": {k: _jsonable(v) for k, v in sorted(node.attrs.items()) if v is not None},
            "span": _span(node.span, spec),
            "layer": layer,
        })
    linked = [_finding(d, analysis, index, spec) for d in findings]
    spans.extend(d.span for d in findings)
    return {
        "spec": spec,
        "name": graph.name,
        "variant": graph.variant,
        "summary": summary,
        "nodes": nodes,
        "scopes": scopes,
        "outputs": [index[n] for n in graph.outputs],
        "findings": linked,
        "lines": _lines(source, spans, spec),
    }


def _finding(d: Diagnostic, analysis: Analysis, index: Mapping[str, int],
             spec: str) -> dict[str, Any]:
    return {"code": d.code, "severity": d.severity.value, "message": d.message,
            "help": d.help, "notes": list(d.notes), "span": _span(d.span, spec),
            "nodes": _linked_nodes(d, analysis, index)}


def _linked_nodes(d: Diagnostic, analysis: Analysis, index: Mapping[str, int]) -> list[int]:
    """The nodes a lint finding is about: those built from its spec item, narrowed to the
    one its message names when several uses of a block share that item."""
    if d.span is None:
        return []
    same = [info.node.name for info in analysis.nodes
            if info.node.span is not None and _same_place(info.node.span, d.span)]
    named = [n for n in same if f"`{n}`" in d.message]
    if named:
        return [index[n] for n in named]
    for note in d.notes:
        if note.startswith("expanded from the use of `"):
            top = note.split("`")[1]
            inside = [n for n in same if n.startswith(top + "/")]
            if inside:
                return [index[n] for n in inside]
    return [index[n] for n in same]


def _same_place(a: SourceSpan, b: SourceSpan) -> bool:
    return (a.file, a.line, a.col) == (b.file, b.line, b.col)


def _span(span: SourceSpan | None, spec: str) -> list[int] | None:
    """[line, column] in the spec file; None for spans elsewhere (`--set` values)."""
    if span is None or span.file != spec:
        return None
    return [span.line, span.col]


def _lines(source: str | None, spans: Sequence[SourceSpan | None],
           spec: str) -> dict[str, str]:
    """The spec lines the page refers to (only those, so the file stays small)."""
    if source is None:
        return {}
    all_lines = source.splitlines()
    wanted = sorted({s.line for s in spans if s is not None and s.file == spec})
    out = {}
    for line in wanted:
        if 1 <= line <= len(all_lines):
            text = all_lines[line - 1].rstrip()
            out[str(line)] = text if len(text) <= MAX_LINE_CHARS else \
                text[:MAX_LINE_CHARS] + "..."
    return out


def _local_name(name: str, scope: tuple[str, ...]) -> str:
    prefix = "/".join(scope) + "/" if scope else ""
    return name[len(prefix):] if name.startswith(prefix) else name


def _jsonable(value: Any) -> Any:
    """Attribute values as JSON: tuples become lists, non-finite floats and anything
    unexpected become text (the page shows values; it never computes with them)."""
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else repr(value)
    if isinstance(value, Enum):
        return _jsonable(value.value)
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return str(value)

