"""`archc summary --costs`: each layer's multiplications, written as the seed's formula.

The study notes count a standard convolution as N x Dp^2 x Dk^2 x M multiplications, a
depthwise one as M x Dp^2 x Dk^2, a pointwise one as M x Dp^2 x N and a separable one as
their sum M x Dp^2 x (Dk^2 + N) (Dp = output size, Dk = kernel size, M = input channels,
N = filters). Showing that formula with this layer's numbers lets a learner see where every
MAC figure comes from. `formula` also returns the product so tests can hold it against the
analysis; the MACs column printed is always the analysis's own figure.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from archc.diagnostics import visible
from archc.ir import Op
from archc.passes.analysis import Analysis, NodeInfo


@dataclass(frozen=True)
class Formula:
    """`symbols` with `numbers` filled in equals `value`; `parts` split a separable conv."""

    symbols: str
    numbers: str
    value: int
    parts: tuple[Formula, ...] = ()


def _dp(h: int, w: int) -> str:
    return f"{h}^2" if h == w else f"{h}x{w}"


def _dk(kh: int, kw: int) -> str:
    return f"{kh}^2" if kh == kw else f"{kh}x{kw}"


def formula(info: NodeInfo) -> Formula | None:
    """The seed's formula for this layer's MACs with its numbers, or None (0-MAC layers)."""
    node, out = info.node, info.shape
    if node.op in (Op.CONV2D, Op.DEPTHWISE_CONV2D, Op.SEPARABLE_CONV2D):
        h, w = out[0], out[1]
        kh, kw = node.attrs["kernel_size"]
        m = info.input_shapes[0][-1]
        dp, dk = _dp(h, w), _dk(kh, kw)
        if node.op is Op.CONV2D:
            n = node.attrs["filters"]
            table = node.attrs.get("connections")
            if table is not None:
                links = sum(len(row) for row in table)
                return Formula("Dp^2 x Dk^2 x links", f"{dp} x {dk} x {links}",
                               h * w * kh * kw * links)
            groups = node.attrs["groups"]
            if groups > 1:
                return Formula("N x Dp^2 x Dk^2 x M / groups",
                               f"{n} x {dp} x {dk} x {m} / {groups}",
                               n * h * w * kh * kw * m // groups)
            return Formula("N x Dp^2 x Dk^2 x M", f"{n} x {dp} x {dk} x {m}",
                           n * h * w * kh * kw * m)
        if node.op is Op.DEPTHWISE_CONV2D:
            dm = node.attrs.get("depth_multiplier", 1)
            if dm != 1:
                return Formula("M x dm x Dp^2 x Dk^2", f"{m} x {dm} x {dp} x {dk}",
                               m * dm * h * w * kh * kw)
            return Formula("M x Dp^2 x Dk^2", f"{m} x {dp} x {dk}", m * h * w * kh * kw)
        n = node.attrs["filters"]
        dm = node.attrs["depth_multiplier"]
        mid = m * dm
        mtext = f"{m} x {dm}" if dm != 1 else f"{m}"
        parts = (
            Formula("depthwise M x Dp^2 x Dk^2", f"{mtext} x {dp} x {dk}", mid * h * w * kh * kw),
            Formula("pointwise M x Dp^2 x N", f"{mtext} x {dp} x {n}", mid * h * w * n),
        )
        if kh == kw:
            return Formula("M x Dp^2 x (Dk^2 + N)", f"{mtext} x {dp} x ({dk} + {n})",
                           mid * h * w * (kh * kw + n), parts)
        return Formula("M x Dp^2 x (Kh x Kw + N)", f"{mtext} x {dp} x ({kh} x {kw} + {n})",
                       mid * h * w * (kh * kw + n), parts)
    if node.op is Op.DENSE:
        fan_in, units = info.input_shapes[0][-1], node.attrs["units"]
        positions = math.prod(out[:-1]) if len(out) > 1 else 1
        if positions > 1:
            return Formula("positions x in x out", f"{positions} x {fan_in} x {units}",
                           positions * fan_in * units)
        return Formula("in x out", f"{fan_in} x {units}", fan_in * units)
    return None


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
    widths = [max(len(header[i]), *(len(r[i]) for r in rows)) if rows else len(header[i])
              for i in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        last = len(row) - 1
        return "  ".join(v.rjust(w) if i == last else v.ljust(w)
                         for i, (v, w) in enumerate(zip(row, widths, strict=True))).rstrip()

    rule = "-" * len(line(header))
    legend = ("Dp = output height/width, Dk = kernel size, M = input channels, N = filters; "
              "one MAC = one multiply-accumulate")
    return "\n".join([title + ": multiplications per layer", legend, rule, line(header), rule,
                      *(line(r) for r in rows), rule,
                      f"Total MACs: {total:,} (FLOPs = 2 x MACs = {2 * total:,})"]) + "\n"
