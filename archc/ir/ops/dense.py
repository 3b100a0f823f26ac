"""Dense layers and `flatten`, which turns a map into the vector a dense layer usually
reads (flatten is a reshaping op by family; it lives here to keep the catalogue's order)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import archc.ir.cost_rules as cost
from archc.ir.ops.base import Attrs, Family, NoAttrs, OpDef, OpKind, Reach, Shape, Spelling, arg


class DenseOp(OpKind):
    DENSE = "dense"
    FLATTEN = "flatten"


@dataclass(frozen=True)
class DenseAttrs(Attrs):
    units: int = arg(gt=0)
    use_bias: bool = arg(True, Spelling.BOOL)
    activation: str | None = arg(None, Spelling.ACTIVATION)


def dense_shape(a: DenseAttrs, shapes: Sequence[Shape]) -> Shape:
    (shape,) = shapes
    return (*shape[:-1], a.units)


def flatten_shape(a: Attrs, shapes: Sequence[Shape]) -> Shape:
    (shape,) = shapes
    return (math.prod(shape),)


def dense_params(a: DenseAttrs, inputs: Sequence[Shape], out: Shape) -> tuple[int, int]:
    return (inputs[0][-1] * a.units + (a.units if a.use_bias else 0), 0)


def dense_macs(a: DenseAttrs, inputs: Sequence[Shape], out: Shape) -> cost.Formula:
    fan_in, units = inputs[0][-1], a.units
    positions = math.prod(out[:-1]) if len(out) > 1 else 1
    if positions > 1:
        return cost.Formula("positions x in x out", f"{positions} x {fan_in} x {units}",
                            positions * fan_in * units)
    return cost.Formula("in x out", f"{fan_in} x {units}", fan_in * units)


DEFS: tuple[OpDef[Any], ...] = (
    OpDef(DenseOp.DENSE, DenseAttrs, Family.DENSE, dense_shape, dense_params, dense_macs,
          reach=Reach.DENSE,
          doc="A fully connected layer; on an H x W x C map it acts at every position."),
    OpDef(DenseOp.FLATTEN, NoAttrs, Family.SHAPE, flatten_shape, reach=Reach.WHOLE,
          doc="The input's values as one vector."),
)
