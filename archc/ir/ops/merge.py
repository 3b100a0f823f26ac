"""Merges: ops that read several tensors (concat, add, multiply, scaled add) and `dfl`,
which joins the positions of every level's box map."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import archc.ir.cost_rules as cost
import archc.ir.shape_rules as rules
from archc.diagnostics import Problem
from archc.ir.ops.base import Attrs, Family, NoAttrs, OpDef, OpKind, Reach, Shape, Spelling, arg


class MergeOp(OpKind):
    DFL = "dfl"
    CONCAT = "concat"
    ADD = "add"
    MULTIPLY = "multiply"
    SCALED_ADD = "scaled_add"


@dataclass(frozen=True)
class DFLAttrs(Attrs):
    """Distribution focal loss decoding (Li et al. 2020; YOLOv8's `DFL`): each of the 4 box
    sides is a distribution over `bins` distances; the output is its expectation."""

    bins: int = arg(16, gt=0)


@dataclass(frozen=True)
class ScaledAddAttrs(Attrs):
    """`x + scale * y` of two inputs (InceptionResNetV2's residual scaling)."""

    scale: float = arg(1.0, Spelling.FLOAT)


def dfl_shape(a: DFLAttrs, shapes: Sequence[Shape]) -> Shape:
    """(positions of every input, 4): each input is an H x W x (4 x bins) box map, its
    positions row by row, the inputs one after the other (YOLOv8's order of anchors)."""
    for shape in shapes:
        if len(shape) != 3 or shape[-1] != 4 * a.bins:
            raise Problem("G020", f"`dfl` reads H x W x {4 * a.bins} box maps (4 sides x "
                          f"{a.bins} bins); received {rules.format_shape(shape)}",
                          f"give it the box branch of each level, {4 * a.bins} channels "
                          "(`channel_slice` them off a map that holds more), or set `bins`")
    return (sum(s[0] * s[1] for s in shapes), 4)


def dfl_params(a: DFLAttrs, inputs: Sequence[Shape], out: Shape) -> tuple[int, int]:
    """The fixed projection 0, 1, ..., bins - 1: `bins` non-trainable weights, shared by
    every side and position (Ultralytics' DFL is one 1x1 convolution, bins -> 1, frozen)."""
    return (0, a.bins)


def dfl_macs(a: DFLAttrs, inputs: Sequence[Shape], out: Shape) -> cost.Formula:
    """The expectation over the bins of each side at each position: a 1x1 convolution from
    `bins` channels to 1 over positions x 4 (the softmax counts no MACs, as activations)."""
    positions = out[0]
    return cost.Formula("positions x 4 x bins", f"{positions} x 4 x {a.bins}",
                        positions * 4 * a.bins)


def concat_shape(a: Attrs, shapes: Sequence[Shape]) -> Shape:
    first = shapes[0]
    for other in shapes[1:]:
        if len(other) != len(first) or other[:-1] != first[:-1]:
            raise Problem(
                "G001",
                "concat needs equal shapes except the channel axis; received "
                + ", ".join(rules.format_shape(s) for s in shapes),
                "give every branch the same spatial size (padding: same, equal strides)",
            )
    return (*first[:-1], sum(s[-1] for s in shapes))


def elementwise_shape(op: str) -> Callable[[Attrs, Sequence[Shape]], Shape]:
    def rule(a: Attrs, shapes: Sequence[Shape]) -> Shape:
        out = list(shapes[0])
        for other in shapes[1:]:
            out = _broadcast(op, out, list(other), shapes)
        return tuple(out)

    return rule


def _broadcast(op: str, a: list[int], b: list[int], shapes: Sequence[Shape]) -> list[int]:
    shown = ", ".join(rules.format_shape(s) for s in shapes)
    if len(a) != len(b):
        raise Problem("G002", f"`{op}` needs inputs of one rank; received {shown}")
    out = []
    for x, y in zip(a, b, strict=True):
        if x != y and 1 not in (x, y):
            raise Problem(
                "G002", f"`{op}` needs equal shapes; received {shown}",
                "project the shortcut (shortcut: projection) or match filters and strides"
                if op in ("add", "scaled_add") else None,
            )
        out.append(max(x, y))
    return out


_MANY = "of the named inputs (at least two)."

DEFS: tuple[OpDef[Any], ...] = (
    # Reads every level's box map and joins their positions (a merge by arity); `bins`
    # fixed weights 0..bins-1, non-trainable, as Ultralytics' DFL convolution.
    OpDef(MergeOp.DFL, DFLAttrs, Family.MERGE, dfl_shape, dfl_params, dfl_macs,
          max_inputs=None, reach=Reach.LISTED,
          doc="Distribution focal loss decoding of box maps (YOLOv8): 4 sides x `bins` "
              "channels in, the expected distance of each side out, every input's positions "
              "in one list."),
    OpDef(MergeOp.CONCAT, NoAttrs, Family.MERGE, concat_shape, max_inputs=None,
          reach=Reach.MERGE, doc=f"Concatenation on the channel axis {_MANY}"),
    OpDef(MergeOp.ADD, NoAttrs, Family.MERGE, elementwise_shape("add"), max_inputs=None,
          reach=Reach.MERGE, doc=f"The elementwise sum {_MANY}"),
    OpDef(MergeOp.MULTIPLY, NoAttrs, Family.MERGE, elementwise_shape("multiply"),
          max_inputs=None, reach=Reach.MERGE, doc=f"The elementwise product {_MANY}"),
    # 0 MACs: numbers.md counts no elementwise products (Keras's scale layer has no weights).
    OpDef(MergeOp.SCALED_ADD, ScaledAddAttrs, Family.MERGE, elementwise_shape("scaled_add"),
          min_inputs=2, max_inputs=2, reach=Reach.MERGE,
          doc="`x + scale * y` of its two inputs [x, y] (InceptionResNetV2's scaled "
              "residual)."),
)
