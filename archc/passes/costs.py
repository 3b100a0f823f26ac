"""Parameter and multiply-accumulate counts: one pure rule per op, keyed by `Op`.

Conventions (../shared/reference/numbers.md): params as Keras's `count_params()` counts
them, with batch norm's moving mean and variance non-trainable; one MAC per multiply-add of
a convolution or dense layer; bias adds, normalisation, activations, pooling and merges
count 0 MACs. FLOPs are 2 x MACs and are labelled as such wherever they are shown.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from archc.ir import Op, Shape

Attrs = Mapping[str, Any]


@dataclass(frozen=True)
class Cost:
    """What one node costs: parameters (split as Keras splits them) and MACs."""

    trainable: int = 0
    non_trainable: int = 0
    macs: int = 0

    @property
    def params(self) -> int:
        return self.trainable + self.non_trainable

    def __add__(self, other: Cost) -> Cost:
        return Cost(self.trainable + other.trainable,
                    self.non_trainable + other.non_trainable, self.macs + other.macs)


CostRule = Callable[[Attrs, Sequence[Shape], Shape], Cost]


def _spatial(shape: Shape) -> int:
    return math.prod(shape[:-1])


def _conv2d(attrs: Attrs, inputs: Sequence[Shape], out: Shape) -> Cost:
    kh, kw = attrs["kernel_size"]
    cin = inputs[0][-1]
    filters = attrs["filters"]
    table = attrs.get("connections")
    # Each link of a connection table is one Kh x Kw kernel; without one, every output map
    # reads cin / groups input maps.
    groups = attrs["groups"]
    links = sum(len(row) for row in table) if table is not None else filters * cin // groups
    weights = kh * kw * links
    bias = filters if attrs["use_bias"] else 0
    return Cost(weights + bias, 0, _spatial(out) * kh * kw * links)


def _depthwise(attrs: Attrs, inputs: Sequence[Shape], out: Shape) -> Cost:
    kh, kw = attrs["kernel_size"]
    channels = out[-1]  # cin * depth_multiplier
    bias = channels if attrs["use_bias"] else 0
    return Cost(kh * kw * channels + bias, 0, _spatial(out) * channels * kh * kw)


def _separable(attrs: Attrs, inputs: Sequence[Shape], out: Shape) -> Cost:
    kh, kw = attrs["kernel_size"]
    mid = inputs[0][-1] * attrs["depth_multiplier"]
    filters = attrs["filters"]
    bias = filters if attrs["use_bias"] else 0
    depthwise = _spatial(out) * mid * kh * kw
    pointwise = _spatial(out) * mid * filters
    return Cost(kh * kw * mid + mid * filters + bias, 0, depthwise + pointwise)


def _dense(attrs: Attrs, inputs: Sequence[Shape], out: Shape) -> Cost:
    fan_in = inputs[0][-1]
    units = attrs["units"]
    bias = units if attrs["use_bias"] else 0
    return Cost(fan_in * units + bias, 0, _spatial(out) * fan_in * units)


def _subsampling(attrs: Attrs, inputs: Sequence[Shape], out: Shape) -> Cost:
    return Cost(2 * out[-1], 0, 0)  # one coefficient and one bias per map


def _batch_norm(attrs: Attrs, inputs: Sequence[Shape], out: Shape) -> Cost:
    channels = out[-1]
    trainable = channels * (int(attrs["center"]) + int(attrs["scale"]))
    return Cost(trainable, 2 * channels, 0)


def _free(attrs: Attrs, inputs: Sequence[Shape], out: Shape) -> Cost:
    return Cost()


COST_RULES: dict[Op, CostRule] = {
    Op.INPUT: _free,
    Op.CONV2D: _conv2d,
    Op.DEPTHWISE_CONV2D: _depthwise,
    Op.SEPARABLE_CONV2D: _separable,
    Op.DENSE: _dense,
    Op.FLATTEN: _free,
    Op.MAX_POOL2D: _free,
    Op.AVG_POOL2D: _free,
    Op.SUBSAMPLING2D: _subsampling,
    Op.GLOBAL_AVG_POOL2D: _free,
    Op.GLOBAL_MAX_POOL2D: _free,
    Op.BATCH_NORM: _batch_norm,
    Op.LRN: _free,
    Op.ACTIVATION: _free,
    Op.DROPOUT: _free,
    Op.ZERO_PADDING2D: _free,
    Op.CONCAT: _free,
    Op.ADD: _free,
    Op.MULTIPLY: _free,
}


def cost_of(op: Op, attrs: Attrs, inputs: Sequence[Shape], out: Shape) -> Cost:
    return COST_RULES[op](attrs, inputs, out)
