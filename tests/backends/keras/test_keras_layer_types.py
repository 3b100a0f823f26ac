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
