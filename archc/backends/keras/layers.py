"""archc's custom Keras layers: the parts of the classic networks that Keras lacks.

Everything here is written with `keras.ops` only, so it runs on every Keras 3 backend, and
every layer and function is registered under the package name ``archc``, so a saved
`.keras` file loads with ``keras.saving.load_model(path, safe_mode=True)`` once this module
is imported (``import archc`` arranges that, see `autoload`). No `Lambda`: safe mode refuses
it, rightly, since it would run pickled code.

- `Subsampling2D`: LeNet-5's trainable subsampling (S2/S4).
- `LocalResponseNormalization`: AlexNet's LRN with the paper's (k, n, alpha, beta).
- `ConnectionTableConv2D`: LeNet-5's C3, storing only the connected weights.
- `GroupedConv2D`: grouped convolution that runs fast on every device, also where a
  backend's CPU kernel lacks or crawls through ``groups > 1``.
- `lecun_tanh` / `ScaledTanh`: LeCun's 1.7159 * tanh(2x / 3).
- `activation_for`: the one mapping from archc's activation names to Keras's.

Only channels-last tensors are supported: archc's shapes are (H, W, C) throughout, and the
layers pin ``data_format="channels_last"`` so a global Keras setting cannot change them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import keras
import numpy as np
from keras import ops

from archc.ir.shape_rules import spatial_out, table_problem

_PACKAGE = "archc"
_LECUN_SCALE = 1.7159
_LECUN_SLOPE = 2.0 / 3.0

Pair = tuple[int, int]
ShapeLike = Sequence[int | None]


# --------------------------------------------------------------------------------------
# helpers


def _pair(value: int | Sequence[int], what: str) -> Pair:
    """Normalise ``3`` or ``(3, 3)`` to a pair of positive ints, as Keras's conv layers do."""
    if isinstance(value, int):
        pair: tuple[int, ...] = (value, value)
    else:
        pair = tuple(int(v) for v in value)
    if len(pair) != 2 or any(v < 1 for v in pair):
        raise ValueError(f"`{what}` must be a positive int or a pair of them; received {value!r}")
    return (pair[0], pair[1])


def _padding(value: str) -> str:
    """Only Keras's two named paddings: explicit padding is a separate ZeroPadding2D node."""
    lowered = str(value).lower()
    if lowered not in ("valid", "same"):
        raise ValueError(f"`padding` must be 'valid' or 'same'; received {value!r}")
    return lowered


def _conv_length(size: int | None, kernel: int, stride: int, dilation: int,
                 padding: str) -> int | None:
    """One spatial axis of a conv or pool output (Keras's formula; None stays None)."""
    return None if size is None else spatial_out(size, kernel, stride, dilation, padding)


def _window_shape(input_shape: ShapeLike, kernel: Pair, strides: Pair, dilation: Pair,
                  padding: str, channels: int | None) -> tuple[int | None, ...]:
    """Output shape (with batch axis) of a windowed op on a channels-last 4-D input."""
    batch, height, width = input_shape[0], input_shape[1], input_shape[2]
    return (
        batch,
        _conv_length(height, kernel[0], strides[0], dilation[0], padding),
        _conv_length(width, kernel[1], strides[1], dilation[1], padding),
        channels,
    )


def _channels(input_shape: ShapeLike, layer: str) -> int:
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
keras.saving.register_keras_serializable(package=_PACKAGE)(lecun_tanh)


@keras.saving.register_keras_serializable(package=_PACKAGE)
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


def _resolve_activation(activation: Any) -> Callable[[Any], Any]:
    """An archc name, a Keras name, a callable or None, as the function to apply."""
    if isinstance(activation, str) and activation in _SPECIAL_ACTIVATIONS:
        return _SPECIAL_ACTIVATIONS[activation]
    resolved: Callable[[Any], Any] = keras.activations.get(activation)
    return resolved


# --------------------------------------------------------------------------------------
# LeNet-5 subsampling


@keras.saving.register_keras_serializable(package=_PACKAGE)
class Subsampling2D(keras.layers.Layer):  # type: ignore[misc]
    """LeNet-5's S2/S4: window mean, times a trainable coefficient, plus a trainable bias.

    One coefficient and one bias per channel (so 2 x channels params), then the activation.
    The seed's worked example: window [[1, 2], [3, 4]], coefficient 1.2, bias 0.5, ReLU:
    2.5 * 1.2 + 0.5 = 3.5. Windows never overhang the input (valid padding), as in the
    paper, where 28x28 maps become 14x14.
    """

    def __init__(self, pool_size: int | Sequence[int] = (2, 2),
                 strides: int | Sequence[int] | None = (2, 2), activation: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pool_size = _pair(pool_size, "pool_size")
        self.strides = self.pool_size if strides is None else _pair(strides, "strides")
        self.activation = _resolve_activation(activation)

    def build(self, input_shape: ShapeLike) -> None:
        channels = _channels(input_shape, "Subsampling2D")
        self.coefficient = self.add_weight(
            name="coefficient", shape=(channels,), initializer="ones", trainable=True
        )
        self.bias = self.add_weight(
            name="bias", shape=(channels,), initializer="zeros", trainable=True
        )

    def call(self, inputs: Any) -> Any:
        mean = ops.average_pool(inputs, self.pool_size, strides=self.strides,
                                padding="valid", data_format="channels_last")
        return self.activation(mean * self.coefficient + self.bias)

    def compute_output_shape(self, input_shape: ShapeLike) -> tuple[int | None, ...]:
        return _window_shape(input_shape, self.pool_size, self.strides, (1, 1), "valid",
                             input_shape[-1])

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = super().get_config()
        config.update(pool_size=list(self.pool_size), strides=list(self.strides),
                      activation=keras.activations.serialize(self.activation))
        return config



# --------------------------------------------------------------------------------------
# AlexNet LRN


@keras.saving.register_keras_serializable(package=_PACKAGE)
class LocalResponseNormalization(keras.layers.Layer):  # type: ignore[misc]
    """AlexNet's LRN across channels, with the paper's parameters and formula.

    b_i = a_i / (k + alpha * sum_{j = i - n//2}^{i + n//2} a_j^2) ** beta, the sum clipped
    at the first and last channel. `alpha` is *not* divided by `n` (Caffe and PyTorch do
    divide, which is a different layer for the same numbers). This equals
    ``tf.nn.local_response_normalization(depth_radius=n // 2, bias=k, alpha=alpha,
    beta=beta)``; an even `n` therefore sums n + 1 channels, as TensorFlow's would.
    No parameters.
    """

    def __init__(self, k: float = 2.0, n: int = 5, alpha: float = 1e-4, beta: float = 0.75,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if int(n) < 1:
            raise ValueError(f"LRN `n` must be at least 1; received {n!r}")
        self.k = float(k)
        self.n = int(n)
        self.alpha = float(alpha)
        self.beta = float(beta)

    def build(self, input_shape: ShapeLike) -> None:
        channels = _channels(input_shape, "LocalResponseNormalization")
        radius = self.n // 2
        # Fixed band matrix: column i sums the squares of channels i - r .. i + r that exist.
        # A matmul over channels is one fused BLAS call per batch, so the clipping at the
        # edges costs nothing extra and the whole layer stays a handful of ops.
        index = np.arange(channels)
        band = (np.abs(index[:, None] - index[None, :]) <= radius).astype("float32")
        self._band = band

    def call(self, inputs: Any) -> Any:
        band = ops.convert_to_tensor(self._band, dtype=inputs.dtype)
        window_sum = ops.matmul(ops.square(inputs), band)
        # d ** -beta as exp(-beta * log d): measured about twice as fast as `ops.power`
        # (forward + gradient on CPU), and equal to it within float32 rounding.
        scale = ops.exp(-self.beta * ops.log(self.k + self.alpha * window_sum))
        return inputs * scale

    def compute_output_shape(self, input_shape: ShapeLike) -> tuple[int | None, ...]:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = super().get_config()
        config.update(k=self.k, n=self.n, alpha=self.alpha, beta=self.beta)
        return config


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


@keras.saving.register_keras_serializable(package=_PACKAGE)
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
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.connections = _normalise_table(connections, self.filters)
        self.strides = _pair(strides, "strides")
        self.padding = _padding(padding)
        self.dilation_rate = _pair(dilation_rate, "dilation_rate")
        self.use_bias = bool(use_bias)
        self.activation = _resolve_activation(activation)
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
        channels = _channels(input_shape, "ConnectionTableConv2D")
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
        return _window_shape(input_shape, self.kernel_size, self.strides, self.dilation_rate,
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


@keras.saving.register_keras_serializable(package=_PACKAGE)
class GroupedConv2D(keras.layers.Layer):  # type: ignore[misc]
    """Grouped convolution (AlexNet's two towers, ResNeXt) that runs on every device.

    Same weights as ``keras.layers.Conv2D(groups=g)``: kernel (kh, kw, in/g, filters) and
    bias (filters,), so weights copy across one to one. Output maps are group-major: group
    i reads input channels [i*in/g, (i+1)*in/g) and writes output maps
    [i*filters/g, (i+1)*filters/g). One plain convolution per group, concatenated:
    grouped convolution has been missing from TensorFlow's CPU kernels in many releases, and
    where it exists (TensorFlow 2.21) it is slow: forward + gradient at AlexNet conv2's
    shape took about 10x as long as this layer on CPU (`bench/bench_custom_layers.py`).
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
        self.kernel_size = _pair(kernel_size, "kernel_size")
        self.strides = _pair(strides, "strides")
        self.padding = _padding(padding)
        self.dilation_rate = _pair(dilation_rate, "dilation_rate")
        self.use_bias = bool(use_bias)
        self.activation = _resolve_activation(activation)
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)

    def build(self, input_shape: ShapeLike) -> None:
        channels = _channels(input_shape, "GroupedConv2D")
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
        return _window_shape(input_shape, self.kernel_size, self.strides, self.dilation_rate,
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



__all__ = [
    "ConnectionTableConv2D",
    "GroupedConv2D",
    "LocalResponseNormalization",
    "ScaledTanh",
    "Subsampling2D",
    "activation_for",
    "lecun_tanh",
]
