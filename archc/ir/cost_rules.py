"""Cost rules: parameters as Keras counts them, and MACs as a formula a person can check.

Conventions (docs/numbers.md): params as Keras's `count_params()` counts
them, with batch norm's moving mean and variance non-trainable; one MAC per multiply-add of
a convolution or dense layer; bias adds, normalisation, activations, pooling and merges
count 0 MACs. FLOPs are 2 x MACs and are labelled as such wherever they are shown.

A MAC rule returns a `Formula`: the study notes' symbols (N x Dp^2 x Dk^2 x M for a
standard convolution, M x Dp^2 x (Dk^2 + N) for a separable one; Dp = output size, Dk =
kernel size, M = input channels, N = filters), the same with this layer's numbers, and the
value. The analysis counts `value`; `summary --costs` and lint print the text; all three
come from one function, so they cannot drift apart. Each op's own rules sit with its
definition (archc/ir/ops/<family>.py); these are the parts several ops share.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from archc.ir.ops.base import Attrs, Shape
from archc.ir.ops.base import Cost as Cost
from archc.ir.ops.base import Formula as Formula
from archc.ir.ops.base import no_params as no_params


def dp_text(h: int, w: int) -> str:
    return f"{h}^2" if h == w else f"{h}x{w}"


def dk_text(kh: int, kw: int) -> str:
    return f"{kh}^2" if kh == kw else f"{kh}x{kw}"


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
