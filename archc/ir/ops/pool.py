"""Pooling: max and average pools, LeNet's trainable subsampling, global pools."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import archc.ir.cost_rules as cost
import archc.ir.shape_rules as rules
from archc.ir.ops.base import (
    Attrs,
    Family,
    OpDef,
    OpKind,
    Padding,
    Pair,
    PoolWindowed,
    Reach,
    Shape,
    Spelling,
    arg,
)


class PoolOp(OpKind):
    MAX_POOL2D = "max_pool2d"
    AVG_POOL2D = "avg_pool2d"
    SUBSAMPLING2D = "subsampling2d"
    GLOBAL_AVG_POOL2D = "global_avg_pool2d"
    GLOBAL_MAX_POOL2D = "global_max_pool2d"


_PAIR = Spelling.INT_OR_PAIR


@dataclass(frozen=True)
class Pool2DAttrs(Attrs, PoolWindowed):
    pool_size: Pair = arg(spelling=_PAIR, spec_default=2)
    strides: Pair = arg(spelling=_PAIR, spec_default=None, default_from="pool_size",
                        description="Default: the pool size.")
    """The spec's default (the pool size) is filled in by `make_attrs`."""
    padding: Padding = arg("valid", Spelling.PADDING)


@dataclass(frozen=True)
class Subsampling2DAttrs(Attrs, PoolWindowed):
    pool_size: Pair = arg(spelling=_PAIR, spec_default=2)
    strides: Pair = arg(spelling=_PAIR, spec_default=None, default_from="pool_size")
    activation: str | None = arg(None, Spelling.ACTIVATION)
    padding: Padding = "valid"
    """Always valid: LeNet's windows never overhang the input."""


@dataclass(frozen=True)
class GlobalPool2DAttrs(Attrs):
    keepdims: bool = arg(False, Spelling.BOOL)


def pool_shape(op: str) -> Callable[[Pool2DAttrs | Subsampling2DAttrs, Sequence[Shape]],
                                    Shape]:
    def rule(a: Pool2DAttrs | Subsampling2DAttrs, shapes: Sequence[Shape]) -> Shape:
        (shape,) = shapes
        rules.need_rank(op, shape, 3)
        return rules.window(op, shape, a.pool_size, a.strides, (1, 1), a.padding, shape[2])

    return rule


def global_pool_shape(a: GlobalPool2DAttrs, shapes: Sequence[Shape]) -> Shape:
    (shape,) = shapes
    rules.need_rank("global pooling", shape, 3)
    return (1, 1, shape[2]) if a.keepdims else (shape[2],)


DEFS: tuple[OpDef[Any], ...] = (
    OpDef(PoolOp.MAX_POOL2D, Pool2DAttrs, Family.POOL, pool_shape("max_pool2d"),
          reach=Reach.WINDOW, doc="The largest value of each window, per channel."),
    OpDef(PoolOp.AVG_POOL2D, Pool2DAttrs, Family.POOL, pool_shape("avg_pool2d"),
          linear_passthrough=True, reach=Reach.WINDOW,
          doc="The mean of each window, per channel."),
    OpDef(PoolOp.SUBSAMPLING2D, Subsampling2DAttrs, Family.POOL, pool_shape("subsampling2d"),
          cost.per_channel(2), reach=Reach.WINDOW,
          doc="LeNet-5's S2/S4: window mean, times a trainable coefficient, plus a bias, "
              "per map."),
    OpDef(PoolOp.GLOBAL_AVG_POOL2D, GlobalPool2DAttrs, Family.POOL, global_pool_shape,
          reach=Reach.WHOLE, doc="The mean of every position, per channel."),
    OpDef(PoolOp.GLOBAL_MAX_POOL2D, GlobalPool2DAttrs, Family.POOL, global_pool_shape,
          reach=Reach.WHOLE, doc="The largest value of every position, per channel."),
)
