"""The lowering table: one rule per IR `Op` that makes the Keras layer(s) for a node.

A rule receives an `Emitter` (the node, its Keras name, the layers made so far), the node's
canonical attributes (see `archc.lower.attrs`) and its input tensors, and returns the output
tensor. Most rules make one layer. Numeric padding (`padding: 3` is ((3, 3), (3, 3)) in the
IR) becomes `ZeroPadding2D` + a 'valid' layer, exactly as `keras.applications` writes
ResNet's stem, so weights and outputs line up with the reference models.

This module imports Keras at the top; it is only ever imported by the builder, after
`runtime.import_keras()`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import keras

from archc.backends.keras import layers as custom
from archc.backends.keras.names import NameAllocator
from archc.ir import Node, Op

Attrs = Any


class BackendLimitation(Exception):
    """A valid spec that this backend cannot express; becomes a located `B002` diagnostic."""

    def __init__(self, message: str, help: str | None = None) -> None:
        super().__init__(message)
        self.help = help


@dataclass
class Emitter:
    """Creates and records the Keras layers of one IR node."""

    node: Node
    name: str
    names: NameAllocator
    layers: list[Any] = field(default_factory=list)

    def apply(self, layer: Any, x: Any) -> Any:
        self.layers.append(layer)
        return layer(x)

    def helper_name(self, suffix: str) -> str:
        return self.names.take(f"{self.name}_{suffix}")


Rule = Callable[[Emitter, Attrs, Sequence[Any]], Any]


def _activation(attrs: Attrs) -> Any:
    name = attrs.get("activation")
    return None if name is None else custom.activation_for(name)


def _padded(em: Emitter, attrs: Attrs, x: Any) -> tuple[Any, str]:
    """Insert `ZeroPadding2D` for numeric padding; return the tensor and the Keras padding."""
    padding = attrs["padding"]
    if isinstance(padding, str):
        return x, padding
    if padding == ((0, 0), (0, 0)):
        return x, "valid"
    pad = keras.layers.ZeroPadding2D(padding=padding, name=em.helper_name("pad"))
    return em.apply(pad, x), "valid"


def _single(inputs: Sequence[Any]) -> Any:
    (x,) = inputs
    return x


def _input(em: Emitter, attrs: Attrs, inputs: Sequence[Any]) -> Any:
    return keras.Input(shape=tuple(attrs["shape"]), name=em.name)


def _conv2d(em: Emitter, attrs: Attrs, inputs: Sequence[Any]) -> Any:
    x, padding = _padded(em, attrs, _single(inputs))
    common: dict[str, Any] = {
        "filters": attrs["filters"],
        "kernel_size": attrs["kernel_size"],
        "strides": attrs["strides"],
        "padding": padding,
        "use_bias": attrs["use_bias"],
        "activation": _activation(attrs),
        "name": em.name,
    }
    dilation = attrs.get("dilation", (1, 1))
    if attrs.get("connections") is not None:
        if dilation != (1, 1):
            raise BackendLimitation(
                "a convolution with a connection table cannot be dilated in the Keras backend",
                "drop `dilation`, or drop `connections` and use a dense convolution",
            )
        layer = custom.ConnectionTableConv2D(connections=attrs["connections"], **common)
    elif attrs["groups"] > 1:
        layer = custom.GroupedConv2D(groups=attrs["groups"], dilation_rate=dilation, **common)
    else:
        layer = keras.layers.Conv2D(dilation_rate=dilation, **common)
    return em.apply(layer, x)


def _depthwise(em: Emitter, attrs: Attrs, inputs: Sequence[Any]) -> Any:
    x, padding = _padded(em, attrs, _single(inputs))
    layer = keras.layers.DepthwiseConv2D(
        kernel_size=attrs["kernel_size"], strides=attrs["strides"], padding=padding,
        depth_multiplier=attrs["depth_multiplier"], dilation_rate=attrs.get("dilation", (1, 1)),
        use_bias=attrs["use_bias"], activation=_activation(attrs), name=em.name,
    )
    return em.apply(layer, x)


def _separable(em: Emitter, attrs: Attrs, inputs: Sequence[Any]) -> Any:
    x, padding = _padded(em, attrs, _single(inputs))
    layer = keras.layers.SeparableConv2D(
        filters=attrs["filters"], kernel_size=attrs["kernel_size"], strides=attrs["strides"],
        padding=padding, depth_multiplier=attrs["depth_multiplier"],
        dilation_rate=attrs.get("dilation", (1, 1)), use_bias=attrs["use_bias"],
        activation=_activation(attrs), name=em.name,
    )
    return em.apply(layer, x)


def _dense(em: Emitter, attrs: Attrs, inputs: Sequence[Any]) -> Any:
    layer = keras.layers.Dense(attrs["units"], use_bias=attrs["use_bias"],
                               activation=_activation(attrs), name=em.name)
    return em.apply(layer, _single(inputs))


def _flatten(em: Emitter, attrs: Attrs, inputs: Sequence[Any]) -> Any:
    return em.apply(keras.layers.Flatten(name=em.name), _single(inputs))


def _pool(cls_name: str) -> Rule:
    def rule(em: Emitter, attrs: Attrs, inputs: Sequence[Any]) -> Any:
        x, padding = _padded(em, attrs, _single(inputs))
        cls = getattr(keras.layers, cls_name)
        layer = cls(pool_size=attrs["pool_size"], strides=attrs["strides"], padding=padding,
                    name=em.name)
        return em.apply(layer, x)

    return rule


def _subsampling(em: Emitter, attrs: Attrs, inputs: Sequence[Any]) -> Any:
    layer = custom.Subsampling2D(pool_size=attrs["pool_size"], strides=attrs["strides"],
                                 activation=_activation(attrs), name=em.name)
    return em.apply(layer, _single(inputs))


def _global_pool(cls_name: str) -> Rule:
    def rule(em: Emitter, attrs: Attrs, inputs: Sequence[Any]) -> Any:
        cls = getattr(keras.layers, cls_name)
        return em.apply(cls(keepdims=attrs["keepdims"], name=em.name), _single(inputs))

    return rule


def _batch_norm(em: Emitter, attrs: Attrs, inputs: Sequence[Any]) -> Any:
    layer = keras.layers.BatchNormalization(
        axis=-1, epsilon=attrs["epsilon"], momentum=attrs["momentum"], center=attrs["center"],
        scale=attrs["scale"], name=em.name,
    )
    return em.apply(layer, _single(inputs))


def _lrn(em: Emitter, attrs: Attrs, inputs: Sequence[Any]) -> Any:
    layer = custom.LocalResponseNormalization(k=attrs["k"], n=attrs["n"], alpha=attrs["alpha"],
                                              beta=attrs["beta"], name=em.name)
    return em.apply(layer, _single(inputs))


def _activation_layer(em: Emitter, attrs: Attrs, inputs: Sequence[Any]) -> Any:
    layer = keras.layers.Activation(custom.activation_for(attrs["function"]), name=em.name)
    return em.apply(layer, _single(inputs))


def _dropout(em: Emitter, attrs: Attrs, inputs: Sequence[Any]) -> Any:
    return em.apply(keras.layers.Dropout(attrs["rate"], name=em.name), _single(inputs))


def _zero_padding(em: Emitter, attrs: Attrs, inputs: Sequence[Any]) -> Any:
    layer = keras.layers.ZeroPadding2D(padding=attrs["padding"], name=em.name)
    return em.apply(layer, _single(inputs))


def _merge(cls_name: str, **kwargs: Any) -> Rule:
    # Keras's Add / Multiply broadcast size-1 axes, so an SE gate (1, 1, C) scales (H, W, C).
    # A parallel block with one branch merges a single tensor: that is the identity, and
    # Keras's merge layers insist on two inputs, so it becomes a named Identity layer.
    def rule(em: Emitter, attrs: Attrs, inputs: Sequence[Any]) -> Any:
        if len(inputs) == 1:
            return em.apply(keras.layers.Identity(name=em.name), inputs[0])
        cls = getattr(keras.layers, cls_name)
        return em.apply(cls(name=em.name, **kwargs), list(inputs))

    return rule


LOWERINGS: dict[Op, Rule] = {
    Op.INPUT: _input,
    Op.CONV2D: _conv2d,
    Op.DEPTHWISE_CONV2D: _depthwise,
    Op.SEPARABLE_CONV2D: _separable,
    Op.DENSE: _dense,
    Op.FLATTEN: _flatten,
    Op.MAX_POOL2D: _pool("MaxPooling2D"),
    Op.AVG_POOL2D: _pool("AveragePooling2D"),
    Op.SUBSAMPLING2D: _subsampling,
    Op.GLOBAL_AVG_POOL2D: _global_pool("GlobalAveragePooling2D"),
    Op.GLOBAL_MAX_POOL2D: _global_pool("GlobalMaxPooling2D"),
    Op.BATCH_NORM: _batch_norm,
    Op.LRN: _lrn,
    Op.ACTIVATION: _activation_layer,
    Op.DROPOUT: _dropout,
    Op.ZERO_PADDING2D: _zero_padding,
    Op.CONCAT: _merge("Concatenate", axis=-1),
    Op.ADD: _merge("Add"),
    Op.MULTIPLY: _merge("Multiply"),
}
"""How each IR op becomes Keras layers; `tests/backends/keras` checks every Op has a rule."""
