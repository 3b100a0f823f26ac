"""Convolutions: conv2d (grouped, or with a sparse connection table), depthwise, separable
and transposed; their records, shape and cost rules, and catalogue entries."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import archc.ir.cost_rules as cost
import archc.ir.shape_rules as rules
from archc.diagnostics import Problem
from archc.ir.ops.base import (
    Attrs,
    ConvWindowed,
    Family,
    OpDef,
    OpKind,
    Padding,
    Pair,
    Reach,
    Shape,
    Spelling,
    Table,
    arg,
)


class ConvOp(OpKind):
    CONV2D = "conv2d"
    DEPTHWISE_CONV2D = "depthwise_conv2d"
    SEPARABLE_CONV2D = "separable_conv2d"
    CONV2D_TRANSPOSE = "conv2d_transpose"


_PAIR = Spelling.INT_OR_PAIR
_ACT = Spelling.ACTIVATION


@dataclass(frozen=True)
class Conv2DAttrs(Attrs, ConvWindowed):
    filters: int = arg(gt=0)
    kernel_size: Pair = arg(spelling=_PAIR)
    strides: Pair = arg((1, 1), _PAIR)
    padding: Padding = arg("valid", Spelling.PADDING)
    dilation: Pair = arg((1, 1), _PAIR)
    groups: int = arg(1, gt=0)
    use_bias: bool = arg(True, Spelling.BOOL)
    activation: str | None = arg(None, _ACT)
    connections: Table | None = arg(
        None, Spelling.CONNECTIONS,
        description="Connection table: for each output map, the input maps it reads.")
    """For each output map, the input maps it reads (LeNet-5's C3)."""


@dataclass(frozen=True)
class DepthwiseConv2DAttrs(Attrs, ConvWindowed):
    kernel_size: Pair = arg(spelling=_PAIR)
    strides: Pair = arg((1, 1), _PAIR)
    padding: Padding = arg("valid", Spelling.PADDING)
    dilation: Pair = arg((1, 1), _PAIR)
    depth_multiplier: int = arg(1, gt=0)
    use_bias: bool = arg(True, Spelling.BOOL)
    activation: str | None = arg(None, _ACT)


@dataclass(frozen=True)
class SeparableConv2DAttrs(Attrs, ConvWindowed):
    filters: int = arg(gt=0)
    kernel_size: Pair = arg(spelling=_PAIR)
    strides: Pair = arg((1, 1), _PAIR)
    padding: Padding = arg("valid", Spelling.PADDING)
    dilation: Pair = arg((1, 1), _PAIR)
    depth_multiplier: int = arg(1, gt=0)
    use_bias: bool = arg(True, Spelling.BOOL)
    activation: str | None = arg(None, _ACT)


@dataclass(frozen=True)
class Conv2DTransposeAttrs(Attrs):
    """Keras `Conv2DTranspose` without `output_padding` or dilation (an up-convolution)."""

    filters: int = arg(gt=0)
    kernel_size: Pair = arg(spelling=_PAIR)
    strides: Pair = arg((1, 1), _PAIR)
    padding: str = arg("valid", Spelling.CHOICE, choices=("valid", "same"))
    """'valid' or 'same' only: Keras has no explicit padding for a transposed conv."""
    use_bias: bool = arg(True, Spelling.BOOL)
    activation: str | None = arg(None, _ACT)


# -- shapes -------------------------------------------------------------------------------------


def conv2d_shape(a: Conv2DAttrs, shapes: Sequence[Shape]) -> Shape:
    (shape,) = shapes
    rules.need_rank("conv2d", shape, 3)
    cin = shape[2]
    if a.connections is not None:
        problem = rules.table_problem(a.connections, a.filters, cin)
        if problem is not None:
            raise Problem("G003", *problem)
        if a.groups != 1:
            raise Problem("G007", "a conv2d cannot have both `groups` and `connections`")
        if max(a.dilation) > 1:
            raise Problem("G007", "a conv2d with `connections` cannot be dilated: the Keras "
                          "backend has no dilated connection-table convolution",
                          "drop `dilation`, or drop `connections` and use a dense "
                          "convolution")
    elif cin % a.groups or a.filters % a.groups:
        raise Problem(
            "G006",
            f"`groups: {a.groups}` must divide both the input channels ({cin}) and `filters` "
            f"({a.filters})",
            "choose a number of groups that divides both",
        )
    return rules.window("conv2d", shape, a.kernel_size, a.strides, a.dilation, a.padding,
                        a.filters)


def depthwise_shape(a: DepthwiseConv2DAttrs, shapes: Sequence[Shape]) -> Shape:
    (shape,) = shapes
    rules.need_rank("depthwise_conv2d", shape, 3)
    return rules.window("depthwise_conv2d", shape, a.kernel_size, a.strides, a.dilation,
                        a.padding, shape[2] * a.depth_multiplier)


def separable_shape(a: SeparableConv2DAttrs, shapes: Sequence[Shape]) -> Shape:
    (shape,) = shapes
    return rules.window("separable_conv2d", shape, a.kernel_size, a.strides, a.dilation,
                        a.padding, a.filters)


def conv2d_transpose_shape(a: Conv2DTransposeAttrs, shapes: Sequence[Shape]) -> Shape:
    (shape,) = shapes
    rules.need_rank("conv2d_transpose", shape, 3)
    out = rules.transposed_out
    return (out(shape[0], a.kernel_size[0], a.strides[0], a.padding),
            out(shape[1], a.kernel_size[1], a.strides[1], a.padding), a.filters)


# -- parameters ---------------------------------------------------------------------------------


def _links(a: Conv2DAttrs, cin: int) -> int:
    """Kh x Kw kernels a conv holds: one per link of its connection table, else
    filters x cin / groups (every output map reads cin / groups input maps)."""
    if a.connections is not None:
        return sum(len(row) for row in a.connections)
    return a.filters * cin // a.groups


def conv2d_params(a: Conv2DAttrs, inputs: Sequence[Shape], out: Shape) -> tuple[int, int]:
    kh, kw = a.kernel_size
    return (kh * kw * _links(a, inputs[0][-1]) + (a.filters if a.use_bias else 0), 0)


def depthwise_params(a: DepthwiseConv2DAttrs, inputs: Sequence[Shape],
                     out: Shape) -> tuple[int, int]:
    kh, kw = a.kernel_size
    channels = out[-1]  # cin * depth_multiplier
    return (kh * kw * channels + (channels if a.use_bias else 0), 0)


def separable_params(a: SeparableConv2DAttrs, inputs: Sequence[Shape],
                     out: Shape) -> tuple[int, int]:
    kh, kw = a.kernel_size
    mid = inputs[0][-1] * a.depth_multiplier
    return (kh * kw * mid + mid * a.filters + (a.filters if a.use_bias else 0), 0)


def conv2d_transpose_params(a: Conv2DTransposeAttrs, inputs: Sequence[Shape],
                            out: Shape) -> tuple[int, int]:
    """Kernel (kh, kw, filters, cin) and a bias per filter."""
    kh, kw = a.kernel_size
    return (kh * kw * inputs[0][-1] * a.filters + (a.filters if a.use_bias else 0), 0)


# -- MACs ---------------------------------------------------------------------------------------


def conv2d_macs(a: Conv2DAttrs, inputs: Sequence[Shape], out: Shape) -> cost.Formula:
    h, w = out[0], out[1]
    kh, kw = a.kernel_size
    m, n = inputs[0][-1], a.filters
    dp, dk = cost.dp_text(h, w), cost.dk_text(kh, kw)
    if a.connections is not None:
        links = _links(a, m)
        return cost.Formula("Dp^2 x Dk^2 x links", f"{dp} x {dk} x {links}",
                            h * w * kh * kw * links)
    if a.groups > 1:
        return cost.Formula("N x Dp^2 x Dk^2 x M / groups",
                            f"{n} x {dp} x {dk} x {m} / {a.groups}",
                            n * h * w * kh * kw * m // a.groups)
    return cost.Formula("N x Dp^2 x Dk^2 x M", f"{n} x {dp} x {dk} x {m}",
                        n * h * w * kh * kw * m)


def depthwise_macs(a: DepthwiseConv2DAttrs, inputs: Sequence[Shape],
                   out: Shape) -> cost.Formula:
    h, w = out[0], out[1]
    kh, kw = a.kernel_size
    m, dm = inputs[0][-1], a.depth_multiplier
    dp, dk = cost.dp_text(h, w), cost.dk_text(kh, kw)
    if dm != 1:
        return cost.Formula("M x dm x Dp^2 x Dk^2", f"{m} x {dm} x {dp} x {dk}",
                            m * dm * h * w * kh * kw)
    return cost.Formula("M x Dp^2 x Dk^2", f"{m} x {dp} x {dk}", m * h * w * kh * kw)


def separable_macs(a: SeparableConv2DAttrs, inputs: Sequence[Shape],
                   out: Shape) -> cost.Formula:
    h, w = out[0], out[1]
    kh, kw = a.kernel_size
    m, dm, n = inputs[0][-1], a.depth_multiplier, a.filters
    mid = m * dm
    dp, dk = cost.dp_text(h, w), cost.dk_text(kh, kw)
    mtext = f"{m} x {dm}" if dm != 1 else f"{m}"
    parts = (
        cost.Formula("depthwise M x Dp^2 x Dk^2", f"{mtext} x {dp} x {dk}",
                     mid * h * w * kh * kw),
        cost.Formula("pointwise M x Dp^2 x N", f"{mtext} x {dp} x {n}", mid * h * w * n),
    )
    if kh == kw:
        return cost.Formula("M x Dp^2 x (Dk^2 + N)", f"{mtext} x {dp} x ({dk} + {n})",
                            mid * h * w * (kh * kw + n), parts)
    return cost.Formula("M x Dp^2 x (Kh x Kw + N)", f"{mtext} x {dp} x ({kh} x {kw} + {n})",
                        mid * h * w * (kh * kw + n), parts)


def conv2d_transpose_macs(a: Conv2DTransposeAttrs, inputs: Sequence[Shape],
                          out: Shape) -> cost.Formula:
    """Every input unit scatters one Kh x Kw x N kernel per input channel, so the count runs
    over the *input* size Di (numbers.md: Hin x Win x Cin x Kh x Kw x Cout); positions
    that fall outside the cropped output of `same` padding still count."""
    h, w = inputs[0][0], inputs[0][1]
    kh, kw = a.kernel_size
    m, n = inputs[0][-1], a.filters
    return cost.Formula("N x Di^2 x Dk^2 x M",
                        f"{n} x {cost.dp_text(h, w)} x {cost.dk_text(kh, kw)} x {m}",
                        n * h * w * kh * kw * m)


DEFS: tuple[OpDef[Any], ...] = (
    OpDef(ConvOp.CONV2D, Conv2DAttrs, Family.CONV, conv2d_shape, conv2d_params, conv2d_macs,
          reach=Reach.WINDOW,
          doc="A 2-D convolution, optionally grouped or with a sparse connection table."),
    OpDef(ConvOp.DEPTHWISE_CONV2D, DepthwiseConv2DAttrs, Family.CONV, depthwise_shape,
          depthwise_params, depthwise_macs, reach=Reach.WINDOW,
          doc="A depthwise convolution: one kernel per input channel (times "
              "`depth_multiplier`)."),
    # Its pointwise half is a 1x1: the window is the depthwise kernel's.
    OpDef(ConvOp.SEPARABLE_CONV2D, SeparableConv2DAttrs, Family.CONV, separable_shape,
          separable_params, separable_macs, reach=Reach.WINDOW,
          doc="A depthwise convolution followed by a 1x1 (pointwise) convolution."),
    OpDef(ConvOp.CONV2D_TRANSPOSE, Conv2DTransposeAttrs, Family.CONV, conv2d_transpose_shape,
          conv2d_transpose_params, conv2d_transpose_macs, reach=Reach.TRANSPOSED,
          doc="A transposed convolution (up-convolution), as Keras 3's `Conv2DTranspose`."),
)
