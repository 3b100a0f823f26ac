"""archc's custom Keras layers against the papers' formulas and Keras's own layers.

The layers use `keras.ops` only, so these tests run on every Keras backend (`make
test-backends` runs them under JAX and PyTorch); a comparison with a TensorFlow function
runs only where TensorFlow is the backend. Every figure here is either from
docs/numbers.md (LeNet-5's C3 table and 1,516 params, S2's 12 params, the
seed's subsampling example) or computed in the test from the layer's arguments, next to the
assertion that uses it.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytestmark = pytest.mark.tf

keras = pytest.importorskip("keras")

from keras_helpers import gradients  # noqa: E402

from archc.backends.keras.layers import (  # noqa: E402
    ConnectionTableConv2D,
    GroupedConv2D,
    LocalResponseNormalization,
    ScaledTanh,
    Subsampling2D,
    activation_for,
    lecun_tanh,
)
from archc.ir.ops import ACTIVATIONS  # noqa: E402

ON_TENSORFLOW = keras.config.backend() == "tensorflow"

# LeNet-5 C3 (paper Table I), as in numbers.md: the S2 maps feeding each of the 16 C3 maps.
C3_TABLE = [
    [0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [0, 4, 5], [0, 1, 5],
    [0, 1, 2, 3], [1, 2, 3, 4], [2, 3, 4, 5], [0, 3, 4, 5], [0, 1, 4, 5], [0, 1, 2, 5],
    [0, 1, 3, 4], [1, 2, 4, 5], [0, 2, 3, 5],
    [0, 1, 2, 3, 4, 5],
]


def _random(shape: tuple[int, ...], seed: int = 0, scale: float = 1.0) -> np.ndarray:
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype("float32")


# --------------------------------------------------------------------------------------
# Subsampling2D


def test_subsampling_reproduces_the_seed_worked_example() -> None:
    # Window [[1, 2], [3, 4]], coefficient 1.2, bias 0.5, ReLU: mean 2.5 * 1.2 + 0.5 = 3.5.
    layer = Subsampling2D(pool_size=(2, 2), strides=(2, 2), activation="relu")
    x = np.array([[1.0, 2.0], [3.0, 4.0]], dtype="float32").reshape(1, 2, 2, 1)
    layer.build(x.shape)
    layer.set_weights([np.array([1.2], "float32"), np.array([0.5], "float32")])
    out = keras.ops.convert_to_numpy(layer(x))
    assert out.shape == (1, 1, 1, 1)
    assert float(out[0, 0, 0, 0]) == pytest.approx(3.5, abs=1e-6)


def test_subsampling_applies_its_activation_after_the_affine_map() -> None:
    # Same window, coefficient -1.2: 2.5 * -1.2 + 0.5 = -2.5, which ReLU clips to 0.
    layer = Subsampling2D(activation="relu")
    x = np.array([[1.0, 2.0], [3.0, 4.0]], dtype="float32").reshape(1, 2, 2, 1)
    layer.build(x.shape)
    layer.set_weights([np.array([-1.2], "float32"), np.array([0.5], "float32")])
    assert float(keras.ops.convert_to_numpy(layer(x))[0, 0, 0, 0]) == 0.0


@pytest.mark.parametrize(("channels", "params"), [(6, 12), (16, 32)])
def test_subsampling_has_two_params_per_map(channels: int, params: int) -> None:
    # numbers.md: S2 on 6 maps has 12 params, S4 on 16 maps has 32.
    layer = Subsampling2D()
    layer.build((None, 28, 28, channels))
    assert layer.count_params() == params == 2 * channels


def test_subsampling_matches_a_numpy_window_mean_per_channel() -> None:
    # 3x3 windows, stride 2, on 9x7 maps: valid windows give (9-3)//2+1 = 4 by (7-3)//2+1 = 3.
    x = _random((2, 9, 7, 3))
    coefficient = np.array([0.5, -2.0, 1.5], "float32")
    bias = np.array([0.1, 0.0, -0.3], "float32")
    layer = Subsampling2D(pool_size=3, strides=2, activation="tanh")
    layer.build(x.shape)
    layer.set_weights([coefficient, bias])
    expected = np.empty((2, 4, 3, 3), "float32")
    for i in range(4):
        for j in range(3):
            window = x[:, 2 * i:2 * i + 3, 2 * j:2 * j + 3, :]
            expected[:, i, j, :] = np.tanh(window.mean(axis=(1, 2)) * coefficient + bias)
    out = keras.ops.convert_to_numpy(layer(x))
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
    assert layer.compute_output_shape((None, 9, 7, 3)) == (None, 4, 3, 3)


# --------------------------------------------------------------------------------------
# LocalResponseNormalization


def _paper_lrn(a: np.ndarray, k: float, n: int, alpha: float, beta: float) -> np.ndarray:
    """Krizhevsky et al. 2012, section 3.3, literally: one channel at a time, edges clipped."""
    channels = a.shape[-1]
    b = np.empty_like(a, dtype="float64")
    for i in range(channels):
        lo, hi = max(0, i - n // 2), min(channels - 1, i + n // 2)
        total = np.sum(a[..., lo:hi + 1].astype("float64") ** 2, axis=-1)
        b[..., i] = a[..., i] / (k + alpha * total) ** beta
    return b


@pytest.mark.parametrize(
    ("k", "n", "alpha", "beta"), [(2.0, 5, 1e-4, 0.75), (1.0, 3, 1e-3, 0.5)]
)
def test_lrn_equals_the_paper_formula_and_tensorflow(k: float, n: int, alpha: float,
                                                      beta: float) -> None:
    # Activations of size ~50 so that alpha * sum(a^2) is comparable to k: with the paper's
    # alpha a 5-channel sum of 2,500-sized squares adds about 1.25 to k = 2, so a wrong
    # window, a divided alpha or a wrong exponent all move the result well beyond 1e-6.
    x = _random((2, 5, 4, 11), seed=1, scale=50.0)
    layer = LocalResponseNormalization(k=k, n=n, alpha=alpha, beta=beta)
    ours = keras.ops.convert_to_numpy(layer(x))
    paper = _paper_lrn(x, k, n, alpha, beta)
    np.testing.assert_allclose(ours, paper, rtol=1e-6, atol=1e-6)
    if ON_TENSORFLOW:
        import tensorflow as tf

        reference = tf.nn.local_response_normalization(
            x, depth_radius=n // 2, bias=k, alpha=alpha, beta=beta).numpy()
        np.testing.assert_allclose(ours, reference, rtol=1e-6, atol=1e-6)
    # The normalisation is not a no-op at this scale (the comparison above means something).
    assert np.max(np.abs(ours - x / k**beta)) > 1e-2


def test_lrn_does_not_divide_alpha_by_n() -> None:
    # Caffe/PyTorch's alpha / n is a different layer; ours must differ from it visibly.
    x = _random((1, 3, 3, 8), seed=2, scale=50.0)
    ours = keras.ops.convert_to_numpy(LocalResponseNormalization()(x))
    divided = _paper_lrn(x, 2.0, 5, 1e-4 / 5, 0.75)
    assert np.max(np.abs(ours - divided)) > 1e-2


def test_lrn_has_no_params() -> None:
    layer = LocalResponseNormalization()
    layer.build((None, 55, 55, 96))
    assert layer.count_params() == 0
    assert layer.compute_output_shape((None, 55, 55, 96)) == (None, 55, 55, 96)


# --------------------------------------------------------------------------------------
# ConnectionTableConv2D


def _scattered_kernel(layer: ConnectionTableConv2D, cin: int) -> np.ndarray:
    """The stored (kh, kw, links) weights placed into a zero (kh, kw, cin, filters) kernel."""
    stored = layer.get_weights()[0]
    dense = np.zeros((*stored.shape[:2], cin, len(layer.connections)), "float32")
    link = 0
    for j, row in enumerate(layer.connections):
        for c in row:
            dense[:, :, c, j] = stored[:, :, link]
            link += 1
    return dense


def test_c3_stores_only_the_connected_weights() -> None:
    links = sum(len(row) for row in C3_TABLE)
    assert links == 60
    layer = ConnectionTableConv2D(16, 5, C3_TABLE)
    layer.build((None, 14, 14, 6))
    # numbers.md: 25 * 60 + 16 = 1,516, where a full 5x5 conv 6 -> 16 has 25*6*16 + 16 = 2,416.
    assert layer.count_params() == 5 * 5 * links + 16 == 1516
    assert tuple(layer.kernel.shape) == (5, 5, 60)
    assert layer.compute_output_shape((None, 14, 14, 6)) == (None, 10, 10, 16)


@pytest.mark.parametrize(
    ("strides", "padding", "dilation"), [(1, "valid", 1), (2, "same", 1), (1, "valid", 2)]
)
def test_c3_equals_a_dense_conv_with_the_table_scattered_into_its_kernel(
        strides: int, padding: str, dilation: int) -> None:
    x = _random((3, 14, 14, 6), seed=3)
    layer = ConnectionTableConv2D(16, 5, C3_TABLE, strides=strides, padding=padding,
                                  dilation_rate=dilation, activation="tanh")
    layer.build(x.shape)
    layer.set_weights([_random((5, 5, 60), seed=4), _random((16,), seed=5)])
    dense = keras.layers.Conv2D(16, 5, strides=strides, padding=padding,
                                dilation_rate=dilation, activation="tanh")
    dense.build(x.shape)
    dense.set_weights([_scattered_kernel(layer, 6), layer.get_weights()[1]])
    ours = keras.ops.convert_to_numpy(layer(x))
    np.testing.assert_allclose(ours, keras.ops.convert_to_numpy(dense(x)), rtol=1e-5,
                               atol=1e-5)
    assert ours.shape[1:] == layer.compute_output_shape(x.shape)[1:]


def test_c3_gradients_are_the_dense_gradients_at_the_connected_weights() -> None:
    x = _random((2, 14, 14, 6), seed=6)
    layer = ConnectionTableConv2D(16, 5, C3_TABLE)
    layer.build(x.shape)
    dense = keras.layers.Conv2D(16, 5)
    dense.build(x.shape)
    dense.set_weights([_scattered_kernel(layer, 6), layer.get_weights()[1]])

    def loss(y: Any) -> Any:
        return keras.ops.sum(keras.ops.sin(y))

    _, kernel_grad, bias_grad = gradients(layer, x, loss)
    _, dense_kernel_grad, dense_bias_grad = gradients(dense, x, loss)
    assert tuple(kernel_grad.shape) == (5, 5, 60)
    link = 0
    for j, row in enumerate(C3_TABLE):
        for c in row:
            np.testing.assert_allclose(kernel_grad[:, :, link], dense_kernel_grad[:, :, c, j],
                                       rtol=1e-4, atol=1e-4)
            link += 1
    np.testing.assert_allclose(bias_grad, dense_bias_grad, rtol=1e-4, atol=1e-4)


def test_c3_rejects_a_table_that_reads_a_missing_map() -> None:
    layer = ConnectionTableConv2D(2, 3, [[0, 1], [5, 6]])
    with pytest.raises(ValueError, match=r"row 1 .* reads input map 6, but the input has only "
                                         r"6 channels \(maps 0\.\.5\)"):
        layer.build((None, 8, 8, 6))


@pytest.mark.parametrize(
    ("table", "message"),
    [([[0]], r"has 1 rows but the layer has 2 filters"),
     ([[0], []], r"row 1 of the connection table is empty"),
     ([[0], [1, 1]], r"row 1 of the connection table repeats a map"),
     ([[0], [-1]], r"row 1 of the connection table has a negative map index")],
)
def test_c3_rejects_malformed_tables(table: list[list[int]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ConnectionTableConv2D(2, 3, table)


# --------------------------------------------------------------------------------------
# GroupedConv2D


def _on_cpu() -> contextlib.AbstractContextManager[Any]:
    """TensorFlow: pin to the CPU, whose kernels this layer exists for; else as it runs."""
    if ON_TENSORFLOW:
        import tensorflow as tf

        return tf.device("/CPU:0")  # type: ignore[no-any-return]
    return contextlib.nullcontext()


@pytest.mark.parametrize(
    ("groups", "strides", "padding", "dilation"),
    [(2, 1, "valid", 1), (4, 2, "same", 1), (2, 1, "same", 2)],
)
def test_grouped_conv_equals_one_plain_conv_per_group_on_cpu(
        groups: int, strides: int, padding: str, dilation: int) -> None:
    cin, filters = 8, 12
    x = _random((2, 11, 11, cin), seed=7)
    with _on_cpu():
        layer = GroupedConv2D(filters, 3, groups, strides=strides, padding=padding,
                              dilation_rate=dilation, activation="relu")
        out = keras.ops.convert_to_numpy(layer(x))
        kernel, bias = layer.get_weights()
        gin, gout = cin // groups, filters // groups
        parts = []
        for g in range(groups):
            plain = keras.layers.Conv2D(gout, 3, strides=strides, padding=padding,
                                        dilation_rate=dilation)
            plain.build((None, 11, 11, gin))
            plain.set_weights([kernel[..., g * gout:(g + 1) * gout],
                               bias[g * gout:(g + 1) * gout]])
            parts.append(keras.ops.convert_to_numpy(plain(x[..., g * gin:(g + 1) * gin])))
    expected = np.maximum(np.concatenate(parts, axis=-1), 0.0)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
    assert out.shape[1:] == layer.compute_output_shape(x.shape)[1:]


def test_grouped_conv_has_keras_grouped_conv2d_weights() -> None:
    # AlexNet's two-tower conv2: 256 5x5 filters over 96 maps in 2 groups.
    ours = GroupedConv2D(256, 5, 2, padding="same")
    ours.build((None, 27, 27, 96))
    stock = keras.layers.Conv2D(256, 5, groups=2, padding="same")
    stock.build((None, 27, 27, 96))
    assert [w.shape for w in ours.weights] == [w.shape for w in stock.weights]
    # numbers.md's AlexNet arithmetic: 5*5*(96/2)*256 + 256 = 307,456 (half the one-tower 614,656
    # weights, same biases).
    assert ours.count_params() == stock.count_params() == 5 * 5 * 48 * 256 + 256


@pytest.mark.parametrize(("filters", "strides", "padding", "dilation"),
                         [(8, 1, "same", 1), (16, 2, "valid", 1), (8, 1, "same", 2)])
def test_depthwise_form_equals_keras_grouped_conv_weight_for_weight(
        filters: int, strides: int, padding: str, dilation: int) -> None:
    # groups == input channels (ConvNeXt's Conv2D(C, 7, groups=C)) takes the depthwise path;
    # with the same weights it must equal Keras's own grouped Conv2D and the per-group loop
    # (16 filters over 8 groups: two maps per channel, group-major as Keras orders them).
    cin = 8
    x = _random((2, 13, 13, cin), seed=11)
    with _on_cpu():
        ours = GroupedConv2D(filters, 7, cin, strides=strides, padding=padding,
                             dilation_rate=dilation)
        ours.build(x.shape)
        stock = keras.layers.Conv2D(filters, 7, groups=cin, strides=strides, padding=padding,
                                    dilation_rate=dilation)
        stock.build(x.shape)
        assert [w.shape for w in ours.weights] == [w.shape for w in stock.weights]
        weights = [_random(tuple(w.shape), seed=12 + i) for i, w in enumerate(stock.weights)]
        ours.set_weights(weights)
        stock.set_weights(weights)
        out = keras.ops.convert_to_numpy(ours(x))
        expected = keras.ops.convert_to_numpy(stock(x))
        gout = filters // cin
        parts = []
        for g in range(cin):
            plain = keras.layers.Conv2D(gout, 7, strides=strides, padding=padding,
                                        dilation_rate=dilation)
            plain.build((None, 13, 13, 1))
            plain.set_weights([weights[0][..., g * gout:(g + 1) * gout],
                               weights[1][g * gout:(g + 1) * gout]])
            parts.append(keras.ops.convert_to_numpy(plain(x[..., g:g + 1])))
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(out, np.concatenate(parts, axis=-1), rtol=1e-5, atol=1e-5)
    assert out.shape[1:] == ours.compute_output_shape(x.shape)[1:]


def test_grouped_conv_rejects_groups_that_do_not_divide() -> None:
    with pytest.raises(ValueError, match=r"must be positive and divide `filters` \(10\)"):
        GroupedConv2D(10, 3, 3)
    layer = GroupedConv2D(12, 3, 4)
    with pytest.raises(ValueError, match=r"must divide the input channels \(6\)"):
        layer.build((None, 8, 8, 6))


# --------------------------------------------------------------------------------------
# activations


def test_lecun_tanh_is_the_scaled_tanh() -> None:
    x = np.linspace(-4, 4, 33).astype("float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(lecun_tanh(x)),
                               1.7159 * np.tanh(2 * x / 3), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(ScaledTanh()(x)),
                               1.7159 * np.tanh(2 * x / 3), rtol=1e-6, atol=1e-6)
    # LeCun chose the constants so that f(+-1) = +-1 (to 1e-4).
    ones = keras.ops.convert_to_numpy(lecun_tanh(np.array([-1.0, 1.0], "float32")))
    np.testing.assert_allclose(ones, [-1.0, 1.0], atol=1e-4)


# NumPy definitions of the names whose meaning is easy to get wrong across libraries.
_NUMPY_ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0),
    "relu6": lambda x: np.clip(x, 0, 6),
    "tanh": np.tanh,
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "swish": lambda x: x / (1 + np.exp(-x)),
    "softplus": lambda x: np.log1p(np.exp(x)),
    "lecun_tanh": lambda x: 1.7159 * np.tanh(2 * x / 3),
    # Keras 3's, as docs/spec-language.md defines them: relu6(x + 3) / 6, not Keras 2's
    # 0.2 x + 0.5 (at x = 1: 0.667, not 0.7); hard_swish is x times it; gelu the exact erf
    # form (at x = -3: -0.00405; the tanh approximation gives -0.00364).
    "hard_sigmoid": lambda x: np.clip(x + 3, 0, 6) / 6,
    "hard_swish": lambda x: x * np.clip(x + 3, 0, 6) / 6,
    "gelu": lambda x: x * (1 + np.vectorize(math.erf)(x / math.sqrt(2))) / 2,
}


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_for_gives_keras_a_usable_activation(name: str) -> None:
    x = np.linspace(-8, 8, 17, dtype="float32").reshape(1, 17)
    layer = keras.layers.Activation(activation_for(name))
    out = keras.ops.convert_to_numpy(layer(x))
    assert out.shape == x.shape and np.all(np.isfinite(out))
    if name in _NUMPY_ACTIVATIONS:
        np.testing.assert_allclose(out, _NUMPY_ACTIVATIONS[name](x), rtol=1e-5, atol=1e-5)


def test_activation_for_none_and_unknown_names() -> None:
    assert activation_for(None) is None
    assert activation_for("lecun_tanh") is lecun_tanh
    with pytest.raises(ValueError, match=r"unknown activation 'mish'"):
        activation_for("mish")


# --------------------------------------------------------------------------------------
# every layer: gradients, serialisation, saving


LAYER_FACTORIES: dict[str, Callable[[], Any]] = {
    "subsampling": lambda: Subsampling2D(activation=activation_for("lecun_tanh")),
    "lrn": lambda: LocalResponseNormalization(),
    "connection_table": lambda: ConnectionTableConv2D(16, 3, C3_TABLE, padding="same",
                                                      activation="relu"),
    "grouped": lambda: GroupedConv2D(4, 3, 2, activation="relu6"),
    "scaled_tanh": lambda: ScaledTanh(),
}


@pytest.mark.parametrize("name", sorted(LAYER_FACTORIES))
def test_every_layer_has_gradients(name: str) -> None:
    layer = LAYER_FACTORIES[name]()
    x = _random((2, 8, 8, 6), seed=8, scale=3.0)
    layer.build(x.shape)
    grads = gradients(layer, x, lambda y: keras.ops.sum(keras.ops.square(y)))
    assert all(g is not None and np.all(np.isfinite(g)) for g in grads)
    assert float(np.sum(np.abs(grads[0]))) > 0
    # Every trainable weight gets a gradient, and a non-zero one.
    assert all(float(np.sum(np.abs(g))) > 0 for g in grads[1:])
    expected_vars = {"subsampling": 2, "lrn": 0, "connection_table": 2, "grouped": 2,
                     "scaled_tanh": 0}
    assert len(layer.trainable_variables) == len(grads) - 1 == expected_vars[name]


@pytest.mark.parametrize("name", sorted(LAYER_FACTORIES))
def test_every_layer_round_trips_through_keras_serialisation(name: str) -> None:
    layer = LAYER_FACTORIES[name]()
    layer.build((None, 8, 8, 6))
    restored = keras.saving.deserialize_keras_object(keras.saving.serialize_keras_object(layer))
    assert type(restored) is type(layer)
    assert restored.get_config() == layer.get_config()
    assert restored.built  # Keras rebuilt it from the serialised build config
    restored.set_weights(layer.get_weights())
    x = _random((1, 8, 8, 6), seed=9)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(restored(x)),
                               keras.ops.convert_to_numpy(layer(x)), rtol=1e-6, atol=1e-6)


def test_a_model_with_every_layer_saves_and_loads_in_safe_mode(tmp_path: Path) -> None:
    inputs = keras.Input((12, 12, 6))
    x = ConnectionTableConv2D(16, 3, C3_TABLE, activation=activation_for("lecun_tanh"),
                              name="c3")(inputs)
    x = LocalResponseNormalization(k=1.0, n=3, alpha=1e-3, beta=0.5, name="lrn")(x)
    x = GroupedConv2D(8, 3, 4, padding="same", activation="relu", name="grouped")(x)
    x = Subsampling2D(activation="tanh", name="s4")(x)
    outputs = ScaledTanh(name="scaled")(x)
    model = keras.Model(inputs, outputs)
    # Non-default bias/coefficient values, so a load that drops weights cannot pass.
    model.set_weights([w + _random(w.shape, seed=i, scale=0.1)
                       for i, w in enumerate(model.get_weights())])
    x_test = _random((3, 12, 12, 6), seed=10, scale=2.0)
    before = model.predict(x_test, verbose=0)
    path = tmp_path / "custom.keras"
    model.save(path)
    loaded = keras.saving.load_model(path, safe_mode=True)
    assert [type(layer).__name__ for layer in loaded.layers] == [
        "InputLayer", "ConnectionTableConv2D", "LocalResponseNormalization", "GroupedConv2D",
        "Subsampling2D", "ScaledTanh"]
    assert loaded.count_params() == model.count_params()
    np.testing.assert_allclose(loaded.predict(x_test, verbose=0), before, rtol=1e-6,
                               atol=1e-6)


# --------------------------------------------------------------------------------------
# ScaledAdd (InceptionResNetV2's scaled residual)


def test_scaled_add_is_x_plus_y_times_scale_in_that_order() -> None:
    from archc.backends.keras.layers import ScaledAdd

    x, y = _random((2, 5, 5, 3), seed=11), _random((2, 5, 5, 3), seed=12)
    layer = ScaledAdd(scale=0.17)
    out = keras.ops.convert_to_numpy(layer([x, y]))
    # Keras's CustomScaleLayer computes inputs[0] + inputs[1] * scale in float32: bit equal
    np.testing.assert_array_equal(out, x + y * np.float32(0.17))
    assert layer.weights == [] and layer.count_params() == 0


def test_scaled_add_broadcasts_size_one_axes_and_round_trips(tmp_path: Path) -> None:
    from archc.backends.keras.layers import ScaledAdd

    x, gate = _random((1, 4, 4, 3), seed=13), _random((1, 1, 1, 3), seed=14)
    out = keras.ops.convert_to_numpy(ScaledAdd(scale=2.0)([x, gate]))
    np.testing.assert_allclose(out, x + 2.0 * gate, rtol=1e-6)
    a, b = keras.Input((4, 4, 3)), keras.Input((1, 1, 3))
    model = keras.Model([a, b], ScaledAdd(scale=0.5, name="scaled")([a, b]))
    assert tuple(model.output.shape) == (None, 4, 4, 3)
    model.save(tmp_path / "scaled.keras")
    loaded = keras.saving.load_model(tmp_path / "scaled.keras", safe_mode=True)
    assert loaded.get_layer("scaled").scale == 0.5
    np.testing.assert_allclose(loaded.predict([x, gate], verbose=0), x + 0.5 * gate,
                               rtol=1e-6)


# --------------------------------------------------------------------------------------
# ChannelSlice (YOLOv8's C2f split)


def test_channel_slice_is_numpy_slicing_of_the_last_axis(tmp_path: Path) -> None:
    from archc.backends.keras.layers import ChannelSlice

    x = _random((2, 5, 5, 8), seed=15)
    layer = ChannelSlice(start=3, stop=7)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer(x)), x[..., 3:7])
    assert layer.weights == [] and layer.count_params() == 0
    inputs = keras.Input((5, 5, 8))
    model = keras.Model(inputs, ChannelSlice(start=4, stop=8, name="half")(inputs))
    assert tuple(model.output.shape) == (None, 5, 5, 4)
    model.save(tmp_path / "slice.keras")
    loaded = keras.saving.load_model(tmp_path / "slice.keras", safe_mode=True)
    assert (loaded.get_layer("half").start, loaded.get_layer("half").stop) == (4, 8)
    np.testing.assert_array_equal(loaded.predict(x, verbose=0), x[..., 4:8])


def test_channel_slice_passes_gradients_to_its_channels_only() -> None:
    from archc.backends.keras.layers import ChannelSlice

    layer = ChannelSlice(start=2, stop=5)
    x = _random((1, 3, 3, 6), seed=16)
    layer.build(x.shape)
    (grad,) = gradients(layer, x, lambda y: keras.ops.sum(y))
    expected = np.zeros_like(x)
    expected[..., 2:5] = 1.0
    np.testing.assert_array_equal(grad, expected)


# --------------------------------------------------------------------------------------
# DistributionFocalDecode (YOLOv8's DFL)


def _dfl_numpy(maps: list[np.ndarray], bins: int) -> np.ndarray:
    """Softmax over each side's bins, then sum of k x p_k: the expected distance."""
    rows = np.concatenate([m.reshape(m.shape[0], -1, 4, bins) for m in maps], axis=1)
    e = np.exp(rows - rows.max(axis=-1, keepdims=True))
    p = e / e.sum(axis=-1, keepdims=True)
    return (p * np.arange(bins)).sum(axis=-1)


def test_dfl_is_the_expected_bin_of_each_side_over_all_levels(tmp_path: Path) -> None:
    from archc.backends.keras.layers import DistributionFocalDecode

    maps = [_random((2, 4, 4, 64), seed=17, scale=3.0), _random((2, 2, 2, 64), seed=18)]
    layer = DistributionFocalDecode(bins=16)
    out = keras.ops.convert_to_numpy(layer(maps))
    assert out.shape == (2, 16 + 4, 4)
    np.testing.assert_allclose(out, _dfl_numpy(maps, 16), rtol=1e-5, atol=1e-5)
    # one bin far above the others: the distance is that bin's index (side 2, bin 11)
    peaked = np.zeros((1, 1, 1, 64), np.float32)
    peaked[..., 2 * 16 + 11] = 50.0
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer([peaked]))[0, 0],
                               [7.5, 7.5, 11.0, 7.5], atol=1e-4)
    # 16 fixed weights 0..15, none trainable
    assert (layer.count_params(), len(layer.trainable_weights)) == (16, 0)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer.project), np.arange(16))
    a, b = keras.Input((4, 4, 64)), keras.Input((2, 2, 64))
    model = keras.Model([a, b], DistributionFocalDecode(bins=16, name="dfl")([a, b]))
    model.save(tmp_path / "dfl.keras")
    loaded = keras.saving.load_model(tmp_path / "dfl.keras", safe_mode=True)
    assert loaded.get_layer("dfl").bins == 16
    np.testing.assert_allclose(loaded.predict(maps, verbose=0), out, rtol=1e-5, atol=1e-5)
