"""Activation, dropout and reshaping: ops that keep or move values without weights."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import archc.ir.shape_rules as rules
from archc.diagnostics import Problem
from archc.ir.ops.base import (
    Attrs,
    ExplicitPadding,
    Family,
    OpDef,
    OpKind,
    Pair,
    Reach,
    Shape,
    Spelling,
    arg,
)


class ShapeOp(OpKind):
    ACTIVATION = "activation"
    DROPOUT = "dropout"
    SPATIAL_DROPOUT2D = "spatial_dropout2d"
    ZERO_PADDING2D = "zero_padding2d"
    CROPPING2D = "cropping2d"
    RESHAPE = "reshape"
    UPSAMPLING2D = "upsampling2d"
    CHANNEL_SLICE = "channel_slice"


@dataclass(frozen=True)
class ActivationAttrs(Attrs):
    function: str = arg(spelling=Spelling.ACTIVATION)


@dataclass(frozen=True)
class DropoutAttrs(Attrs):
    rate: float = arg(spelling=Spelling.FLOAT, ge=0, lt=1)
    per_sample: bool = arg(False, Spelling.BOOL, added=True,
                           description="Drop whole samples (stochastic depth).")
    """One draw per sample drops the whole tensor (stochastic depth, drop-connect)."""


@dataclass(frozen=True)
class ZeroPadding2DAttrs(Attrs):
    padding: ExplicitPadding = arg(((1, 1), (1, 1)), Spelling.SIDES)


@dataclass(frozen=True)
class Cropping2DAttrs(Attrs):
    """Rows and columns removed from each side: ((top, bottom), (left, right))."""

    cropping: ExplicitPadding = arg(((0, 0), (0, 0)), Spelling.SIDES)


def _one_unknown(value: list[int]) -> list[int]:
    if 0 in value:
        raise ValueError("every entry is a positive size, or -1 for the one inferred")
    if value.count(-1) > 1:
        raise ValueError("at most one entry may be -1")
    return value


@dataclass(frozen=True)
class ReshapeAttrs(Attrs):
    """The target shape without the batch axis; one entry may be -1 (inferred)."""

    shape: Shape = arg(spelling=Spelling.TARGET_SHAPE, ge=-1, check=_one_unknown)


@dataclass(frozen=True)
class UpSampling2DAttrs(Attrs):
    """Keras `UpSampling2D`: each row repeated `size[0]` times, each column `size[1]` times
    (nearest), or interpolated between neighbours (bilinear)."""

    size: Pair = arg((2, 2), Spelling.INT_OR_PAIR)
    interpolation: str = arg("nearest", Spelling.CHOICE, choices=("nearest", "bilinear"))


@dataclass(frozen=True)
class ChannelSliceAttrs(Attrs):
    """Channels `start` (included) to `stop` (excluded), counted from 0: one piece of a
    tensor split on the channel axis (YOLOv8's C2f splits its first convolution's output in
    two halves; PyTorch's `chunk`)."""

    start: int = arg(ge=0)
    stop: int = arg(gt=0)


def zero_padding_shape(a: ZeroPadding2DAttrs, shapes: Sequence[Shape]) -> Shape:
    (shape,) = shapes
    rules.need_rank("zero_padding2d", shape, 3)
    (top, bottom), (left, right) = a.padding
    return (shape[0] + top + bottom, shape[1] + left + right, shape[2])


def cropping_shape(a: Cropping2DAttrs, shapes: Sequence[Shape]) -> Shape:
    (shape,) = shapes
    rules.need_rank("cropping2d", shape, 3)
    (top, bottom), (left, right) = a.cropping
    height, width = shape[0] - top - bottom, shape[1] - left - right
    if height < 1 or width < 1:
        raise Problem("G012", f"`cropping2d` removes {top + bottom} rows and {left + right} "
                      f"columns, but its input is {rules.format_shape(shape)}",
                      f"crop fewer than {shape[0]} rows and {shape[1]} columns")
    return (height, width, shape[2])


def reshape_shape(a: ReshapeAttrs, shapes: Sequence[Shape]) -> Shape:
    """Keras `Reshape`: the same elements in a new shape; one -1 takes what is left."""
    (shape,) = shapes
    total = math.prod(shape)
    known = math.prod(d for d in a.shape if d != -1)
    target = "[" + ", ".join(str(d) for d in a.shape) + "]"
    shown = rules.format_shape(shape)
    if -1 in a.shape:
        if total % known:
            raise Problem("G014", f"cannot reshape {shown} ({total:,} values) "
                          f"to {target}: {total:,} is not a multiple of {known:,}",
                          "the known entries must multiply to a divisor of the input's size")
        return tuple(total // known if d == -1 else d for d in a.shape)
    if known != total:
        raise Problem("G014", f"cannot reshape {shown} ({total:,} values) to "
                      f"{target} ({known:,} values)",
                      "the entries must multiply to the input's size; one may be -1")
    return tuple(a.shape)


@dataclass(frozen=True)
class SpatialDropout2DAttrs(Attrs):
    """Keras `SpatialDropout2D`: during training whole feature maps are zeroed (one draw
    per sample and channel), so neighbouring, correlated pixels drop together."""

    rate: float = arg(spelling=Spelling.FLOAT, ge=0, lt=1)


def spatial_dropout_shape(a: SpatialDropout2DAttrs, shapes: Sequence[Shape]) -> Shape:
    (shape,) = shapes
    rules.need_rank("spatial_dropout2d", shape, 3)  # it drops channels of an H x W x C map
    return shape


def upsampling_shape(a: UpSampling2DAttrs, shapes: Sequence[Shape]) -> Shape:
    (shape,) = shapes
    rules.need_rank("upsampling2d", shape, 3)
    return (shape[0] * a.size[0], shape[1] * a.size[1], shape[2])


def channel_slice_shape(a: ChannelSliceAttrs, shapes: Sequence[Shape]) -> Shape:
    """The input with channels `start` to `stop` (excluded); any rank, channels last."""
    (shape,) = shapes
    channels = shape[-1]
    if a.stop <= a.start or a.stop > channels:
        raise Problem("G019", f"`channel_slice` takes channels {a.start} to {a.stop} "
                      f"(excluded), but its input is {rules.format_shape(shape)} ({channels} "
                      "channels)",
                      f"`start` < `stop` <= {channels}; channels count from 0 and `stop` "
                      "is excluded, as in Python's x[start:stop]")
    return (*shape[:-1], a.stop - a.start)


DEFS: tuple[OpDef[Any], ...] = (
    OpDef(ShapeOp.ACTIVATION, ActivationAttrs, Family.SHAPE, rules.same,
          width_passthrough=True, reach=Reach.POINTWISE,
          doc="An activation function applied to every value."),
    OpDef(ShapeOp.DROPOUT, DropoutAttrs, Family.SHAPE, rules.same, linear_passthrough=True,
          width_passthrough=True, reach=Reach.POINTWISE,
          doc="Random zeroing of values during training (`rate`); the identity at inference."),
    OpDef(ShapeOp.SPATIAL_DROPOUT2D, SpatialDropout2DAttrs, Family.SHAPE,
          spatial_dropout_shape, linear_passthrough=True, width_passthrough=True,
          reach=Reach.POINTWISE,
          doc="Random zeroing of whole feature maps during training (`rate`); the identity "
              "at inference."),
    OpDef(ShapeOp.ZERO_PADDING2D, ZeroPadding2DAttrs, Family.SHAPE, zero_padding_shape,
          linear_passthrough=True, reach=Reach.PADDING,
          doc="Rows and columns of zeros added to the sides: `p`, `[ph, pw]` or "
              "`[[top, bottom], [left, right]]`."),
    OpDef(ShapeOp.CROPPING2D, Cropping2DAttrs, Family.SHAPE, cropping_shape,
          linear_passthrough=True, reach=Reach.CROPPING,
          doc="Rows and columns cut from the sides: `c`, `[ch, cw]` or "
              "`[[top, bottom], [left, right]]`."),
    OpDef(ShapeOp.RESHAPE, ReshapeAttrs, Family.SHAPE, reshape_shape, reach=Reach.RESHAPE,
          doc="The same values in a new shape (without the batch axis); one entry may be -1."),
    OpDef(ShapeOp.UPSAMPLING2D, UpSampling2DAttrs, Family.SHAPE, upsampling_shape,
          linear_passthrough=True, reach=Reach.UPSAMPLING,
          doc="Rows and columns repeated `size` times (nearest) or interpolated (bilinear)."),
    # Linear in its input and per position; it changes the width, so L008 stops at it.
    OpDef(ShapeOp.CHANNEL_SLICE, ChannelSliceAttrs, Family.SHAPE, channel_slice_shape,
          linear_passthrough=True, reach=Reach.POINTWISE,
          doc="Channels `start` to `stop` (excluded), counted from 0: one piece of a channel "
              "split."),
)
