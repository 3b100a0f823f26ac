"""Building an ONNX graph from Keras tensors: names, constants, layouts and activations.

Keras keeps feature maps channels-last (N, H, W, C); ONNX's convolutions and pools want
channels-first (N, C, H, W). `OnnxGraph` tracks, for every value, which of the two layouts
it holds and transposes only where an operator needs the other one, once per value (a
chain of convolutions stays channels-first from the first `Transpose` to the output).

Imports `onnx` (the `export` extra) but neither Keras nor TensorFlow: layers hand it NumPy
arrays. The layer rules that drive it are in `onnx_layers`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
"""ONNX opset 17 (2022): `LayerNormalization` is there, and onnxruntime from 1.13 runs it."""

KERAS = "keras"
"""The value holds Keras's own layout (channels-last for maps)."""
NCHW = "nchw"
"""The value is a 4-D map transposed to channels-first."""

_TO_NCHW = [0, 3, 1, 2]
_TO_NHWC = [0, 2, 3, 1]


@dataclass
class Value:
    """One tensor of the ONNX graph: its name, its layout and its Keras rank."""

    name: str
    layout: str
    rank: int


@dataclass
class OnnxGraph:
    """Collects nodes and weights; hands out fresh names; converts layouts on demand."""

    prefix: str = ""
    nodes: list[onnx.NodeProto] = field(default_factory=list)
    initializers: list[onnx.TensorProto] = field(default_factory=list)
    _used: set[str] = field(default_factory=set)
    _other_layout: dict[str, Value] = field(default_factory=dict)

    def fresh(self, hint: str) -> str:
        base = hint or "t"
        name, i = base, 1
        while name in self._used:
            i += 1
            name = f"{base}_{i}"
        self._used.add(name)
        return name

    def const(self, hint: str, array: Any, dtype: Any = np.float32) -> str:
        name = self.fresh(hint)
        self.initializers.append(numpy_helper.from_array(np.asarray(array, dtype=dtype), name))
        return name

    def op(self, op_type: str, inputs: Sequence[str], hint: str, **attrs: Any) -> str:
        out = self.fresh(hint)
        self.nodes.append(helper.make_node(op_type, list(inputs), [out], name=out, **attrs))
        return out

    # -- layouts ---------------------------------------------------------------------------

    def nchw(self, v: Value) -> Value:
        """`v` channels-first (4-D maps only; other ranks are returned as they are)."""
        return v if v.rank != 4 or v.layout == NCHW else self._convert(v, NCHW)

    def keras(self, v: Value) -> Value:
        """`v` in Keras's layout (what every graph output and every reshape needs)."""
        return v if v.layout == KERAS else self._convert(v, KERAS)

    def _convert(self, v: Value, layout: str) -> Value:
        cached = self._other_layout.get(v.name)
        if cached is None:
            perm = _TO_NCHW if layout == NCHW else _TO_NHWC
            cached = Value(self.op("Transpose", [v.name], f"{v.name}_{layout}", perm=perm),
                           layout, v.rank)
            self._other_layout[v.name] = cached
        return cached

    def channel_shape(self, v: Value, values: Any) -> Any:
        """Per-channel `values` shaped to broadcast against `v` (C,) or (1, C, 1, 1)."""
        array = np.asarray(values, dtype=np.float32)
        if v.layout == NCHW and array.ndim == 1:
            return array.reshape(1, -1, 1, 1)
        return array

    def channel_axis(self, v: Value) -> int:
        return 1 if v.layout == NCHW else -1

    # -- activations -----------------------------------------------------------------------

    def activation(self, name: str | None, x: str, hint: str, axis: int) -> str:
        """Apply archc's activation `name` (see `archc.ir.ops.ACTIVATIONS`) to value `x`.

        `axis` is the channel axis of `x` in its current layout (softmax runs over it).
        Each formula is Keras 3's own: relu6 is a clip, hard_sigmoid relu6(x + 3) / 6,
        gelu the exact erf form, leaky_relu's slope 0.2, lecun_tanh 1.7159 tanh(2x / 3).
        """
        if name in (None, "linear"):
            return x
        simple = {"relu": "Relu", "tanh": "Tanh", "sigmoid": "Sigmoid", "elu": "Elu",
                  "softplus": "Softplus"}
        if name in simple:
            return self.op(simple[name], [x], hint)
        if name == "relu6":
            return self.op("Clip", [x, self.const(f"{hint}_lo", 0.0),
                                    self.const(f"{hint}_hi", 6.0)], hint)
        if name == "leaky_relu":
            return self.op("LeakyRelu", [x], hint, alpha=0.2)
        if name == "selu":
            return self.op("Selu", [x], hint)
        if name == "softmax":
            return self.op("Softmax", [x], hint, axis=axis)
        if name == "hard_sigmoid":
            return self.op("HardSigmoid", [x], hint, alpha=1.0 / 6.0, beta=0.5)
        if name == "hard_swish":
            return self.op("HardSwish", [x], hint)
        if name == "swish":
            gate = self.op("Sigmoid", [x], f"{hint}_gate")
            return self.op("Mul", [x, gate], hint)
        if name == "gelu":
            scaled = self.op("Mul", [x, self.const(f"{hint}_k", 1.0 / math.sqrt(2.0))],
                             f"{hint}_s")
            erf = self.op("Erf", [scaled], f"{hint}_erf")
            one_plus = self.op("Add", [erf, self.const(f"{hint}_one", 1.0)], f"{hint}_p")
            half = self.op("Mul", [x, self.const(f"{hint}_half", 0.5)], f"{hint}_h")
            return self.op("Mul", [half, one_plus], hint)
        if name == "lecun_tanh":
            inner = self.op("Mul", [x, self.const(f"{hint}_slope", 2.0 / 3.0)], f"{hint}_in")
            tanh = self.op("Tanh", [inner], f"{hint}_tanh")
            return self.op("Mul", [tanh, self.const(f"{hint}_scale", 1.7159)], hint)
        raise KeyError(name)

    # -- the model -------------------------------------------------------------------------

    def model(self, name: str, inputs: Sequence[tuple[str, Sequence[int]]],
              outputs: Sequence[tuple[str, Sequence[int]]]) -> onnx.ModelProto:
        """The finished model; each input and output is (name, Keras shape without batch)."""

        def info(value: str, shape: Sequence[int]) -> onnx.ValueInfoProto:
            return helper.make_tensor_value_info(value, TensorProto.FLOAT,
                                                 ["batch", *[int(d) for d in shape]])

        graph = helper.make_graph(self.nodes, name,
                                  [info(n, s) for n, s in inputs],
                                  [info(n, s) for n, s in outputs],
                                  initializer=self.initializers)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                                  producer_name="archc", producer_version="0.1.0")
        model.ir_version = 8  # opset 17's IR version: readable by onnxruntime 1.13 and later
        return model


def same_pads(size: int, kernel: int, stride: int, dilation: int) -> tuple[int, int]:
    """(before, after) padding of TensorFlow's `same` along one axis (the extra one after)."""
    extent = (kernel - 1) * dilation + 1
    out = -(-size // stride)
    total = max((out - 1) * stride + extent - size, 0)
    return total // 2, total - total // 2
