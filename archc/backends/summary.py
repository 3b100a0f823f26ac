"""The summary report: rows in spec order with block subtotals, and four renderers.

`build_report` turns an `Analysis` into plain rows (data); `render_table`, `render_json`,
`render_markdown` and `render_csv` only format those rows. The JSON layout is documented in
docs/summary-json.md and is stable: keys are only ever added.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from archc.backends.table import text_table
from archc.diagnostics import visible
from archc.ir import Node
from archc.ir.cost_rules import Cost
from archc.ir.printer import format_shape
from archc.passes.analysis import Analysis
from archc.passes.receptive import Field, Jump, format_field
from archc.perf import cyclic_gc_paused

JSON_SCHEMA_VERSION = 1


@dataclass(frozen=True)
class Row:
    """One line of the report: a layer, or a block with the subtotal of its layers."""

    depth: int
    name: str
    type: str
    scope: str
    inputs: tuple[str, ...]
    output_shape: tuple[int, ...]
    cost: Cost
    activation_bytes: int
    is_block: bool
    collapsed: bool = False
    field: Field | None = None
    """The layer's receptive field; a block's is its last layer's."""


@dataclass(frozen=True)
class Report:
    name: str
    variant: str | None
    inputs: tuple[tuple[str, tuple[int, ...]], ...]
    outputs: tuple[tuple[str, tuple[int, ...]], ...]
    rows: tuple[Row, ...]
    layers: tuple[Row, ...]
    total: Cost
    activation_bytes: int


def build_report(analysis: Analysis, depth: int | None = None) -> Report:
    """Rows for every layer and block, in spec order (see `_build_report`)."""
    with cyclic_gc_paused():
        return _build_report(analysis, depth)


def _build_report(analysis: Analysis, depth: int | None) -> Report:
    """Rows for every layer and block, in spec order.

    With `depth` N, rows nested N or more scopes deep are hidden and the blocks at level
    N - 1 show as one collapsed row with their subtotal (`depth=1`: top-level items only).
    """
    graph = analysis.graph
    kinds = analysis.scope_kinds
    last_in_scope: dict[tuple[str, ...], Node] = {}
    for node in graph.nodes:
        for i in range(1, len(node.scope) + 1):
            last_in_scope[node.scope[:i]] = node
    rows: list[Row] = []
    opened: set[tuple[str, ...]] = set()
    layers: list[Row] = []
    for info in analysis.nodes:
        node = info.node
        if node.op.value == "input":
            continue
        for i in range(1, len(node.scope) + 1):
            prefix = node.scope[:i]
            if prefix in opened:
                continue
            opened.add(prefix)
            if depth is not None and i - 1 >= depth:
                continue
            end = last_in_scope[prefix]
            rows.append(Row(i - 1, prefix[-1], kinds.get(prefix, "block"), "/".join(prefix[:-1]),
                            (), analysis.shape(end.name), analysis.scope_total(prefix),
                            analysis.scope_activation_bytes(prefix), True,
                            collapsed=depth is not None and i == depth,
                            field=analysis.field(end.name)))
        layer = Row(len(node.scope), node.local_name, node.op.value, "/".join(node.scope),
                    node.inputs, info.shape, info.cost, info.activation_bytes, False,
                    field=analysis.field(node.name))
        layers.append(layer)
        if depth is None or len(node.scope) < depth:
            rows.append(layer)
    return Report(
        graph.name, graph.variant,
        tuple((n, analysis.shape(n)) for n in graph.inputs),
        tuple((n, analysis.shape(n)) for n in graph.outputs),
        tuple(rows), tuple(layers), analysis.total, analysis.activation_bytes,
    )


# -- renderers --------------------------------------------------------------------------------


def render_table(report: Report) -> str:
    header = ("Layer", "Type", "Output shape", "Params", "MACs", "Field")
    body = [
        ("  " * r.depth + r.name + ("/" if r.is_block else ""),
         r.type + (" (collapsed)" if r.collapsed else ""),
         format_shape(r.output_shape), f"{r.cost.params:,}", f"{r.cost.macs:,}", _field(r))
        for r in report.rows
    ]
    table = text_table(header, body, right={3, 4})
    title = visible(report.name) + (f" [{report.variant}]" if report.variant else "")
    out = [title, table.rule, table.header, table.rule, *table.rows, table.rule]
    out.extend(_totals_lines(report))
    notes = field_notes(report)
    if notes:
        out.append("Field notes:")
        out.extend(f"  {name}: {note}" for name, note in notes)
    return "\n".join(out) + "\n"


def _field(r: Row) -> str:
    return format_field(r.field) if r.field is not None else ""


def field_notes(report: Report) -> list[tuple[str, str]]:
    """(layer, note) for every merge whose branches' fields do not line up, in graph order
    and whatever the depth: a folded block can hide the merge, not the warning."""
    return [("/".join(filter(None, (r.scope, r.name))), note)
            for r in report.layers if r.field is not None for note in r.field.notes]


def totals(report: Report) -> list[tuple[str, str]]:
    """The lines under the table, as (label, value): one source for every renderer."""
    t = report.total
    ins = ", ".join(f"{n} {format_shape(s)}" for n, s in report.inputs)
    outs = ", ".join(f"{n} {format_shape(s)}" for n, s in report.outputs)
    return [
        ("Inputs", ins),
        ("Outputs", outs),
        ("Total params", f"{t.params:,}"),
        ("Trainable params", f"{t.trainable:,}"),
        ("Non-trainable params", f"{t.non_trainable:,}"),
        ("MACs", f"{t.macs:,} (multiply-accumulates)"),
        ("FLOPs", f"{2 * t.macs:,} (2 x MACs)"),
        ("Activation memory", f"{format_bytes(report.activation_bytes)} per sample "
         "(float32, all layer outputs)"),
    ]


def format_bytes(count: int) -> str:
    """`26.1 MiB`, `93.9 KiB`, `640 bytes`: the unit that keeps a small network's figure.

    Always MiB printed LeNet-5's 36 KiB of activations as `0.0 MiB`.
    """
    if count >= 1024**2:
        return f"{count / 1024**2:,.1f} MiB"
    if count >= 1024:
        return f"{count / 1024:,.1f} KiB"
    return f"{count:,} bytes"


def _totals_lines(report: Report) -> list[str]:
    return [f"{label + ':':<22}{value}" for label, value in totals(report)]


def report_dict(report: Report) -> dict[str, Any]:
    t = report.total
    return {
        "schema_version": JSON_SCHEMA_VERSION,
        "name": report.name,
        "variant": report.variant,
        "inputs": [{"name": n, "shape": list(s)} for n, s in report.inputs],
        "outputs": [{"name": n, "shape": list(s)} for n, s in report.outputs],
        "total_params": t.params,
        "trainable_params": t.trainable,
        "non_trainable_params": t.non_trainable,
        "total_macs": t.macs,
        "total_flops": 2 * t.macs,
        "activation_bytes": report.activation_bytes,
        "layers": [_layer_dict(r) for r in report.layers],
        "blocks": [
            {"name": "/".join(filter(None, (r.scope, r.name))), "type": r.type,
             "depth": r.depth, "output_shape": list(r.output_shape), "params": r.cost.params,
             "trainable_params": r.cost.trainable, "macs": r.cost.macs,
             "receptive_field": field_dict(r.field)}
            for r in report.rows if r.is_block
        ],
    }


def _layer_dict(r: Row) -> dict[str, Any]:
    return {
        "name": "/".join(filter(None, (r.scope, r.name))),
        "type": r.type,
        "scope": r.scope,
        "inputs": list(r.inputs),
        "output_shape": list(r.output_shape),
        "params": r.cost.params,
        "trainable_params": r.cost.trainable,
        "non_trainable_params": r.cost.non_trainable,
        "macs": r.cost.macs,
        "activation_bytes": r.activation_bytes,
        "receptive_field": field_dict(r.field),
    }


def field_dict(field: Field | None) -> dict[str, Any] | None:
    """The JSON form of a field (docs/summary-json.md); null sizes mean the whole input,
    unless `defined` is false (after a reshape that moves positions, say): that key appears
    only then, so the JSON of every network without such a layer reads as it always did."""
    if field is None:
        return None
    data: dict[str, Any] = {
        "size": _pair(field.size),
        "jump": _pair(field.jump),
        "start": _pair(field.start),
        "global": field.global_,
        "notes": list(field.notes),
    }
    if not field.defined:
        data["defined"] = False
    return data


def _pair(pair: tuple[int, int] | tuple[float, float] | tuple[Jump, Jump] | None
          ) -> list[int | float] | None:
    # Starts are multiples of 0.5: whole ones print as integers, so the JSON reads `3`, not
    # `3.0`, and stays byte-identical across runs either way. A fractional jump (after an
    # upsampling, a `Fraction`) becomes the nearest float: JSON has no fractions.
    if pair is None:
        return None
    return [int(v) if float(v).is_integer() else float(v) for v in pair]


def render_json(report: Report) -> str:
    import json  # here, not at the top: the default table needs neither json nor csv

    return json.dumps(report_dict(report), indent=2) + "\n"


def render_markdown(report: Report) -> str:
    title = _md(visible(report.name)) + (f" [{_md(report.variant)}]" if report.variant else "")
    lines = [f"### {title}", "", "| Layer | Type | Output shape | Params | MACs | Field |",
             "|---|---|---|---:|---:|---|"]
    for r in report.rows:
        name = "&nbsp;" * (2 * r.depth) + _md(r.name) + ("/" if r.is_block else "")
        name = f"**{name}**" if r.is_block else name
        lines.append(f"| {name} | {r.type} | {format_shape(r.output_shape)} | "
                     f"{r.cost.params:,} | {r.cost.macs:,} | {_field(r)} |")
    lines.append("")
    lines.extend(f"- {label}: {_md(value)}" for label, value in totals(report))
    lines.extend(f"- Field note, {_md(name)}: {_md(note)}" for name, note in field_notes(report))
    return "\n".join(lines) + "\n"


_MD_ESCAPES = {c: "\\" + c for c in "\\`*_[]|#"} | {"<": "&lt;", ">": "&gt;", "&": "&amp;"}


def _md(text: str) -> str:
    """Text from a spec as Markdown that shows it literally.

    Markdown renderers (GitHub, Jupyter) pass HTML through: a spec named `<img onerror=...>`
    must not become markup, so `<`, `>` and `&` become entities and Markdown's own
    punctuation is backslash-escaped.
    """
    return "".join(_MD_ESCAPES.get(c, c) for c in text)


def render_csv(report: Report) -> str:
    import csv

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["name", "type", "scope", "depth", "is_block", "output_shape", "params",
                     "trainable_params", "non_trainable_params", "macs", "activation_bytes",
                     "field_height", "field_width", "jump_height", "jump_width",
                     "start_height", "start_width", "field_global"])
    for r in report.rows:
        writer.writerow(["/".join(filter(None, (r.scope, r.name))), r.type, r.scope, r.depth,
                         int(r.is_block), format_shape(r.output_shape), r.cost.params,
                         r.cost.trainable, r.cost.non_trainable, r.cost.macs,
                         r.activation_bytes, *_field_cells(r.field)])
    return buf.getvalue()


def _field_cells(field: Field | None) -> list[int | float | str]:
    """Six numbers (empty for the whole input), then 1 if the unit also sees the whole input."""
    data = field_dict(field)
    if data is None or "defined" in data:  # no field, or one that is not defined
        return [""] * 7
    numbers = [v for key in ("size", "jump", "start") for v in (data[key] or ["", ""])]
    return [*numbers, int(data["global"])]


RENDERERS = {
    "table": render_table,
    "json": render_json,
    "markdown": render_markdown,
    "csv": render_csv,
}
