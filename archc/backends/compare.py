"""Two analyses side by side: params, MACs and activation memory per top-level block.

`compare` lines the top-level items of two networks up by name (the stages of ResNet-18 and
ResNet-50 are both `conv2`..`conv5`), in A's order followed by what only B has; the renderers
add deltas (B - A) and ratios (B / A). Figures come from the analyses; nothing is recomputed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from archc.ir import Op
from archc.passes.analysis import Analysis


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


@dataclass(frozen=True)
class Comparison:
    label_a: str
    label_b: str
    rows: tuple[CompareRow, ...]
    total_a: Figures
    total_b: Figures


def label(analysis: Analysis) -> str:
    graph = analysis.graph
    return graph.name + (f" [{graph.variant}]" if graph.variant else "")


def top_level(analysis: Analysis) -> dict[str, Figures]:
    """Figures per top-level block (its whole scope) or top-level layer, in graph order."""
    out: dict[str, Figures] = {}
    for info in analysis.nodes:
        node = info.node
        key = node.scope[0] if node.scope and node.op is not Op.INPUT else node.name
        cost = info.cost
        out[key] = out.get(key, Figures()) + Figures(cost.params, cost.trainable, cost.macs,
                                                     info.activation_bytes)
    return out


def compare(a: Analysis, b: Analysis, label_a: str | None = None,
            label_b: str | None = None) -> Comparison:
    blocks_a, blocks_b = top_level(a), top_level(b)
    names = list(blocks_a) + [n for n in blocks_b if n not in blocks_a]
    rows = tuple(CompareRow(n, blocks_a.get(n), blocks_b.get(n)) for n in names)
    total_a = sum(blocks_a.values(), Figures())
    total_b = sum(blocks_b.values(), Figures())
    la, lb = label_a or label(a), label_b or label(b)
    if la == lb:
        la, lb = la + " (A)", lb + " (B)"
    return Comparison(la, lb, rows, total_a, total_b)


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


def render_table(c: Comparison) -> str:
    out = [f"A: {c.label_a}", f"B: {c.label_b}"]
    for key, title in _METRICS:
        rows = [(r.name, getattr(r.a, key) if r.a else None, getattr(r.b, key) if r.b else None)
                for r in c.rows]
        rows.append(("total", getattr(c.total_a, key), getattr(c.total_b, key)))
        cells = [(n, _cell(a), _cell(b), _delta(a, b), _ratio(a, b)) for n, a, b in rows]
        header = ("Block", "A", "B", "Delta (B - A)", "Ratio (B / A)")
        widths = [max(len(header[i]), *(len(row[i]) for row in cells)) for i in range(5)]

        def line(row: tuple[str, ...], widths: list[int] = widths) -> str:
            return "  ".join(v.ljust(w) if i == 0 else v.rjust(w)
                             for i, (v, w) in enumerate(zip(row, widths, strict=True)))

        rule = "-" * len(line(header))
        out += ["", title, rule, line(header), rule, *(line(r) for r in cells[:-1]), rule,
                line(cells[-1])]
    return "\n".join(out) + "\n"


def _figures(f: Figures | None) -> dict[str, int] | None:
    if f is None:
        return None
    return {"params": f.params, "trainable_params": f.trainable, "macs": f.macs,
            "activation_bytes": f.activation_bytes}


def render_json(c: Comparison) -> str:
    data: dict[str, Any] = {
        "a": c.label_a,
        "b": c.label_b,
        "blocks": [{"name": r.name, "a": _figures(r.a), "b": _figures(r.b)} for r in c.rows],
        "total": {"a": _figures(c.total_a), "b": _figures(c.total_b)},
    }
    return json.dumps(data, indent=2) + "\n"


RENDERERS = {"table": render_table, "json": render_json}
