"""What every lint rule shares: the `Rule` record, warnings located at their spec item,
number formatting, and the catalogue-costed alternatives rules propose.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from archc.diagnostics import Diagnostic, Severity
from archc.ir import Node
from archc.ir.cost_rules import Cost
from archc.ir.ops import (
    CONV_OPS,
    MERGE_OPS,
    Conv2DAttrs,
    ConvOp,
    DepthwiseConv2DAttrs,
    SeparableConv2DAttrs,
    cost_of,
)
from archc.passes.analysis import Analysis, NodeInfo

Settings = Mapping[str, float]
Check = Callable[[Analysis, Settings], Iterator[Diagnostic]]

WIDTH_OPS = CONV_OPS | MERGE_OPS


@dataclass(frozen=True)
class Rule:
    """A rule's identity (code and name), its default state, settings and check."""

    code: str
    name: str
    summary: str
    enabled_by_default: bool
    settings: Mapping[str, float]
    check: Check


# -- helpers ------------------------------------------------------------------------------------


def fmt_int(value: int) -> str:
    return f"{value:,}"


def fewer(new: int, old: int) -> str:
    """`28.0% fewer` (or `more`), one decimal: the figure users compare with the notes."""
    if old == 0:
        return "n/a"
    change = 1 - new / old
    return f"{abs(change) * 100:.1f}% {'fewer' if change >= 0 else 'more'}"


def warning(analysis: Analysis, code: str, message: str, node: Node, help: str,
             notes: tuple[str, ...] = ()) -> Diagnostic:
    """A warning at the node's spec item, plus where the enclosing block was used.

    A layer inside a `blocks:` body points at the body, which is shared by every use; the
    note names the instance so the user can tell the nine Inception modules apart.
    """
    extra: tuple[str, ...] = ()
    if node.scope:
        top = analysis.scope_info.get(node.scope[:1])
        if top is not None and top.span is not None and top.span != node.span:
            extra = (f"expanded from the use of `{top.name}` at {top.span}",)
    return Diagnostic(code, message, node.span, help, Severity.WARNING, notes + extra)


def channels_in(info: NodeInfo) -> int:
    return info.input_shapes[0][-1]


def is_linear_conv(node: Node) -> bool:
    a = node.attrs
    if not isinstance(a, Conv2DAttrs | DepthwiseConv2DAttrs | SeparableConv2DAttrs):
        return False
    return a.activation in (None, "linear")


def plain_conv(node: Node) -> Conv2DAttrs | None:
    """A Conv2D without a connection table or groups: the seed's formulas apply as written."""
    a = node.attrs
    if isinstance(a, Conv2DAttrs) and a.connections is None and a.groups == 1:
        return a
    return None


def conv_cost(cin: int, out: tuple[int, int, int], kernel: int, groups: int = 1,
               bias: bool = True) -> Cost:
    """The catalogue's cost of a `kernel` x `kernel` convolution from `cin` channels to `out`."""
    attrs = Conv2DAttrs(out[2], (kernel, kernel), groups=groups, use_bias=bias)
    return cost_of(ConvOp.CONV2D, attrs, [(out[0], out[1], cin)], out)


