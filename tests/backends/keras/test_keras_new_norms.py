"""`group_norm` and `spatial_dropout2d` build as Keras's own GroupNormalization and
SpatialDropout2D: arguments, `count_params()` against hand arithmetic, and the normalised
output against NumPy."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.tf

keras = pytest.importorskip("keras")

import archc  # noqa: E402

WriteSpec = Callable[..., Path]


def test_group_norm_and_spatial_dropout_are_the_keras_layers(write_spec: WriteSpec) -> None:
    path = write_spec("""
        archc: 1
        name: gn
        input: [6, 6, 3]
        layers:
          - conv2d: {filters: 8, kernel_size: 3}
          - group_norm: {name: gn, groups: 4, epsilon: 0.01}
          - spatial_dropout2d: {name: sd, rate: 0.5}
    """)
    model = archc.build(str(path))
    gn, sd = model.get_layer("gn"), model.get_layer("sd")
    assert isinstance(gn, keras.layers.GroupNormalization)
    assert (gn.groups, gn.epsilon, gn.center, gn.scale) == (4, 0.01, True, True)
    assert isinstance(sd, keras.layers.SpatialDropout2D) and sd.rate == 0.5
    # conv 3*3*3*8 + 8 = 224; gamma 8 + beta 8 = 16; dropout 0
    assert (model.count_params(), gn.count_params(), sd.count_params()) == (240, 16, 0)

    rng = np.random.default_rng(0)
    gamma, beta = rng.standard_normal(8), rng.standard_normal(8)
    gn.set_weights([gamma.astype("float32"), beta.astype("float32")])
    x = rng.standard_normal((2, 6, 6, 3)).astype("float32")
    conv_out = keras.Model(model.inputs, model.layers[1].output).predict(x, verbose=0)
    # NumPy: 4 groups of 2 channels, mean and variance over 4 x 4 positions x 2 channels
    grouped = conv_out.reshape(2, 4, 4, 4, 2)
    mean = grouped.mean(axis=(1, 2, 4), keepdims=True)
    var = grouped.var(axis=(1, 2, 4), keepdims=True)
    expected = ((grouped - mean) / np.sqrt(var + 0.01)).reshape(2, 4, 4, 8) * gamma + beta
    got = model.predict(x, verbose=0)  # inference: spatial dropout is the identity
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4)


def test_group_norm_and_spatial_dropout_export_and_agree(write_spec: WriteSpec,
                                                          tmp_path: Path) -> None:
    # every format, run by its runtime, against Keras on the same batch (gamma and beta
    # perturbed so they count; 1e-4 of the largest output, as every export is held to)
    pytest.importorskip("onnxruntime")
    from export_helpers import perturb, release

    from archc.backends.keras.builder import build_traced
    from archc.backends.keras.export import TOLERANCE
    from archc.backends.keras.export.run import convert_and_verify
    from archc.pipeline import Options, compile_file

    compiled = compile_file(str(write_spec("""
        archc: 1
        name: gn
        input: [12, 12, 3]
        layers:
          - conv2d: {filters: 8, kernel_size: 3, padding: same}
          - group_norm: {groups: 4}
          - spatial_dropout2d: {rate: 0.3}
          - conv2d: {filters: 6, kernel_size: 3}
          - group_norm: {groups: 2, center: false}
    """)), Options())
    assert compiled.analysis is not None
    model, _ = build_traced(compiled.analysis)
    assert perturb(model) >= 3
    for fmt in ("onnx", "tflite", "savedmodel"):
        v = convert_and_verify(model, fmt, tmp_path / f"gn.{fmt}")
        assert v.largest_output > 0 and v.max_difference <= TOLERANCE * v.largest_output, \
            v.describe()
    release()
