"""Two analyses side by side: params, MACs, activation memory and receptive field per
top-level block.

`compare` lines the top-level items of two networks up by name (the stages of ResNet-18 and
ResNet-50 are both `conv2`..`conv5`), in A's order followed by what only B has; the renderers
add deltas (B - A) and ratios (B / A). A block's receptive field is its last layer's; the
bottom line compares the last field with a window (what the head reads). Figures come from
the analyses; nothing is recomputed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from archc.backends.summary import field_dict
from archc.backends.table import text_table
from archc.diagnostics import visible
from archc.ir.ops import InputOp
from archc.passes.analysis import Analysis
from archc.passes.receptive import Field, format_field


@dataclass(frozen=True)
class Figures:
    params: int = 0
    trainable: int = 0
    macs: int = 0
    activation_bytes: int = 0

    def __add__(self, other: Figures) -> Figures:
        return Figures(self.params + other.params, self.trainable + other.trainable,
                       self.macs + other.macs, self.activation_bytes + other.activation_bytes)


@dataclass(frozen=True)
class CompareRow:
    name: str
    a: Figures | None
    b: Figures | None
    field_a: Field | None = None
    field_b: Field | None = None


@dataclass(frozen=True)
class Comparison:
    label_a: str
    label_b: str
    rows: tuple[CompareRow, ...]
    total_a: Figures
    total_b: Figures
    last_window_a: Field | None = None
    last_window_b: Field | None = None


def label(analysis: Analysis) -> str:
    graph = analysis.graph
    return graph.name + (f" [{graph.variant}]" if graph.variant else "")


def top_level(analysis: Analysis) -> dict[str, Figures]:
    """Figures per top-level block (its whole scope) or top-level layer, in graph order."""
    out: dict[str, Figures] = {}
    for info in analysis.nodes:
        node = info.node
        if node.scope and node.op is not InputOp.INPUT:
            key = node.scope[0]
            if key not in out:  # a block's subtotal, from the analysis
                cost = analysis.scope_total(node.scope[:1])
                out[key] = Figures(cost.params, cost.trainable, cost.macs,
                                   analysis.scope_activation_bytes(node.scope[:1]))
        else:
            cost = info.cost
            out[node.name] = Figures(cost.params, cost.trainable, cost.macs,
                                     info.activation_bytes)
    return out


def top_level_fields(analysis: Analysis) -> dict[str, Field]:
    """The receptive field at the end of each top-level block (its last layer's)."""
    out: dict[str, Field] = {}
    for info in analysis.nodes:
        node = info.node
        key = node.scope[0] if node.scope and node.op is not InputOp.INPUT else node.name
        out[key] = analysis.field(node.name)
    return out


def last_window(analysis: Analysis) -> Field | None:
    """The last field in graph order that still has a window: what a classifier's head reads
    (or one that is not defined, when that is what the head reads)."""
    windows = [f for f in (analysis.field(i.node.name) for i in analysis.nodes)
               if not f.whole]
    return windows[-1] if windows else None


def compare(a: Analysis, b: Analysis, label_a: str | None = None,
            label_b: str | None = None) -> Comparison:
    blocks_a, blocks_b = top_level(a), top_level(b)
    fields_a, fields_b = top_level_fields(a), top_level_fields(b)
    names = list(blocks_a) + [n for n in blocks_b if n not in blocks_a]
    rows = tuple(CompareRow(n, blocks_a.get(n), blocks_b.get(n), fields_a.get(n),
                            fields_b.get(n)) for n in names)
    total_a = sum(blocks_a.values(), Figures())
    total_b = sum(blocks_b.values(), Figures())
    la, lb = label_a or label(a), label_b or label(b)
    if la == lb:
        la, lb = la + " (A)", lb + " (B)"
    return Comparison(la, lb, rows, total_a, total_b, last_window(a), last_window(b))


# -- renderers ----------------------------------------------------------------------------------

_METRICS = (("params", "Params"), ("trainable", "Trainable params"), ("macs", "MACs"),
            ("activation_bytes", "Activation memory (bytes, float32)"))


def _ratio(a: int | None, b: int | None) -> str:
    if a is None:
        return "only B"
    if b is None:
        return "only A"
    if a == 0:
        return "-" if b == 0 else "new"
    return f"{b / a:.2f}x"


def _cell(value: int | None) -> str:
    return "-" if value is None else f"{value:,}"


def _delta(a: int | None, b: int | None) -> str:
    d = (b or 0) - (a or 0)
    return f"{d:+,}" if d else "0"


_HEADER = ("Block", "A", "B", "Delta (B - A)", "Ratio (B / A)")


def render_table(c: Comparison) -> str:
    out = [f"A: {visible(c.label_a)}", f"B: {visible(c.label_b)}"]
    for key, title in _METRICS:
        rows = [(r.name, getattr(r.a, key) if r.a else None, getattr(r.b, key) if r.b else None)
                for r in c.rows]
        rows.append(("total", getattr(c.total_a, key), getattr(c.total_b, key)))
        cells = [(n, _cell(a), _cell(b), _delta(a, b), _ratio(a, b)) for n, a, b in rows]
        out += _section(title, cells)
    fields = [(r.name, r.field_a, r.field_b) for r in c.rows]
    fields.append(("last window", c.last_window_a, c.last_window_b))
    out += _section("Receptive field (height x width /jump, at the block's end)",
                    [(n, *_field_cells(a, b)) for n, a, b in fields])
    return "\n".join(out) + "\n"


def _section(title: str, cells: Sequence[tuple[str, ...]]) -> list[str]:
    """A titled table; the last row is set off below a rule (the total)."""
    table = text_table(_HEADER, cells, right={1, 2, 3, 4})
    return ["", title, table.rule, table.header, table.rule, *table.rows[:-1], table.rule,
            table.rows[-1]]


def _field_cells(a: Field | None, b: Field | None) -> tuple[str, str, str, str]:
    """Both fields as text, and the size delta and ratio where both have a window (one
    figure when height and width agree, `h, w` when they do not)."""
    shown = ("-" if a is None else format_field(a), "-" if b is None else format_field(b))
    if a is None or b is None or a.size is None or b.size is None:
        return (*shown, "-", "-")
    deltas = [f"{y - x:+,}" if y != x else "0" for x, y in zip(a.size, b.size, strict=True)]
    ratios = [f"{y / x:.2f}x" for x, y in zip(a.size, b.size, strict=True)]
    return (*shown, _one_or_two(deltas), _one_or_two(ratios))


def _one_or_two(pair: list[str]) -> str:
    return pair[0] if pair[0] == pair[1] else ", ".join(pair)


def _figures(f: Figures | None) -> dict[str, int] | None:
    if f is None:
        return None
    return {"params": f.params, "trainable_params": f.trainable, "macs": f.macs,
            "activation_bytes": f.activation_bytes}


def _with_field(f: Figures | None, field: Field | None) -> dict[str, Any] | None:
    figures: dict[str, Any] | None = _figures(f)
    if figures is not None:
        figures["receptive_field"] = field_dict(field)
    return figures


def render_json(c: Comparison) -> str:
    data: dict[str, Any] = {
        "a": c.label_a,
        "b": c.label_b,
        "blocks": [{"name": r.name, "a": _with_field(r.a, r.field_a),
                    "b": _with_field(r.b, r.field_b)} for r in c.rows],
        "total": {"a": _figures(c.total_a), "b": _figures(c.total_b)},
        "last_window": {"a": field_dict(c.last_window_a), "b": field_dict(c.last_window_b)},
    }
    return json.dumps(data, indent=2) + "\n"


RENDERERS = {"table": render_table, "json": render_json}
