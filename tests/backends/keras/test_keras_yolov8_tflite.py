"""YOLOv8n from `archc build` converts to TensorFlow Lite and computes the same maps.

Issue 20: `archc build specs/yolov8.yaml --variant n` under TensorFlow, the `.keras` file
loaded in safe mode (its `ChannelSlice` layers are archc's registered class, no `Lambda`),
converted with `tf.lite.TFLiteConverter`, and the TFLite interpreter run on one random
640x640 image: each of the three raw head maps agrees with Keras's to 1e-4 of its largest
value. The weights are drawn first (He-normal kernels, batch-norm gammas, betas and
statistics away from 1 and 0), so the maps carry signal through the 60-odd layers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

pytestmark = [pytest.mark.tf, pytest.mark.slow]

keras = pytest.importorskip("keras")
if keras.backend.backend() != "tensorflow":
    pytest.skip("TFLite conversion needs the TensorFlow backend", allow_module_level=True)
tf = pytest.importorskip("tensorflow")

from keras_helpers import spec_path  # noqa: E402

from archc import cli  # noqa: E402

TOLERANCE = 1e-4


def _randomise(model: object, seed: int = 0) -> None:
    rng = np.random.default_rng(seed)
    for layer in model.layers:  # type: ignore[attr-defined]
        if isinstance(layer, keras.layers.Conv2D):
            kernel, *bias = layer.get_weights()
            fan_in = int(np.prod(kernel.shape[:3]))
            kernel = rng.standard_normal(kernel.shape) * np.sqrt(2.0 / fan_in)
            layer.set_weights([kernel.astype("float32"),
                               *[(rng.standard_normal(b.shape) * 0.1).astype("float32")
                                 for b in bias]])
        elif isinstance(layer, keras.layers.BatchNormalization):
            n = layer.get_weights()[0].shape
            layer.set_weights([rng.uniform(0.8, 1.6, n), rng.standard_normal(n) * 0.1,
                               rng.standard_normal(n) * 0.1, rng.uniform(0.5, 1.5, n)])


def test_yolov8n_converts_to_tflite_and_agrees(tmp_path: Path) -> None:
    assert cli.main(["build", spec_path("yolov8"), "--variant", "n", "-q",
                     "-o", str(tmp_path)]) == 0
    model = keras.saving.load_model(tmp_path / "yolov8-n.keras", safe_mode=True)
    # one slice per bottleneck: n's C2f repeats are max(round(n x 0.33), 1) for the table's
    # 3, 6, 6, 3 (backbone) and 3, 3, 3, 3 (neck): 1 + 2 + 2 + 1 + 4 x 1 = 10
    assert sum(type(layer).__name__ == "ChannelSlice" for layer in model.layers) == 10
    _randomise(model)
    blob = tf.lite.TFLiteConverter.from_keras_model(model).convert()
    interpreter = tf.lite.Interpreter(model_content=blob)
    interpreter.allocate_tensors()
    image = np.random.default_rng(1).random((1, 640, 640, 3), dtype=np.float32)
    (given,) = interpreter.get_input_details()
    assert tuple(given["shape"]) == (1, 640, 640, 3)
    interpreter.set_tensor(given["index"], image)
    interpreter.invoke()
    # TFLite names and orders its outputs its own way: match them to Keras's by size.
    lite = {int(d["shape"][1]): interpreter.get_tensor(d["index"])
            for d in interpreter.get_output_details()}
    ours = [keras.ops.convert_to_numpy(t) for t in model(image, training=False)]
    assert sorted(lite) == [20, 40, 80]
    for expected in ours:
        got = lite[expected.shape[1]]
        assert got.shape == expected.shape == (1, *expected.shape[1:3], 144)
        largest = float(np.max(np.abs(expected)))
        error = float(np.max(np.abs(got - expected)))
        print(f"{expected.shape[1]}x{expected.shape[2]}: largest {largest:.4g}, "
              f"max error {error:.3g}")
        assert largest > 1.0
        assert error <= TOLERANCE * largest
