"""`archc summary --costs`: each layer's multiplications, written as the seed's formula.

The study notes count a standard convolution as N x Dp^2 x Dk^2 x M multiplications, a
depthwise one as M x Dp^2 x Dk^2, a pointwise one as M x Dp^2 x N and a separable one as
their sum M x Dp^2 x (Dk^2 + N) (Dp = output size, Dk = kernel size, M = input channels,
N = filters). Showing that formula with this layer's numbers lets a learner see where every
MAC figure comes from. The formula is the op's MAC rule in the catalogue
(`OpDef.macs`, archc/ir/ops/), the very function whose value the analysis counts.
"""

from __future__ import annotations

from collections.abc import Sequence

from archc.backends.table import text_table
from archc.diagnostics import visible
from archc.ir.cost_rules import Formula
from archc.ir.ops import mac_formula
from archc.passes.analysis import Analysis, NodeInfo


def formula(info: NodeInfo) -> Formula | None:
    """The formula behind this layer's MACs, from its op's cost rule (None: 0-MAC ops)."""
    return mac_formula(info.node.op, info.node.attrs, info.input_shapes, info.shape)


def render_costs(analysis: Analysis) -> str:
    """A table of every layer that multiplies, its formula, numbers and MACs, and the total."""
    graph = analysis.graph
    rows: list[tuple[str, str, str, str, str]] = []
    for info in analysis.nodes:
        f = formula(info)
        if f is None or info.cost.macs == 0:
            continue
        rows.append((info.node.name, info.node.op.value, f.symbols, f.numbers,
                     f"{info.cost.macs:,}"))
        rows.extend(("", "", "  " + p.symbols, "  " + p.numbers, f"({p.value:,})")
                    for p in f.parts)
    title = visible(graph.name) + (f" [{graph.variant}]" if graph.variant else "")
    header = ("Layer", "Type", "Formula", "Numbers", "MACs")
    return _table(title, header, rows, analysis.total.macs)


def _table(title: str, header: tuple[str, ...], rows: Sequence[tuple[str, ...]],
           total: int) -> str:
    table = text_table(header, rows, right={len(header) - 1})
    # Di appears only in a transposed convolution's formula; the legend names it only then.
    di = ", Di = input height/width" if any("Di^2" in row[2] for row in rows) else ""
    legend = (f"Dp = output height/width{di}, Dk = kernel size, M = input channels, "
              "N = filters; one MAC = one multiply-accumulate")
    return "\n".join([title + ": multiplications per layer", legend, table.rule, table.header,
                      table.rule, *table.rows, table.rule,
                      f"Total MACs: {total:,} (FLOPs = 2 x MACs = {2 * total:,})"]) + "\n"
