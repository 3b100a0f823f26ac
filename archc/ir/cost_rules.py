"""Cost rules: parameters as Keras counts them, and MACs as a formula a person can check.

Conventions (docs/numbers.md): params as Keras's `count_params()` counts
them, with batch norm's moving mean and variance non-trainable; one MAC per multiply-add of
a convolution or dense layer; bias adds, normalisation, activations, pooling and merges
count 0 MACs. FLOPs are 2 x MACs and are labelled as such wherever they are shown.

A MAC rule returns a `Formula`: the study notes' symbols (N x Dp^2 x Dk^2 x M for a
standard convolution, M x Dp^2 x (Dk^2 + N) for a separable one; Dp = output size, Dk =
kernel size, M = input channels, N = filters), the same with this layer's numbers, and the
value. The analysis counts `value`; `summary --costs` and lint print the text; all three
come from one function, so they cannot drift apart.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # the records are defined with the catalogue, which imports these rules
    from archc.ir.ops import (
        Attrs,
        Conv2DAttrs,
        Conv2DTransposeAttrs,
        DenseAttrs,
        DepthwiseConv2DAttrs,
        DFLAttrs,
        NormalizationAttrs,
        SeparableConv2DAttrs,
    )

Shape = tuple[int, ...]


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


def _links(a: Conv2DAttrs, cin: int) -> int:
    """Kh x Kw kernels a conv holds: one per link of its connection table, else
    filters x cin / groups (every output map reads cin / groups input maps)."""
    if a.connections is not None:
        return sum(len(row) for row in a.connections)
    return a.filters * cin // a.groups


# -- parameters ---------------------------------------------------------------------------------


def no_params(a: Attrs, inputs: Sequence[Shape], out: Shape) -> tuple[int, int]:
    return (0, 0)


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


def dense_params(a: DenseAttrs, inputs: Sequence[Shape], out: Shape) -> tuple[int, int]:
    return (inputs[0][-1] * a.units + (a.units if a.use_bias else 0), 0)


class _Affine(Protocol):
    """A normalisation's learned per-channel affine: `scale` (gamma) and `center` (beta)."""

    @property
    def center(self) -> bool: ...

    @property
    def scale(self) -> bool: ...


def channel_affine(frozen_per_channel: int) -> Callable[[_Affine, Sequence[Shape], Shape],
                                                        tuple[int, int]]:
    """A normalisation's parameters: gamma and beta (each if kept) per channel, trainable,
    plus `frozen_per_channel` statistics (batch norm's moving mean and variance: 2)."""
    def rule(a: _Affine, inputs: Sequence[Shape], out: Shape) -> tuple[int, int]:
        channels = out[-1]
        return (channels * (int(a.center) + int(a.scale)), frozen_per_channel * channels)

    return rule


def per_channel(count: int) -> Callable[[Attrs, Sequence[Shape], Shape], tuple[int, int]]:
    """`count` trainable weights per output channel (LeNet's subsampling: coefficient, bias)."""
    def rule(a: Attrs, inputs: Sequence[Shape], out: Shape) -> tuple[int, int]:
        return (count * out[-1], 0)

    return rule


def normalization_params(a: NormalizationAttrs, inputs: Sequence[Shape],
                         out: Shape) -> tuple[int, int]:
    """Keras `Normalization`: given mean and variance are constants, not weights (0); left
    to `adapt()`, it keeps mean and variance per channel and one sample count, all
    non-trainable (2C + 1: 7 on RGB, EfficientNet's)."""
    if a.mean is not None:
        return (0, 0)
    return (0, 2 * out[-1] + 1)


def dfl_params(a: DFLAttrs, inputs: Sequence[Shape], out: Shape) -> tuple[int, int]:
    """The fixed projection 0, 1, ..., bins - 1: `bins` non-trainable weights, shared by
    every side and position (Ultralytics' DFL is one 1x1 convolution, bins -> 1, frozen)."""
    return (0, a.bins)


# -- MACs ---------------------------------------------------------------------------------------


def conv2d_macs(a: Conv2DAttrs, inputs: Sequence[Shape], out: Shape) -> Formula:
    h, w = out[0], out[1]
    kh, kw = a.kernel_size
    m, n = inputs[0][-1], a.filters
    dp, dk = _dp(h, w), _dk(kh, kw)
    if a.connections is not None:
        links = _links(a, m)
        return Formula("Dp^2 x Dk^2 x links", f"{dp} x {dk} x {links}", h * w * kh * kw * links)
    if a.groups > 1:
        return Formula("N x Dp^2 x Dk^2 x M / groups", f"{n} x {dp} x {dk} x {m} / {a.groups}",
                       n * h * w * kh * kw * m // a.groups)
    return Formula("N x Dp^2 x Dk^2 x M", f"{n} x {dp} x {dk} x {m}", n * h * w * kh * kw * m)


def depthwise_macs(a: DepthwiseConv2DAttrs, inputs: Sequence[Shape], out: Shape) -> Formula:
    h, w = out[0], out[1]
    kh, kw = a.kernel_size
    m, dm = inputs[0][-1], a.depth_multiplier
    dp, dk = _dp(h, w), _dk(kh, kw)
    if dm != 1:
        return Formula("M x dm x Dp^2 x Dk^2", f"{m} x {dm} x {dp} x {dk}",
                       m * dm * h * w * kh * kw)
    return Formula("M x Dp^2 x Dk^2", f"{m} x {dp} x {dk}", m * h * w * kh * kw)


def separable_macs(a: SeparableConv2DAttrs, inputs: Sequence[Shape], out: Shape) -> Formula:
    h, w = out[0], out[1]
    kh, kw = a.kernel_size
    m, dm, n = inputs[0][-1], a.depth_multiplier, a.filters
    mid = m * dm
    dp, dk = _dp(h, w), _dk(kh, kw)
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


def conv2d_transpose_macs(a: Conv2DTransposeAttrs, inputs: Sequence[Shape],
                          out: Shape) -> Formula:
    """Every input unit scatters one Kh x Kw x N kernel per input channel, so the count runs
    over the *input* size Di (numbers.md: Hin x Win x Cin x Kh x Kw x Cout); positions
    that fall outside the cropped output of `same` padding still count."""
    h, w = inputs[0][0], inputs[0][1]
    kh, kw = a.kernel_size
    m, n = inputs[0][-1], a.filters
    return Formula("N x Di^2 x Dk^2 x M", f"{n} x {_dp(h, w)} x {_dk(kh, kw)} x {m}",
                   n * h * w * kh * kw * m)


def dense_macs(a: DenseAttrs, inputs: Sequence[Shape], out: Shape) -> Formula:
    fan_in, units = inputs[0][-1], a.units
    positions = math.prod(out[:-1]) if len(out) > 1 else 1
    if positions > 1:
        return Formula("positions x in x out", f"{positions} x {fan_in} x {units}",
                       positions * fan_in * units)
    return Formula("in x out", f"{fan_in} x {units}", fan_in * units)


def dfl_macs(a: DFLAttrs, inputs: Sequence[Shape], out: Shape) -> Formula:
    """The expectation over the bins of each side at each position: a 1x1 convolution from
    `bins` channels to 1 over positions x 4 (the softmax counts no MACs, as activations)."""
    positions = out[0]
    return Formula("positions x 4 x bins", f"{positions} x 4 x {a.bins}",
                   positions * 4 * a.bins)
