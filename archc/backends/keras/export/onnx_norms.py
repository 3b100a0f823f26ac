"""ONNX rules for the Keras normalisation and per-channel scaling layers archc makes
(batch, local response, layer and group normalisation, layer scale, rescaling,
normalization); `onnx_layers.RULES` takes them in. Kept apart so each module stays one
family of rules."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from archc.backends.keras.export.onnx_graph import KERAS, NCHW, OnnxGraph, Value

Rule = Callable[[OnnxGraph, Any, Sequence[Value], str], Value]


def as_array(weight: Any) -> Any:
    return np.asarray(weight.numpy(), dtype=np.float32)


def batch_normalization(g: OnnxGraph, layer: Any, xs: Sequence[Value], hint: str) -> Value:
    x = g.nchw(xs[0])
    mean, var = as_array(layer.moving_mean), as_array(layer.moving_variance)
    gamma = as_array(layer.gamma) if layer.scale else np.ones_like(mean)
    beta = as_array(layer.beta) if layer.center else np.zeros_like(mean)
    if x.layout != NCHW and x.rank != 2:  # ONNX normalises axis 1; Keras the last one
        return _affine(g, x, 1.0 / np.sqrt(var + layer.epsilon) * gamma,
                       beta - mean / np.sqrt(var + layer.epsilon) * gamma, hint)
    out = g.op("BatchNormalization", [x.name, g.const(f"{hint}_g", gamma),
                                      g.const(f"{hint}_b", beta),
                                      g.const(f"{hint}_m", mean), g.const(f"{hint}_v", var)],
               hint, epsilon=float(layer.epsilon))
    return Value(out, x.layout, x.rank)


def _affine(g: OnnxGraph, x: Value, scale: Any, offset: Any, hint: str) -> Value:
    mul = g.op("Mul", [x.name, g.const(f"{hint}_s", g.channel_shape(x, scale))], f"{hint}_mul")
    add = g.op("Add", [mul, g.const(f"{hint}_o", g.channel_shape(x, offset))], hint)
    return Value(add, x.layout, x.rank)


def local_response_normalization(g: OnnxGraph, layer: Any, xs: Sequence[Value],
                                 hint: str) -> Value:
    """archc's LRN sums n // 2 channels on each side, alpha not divided by the window;
    ONNX's divides alpha by its `size`, so size = 2 * (n // 2) + 1 and alpha * size."""
    x = g.nchw(xs[0])
    size = 2 * (layer.n // 2) + 1
    out = g.op("LRN", [x.name], hint, size=size, alpha=float(layer.alpha * size),
               beta=float(layer.beta), bias=float(layer.k))
    return Value(out, NCHW, 4)


def layer_normalization(g: OnnxGraph, layer: Any, xs: Sequence[Value], hint: str) -> Value:
    x = g.keras(xs[0])  # Keras normalises the last axis: ONNX's from `axis` to the end
    channels = int(layer.input.shape[-1])
    gamma = as_array(layer.gamma) if layer.scale else np.ones(channels, np.float32)
    inputs = [x.name, g.const(f"{hint}_g", gamma)]
    if layer.center:
        inputs.append(g.const(f"{hint}_b", as_array(layer.beta)))
    out = g.op("LayerNormalization", inputs, hint, axis=-1, epsilon=float(layer.epsilon))
    return Value(out, KERAS, x.rank)


def layer_scale(g: OnnxGraph, layer: Any, xs: Sequence[Value], hint: str) -> Value:
    x = xs[0]
    out = g.op("Mul", [x.name, g.const(f"{hint}_gamma", g.channel_shape(x, as_array(layer.gamma)))],
               hint)
    return Value(out, x.layout, x.rank)


def rescaling(g: OnnxGraph, layer: Any, xs: Sequence[Value], hint: str) -> Value:
    x = xs[0]
    scale = np.asarray(layer.scale, np.float32)
    offset = np.asarray(layer.offset, np.float32)
    return _affine(g, x, scale, offset, hint)


def normalization(g: OnnxGraph, layer: Any, xs: Sequence[Value], hint: str) -> Value:
    """(x - mean) / max(sqrt(variance), 1e-7), Keras's formula, with its stored state."""
    import keras

    x = xs[0]
    mean = np.asarray(keras.ops.convert_to_numpy(layer.mean), np.float32).reshape(-1)
    var = np.asarray(keras.ops.convert_to_numpy(layer.variance), np.float32).reshape(-1)
    denominator = np.maximum(np.sqrt(var), keras.config.epsilon())
    sub = g.op("Sub", [x.name, g.const(f"{hint}_mean", g.channel_shape(x, mean))],
               f"{hint}_sub")
    out = g.op("Div", [sub, g.const(f"{hint}_std", g.channel_shape(x, denominator))], hint)
    return Value(out, x.layout, x.rank)


def group_normalization(g: OnnxGraph, layer: Any, xs: Sequence[Value], hint: str) -> Value:
    """Keras's GroupNormalization in plain operators (opset 17 has no GroupNormalization of
    per-channel weights): (N, H, W, C) as (N, H*W, G, C/G), mean and variance over axes 1
    and 3, normalised, back to (N, H, W, C), then gamma and beta per channel."""
    x = g.keras(xs[0])
    h, w, channels = (int(d) for d in layer.input.shape[1:])
    groups = int(layer.groups)
    grouped = g.op("Reshape", [x.name, g.const(f"{hint}_gs", [0, h * w, groups,
                                                              channels // groups], np.int64)],
                   f"{hint}_grouped")
    mean = g.op("ReduceMean", [grouped], f"{hint}_mean", axes=[1, 3], keepdims=1)
    centred = g.op("Sub", [grouped, mean], f"{hint}_centred")
    square = g.op("Mul", [centred, centred], f"{hint}_square")
    var = g.op("ReduceMean", [square], f"{hint}_var", axes=[1, 3], keepdims=1)
    std = g.op("Sqrt", [g.op("Add", [var, g.const(f"{hint}_eps", float(layer.epsilon))],
                             f"{hint}_var_eps")], f"{hint}_std")
    normed = g.op("Div", [centred, std], f"{hint}_normed")
    out = g.op("Reshape", [normed, g.const(f"{hint}_s", [0, h, w, channels], np.int64)],
               f"{hint}_map")
    if layer.scale:
        out = g.op("Mul", [out, g.const(f"{hint}_gamma", as_array(layer.gamma))], f"{hint}_scaled")
    if layer.center:
        out = g.op("Add", [out, g.const(f"{hint}_beta", as_array(layer.beta))], hint)
    return Value(out, KERAS, 4)


NORM_RULES: dict[str, Rule] = {
    "BatchNormalization": batch_normalization,
    "LocalResponseNormalization": local_response_normalization,
    "LayerNormalization": layer_normalization,
    "GroupNormalization": group_normalization,
    "LayerScale": layer_scale,
    "Rescaling": rescaling,
    "Normalization": normalization,
}
"""Keras layer class name -> rule, for the normalisation family."""
