"""One rule per Keras layer class archc's Keras backend makes: the ONNX operators for it.

Each rule gets the graph, the (built) Keras layer, its input values and a name hint, and
returns its output value. Weights are read from the layer as NumPy arrays and written as
ONNX initializers, reordered for channels-first operators. archc's custom layers
(`archc.backends.keras.layers`) are written with `keras.ops` only and each maps onto plain
ONNX operators: LeNet-5's connection table becomes the dense kernel it scatters into (zeros
where unconnected), the trainable subsampling an average pool, a multiply and an add, the
LRN ONNX's own `LRN` with the window and alpha it sums over, the scaled residual a
multiply-add, YOLOv8's channel slice a `Slice` and its DFL reshapes, a softmax and a
`MatMul` with the fixed projection.

A Keras layer without a rule here is an `ExportLimitation` (B003 in the CLI), naming the
layer and the format.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from archc.backends.keras.export.onnx_detection import channel_slice, distribution_focal_decode
from archc.backends.keras.export.onnx_graph import KERAS, NCHW, OnnxGraph, Value, same_pads
from archc.backends.keras.export.onnx_norms import NORM_RULES, Rule, as_array


def _in_hw(layer: Any) -> tuple[int, int]:
    shape = layer.input.shape
    return int(shape[1]), int(shape[2])


def _pads(layer: Any, kernel: Sequence[int], strides: Sequence[int],
          dilation: Sequence[int] = (1, 1)) -> list[int]:
    """ONNX `pads` (top, left, bottom, right) for Keras's `valid` or `same`."""
    if layer.padding == "valid":
        return [0, 0, 0, 0]
    h, w = _in_hw(layer)
    top, bottom = same_pads(h, kernel[0], strides[0], dilation[0])
    left, right = same_pads(w, kernel[1], strides[1], dilation[1])
    return [top, left, bottom, right]


def activation_name(fn: Any) -> str | None:
    """archc's name of a Keras activation function (None for identity)."""
    import keras

    from archc.backends.keras.layer_base import lecun_tanh
    from archc.ir.ops import ACTIVATIONS

    if fn is None:
        return None
    if fn is lecun_tanh:
        return "lecun_tanh"
    for name in ACTIVATIONS:
        if name != "lecun_tanh" and keras.activations.get(name) is fn:
            return name
    raise KeyError(getattr(fn, "__name__", repr(fn)))


def _activate(g: OnnxGraph, layer: Any, v: Value, hint: str) -> Value:
    out = g.activation(activation_name(layer.activation), v.name, hint, g.channel_axis(v))
    return Value(out, v.layout, v.rank)


def _conv(g: OnnxGraph, x: Value, weight: Any, bias: Any, hint: str, *, strides: Sequence[int],
          pads: list[int], dilation: Sequence[int] = (1, 1), group: int = 1) -> Value:
    """A channels-first `Conv`; `weight` is already (out, in / group, kh, kw)."""
    x = g.nchw(x)
    inputs = [x.name, g.const(f"{hint}_w", weight)]
    if bias is not None:
        inputs.append(g.const(f"{hint}_b", bias))
    out = g.op("Conv", inputs, hint, kernel_shape=list(weight.shape[2:]),
               strides=list(strides), pads=pads, dilations=list(dilation), group=group)
    return Value(out, NCHW, 4)


def _bias(layer: Any) -> Any:
    return as_array(layer.bias) if getattr(layer, "use_bias", False) else None


def conv2d(g: OnnxGraph, layer: Any, xs: Sequence[Value], hint: str) -> Value:
    kernel = as_array(layer.kernel)  # (kh, kw, in, out)
    y = _conv(g, xs[0], kernel.transpose(3, 2, 0, 1), _bias(layer), f"{hint}_conv",
              strides=layer.strides, dilation=layer.dilation_rate,
              pads=_pads(layer, kernel.shape[:2], layer.strides, layer.dilation_rate),
              group=int(getattr(layer, "groups", 1)))
    return _activate(g, layer, y, hint)


def connection_table_conv2d(g: OnnxGraph, layer: Any, xs: Sequence[Value], hint: str) -> Value:
    """LeNet-5's C3: the stored links scattered into a dense kernel, zeros elsewhere."""
    kh, kw = layer.kernel_size
    flat = as_array(layer.kernel).reshape(kh * kw, layer.links) @ layer._scatter
    kernel = flat.reshape(kh, kw, layer._channels, layer.filters)
    y = _conv(g, xs[0], kernel.transpose(3, 2, 0, 1), _bias(layer), f"{hint}_conv",
              strides=layer.strides, dilation=layer.dilation_rate,
              pads=_pads(layer, (kh, kw), layer.strides, layer.dilation_rate))
    return _activate(g, layer, y, hint)


def _depthwise_weight(kernel: Any) -> Any:
    """Keras (kh, kw, C, m) -> ONNX (C * m, 1, kh, kw), outputs channel-major as Keras."""
    kh, kw, c, m = kernel.shape
    return kernel.reshape(kh, kw, c * m).transpose(2, 0, 1)[:, None, :, :]


def depthwise_conv2d(g: OnnxGraph, layer: Any, xs: Sequence[Value], hint: str) -> Value:
    kernel = as_array(layer.kernel)
    y = _conv(g, xs[0], _depthwise_weight(kernel), _bias(layer), f"{hint}_conv",
              strides=layer.strides, dilation=layer.dilation_rate,
              pads=_pads(layer, kernel.shape[:2], layer.strides, layer.dilation_rate),
              group=kernel.shape[2])
    return _activate(g, layer, y, hint)


def separable_conv2d(g: OnnxGraph, layer: Any, xs: Sequence[Value], hint: str) -> Value:
    depthwise = as_array(layer.depthwise_kernel)
    pointwise = as_array(layer.pointwise_kernel)  # (1, 1, C * m, out)
    y = _conv(g, xs[0], _depthwise_weight(depthwise), None, f"{hint}_dw",
              strides=layer.strides, dilation=layer.dilation_rate,
              pads=_pads(layer, depthwise.shape[:2], layer.strides, layer.dilation_rate),
              group=depthwise.shape[2])
    y = _conv(g, y, pointwise.transpose(3, 2, 0, 1), _bias(layer), f"{hint}_pw",
              strides=(1, 1), pads=[0, 0, 0, 0])
    return _activate(g, layer, y, hint)


def conv2d_transpose(g: OnnxGraph, layer: Any, xs: Sequence[Value], hint: str) -> Value:
    kernel = as_array(layer.kernel)  # (kh, kw, out, in)
    kh, kw = kernel.shape[:2]
    sh, sw = layer.strides
    if layer.padding == "valid":
        pads = [0, 0, 0, 0]
    else:  # `same`: crop the full (in - 1) * s + k output to in * s, the extra after
        th, tw = max(kh - sh, 0), max(kw - sw, 0)
        pads = [th // 2, tw // 2, th - th // 2, tw - tw // 2]
    x = g.nchw(xs[0])
    inputs = [x.name, g.const(f"{hint}_w", kernel.transpose(3, 2, 0, 1))]
    if _bias(layer) is not None:
        inputs.append(g.const(f"{hint}_b", _bias(layer)))
    out = g.op("ConvTranspose", inputs, f"{hint}_conv", kernel_shape=[kh, kw],
               strides=[sh, sw], pads=pads)
    return _activate(g, layer, Value(out, NCHW, 4), hint)


def dense(g: OnnxGraph, layer: Any, xs: Sequence[Value], hint: str) -> Value:
    kernel = as_array(layer.kernel)  # (in, out)
    x = xs[0]
    if x.rank == 4:  # over the channels of a map (ConvNeXt): a 1x1 convolution
        y = _conv(g, x, kernel.T[:, :, None, None], _bias(layer), f"{hint}_conv",
                  strides=(1, 1), pads=[0, 0, 0, 0])
        return _activate(g, layer, y, hint)
    x = g.keras(x)
    out = g.op("MatMul", [x.name, g.const(f"{hint}_w", kernel)], f"{hint}_mm")
    if _bias(layer) is not None:
        out = g.op("Add", [out, g.const(f"{hint}_b", _bias(layer))], f"{hint}_add")
    return _activate(g, layer, Value(out, KERAS, x.rank), hint)


def flatten(g: OnnxGraph, layer: Any, xs: Sequence[Value], hint: str) -> Value:
    x = g.keras(xs[0])  # Keras flattens channels-last
    return Value(g.op("Flatten", [x.name], hint, axis=1), KERAS, 2)


def _pool(op_type: str) -> Rule:
    def rule(g: OnnxGraph, layer: Any, xs: Sequence[Value], hint: str) -> Value:
        x = g.nchw(xs[0])
        pool, strides = list(layer.pool_size), list(layer.strides)
        out = g.op(op_type, [x.name], hint, kernel_shape=pool, strides=strides,
                   pads=_pads(layer, pool, strides))
        return Value(out, NCHW, 4)

    return rule


def subsampling2d(g: OnnxGraph, layer: Any, xs: Sequence[Value], hint: str) -> Value:
    """LeNet-5's S2/S4: window mean (valid), times the coefficient, plus the bias."""
    x = g.nchw(xs[0])
    mean = Value(g.op("AveragePool", [x.name], f"{hint}_mean",
                      kernel_shape=list(layer.pool_size), strides=list(layer.strides)),
                 NCHW, 4)
    scaled = g.op("Mul", [mean.name, g.const(f"{hint}_coef", g.channel_shape(
        mean, as_array(layer.coefficient)))], f"{hint}_mul")
    shifted = g.op("Add", [scaled, g.const(f"{hint}_b", g.channel_shape(
        mean, as_array(layer.bias)))], f"{hint}_add")
    return _activate(g, layer, Value(shifted, NCHW, 4), hint)


def _global_pool(op_type: str) -> Rule:
    def rule(g: OnnxGraph, layer: Any, xs: Sequence[Value], hint: str) -> Value:
        pooled = g.op(op_type, [g.nchw(xs[0]).name], f"{hint}_pool")  # (N, C, 1, 1)
        if layer.keepdims:
            return Value(pooled, NCHW, 4)
        return Value(g.op("Flatten", [pooled], hint, axis=1), KERAS, 2)

    return rule


def activation(g: OnnxGraph, layer: Any, xs: Sequence[Value], hint: str) -> Value:
    return _activate(g, layer, xs[0], hint)


def scaled_tanh(g: OnnxGraph, layer: Any, xs: Sequence[Value], hint: str) -> Value:
    x = xs[0]
    return Value(g.activation("lecun_tanh", x.name, hint, -1), x.layout, x.rank)


def identity(g: OnnxGraph, layer: Any, xs: Sequence[Value], hint: str) -> Value:
    return xs[0]  # Dropout, SpatialDropout2D and Identity do nothing at inference


def zero_padding2d(g: OnnxGraph, layer: Any, xs: Sequence[Value], hint: str) -> Value:
    x = g.nchw(xs[0])
    (top, bottom), (left, right) = layer.padding
    pads = g.const(f"{hint}_pads", [0, 0, top, left, 0, 0, bottom, right], np.int64)
    return Value(g.op("Pad", [x.name, pads], hint), NCHW, 4)


def cropping2d(g: OnnxGraph, layer: Any, xs: Sequence[Value], hint: str) -> Value:
    x = g.nchw(xs[0])
    (top, bottom), (left, right) = layer.cropping
    h, w = _in_hw(layer)
    starts = g.const(f"{hint}_start", [top, left], np.int64)
    ends = g.const(f"{hint}_end", [h - bottom, w - right], np.int64)
    axes = g.const(f"{hint}_axes", [2, 3], np.int64)
    return Value(g.op("Slice", [x.name, starts, ends, axes], hint), NCHW, 4)


def reshape(g: OnnxGraph, layer: Any, xs: Sequence[Value], hint: str) -> Value:
    x = g.keras(xs[0])
    target = g.const(f"{hint}_shape", [0, *layer.target_shape], np.int64)  # 0: keep batch
    return Value(g.op("Reshape", [x.name, target], hint), KERAS, 1 + len(layer.target_shape))


def upsampling2d(g: OnnxGraph, layer: Any, xs: Sequence[Value], hint: str) -> Value:
    x = g.nchw(xs[0])
    sh, sw = layer.size
    scales = g.const(f"{hint}_scales", [1.0, 1.0, float(sh), float(sw)])
    if layer.interpolation == "nearest":
        attrs: dict[str, Any] = {"mode": "nearest", "nearest_mode": "floor",
                                 "coordinate_transformation_mode": "asymmetric"}
    elif layer.interpolation == "bilinear":
        attrs = {"mode": "linear", "coordinate_transformation_mode": "half_pixel"}
    else:
        raise KeyError(f"UpSampling2D interpolation {layer.interpolation!r}")
    return Value(g.op("Resize", [x.name, "", scales], hint, **attrs), NCHW, 4)


def _merge(op_type: str) -> Rule:
    def rule(g: OnnxGraph, layer: Any, xs: Sequence[Value], hint: str) -> Value:
        same = all(v.rank == 4 for v in xs)  # maps meet channels-first, else as Keras has them
        values = [g.nchw(v) if same else g.keras(v) for v in xs]
        out = values[0].name
        for i, v in enumerate(values[1:]):
            out = g.op(op_type, [out, v.name], hint if i == len(values) - 2 else f"{hint}_{i}")
        return Value(out, values[0].layout, max(v.rank for v in xs))

    return rule


def concatenate(g: OnnxGraph, layer: Any, xs: Sequence[Value], hint: str) -> Value:
    same = all(v.rank == 4 for v in xs)
    values = [g.nchw(v) if same else g.keras(v) for v in xs]
    out = g.op("Concat", [v.name for v in values], hint, axis=1 if same else -1)
    return Value(out, values[0].layout, values[0].rank)


def scaled_add(g: OnnxGraph, layer: Any, xs: Sequence[Value], hint: str) -> Value:
    same = all(v.rank == 4 for v in xs)
    x, y = (g.nchw(v) if same else g.keras(v) for v in xs)
    scaled = g.op("Mul", [y.name, g.const(f"{hint}_scale", layer.scale)], f"{hint}_mul")
    return Value(g.op("Add", [x.name, scaled], hint), x.layout, max(x.rank, y.rank))


RULES: dict[str, Rule] = {
    "Conv2D": conv2d,
    "GroupedConv2D": conv2d,
    "ConnectionTableConv2D": connection_table_conv2d,
    "DepthwiseConv2D": depthwise_conv2d,
    "SeparableConv2D": separable_conv2d,
    "Conv2DTranspose": conv2d_transpose,
    "Dense": dense,
    "Flatten": flatten,
    "MaxPooling2D": _pool("MaxPool"),
    "AveragePooling2D": _pool("AveragePool"),
    "Subsampling2D": subsampling2d,
    "GlobalAveragePooling2D": _global_pool("GlobalAveragePool"),
    "GlobalMaxPooling2D": _global_pool("GlobalMaxPool"),
    "Activation": activation,
    "ScaledTanh": scaled_tanh,
    "Dropout": identity,
    "SpatialDropout2D": identity,
    "Identity": identity,
    "ZeroPadding2D": zero_padding2d,
    "Cropping2D": cropping2d,
    "Reshape": reshape,
    "UpSampling2D": upsampling2d,
    "Concatenate": concatenate,
    "Add": _merge("Add"),
    "Multiply": _merge("Mul"),
    "ScaledAdd": scaled_add,
    "ChannelSlice": channel_slice,
    "DistributionFocalDecode": distribution_focal_decode,
    **NORM_RULES,
}
"""Keras layer class name -> rule; `tests/backends/export` checks the Keras backend's
every class has one."""
