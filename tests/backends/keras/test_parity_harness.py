"""The parity harness (parity.py) pairs layers by structure, not by list order or names.

Two small models compute one network in the ways keras.applications and archc differ: a
nested `Sequential` against flat layers, `x + y` as a non-layer operation against an `Add`
layer with the operands swapped, Keras's `Conv2D(groups=2)` against archc's
`GroupedConv2D`, softmax inside the Dense against a separate activation layer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytestmark = pytest.mark.tf

keras = pytest.importorskip("keras")

import parity  # noqa: E402

from archc.backends.keras.conv_layers import GroupedConv2D  # noqa: E402


@pytest.fixture(autouse=True)
def _free_models() -> Iterator[None]:
    yield from parity.free()


def keras_style() -> Any:
    layers = keras.layers
    x = inputs = keras.Input((16, 16, 3))
    y = keras.Sequential([layers.Conv2D(8, 3, padding="same"),
                          layers.LayerNormalization()])(x)
    z = layers.Conv2D(8, 1, groups=2, use_bias=False)(y)
    z = layers.BatchNormalization()(z)
    x = y + layers.ReLU()(z)
    x = layers.GlobalAveragePooling2D()(x)
    return keras.Model(inputs, layers.Dense(5, activation="softmax")(x))


def archc_style(swap_norm: bool = False) -> Any:
    layers = keras.layers
    x = inputs = keras.Input((16, 16, 3))
    first: list[Any] = [layers.Conv2D(8, 3, padding="same"), layers.LayerNormalization()]
    for layer in (first[::-1] if swap_norm else first):
        x = layer(x)
    y = x
    z = layers.BatchNormalization()(GroupedConv2D(8, 1, groups=2, use_bias=False)(y))
    x = layers.Add()([layers.Activation("relu")(z), y])
    x = layers.Dense(5)(layers.GlobalAveragePooling2D()(x))
    return keras.Model(inputs, layers.Activation("softmax")(x))


def test_structurally_equal_models_pair_and_agree() -> None:
    reference, ours = keras_style(), archc_style()
    names = [(type(a).__name__, type(b).__name__) for a, b in parity.pair_layers(reference, ours)]
    assert names == [("Conv2D", "Conv2D"), ("LayerNormalization", "LayerNormalization"),
                     ("Conv2D", "GroupedConv2D"),
                     ("BatchNormalization", "BatchNormalization"), ("Dense", "Dense")]
    result = parity.assert_parity(reference, ours)
    assert result.after <= parity.TOLERANCE


def test_a_different_structure_is_refused_before_any_copy() -> None:
    reference, ours = keras_style(), archc_style(swap_norm=True)
    with pytest.raises(AssertionError):
        parity.pair_layers(reference, ours)
