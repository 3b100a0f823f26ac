"""archc's custom convolutions: LeNet-5's connection table (C3) and grouped convolution
that runs fast on every device. Registered under the package ``archc`` like `layers`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import keras
import numpy as np
from keras import ops

from archc.backends.keras.layer_base import (
    PACKAGE,
    ShapeLike,
    named_padding,
    pair,
    resolve_activation,
    static_channels,
    window_shape,
)
from archc.ir.shape_rules import table_problem

# --------------------------------------------------------------------------------------
# LeNet-5 C3: convolution with a connection table


def _normalise_table(connections: Sequence[Sequence[int]], filters: int) -> list[list[int]]:
    """The table as plain lists (JSON-friendly config), checked for what needs no input
    by the same check archc's shape rule makes (a hand-built layer gets no spec check)."""
    table = [[int(i) for i in row] for row in connections]
    problem = table_problem(table, filters, None)
    if problem is not None:
        raise ValueError(problem[0])
    return table


@keras.saving.register_keras_serializable(package=PACKAGE)
class ConnectionTableConv2D(keras.layers.Layer):  # type: ignore[misc]
    """A convolution whose output map j reads only the input maps in ``connections[j]``.

    LeNet-5's C3 (paper Table I): 16 maps over 6 inputs with 60 links, so
    25 * 60 + 16 = 1,516 params rather than a full conv's 2,416. Only the connected weights
    are stored: the kernel has shape (kh, kw, links), one (kh, kw) filter per link in
    table order, so ``count_params()`` is the table's count and no gradient can reach an
    unconnected weight, because there is none.

    For the forward pass the stored weights are scattered into a dense
    (kh, kw, in, filters) kernel by a fixed 0/1 matrix (a constant, not a weight) and one
    ordinary convolution runs. That trades the zero weights' multiply-adds (C3: 90,000 of
    240,000 per image) for the backend's best-tuned kernel. `bench/bench_custom_layers.py`
    measured a LeNet training step (batch 128, CPU) at 0.99-1.13x the same model with a
    plain Conv2D(16, 5) as C3; gathering the 60 linked maps, a depthwise conv and a fixed
    sum into the 16 outputs cost 2-4x.
    """

    def __init__(self, filters: int, kernel_size: int | Sequence[int],
                 connections: Sequence[Sequence[int]],
                 strides: int | Sequence[int] = (1, 1), padding: str = "valid",
                 use_bias: bool = True, activation: Any = None,
                 dilation_rate: int | Sequence[int] = (1, 1),
                 kernel_initializer: Any = None, bias_initializer: Any = "zeros",
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if int(filters) < 1:
            raise ValueError(f"`filters` must be positive; received {filters!r}")
        self.filters = int(filters)
        self.kernel_size = pair(kernel_size, "kernel_size")
        self.connections = _normalise_table(connections, self.filters)
        self.strides = pair(strides, "strides")
        self.padding = named_padding(padding)
        self.dilation_rate = pair(dilation_rate, "dilation_rate")
        self.use_bias = bool(use_bias)
        self.activation = resolve_activation(activation)
        self.kernel_initializer = (None if kernel_initializer is None
                                   else keras.initializers.get(kernel_initializer))
        self.bias_initializer = keras.initializers.get(bias_initializer)

    @property
    def links(self) -> int:
        """The number of (input map, output map) connections, e.g. 60 for C3."""
        return sum(len(row) for row in self.connections)

    def _default_initializer(self, channels: int) -> Any:
        """Glorot uniform over the table's real fan-in and fan-out.

        Keras's glorot on the stored (kh, kw, links) array would guess the fans from its
        shape, which means nothing here; the average real fans are kh*kw*links/filters
        (inputs per output unit) and kh*kw*links/channels (outputs per input unit).
        """
        area = self.kernel_size[0] * self.kernel_size[1]
        fan_in = area * self.links / self.filters
        fan_out = area * self.links / channels
        limit = math.sqrt(6.0 / (fan_in + fan_out))
        return keras.initializers.RandomUniform(-limit, limit)

    def build(self, input_shape: ShapeLike) -> None:
        channels = static_channels(input_shape, "ConnectionTableConv2D")
        problem = table_problem(self.connections, self.filters, channels)
        if problem is not None:
            raise ValueError(problem[0])
        initializer = self.kernel_initializer or self._default_initializer(channels)
        self.kernel = self.add_weight(
            name="kernel", shape=(*self.kernel_size, self.links), initializer=initializer,
            trainable=True,
        )
        self.bias = (self.add_weight(name="bias", shape=(self.filters,),
                                     initializer=self.bias_initializer, trainable=True)
                     if self.use_bias else None)
        # scatter[l, c * filters + j] = 1 iff link l connects input map c to output map j.
        scatter = np.zeros((self.links, channels * self.filters), dtype="float32")
        link = 0
        for j, row in enumerate(self.connections):
            for c in row:
                scatter[link, c * self.filters + j] = 1.0
                link += 1
        self._scatter = scatter
        self._channels = channels

    def dense_kernel(self) -> Any:
        """The equivalent (kh, kw, in, filters) Conv2D kernel, zeros where unconnected."""
        kh, kw = self.kernel_size
        scatter = ops.convert_to_tensor(self._scatter, dtype=self.kernel.dtype)
        flat = ops.matmul(ops.reshape(self.kernel, (kh * kw, self.links)), scatter)
        return ops.reshape(flat, (kh, kw, self._channels, self.filters))

    def call(self, inputs: Any) -> Any:
        kernel = ops.cast(self.dense_kernel(), inputs.dtype)
        outputs = ops.conv(inputs, kernel, strides=self.strides, padding=self.padding,
                           data_format="channels_last", dilation_rate=self.dilation_rate)
        if self.bias is not None:
            outputs = outputs + ops.cast(self.bias, outputs.dtype)
        return self.activation(outputs)

    def compute_output_shape(self, input_shape: ShapeLike) -> tuple[int | None, ...]:
        return window_shape(input_shape, self.kernel_size, self.strides, self.dilation_rate,
                             self.padding, self.filters)

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = super().get_config()
        config.update(
            filters=self.filters, kernel_size=list(self.kernel_size),
            connections=[list(row) for row in self.connections],
            strides=list(self.strides), padding=self.padding, use_bias=self.use_bias,
            activation=keras.activations.serialize(self.activation),
            dilation_rate=list(self.dilation_rate),
            kernel_initializer=(None if self.kernel_initializer is None
                                else keras.initializers.serialize(self.kernel_initializer)),
            bias_initializer=keras.initializers.serialize(self.bias_initializer),
        )
        return config



# --------------------------------------------------------------------------------------
# grouped convolution


@keras.saving.register_keras_serializable(package=PACKAGE)
class GroupedConv2D(keras.layers.Layer):  # type: ignore[misc]
    """Grouped convolution (AlexNet's two towers, ResNeXt) that runs on every device.

    Same weights as ``keras.layers.Conv2D(groups=g)``: kernel (kh, kw, in/g, filters) and
    bias (filters,), so weights copy across one to one. Output maps are group-major: group
    i reads input channels [i*in/g, (i+1)*in/g) and writes output maps
    [i*filters/g, (i+1)*filters/g). One plain convolution per group, concatenated:
    grouped convolution has been missing from TensorFlow's CPU kernels in many releases, and
    where it exists (TensorFlow 2.21) it is slow: forward + gradient at AlexNet conv2's
    shape took about 10x as long as this layer on CPU (`bench/bench_custom_layers.py`).
    When every group is one input channel (`groups` == input channels, ConvNeXt's 7x7), it
    is one depthwise convolution on the reshaped kernel instead of `groups` convolutions.
    """

    def __init__(self, filters: int, kernel_size: int | Sequence[int], groups: int,
                 strides: int | Sequence[int] = (1, 1), padding: str = "valid",
                 dilation_rate: int | Sequence[int] = (1, 1), use_bias: bool = True,
                 activation: Any = None, kernel_initializer: Any = "glorot_uniform",
                 bias_initializer: Any = "zeros", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.filters = int(filters)
        self.groups = int(groups)
        if self.groups < 1 or self.filters < 1 or self.filters % self.groups:
            raise ValueError(
                f"`groups` ({groups}) must be positive and divide `filters` ({filters})"
            )
        self.kernel_size = pair(kernel_size, "kernel_size")
        self.strides = pair(strides, "strides")
        self.padding = named_padding(padding)
        self.dilation_rate = pair(dilation_rate, "dilation_rate")
        self.use_bias = bool(use_bias)
        self.activation = resolve_activation(activation)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)

    def build(self, input_shape: ShapeLike) -> None:
        channels = static_channels(input_shape, "GroupedConv2D")
        if channels % self.groups:
            raise ValueError(
                f"`groups` ({self.groups}) must divide the input channels ({channels})"
            )
        self._group_in = channels // self.groups
        self._group_out = self.filters // self.groups
        self.kernel = self.add_weight(
            name="kernel", shape=(*self.kernel_size, self._group_in, self.filters),
            initializer=self.kernel_initializer, trainable=True,
        )
        self.bias = (self.add_weight(name="bias", shape=(self.filters,),
                                     initializer=self.bias_initializer, trainable=True)
                     if self.use_bias else None)

    def call(self, inputs: Any) -> Any:
        kernel = ops.cast(self.kernel, inputs.dtype)
        if self._group_in == 1:
            # groups == input channels (ConvNeXt's Conv2D(C, 7, groups=C)): each group is
            # one channel, so this is a depthwise convolution with multiplier filters / C,
            # and its output order (channel-major) is the group-major order of the groups.
            # The kernel (kh, kw, 1, filters) is the depthwise kernel (kh, kw, C, m) by a
            # pure reshape: one op instead of C convolutions and a concat.
            kh, kw = self.kernel_size
            depthwise = ops.reshape(kernel, (kh, kw, self.groups, self._group_out))
            result = ops.depthwise_conv(inputs, depthwise, strides=self.strides,
                                        padding=self.padding, data_format="channels_last",
                                        dilation_rate=self.dilation_rate)
            if self.bias is not None:
                result = result + ops.cast(self.bias, result.dtype)
            return self.activation(result)
        outputs = []
        for g in range(self.groups):
            x = inputs[..., g * self._group_in:(g + 1) * self._group_in]
            k = kernel[..., g * self._group_out:(g + 1) * self._group_out]
            outputs.append(ops.conv(x, k, strides=self.strides, padding=self.padding,
                                    data_format="channels_last",
                                    dilation_rate=self.dilation_rate))
        result = outputs[0] if self.groups == 1 else ops.concatenate(outputs, axis=-1)
        if self.bias is not None:
            result = result + ops.cast(self.bias, result.dtype)
        return self.activation(result)

    def compute_output_shape(self, input_shape: ShapeLike) -> tuple[int | None, ...]:
        return window_shape(input_shape, self.kernel_size, self.strides, self.dilation_rate,
                             self.padding, self.filters)

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = super().get_config()
        config.update(
            filters=self.filters, kernel_size=list(self.kernel_size), groups=self.groups,
            strides=list(self.strides), padding=self.padding,
            dilation_rate=list(self.dilation_rate), use_bias=self.use_bias,
            activation=keras.activations.serialize(self.activation),
            kernel_initializer=keras.initializers.serialize(self.kernel_initializer),
            bias_initializer=keras.initializers.serialize(self.bias_initializer),
        )
        return config



