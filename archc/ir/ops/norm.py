"""Normalisation and per-channel scaling: batch norm, LRN, layer norm, group norm, layer
scale, rescaling, normalization. Most statistics and constants are per channel or across
channels at one position, so those ops are `Reach.POINTWISE`; group norm's statistics span
every position of the map, so it is `Reach.MAP_STATISTICS` (each unit keeps its window and
also reads a summary of the whole input)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import archc.ir.cost_rules as cost
import archc.ir.shape_rules as rules
from archc.diagnostics import Problem
from archc.ir.ops.base import (
    Attrs,
    Family,
    OpDef,
    OpKind,
    PerChannel,
    Reach,
    Shape,
    SpecError,
    Spelling,
    arg,
)


class NormOp(OpKind):
    BATCH_NORM = "batch_norm"
    LRN = "lrn"
    LAYER_NORM = "layer_norm"
    GROUP_NORM = "group_norm"
    LAYER_SCALE = "layer_scale"
    RESCALING = "rescaling"
    NORMALIZATION = "normalization"


_FLOAT, _BOOL = Spelling.FLOAT, Spelling.BOOL


@dataclass(frozen=True)
class BatchNormAttrs(Attrs):
    """Keras `BatchNormalization`'s defaults."""

    epsilon: float = arg(0.001, _FLOAT, gt=0)
    momentum: float = arg(0.99, _FLOAT, gt=0, lt=1)
    center: bool = arg(True, _BOOL)
    scale: bool = arg(True, _BOOL)


@dataclass(frozen=True)
class LRNAttrs(Attrs):
    k: float = arg(2.0, _FLOAT, ge=0)
    n: int = arg(5, gt=0)
    alpha: float = arg(1e-4, _FLOAT, ge=0)
    beta: float = arg(0.75, _FLOAT, ge=0)


@dataclass(frozen=True)
class LayerNormAttrs(Attrs):
    """Keras `LayerNormalization` over the channel axis; epsilon is Keras's default."""

    epsilon: float = arg(0.001, _FLOAT, gt=0)
    center: bool = arg(True, _BOOL)
    scale: bool = arg(True, _BOOL)


@dataclass(frozen=True)
class GroupNormAttrs(Attrs):
    """Keras `GroupNormalization`: the channels in `groups` equal groups, each normalised
    over every position and its own channels; the defaults are Keras's."""

    groups: int = arg(32, gt=0, description="How many groups the channels form.")
    epsilon: float = arg(0.001, _FLOAT, gt=0)
    center: bool = arg(True, _BOOL)
    scale: bool = arg(True, _BOOL)


def group_norm_shape(a: GroupNormAttrs, shapes: Sequence[Shape]) -> Shape:
    """The input's shape; the groups must split the channels evenly, as Keras requires."""
    (shape,) = shapes
    if shape[-1] % a.groups:
        raise Problem("G006", f"`groups: {a.groups}` must divide the input channels "
                      f"({shape[-1]})", "choose a number of groups that divides the channels")
    return shape


@dataclass(frozen=True)
class LayerScaleAttrs(Attrs):
    """A trainable gamma per channel, `x * gamma` (ConvNeXt, CaiT); gamma starts at `init`,
    Keras ConvNeXt's `layer_scale_init_value`."""

    init: float = arg(1e-6, _FLOAT, description="The starting value of every gamma.")


@dataclass(frozen=True)
class RescalingAttrs(Attrs):
    """`x * scale + offset` (Keras `Rescaling`), as keras.applications' preprocessing."""

    scale: PerChannel = arg(spelling=Spelling.PER_CHANNEL)
    offset: PerChannel = arg(0.0, Spelling.PER_CHANNEL)


@dataclass(frozen=True)
class NormalizationAttrs(Attrs):
    """`(x - mean) / max(sqrt(variance), 1e-7)` per channel (Keras `Normalization(axis=-1)`).

    Given, mean and variance are constants (no weights); left out (None), they are Keras's
    adaptable state: mean, variance and a sample count, stored as non-trainable weights.
    """

    mean: PerChannel | None = arg(None, Spelling.PER_CHANNEL,
                                  description="Given with `variance`: constants.")
    variance: PerChannel | None = arg(None, Spelling.PER_CHANNEL, ge=0,
                                      description="Given with `mean`.")


def _mean_with_variance(item: Mapping[str, Any]) -> list[SpecError]:
    """One without the other is a missing field (S003), reported as a missing field is."""
    if (item.get("mean") is None) != (item.get("variance") is None):
        return [SpecError("variance" if item.get("variance") is None else "mean", "missing")]
    return []


def normalization_params(a: NormalizationAttrs, inputs: Sequence[Shape],
                         out: Shape) -> tuple[int, int]:
    """Keras `Normalization`: given mean and variance are constants, not weights (0); left
    to `adapt()`, it keeps mean and variance per channel and one sample count, all
    non-trainable (2C + 1: 7 on RGB, EfficientNet's)."""
    if a.mean is not None:
        return (0, 0)
    return (0, 2 * out[-1] + 1)


DEFS: tuple[OpDef[Any], ...] = (
    OpDef(NormOp.BATCH_NORM, BatchNormAttrs, Family.NORM, rules.same, cost.channel_affine(2),
          linear_passthrough=True, width_passthrough=True, reach=Reach.POINTWISE,
          doc="Batch normalisation per channel, with moving mean and variance."),
    # Across channels only, at each position.
    OpDef(NormOp.LRN, LRNAttrs, Family.NORM, rules.same, reach=Reach.POINTWISE,
          doc="Local response normalisation with the paper's k, n, alpha, beta (AlexNet)."),
    OpDef(NormOp.LAYER_NORM, LayerNormAttrs, Family.NORM, rules.same, cost.channel_affine(0),
          width_passthrough=True, reach=Reach.POINTWISE,
          doc="Layer normalisation over the channel axis (Keras "
              "`LayerNormalization(axis=-1)`)."),
    # Not pointwise: the statistics read the whole map, so lint L009 does not step over it.
    OpDef(NormOp.GROUP_NORM, GroupNormAttrs, Family.NORM, group_norm_shape,
          cost.channel_affine(0), width_passthrough=True, reach=Reach.MAP_STATISTICS,
          doc="Group normalisation: the channels in `groups` groups, each normalised over "
              "the whole map (Keras `GroupNormalization`)."),
    OpDef(NormOp.LAYER_SCALE, LayerScaleAttrs, Family.NORM, rules.same, cost.per_channel(1),
          linear_passthrough=True, width_passthrough=True, reach=Reach.POINTWISE,
          doc="A trainable per-channel gamma, `x * gamma`, starting at `init` (ConvNeXt)."),
    OpDef(NormOp.RESCALING, RescalingAttrs, Family.NORM,
          rules.channel_constants("rescaling", "scale", "offset"),
          linear_passthrough=True, width_passthrough=True, reach=Reach.POINTWISE,
          doc="`x * scale + offset` (keras.applications' preprocessing, e.g. "
              "`scale: 1 / 255`)."),
    OpDef(NormOp.NORMALIZATION, NormalizationAttrs, Family.NORM,
          rules.channel_constants("normalization", "mean", "variance"),
          normalization_params, linear_passthrough=True, width_passthrough=True,
          reach=Reach.POINTWISE, spec_check=_mean_with_variance,
          doc="`(x - mean) / sqrt(variance)` per channel; without both, Keras's adaptable "
              "state."),
)
