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
- `LayerScale`: ConvNeXt's trainable per-channel gamma, `x * gamma`.
- `ChannelSlice`: one piece of a tensor split on the channel axis (YOLOv8's C2f).
- `DistributionFocalDecode`: YOLOv8's DFL, box-side distributions to expected distances.
- `lecun_tanh` / `ScaledTanh`: LeCun's 1.7159 * tanh(2x / 3).
- `activation_for`: the one mapping from archc's activation names to Keras's.

Only channels-last tensors are supported: archc's shapes are (H, W, C) throughout, and the
layers pin ``data_format="channels_last"`` so a global Keras setting cannot change them.
"""


from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import keras
import numpy as np
from keras import ops

from archc.backends.keras.conv_layers import ConnectionTableConv2D, GroupedConv2D
from archc.backends.keras.layer_base import (
    PACKAGE,
    ScaledTanh,
    ShapeLike,
    activation_for,
    lecun_tanh,
    pair,
    resolve_activation,
    static_channels,
    window_shape,
)

# --------------------------------------------------------------------------------------
# LeNet-5 subsampling


@keras.saving.register_keras_serializable(package=PACKAGE)
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
        self.pool_size = pair(pool_size, "pool_size")
        self.strides = self.pool_size if strides is None else pair(strides, "strides")
        self.activation = resolve_activation(activation)

    def build(self, input_shape: ShapeLike) -> None:
        channels = static_channels(input_shape, "Subsampling2D")
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
        return window_shape(input_shape, self.pool_size, self.strides, (1, 1), "valid",
                             input_shape[-1])

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = super().get_config()
        config.update(pool_size=list(self.pool_size), strides=list(self.strides),
                      activation=keras.activations.serialize(self.activation))
        return config



# --------------------------------------------------------------------------------------
# AlexNet LRN


@keras.saving.register_keras_serializable(package=PACKAGE)
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
        channels = static_channels(input_shape, "LocalResponseNormalization")
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
# ConvNeXt layer scale


@keras.saving.register_keras_serializable(package=PACKAGE)
class LayerScale(keras.layers.Layer):  # type: ignore[misc]
    """`x * gamma` with one trainable gamma per channel, each starting at `init`.

    The same weight as keras.applications' ConvNeXt `LayerScale(init_values,
    projection_dim)`, one array `gamma` of shape (channels,), so weights copy across one to
    one; that class is not public API, so archc keeps its own, which reads the channel count
    from its input instead of taking it as an argument.
    """

    def __init__(self, init: float = 1e-6, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.init = float(init)

    def build(self, input_shape: ShapeLike) -> None:
        if not input_shape or input_shape[-1] is None:
            raise ValueError("`LayerScale` needs a known channel count; received shape "
                             f"{tuple(input_shape)}")
        self.gamma = self.add_weight(name="gamma", shape=(int(input_shape[-1]),),
                                     initializer=keras.initializers.Constant(self.init),
                                     trainable=True)

    def call(self, inputs: Any) -> Any:
        return inputs * ops.cast(self.gamma, inputs.dtype)

    def compute_output_shape(self, input_shape: ShapeLike) -> tuple[int | None, ...]:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = super().get_config()
        config.update(init=self.init)
        return config


# --------------------------------------------------------------------------------------
# A piece of the channels (YOLOv8's C2f split)


@keras.saving.register_keras_serializable(package=PACKAGE)
class ChannelSlice(keras.layers.Layer):  # type: ignore[misc]
    """Channels `start` to `stop` (excluded) of the last axis, counted from 0.

    YOLOv8's C2f splits its first convolution's output in two halves (PyTorch's `chunk`)
    and feeds the second to its bottlenecks. Keras has no layer for that, and a `Lambda`
    would run pickled code on loading; this holds two integers and no weights, so the
    convolution keeps its single kernel and weights copy one to one.
    """

    def __init__(self, start: int = 0, stop: int = 1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.start = int(start)
        self.stop = int(stop)

    def call(self, inputs: Any) -> Any:
        return inputs[..., self.start:self.stop]

    def compute_output_shape(self, input_shape: ShapeLike) -> tuple[int | None, ...]:
        return (*tuple(input_shape)[:-1], self.stop - self.start)

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = super().get_config()
        config.update(start=self.start, stop=self.stop)
        return config


# --------------------------------------------------------------------------------------
# YOLOv8's DFL (distribution focal loss decoding)


@keras.saving.register_keras_serializable(package=PACKAGE)
class DistributionFocalDecode(keras.layers.Layer):  # type: ignore[misc]
    """Box maps (H, W, 4 x bins) of every level -> (positions, 4) expected distances.

    Generalized Focal Loss (Li et al. 2020) predicts each box side as a distribution over
    `bins` distances; YOLOv8's `DFL` takes a softmax over the bins and projects it on
    0, 1, ..., bins - 1 with a frozen 1x1 convolution. This holds that projection as one
    non-trainable weight `project` (bins values, so Ultralytics' weight copies across), and
    lists the positions of each input row by row, the inputs one after the other, as
    Ultralytics orders its anchors. Channel `side x bins + k` is bin k of that side.
    """

    def __init__(self, bins: int = 16, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.bins = int(bins)

    def build(self, input_shape: Sequence[ShapeLike]) -> None:
        self.project = self.add_weight(
            name="project", shape=(self.bins,), trainable=False,
            initializer=keras.initializers.Constant(np.arange(self.bins, dtype="float32")))

    def _positions(self, shape: ShapeLike) -> int:
        """H x W of one input; both must be known, since the levels are joined by position."""
        height, width = shape[1], shape[2]
        if height is None or width is None:
            raise ValueError("`DistributionFocalDecode` needs inputs of known height and "
                             f"width; received shape {tuple(shape)}")
        return int(height) * int(width)

    def call(self, inputs: Sequence[Any]) -> Any:
        rows = [ops.reshape(x, (-1, self._positions(x.shape) * 4, self.bins)) for x in inputs]
        joined = rows[0] if len(rows) == 1 else ops.concatenate(rows, axis=1)
        weights = ops.softmax(joined, axis=-1)
        distances = ops.sum(weights * ops.cast(self.project, weights.dtype), axis=-1)
        return ops.reshape(distances, (-1, sum(self._positions(x.shape) for x in inputs), 4))

    def compute_output_shape(self, input_shape: Sequence[ShapeLike]) -> tuple[int | None, ...]:
        return (input_shape[0][0], sum(self._positions(s) for s in input_shape), 4)

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = super().get_config()
        config.update(bins=self.bins)
        return config


__all__ = [
    "ChannelSlice",
    "ConnectionTableConv2D",
    "DistributionFocalDecode",
    "GroupedConv2D",
    "LayerScale",
    "LocalResponseNormalization",
    "ScaledAdd",
    "ScaledTanh",
    "Subsampling2D",
    "activation_for",
    "lecun_tanh",
]



# --------------------------------------------------------------------------------------
# InceptionResNetV2's scaled residual


@keras.saving.register_keras_serializable(package=PACKAGE)
class ScaledAdd(keras.layers.Layer):  # type: ignore[misc]
    """`x + y * scale` of two inputs: a residual whose branch is scaled before the sum.

    InceptionResNetV2 (Szegedy et al. 2016) scales each residual branch by 0.1-0.2 to keep
    very deep training stable; keras.applications computes ``inputs[0] + inputs[1] * scale``
    in a layer without weights, and this computes exactly that, in the same order, so the
    outputs agree bit for bit. Size-1 axes broadcast, as Keras's `Add` does.
    """

    def __init__(self, scale: float = 1.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scale = float(scale)

    def call(self, inputs: Sequence[Any]) -> Any:
        x, y = inputs
        return ops.add(x, ops.multiply(y, self.scale))

    def compute_output_shape(self, input_shape: Sequence[ShapeLike]) -> tuple[int | None, ...]:
        a, b = (tuple(s) for s in input_shape)
        return tuple(x if y == 1 else y for x, y in zip(a, b, strict=True))

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = super().get_config()
        config.update(scale=self.scale)
        return config
