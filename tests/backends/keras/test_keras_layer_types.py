"""The layer types added for the modern families (issue 12) build as the Keras layers
keras.applications uses: class, arguments, `count_params()` and output shape against
hand arithmetic, and outputs against NumPy where archc supplies the layer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.tf

keras = pytest.importorskip("keras")

import archc  # noqa: E402
from archc.backends.keras.layers import LayerScale  # noqa: E402
from archc.backends.keras.names import keras_name  # noqa: E402

WriteSpec = Callable[..., Path]


def _random(shape: tuple[int, ...], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def test_layer_scale_is_x_times_gamma(write_spec: WriteSpec) -> None:
    path = write_spec("""
        archc: 1
        name: ls
        input: [5, 5, 3]
        layers:
          - conv2d: {filters: 8, kernel_size: 3}
          - layer_scale: {name: ls, init: 0.25}
    """)
    model = archc.build(str(path))
    layer = model.get_layer("ls")
    assert isinstance(layer, LayerScale)
    # conv 3*3*3*8 + 8 = 224, gamma 8: as count_params counts
    assert model.count_params() == 3 * 3 * 3 * 8 + 8 + 8
    assert [tuple(w.shape) for w in layer.weights] == [(8,)]
    assert layer.weights[0].name == "gamma"
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(layer.gamma), np.full(8, 0.25))
    gamma = _random((8,), 1)
    layer.set_weights([gamma])
    x = _random((2, 3, 3, 8), 2)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(layer(x)), x * gamma, rtol=1e-6)
    # the same weight as keras.applications' ConvNeXt LayerScale(init_values, dim)
    from keras.src.applications.convnext import LayerScale as KerasLayerScale

    reference = KerasLayerScale(0.25, 8)
    reference.build((None, 3, 3, 8))
    reference.set_weights([gamma])
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(reference(x)),
                                  keras.ops.convert_to_numpy(layer(x)))
    assert archc.load(str(path)).total_params == model.count_params()
    keras.backend.clear_session()


def test_preprocessing_layers_count_and_compute_as_keras(write_spec: WriteSpec) -> None:
    path = write_spec("""
        archc: 1
        name: pre
        input: [4, 4, 3]
        layers:
          - rescaling: {name: r, scale: 0.00784313725490196, offset: -1}
          - rescaling: {name: per, scale: [1, 2, 3], offset: [0, 1, 2]}
          - normalization: {name: adaptable}
          - normalization: {name: given, mean: [0.5, 1, 2], variance: [4, 1, 0.25]}
    """)
    model = archc.build(str(path))
    assert isinstance(model.get_layer("r"), keras.layers.Rescaling)
    adaptable, given = model.get_layer("adaptable"), model.get_layer("given")
    assert isinstance(adaptable, keras.layers.Normalization)
    # adaptable: mean (3,), variance (3,), count (): 2 * 3 + 1 = 7 non-trainable; given: none
    assert [tuple(w.shape) for w in adaptable.weights] == [(3,), (3,), ()]
    assert adaptable.trainable_weights == [] and given.weights == []
    assert model.count_params() == 7
    assert sum(int(np.prod(w.shape)) for w in model.non_trainable_weights) == 7
    x = _random((2, 4, 4, 3), 3)
    step = x * 0.00784313725490196 - 1.0
    step = step * np.array([1, 2, 3], "float32") + np.array([0, 1, 2], "float32")
    # the adaptable layer before adapt(): mean 0, variance 1, so the identity
    step = (step - np.array([0.5, 1, 2], "float32")) / np.sqrt([4, 1, 0.25]).astype("float32")
    np.testing.assert_allclose(keras.ops.convert_to_numpy(model(x)), step, rtol=1e-5,
                               atol=1e-6)
    keras.backend.clear_session()


def test_reshape_is_keras_reshape(write_spec: WriteSpec) -> None:
    path = write_spec("""
        archc: 1
        name: rs
        input: [6, 6, 4]
        layers:
          - global_avg_pool2d: {name: gap}
          - reshape: {name: gate, shape: [1, 1, -1], output: true}
          - reshape: {name: back, inputs: input, shape: [3, 3, 16]}
    """)
    model = archc.build(str(path))
    gate = model.get_layer("gate")
    assert isinstance(gate, keras.layers.Reshape)
    assert tuple(gate.target_shape) == (1, 1, -1)
    x = _random((2, 6, 6, 4), 4)
    back, pooled = (keras.ops.convert_to_numpy(t) for t in model(x))
    np.testing.assert_array_equal(back, x.reshape(2, 3, 3, 16))
    np.testing.assert_allclose(pooled, x.mean(axis=(1, 2)).reshape(2, 1, 1, 4), rtol=1e-6)
    keras.backend.clear_session()


def test_upsampling_is_keras_upsampling(write_spec: WriteSpec) -> None:
    path = write_spec("""
        archc: 1
        name: up
        input: [3, 4, 2]
        layers:
          - upsampling2d: {name: near, size: [2, 3]}
          - upsampling2d: {name: lin, size: 2, interpolation: bilinear}
    """)
    model = archc.build(str(path))
    near, lin = model.get_layer("near"), model.get_layer("lin")
    assert isinstance(near, keras.layers.UpSampling2D) and near.interpolation == "nearest"
    assert (tuple(lin.size), lin.interpolation) == ((2, 2), "bilinear")
    assert model.output_shape == (None, 12, 24, 2) and model.count_params() == 0
    x = _random((1, 3, 4, 2), 5)
    repeated = np.repeat(np.repeat(x, 2, axis=1), 3, axis=2)  # nearest: rows x2, columns x3
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(near(x)), repeated)
    keras.backend.clear_session()


def test_conv2d_transpose_is_keras_conv2d_transpose(write_spec: WriteSpec) -> None:
    path = write_spec("""
        archc: 1
        name: upconv
        input: [7, 7, 16]
        layers:
          - conv2d_transpose: {name: up, filters: 8, kernel_size: 2, strides: 2}
          - conv2d_transpose: {name: small, filters: 4, kernel_size: 1, strides: 2}
          - conv2d_transpose: {name: same, filters: 2, kernel_size: 3, strides: 2,
                               padding: same, use_bias: false, activation: relu}
    """)
    model = archc.build(str(path))
    up = model.get_layer("up")
    assert isinstance(up, keras.layers.Conv2DTranspose)
    assert tuple(up.kernel.shape) == (2, 2, 8, 16)  # (kh, kw, out, in), families.md
    # shapes: (7 - 1) x 2 + 2 = 14; (14 - 1) x 2 + max(1, 2) = 28; same: 28 x 2 = 56
    assert tuple(model.get_layer("small").output.shape[1:]) == (28, 28, 4)
    assert model.output_shape == (None, 56, 56, 2)
    # params: 2*2*16*8 + 8 = 520; 1*1*8*4 + 4 = 36; 3*3*4*2 = 72
    assert model.count_params() == 520 + 36 + 72
    assert archc.load(str(path)).total_params == model.count_params()
    keras.backend.clear_session()


def test_cropping_is_keras_cropping(write_spec: WriteSpec) -> None:
    path = write_spec("""
        archc: 1
        name: crop
        input: [9, 10, 2]
        layers:
          - cropping2d: {name: crop, cropping: [[1, 2], [3, 0]]}
    """)
    model = archc.build(str(path))
    layer = model.get_layer("crop")
    assert isinstance(layer, keras.layers.Cropping2D)
    assert model.output_shape == (None, 6, 7, 2)  # 9 - 1 - 2, 10 - 3 - 0
    assert model.count_params() == 0
    x = _random((1, 9, 10, 2), 6)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(model(x)), x[:, 1:7, 3:10])
    keras.backend.clear_session()


def test_per_sample_dropout_drops_whole_samples(write_spec: WriteSpec) -> None:
    path = write_spec("""
        archc: 1
        name: drop
        input: [4, 4, 3]
        layers:
          - dropout: {name: map, rate: 0.5, per_sample: true}
          - global_avg_pool2d: {}
          - dropout: {name: vector, rate: 0.5, per_sample: true}
          - dropout: {name: plain, rate: 0.5}
    """)
    model = archc.build(str(path))
    # keras.applications' EfficientNet: Dropout(rate, noise_shape=(None, 1, 1, 1))
    assert model.get_layer("map").noise_shape == (None, 1, 1, 1)
    assert model.get_layer("vector").noise_shape == (None, 1)
    assert model.get_layer("plain").noise_shape is None
    x = np.abs(_random((64, 4, 4, 3), 7)) + 0.1  # no zeros of its own
    out = keras.ops.convert_to_numpy(model.get_layer("map")(x, training=True))
    kept = np.array([np.allclose(o, 2 * s) for o, s in zip(out, x, strict=True)])
    dropped = np.array([not o.any() for o in out])
    # every sample is either kept whole (scaled by 1 / (1 - 0.5)) or dropped whole
    assert np.all(kept | dropped) and kept.any() and dropped.any()
    # identity at inference
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(model.get_layer("map")(x)), x)
    assert model.count_params() == 0
    keras.backend.clear_session()


def test_squeeze_excitation_forms_match_keras_weight_for_weight(write_spec: WriteSpec) -> None:
    path = write_spec("""
        archc: 1
        name: se
        input: [5, 5, 8]
        layers:
          - squeeze_excitation: {name: conv, units: 2, activation: swish, gate: hard_sigmoid,
                                 form: conv}
          - squeeze_excitation: {name: dense, units: 2, activation: swish, gate: hard_sigmoid}
    """)
    model = archc.build(str(path))
    layer = {n: model.get_layer(keras_name(n)) for n in
             ("conv/reduce", "conv/expand", "dense/reduce", "dense/expand")}
    assert all(type(layer[f"conv/{p}"]) is keras.layers.Conv2D for p in ("reduce", "expand"))
    assert all(type(layer[f"dense/{p}"]) is keras.layers.Dense for p in ("reduce", "expand"))
    # the conv form's kernels are (1, 1, C, s) and (1, 1, s, C); the dense form's (C, s), (s, C)
    assert tuple(layer["conv/reduce"].kernel.shape) == (1, 1, 8, 2)
    assert tuple(layer["conv/expand"].kernel.shape) == (1, 1, 2, 8)
    assert tuple(layer["dense/reduce"].kernel.shape) == (8, 2)
    # the same count either way: C*s + s + s*C + C = 16 + 2 + 16 + 8 = 42, twice
    assert model.count_params() == 2 * (8 * 2 + 2 + 2 * 8 + 8)
    # random weights, copied from the conv form into the dense form (a reshape): both
    # compute x * hard_sigmoid(W2 swish(W1 mean(x) + b1) + b2)
    rng = np.random.default_rng(9)
    weights = {p: [rng.standard_normal(w.shape).astype("float32")
                   for w in layer[f"conv/{p}"].get_weights()] for p in ("reduce", "expand")}
    for p, (kernel, bias) in weights.items():
        layer[f"conv/{p}"].set_weights([kernel, bias])
        layer[f"dense/{p}"].set_weights([kernel.reshape(kernel.shape[2:]), bias])

    def se(x: np.ndarray) -> np.ndarray:
        (w1, b1), (w2, b2) = weights["reduce"], weights["expand"]
        hidden = x.mean(axis=(1, 2)) @ w1[0, 0] + b1
        hidden = hidden / (1 + np.exp(-hidden))  # swish
        gate = np.clip(hidden @ w2[0, 0] + b2 + 3, 0, 6) / 6  # Keras 3's hard_sigmoid
        return x * gate[:, None, None, :]

    x = _random((3, 5, 5, 8), 8)
    probe = keras.Model(model.inputs, [model.get_layer(keras_name(n)).output
                                       for n in ("conv/scale", "dense/scale")])
    once, twice = probe.predict(x, verbose=0)
    np.testing.assert_allclose(once, se(x), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(twice, se(se(x)), rtol=1e-5, atol=1e-6)
    keras.backend.clear_session()


ALL_NEW = """
    archc: 1
    name: all_new
    input: [12, 12, 3]
    layers:
      - rescaling: {scale: 0.00392156862745098}
      - normalization: {}
      - normalization: {mean: [0.5, 0.4, 0.3], variance: [0.04, 0.05, 0.06]}
      - conv2d: {filters: 8, kernel_size: 3, padding: same, activation: hard_swish}
      - conv2d: {filters: 8, kernel_size: 7, padding: same, groups: 8}
      - layer_scale: {init: 0.5}
      - squeeze_excitation: {units: 2, gate: hard_sigmoid, form: conv}
      - dropout: {rate: 0.1, per_sample: true}
      - cropping2d: {cropping: [[1, 0], [0, 1]]}
      - conv2d_transpose: {filters: 4, kernel_size: 3, strides: 2}
      - upsampling2d: {size: [1, 2], interpolation: bilinear}
      - reshape: {shape: [23, -1]}
"""


def test_every_new_type_saves_and_loads_in_safe_mode(write_spec: WriteSpec,
                                                     tmp_path: Path) -> None:
    model = archc.build(str(write_spec(ALL_NEW)))
    # 11 -> (11 - 1) x 2 + 3 = 23 rows, 23 x 2 = 46 columns of 4: 23 rows of 184
    assert model.output_shape == (None, 23, 46 * 4)
    target = tmp_path / "all_new.keras"
    model.save(target)
    loaded = keras.saving.load_model(target, safe_mode=True)
    x = np.abs(_random((2, 12, 12, 3), 10)) * 255
    np.testing.assert_allclose(keras.ops.convert_to_numpy(loaded(x)),
                               keras.ops.convert_to_numpy(model(x)), rtol=1e-6, atol=1e-6)
    assert loaded.count_params() == model.count_params() == \
        archc.load(str(write_spec(ALL_NEW))).total_params
    keras.backend.clear_session()
