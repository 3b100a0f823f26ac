"""The lowering table: one rule per IR `Op` that makes the Keras layer(s) for a node.

A rule receives an `Emitter` (the node, its Keras name, the layers made so far), the node's
typed attribute record (see `archc.ir.ops`) and its input tensors, and returns the output
tensor. Most rules make one layer. Numeric padding (`padding: 3` is ((3, 3), (3, 3)) in the
IR) becomes `ZeroPadding2D` + a 'valid' layer, exactly as `keras.applications` writes
ResNet's stem, so weights and outputs line up with the reference models.

Importing this module does not import Keras: `keras` and `custom` below are imported on
first use, which is always after the builder called `runtime.import_keras()`. So the table
can be checked against the op catalogue without TensorFlow (tests/test_op_tables.py).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from archc.backends.keras.names import NameAllocator
from archc.backends.keras.runtime import LazyModule
from archc.diagnostics import Problem
from archc.ir import Node, Op
from archc.ir.ops import (
    ActivationAttrs,
    Attrs,
    BatchNormAttrs,
    ChannelSliceAttrs,
    Conv2DAttrs,
    Conv2DTransposeAttrs,
    ConvOp,
    Cropping2DAttrs,
    DenseAttrs,
    DenseOp,
    DepthwiseConv2DAttrs,
    DFLAttrs,
    DropoutAttrs,
    GlobalPool2DAttrs,
    InputAttrs,
    InputOp,
    LayerNormAttrs,
    LayerScaleAttrs,
    LRNAttrs,
    MergeOp,
    NormalizationAttrs,
    NormOp,
    Padding,
    PerChannel,
    Pool2DAttrs,
    PoolOp,
    RescalingAttrs,
    ReshapeAttrs,
    ScaledAddAttrs,
    SeparableConv2DAttrs,
    ShapeOp,
    Subsampling2DAttrs,
    UpSampling2DAttrs,
    ZeroPadding2DAttrs,
)
from archc.ir.ops.norm import GroupNormAttrs
from archc.ir.ops.shape import SpatialDropout2DAttrs


def _load_keras() -> Any:
    import keras

    return keras


def _load_custom_layers() -> Any:
    import archc.backends.keras.layers

    return archc.backends.keras.layers


keras: Any = LazyModule(_load_keras)
custom: Any = LazyModule(_load_custom_layers)

LIMITATION = "B002"
"""The code of a `Problem` a rule raises for a valid spec this backend cannot express."""


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


Rule = Callable[[Emitter, Any, Sequence[Any]], Any]
"""(emitter, the node's attribute record, input tensors) -> output tensor."""


def _activation(name: str | None) -> Any:
    return None if name is None else custom.activation_for(name)


def _padded(em: Emitter, padding: Padding, x: Any) -> tuple[Any, str]:
    """Insert `ZeroPadding2D` for numeric padding; return the tensor and the Keras padding."""
    if isinstance(padding, str):
        return x, padding
    if padding == ((0, 0), (0, 0)):
        return x, "valid"
    pad = keras.layers.ZeroPadding2D(padding=padding, name=em.helper_name("pad"))
    return em.apply(pad, x), "valid"


def _single(inputs: Sequence[Any]) -> Any:
    (x,) = inputs
    return x


def _input(em: Emitter, a: InputAttrs, inputs: Sequence[Any]) -> Any:
    return keras.Input(shape=tuple(a.shape), name=em.name)


def _conv2d(em: Emitter, a: Conv2DAttrs, inputs: Sequence[Any]) -> Any:
    x, padding = _padded(em, a.padding, _single(inputs))
    common: dict[str, Any] = {
        "filters": a.filters,
        "kernel_size": a.kernel_size,
        "strides": a.strides,
        "padding": padding,
        "use_bias": a.use_bias,
        "activation": _activation(a.activation),
        "name": em.name,
    }
    if a.connections is not None:
        if a.dilation != (1, 1):
            raise Problem(
                LIMITATION,
                "a convolution with a connection table cannot be dilated in the Keras backend",
                "drop `dilation`, or drop `connections` and use a dense convolution",
            )
        layer = custom.ConnectionTableConv2D(connections=a.connections, **common)
    elif a.groups > 1:
        layer = custom.GroupedConv2D(groups=a.groups, dilation_rate=a.dilation, **common)
    else:
        layer = keras.layers.Conv2D(dilation_rate=a.dilation, **common)
    return em.apply(layer, x)


def _depthwise(em: Emitter, a: DepthwiseConv2DAttrs, inputs: Sequence[Any]) -> Any:
    x, padding = _padded(em, a.padding, _single(inputs))
    layer = keras.layers.DepthwiseConv2D(
        kernel_size=a.kernel_size, strides=a.strides, padding=padding,
        depth_multiplier=a.depth_multiplier, dilation_rate=a.dilation,
        use_bias=a.use_bias, activation=_activation(a.activation), name=em.name,
    )
    return em.apply(layer, x)


def _separable(em: Emitter, a: SeparableConv2DAttrs, inputs: Sequence[Any]) -> Any:
    x, padding = _padded(em, a.padding, _single(inputs))
    layer = keras.layers.SeparableConv2D(
        filters=a.filters, kernel_size=a.kernel_size, strides=a.strides,
        padding=padding, depth_multiplier=a.depth_multiplier,
        dilation_rate=a.dilation, use_bias=a.use_bias,
        activation=_activation(a.activation), name=em.name,
    )
    return em.apply(layer, x)


def _conv_transpose(em: Emitter, a: Conv2DTransposeAttrs, inputs: Sequence[Any]) -> Any:
    layer = keras.layers.Conv2DTranspose(
        filters=a.filters, kernel_size=a.kernel_size, strides=a.strides, padding=a.padding,
        use_bias=a.use_bias, activation=_activation(a.activation), name=em.name,
    )
    return em.apply(layer, _single(inputs))


def _dense(em: Emitter, a: DenseAttrs, inputs: Sequence[Any]) -> Any:
    layer = keras.layers.Dense(a.units, use_bias=a.use_bias,
                               activation=_activation(a.activation), name=em.name)
    return em.apply(layer, _single(inputs))


def _flatten(em: Emitter, a: Attrs, inputs: Sequence[Any]) -> Any:
    return em.apply(keras.layers.Flatten(name=em.name), _single(inputs))


def _pool(cls_name: str) -> Rule:
    def rule(em: Emitter, a: Pool2DAttrs, inputs: Sequence[Any]) -> Any:
        x, padding = _padded(em, a.padding, _single(inputs))
        cls = getattr(keras.layers, cls_name)
        layer = cls(pool_size=a.pool_size, strides=a.strides, padding=padding, name=em.name)
        return em.apply(layer, x)

    return rule


def _subsampling(em: Emitter, a: Subsampling2DAttrs, inputs: Sequence[Any]) -> Any:
    layer = custom.Subsampling2D(pool_size=a.pool_size, strides=a.strides,
                                 activation=_activation(a.activation), name=em.name)
    return em.apply(layer, _single(inputs))


def _global_pool(cls_name: str) -> Rule:
    def rule(em: Emitter, a: GlobalPool2DAttrs, inputs: Sequence[Any]) -> Any:
        cls = getattr(keras.layers, cls_name)
        return em.apply(cls(keepdims=a.keepdims, name=em.name), _single(inputs))

    return rule


def _batch_norm(em: Emitter, a: BatchNormAttrs, inputs: Sequence[Any]) -> Any:
    layer = keras.layers.BatchNormalization(
        axis=-1, epsilon=a.epsilon, momentum=a.momentum, center=a.center, scale=a.scale,
        name=em.name,
    )
    return em.apply(layer, _single(inputs))


def _lrn(em: Emitter, a: LRNAttrs, inputs: Sequence[Any]) -> Any:
    layer = custom.LocalResponseNormalization(k=a.k, n=a.n, alpha=a.alpha, beta=a.beta,
                                              name=em.name)
    return em.apply(layer, _single(inputs))


def _layer_norm(em: Emitter, a: LayerNormAttrs, inputs: Sequence[Any]) -> Any:
    layer = keras.layers.LayerNormalization(axis=-1, epsilon=a.epsilon, center=a.center,
                                            scale=a.scale, name=em.name)
    return em.apply(layer, _single(inputs))


def _group_norm(em: Emitter, a: GroupNormAttrs, inputs: Sequence[Any]) -> Any:
    layer = keras.layers.GroupNormalization(groups=a.groups, epsilon=a.epsilon,
                                            center=a.center, scale=a.scale, name=em.name)
    return em.apply(layer, _single(inputs))


def _layer_scale(em: Emitter, a: LayerScaleAttrs, inputs: Sequence[Any]) -> Any:
    return em.apply(custom.LayerScale(init=a.init, name=em.name), _single(inputs))


def _constant(value: PerChannel) -> float | list[float]:
    """A per-channel tuple as the list Keras keeps in its config; a number as is."""
    return list(value) if isinstance(value, tuple) else value


def _rescaling(em: Emitter, a: RescalingAttrs, inputs: Sequence[Any]) -> Any:
    layer = keras.layers.Rescaling(scale=_constant(a.scale), offset=_constant(a.offset),
                                   name=em.name)
    return em.apply(layer, _single(inputs))


def _normalization(em: Emitter, a: NormalizationAttrs, inputs: Sequence[Any]) -> Any:
    # Without mean and variance Keras keeps adaptable state (mean 0, variance 1 until
    # `adapt()`): three non-trainable weights, as keras.applications' EfficientNet has.
    given: dict[str, Any] = {}
    if a.mean is not None and a.variance is not None:
        given = {"mean": _constant(a.mean), "variance": _constant(a.variance)}
    layer = keras.layers.Normalization(axis=-1, name=em.name, **given)
    return em.apply(layer, _single(inputs))


def _activation_layer(em: Emitter, a: ActivationAttrs, inputs: Sequence[Any]) -> Any:
    layer = keras.layers.Activation(custom.activation_for(a.function), name=em.name)
    return em.apply(layer, _single(inputs))


def _dropout(em: Emitter, a: DropoutAttrs, inputs: Sequence[Any]) -> Any:
    x = _single(inputs)
    if not a.per_sample:
        return em.apply(keras.layers.Dropout(a.rate, name=em.name), x)
    # One draw per sample, broadcast over every other axis: keras.applications'
    # EfficientNet writes exactly this, and it equals ConvNeXt's StochasticDepth in
    # distribution (kept samples scaled by 1 / (1 - rate), identity at inference).
    noise_shape = (None,) + (1,) * (len(x.shape) - 1)
    return em.apply(keras.layers.Dropout(a.rate, noise_shape=noise_shape, name=em.name), x)


def _spatial_dropout(em: Emitter, a: SpatialDropout2DAttrs, inputs: Sequence[Any]) -> Any:
    return em.apply(keras.layers.SpatialDropout2D(a.rate, name=em.name), _single(inputs))


def _zero_padding(em: Emitter, a: ZeroPadding2DAttrs, inputs: Sequence[Any]) -> Any:
    layer = keras.layers.ZeroPadding2D(padding=a.padding, name=em.name)
    return em.apply(layer, _single(inputs))


def _cropping(em: Emitter, a: Cropping2DAttrs, inputs: Sequence[Any]) -> Any:
    return em.apply(keras.layers.Cropping2D(cropping=a.cropping, name=em.name),
                    _single(inputs))


def _reshape(em: Emitter, a: ReshapeAttrs, inputs: Sequence[Any]) -> Any:
    return em.apply(keras.layers.Reshape(tuple(a.shape), name=em.name), _single(inputs))


def _upsampling(em: Emitter, a: UpSampling2DAttrs, inputs: Sequence[Any]) -> Any:
    layer = keras.layers.UpSampling2D(size=a.size, interpolation=a.interpolation,
                                      name=em.name)
    return em.apply(layer, _single(inputs))


def _channel_slice(em: Emitter, a: ChannelSliceAttrs, inputs: Sequence[Any]) -> Any:
    return em.apply(custom.ChannelSlice(start=a.start, stop=a.stop, name=em.name),
                    _single(inputs))


def _dfl(em: Emitter, a: DFLAttrs, inputs: Sequence[Any]) -> Any:
    return em.apply(custom.DistributionFocalDecode(bins=a.bins, name=em.name), list(inputs))


def _merge(cls_name: str, **kwargs: Any) -> Rule:
    # Keras's Add / Multiply broadcast size-1 axes, so an SE gate (1, 1, C) scales (H, W, C).
    # A parallel block with one branch merges a single tensor: that is the identity, and
    # Keras's merge layers insist on two inputs, so it becomes a named Identity layer.
    def rule(em: Emitter, a: Attrs, inputs: Sequence[Any]) -> Any:
        if len(inputs) == 1:
            return em.apply(keras.layers.Identity(name=em.name), inputs[0])
        cls = getattr(keras.layers, cls_name)
        return em.apply(cls(name=em.name, **kwargs), list(inputs))

    return rule


def _scaled_add(em: Emitter, a: ScaledAddAttrs, inputs: Sequence[Any]) -> Any:
    return em.apply(custom.ScaledAdd(scale=a.scale, name=em.name), list(inputs))


_TABLE: dict[Op, tuple[str, Rule]] = {
    InputOp.INPUT: ("Input", _input),
    ConvOp.CONV2D: ("Conv2D", _conv2d),
    ConvOp.DEPTHWISE_CONV2D: ("DepthwiseConv2D", _depthwise),
    ConvOp.SEPARABLE_CONV2D: ("SeparableConv2D", _separable),
    ConvOp.CONV2D_TRANSPOSE: ("Conv2DTranspose", _conv_transpose),
    DenseOp.DENSE: ("Dense", _dense),
    DenseOp.FLATTEN: ("Flatten", _flatten),
    PoolOp.MAX_POOL2D: ("MaxPooling2D", _pool("MaxPooling2D")),
    PoolOp.AVG_POOL2D: ("AveragePooling2D", _pool("AveragePooling2D")),
    PoolOp.SUBSAMPLING2D: ("archc's Subsampling2D", _subsampling),
    PoolOp.GLOBAL_AVG_POOL2D: ("GlobalAveragePooling2D", _global_pool("GlobalAveragePooling2D")),
    PoolOp.GLOBAL_MAX_POOL2D: ("GlobalMaxPooling2D", _global_pool("GlobalMaxPooling2D")),
    NormOp.BATCH_NORM: ("BatchNormalization", _batch_norm),
    NormOp.LRN: ("archc's LocalResponseNormalization", _lrn),
    NormOp.LAYER_NORM: ("LayerNormalization(axis=-1)", _layer_norm),
    NormOp.GROUP_NORM: ("GroupNormalization", _group_norm),
    NormOp.LAYER_SCALE: ("archc's LayerScale", _layer_scale),
    NormOp.RESCALING: ("Rescaling", _rescaling),
    NormOp.NORMALIZATION: ("Normalization(axis=-1)", _normalization),
    ShapeOp.ACTIVATION: ("Activation", _activation_layer),
    ShapeOp.DROPOUT: ("Dropout", _dropout),
    ShapeOp.SPATIAL_DROPOUT2D: ("SpatialDropout2D", _spatial_dropout),
    ShapeOp.ZERO_PADDING2D: ("ZeroPadding2D", _zero_padding),
    ShapeOp.CROPPING2D: ("Cropping2D", _cropping),
    ShapeOp.RESHAPE: ("Reshape", _reshape),
    ShapeOp.UPSAMPLING2D: ("UpSampling2D", _upsampling),
    ShapeOp.CHANNEL_SLICE: ("archc's ChannelSlice", _channel_slice),
    MergeOp.DFL: ("archc's DistributionFocalDecode", _dfl),
    MergeOp.CONCAT: ("Concatenate", _merge("Concatenate", axis=-1)),
    MergeOp.ADD: ("Add", _merge("Add")),
    MergeOp.MULTIPLY: ("Multiply", _merge("Multiply")),
    MergeOp.SCALED_ADD: ("archc's ScaledAdd", _scaled_add),
}
"""Per op: the Keras 3 layer it builds, as the docs name it (`keras.layers`, unless archc's
own), and the rule that builds it, side by side so that an op's entry is one line."""

LOWERINGS: dict[Op, Rule] = {op: rule for op, (_, rule) in _TABLE.items()}
"""How each IR op becomes Keras layers; `tests/test_op_tables.py` checks every Op has one."""

KERAS_LAYERS: dict[Op, str] = {op: layer for op, (layer, _) in _TABLE.items()}
"""The Keras layer of each op, as the generated docs name it (archc/docgen)."""
