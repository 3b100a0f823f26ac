"""Shared pieces of archc's custom Keras layers: argument checks, output-shape arithmetic
(the IR's own `spatial_out`) and activations (`lecun_tanh`, `activation_for`).

Imported by `layers` and `conv_layers`; it imports Keras, so only the Keras backend
imports it, after `runtime.import_keras()` or through `layers`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import keras
from keras import ops

from archc.ir.shape_rules import spatial_out

PACKAGE = "archc"
_LECUN_SCALE = 1.7159
_LECUN_SLOPE = 2.0 / 3.0

Pair = tuple[int, int]
ShapeLike = Sequence[int | None]


# --------------------------------------------------------------------------------------
# helpers


def pair(value: int | Sequence[int], what: str) -> Pair:
    """Normalise ``3`` or ``(3, 3)`` to a pair of positive ints, as Keras's conv layers do."""
    if isinstance(value, int):
        pair: tuple[int, ...] = (value, value)
    else:
        pair = tuple(int(v) for v in value)
    if len(pair) != 2 or any(v < 1 for v in pair):
        raise ValueError(f"`{what}` must be a positive int or a pair of them; received {value!r}")
    return (pair[0], pair[1])


def named_padding(value: str) -> str:
    """Only Keras's two named paddings: explicit padding is a separate ZeroPadding2D node."""
    lowered = str(value).lower()
    if lowered not in ("valid", "same"):
        raise ValueError(f"`padding` must be 'valid' or 'same'; received {value!r}")
    return lowered


def _conv_length(size: int | None, kernel: int, stride: int, dilation: int,
                 padding: str) -> int | None:
    """One spatial axis of a conv or pool output (Keras's formula; None stays None)."""
    return None if size is None else spatial_out(size, kernel, stride, dilation, padding)


def window_shape(input_shape: ShapeLike, kernel: Pair, strides: Pair, dilation: Pair,
                  padding: str, channels: int | None) -> tuple[int | None, ...]:
    """Output shape (with batch axis) of a windowed op on a channels-last 4-D input."""
    batch, height, width = input_shape[0], input_shape[1], input_shape[2]
    return (
        batch,
        _conv_length(height, kernel[0], strides[0], dilation[0], padding),
        _conv_length(width, kernel[1], strides[1], dilation[1], padding),
        channels,
    )


def static_channels(input_shape: ShapeLike, layer: str) -> int:
    """The static channel count, which every layer here needs to size its weights."""
    if len(input_shape) != 4 or input_shape[-1] is None:
        raise ValueError(
            f"`{layer}` needs a 4-D channels-last input with a known channel count; "
            f"received shape {tuple(input_shape)}"
        )
    return int(input_shape[-1])


# --------------------------------------------------------------------------------------
# activations


def lecun_tanh(x: Any) -> Any:
    """LeCun's scaled tanh, 1.7159 * tanh(2x / 3) (LeCun et al. 1998, appendix A).

    The constants make f(1) = 1 and f(-1) = -1 and keep the gain near 1 around the origin,
    which is why LeNet-5 uses it instead of a plain tanh.
    """
    return _LECUN_SCALE * ops.tanh(_LECUN_SLOPE * x)


# Registered as a statement, not a decorator, so the function keeps its type for mypy; the
# registry stores this very object, which `activation_for` hands to Keras.
keras.saving.register_keras_serializable(package=PACKAGE)(lecun_tanh)


@keras.saving.register_keras_serializable(package=PACKAGE)
class ScaledTanh(keras.layers.Layer):  # type: ignore[misc]
    """`lecun_tanh` as a layer, for specs that write ``activation: {function: lecun_tanh}``."""

    def call(self, inputs: Any) -> Any:
        return lecun_tanh(inputs)

    def compute_output_shape(self, input_shape: ShapeLike) -> tuple[int | None, ...]:
        return tuple(input_shape)


# archc's activation names whose Keras name differs, or that Keras lacks. Every other name
# in `archc.ir.ops.ACTIVATIONS` is passed to Keras as is (Keras resolves the string and
# serialises it as a string, which keeps saved files readable).
_SPECIAL_ACTIVATIONS: dict[str, Callable[[Any], Any]] = {"lecun_tanh": lecun_tanh}


def activation_for(name: str | None) -> str | Callable[[Any], Any] | None:
    """What to pass as Keras's ``activation=`` for archc's activation `name`.

    One mapping for the whole Keras backend, so a custom layer and a stock layer given the
    same spec name compute the same function. ``None`` and ``"linear"`` both mean identity.
    Names outside `archc.ir.ops.ACTIVATIONS` are a bug upstream (the schema rejects
    them), hence a plain `ValueError`.
    """
    from archc.ir.ops import ACTIVATIONS

    if name is None:
        return None
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; archc knows {', '.join(ACTIVATIONS)}")
    return _SPECIAL_ACTIVATIONS.get(name, name)


def resolve_activation(activation: Any) -> Callable[[Any], Any]:
    """An archc name, a Keras name, a callable or None, as the function to apply."""
    if isinstance(activation, str) and activation in _SPECIAL_ACTIVATIONS:
        return _SPECIAL_ACTIVATIONS[activation]
    resolved: Callable[[Any], Any] = keras.activations.get(activation)
    return resolved


