"""YOLOv8n from `archc build` converts to TensorFlow Lite and computes the same maps.

Issue 20: `archc build specs/yolov8.yaml --variant n --set dfl=true` under TensorFlow, the
`.keras` file loaded in safe mode (its `ChannelSlice` and `DistributionFocalDecode` layers
are archc's registered classes, no `Lambda`), converted with `tf.lite.TFLiteConverter`, and
the TFLite interpreter run on one random 640x640 image: each of the three raw head maps and
the DFL's distances agree with Keras's to 1e-4 of their largest value. The weights are drawn
first (He-normal kernels, batch-norm gammas, betas and statistics away from 1 and 0), so the
maps carry signal through the 60-odd layers.
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


def _temper_box_logits(model: object, image: np.ndarray) -> None:
    """Scale each level's last box convolution to logits of standard deviation 3.

    A trained model's box logits are of order 1 to 10; after 60 random layers they are in
    the thousands, where DFL's softmax over the bins is a step and float32 rounding of the
    logits alone moves its distances by more than 1e-4 of 15 (the same in the Ultralytics
    parity test). The layer is linear and last in its branch, so this scales its logits.
    """
    maps = model(image, training=False)  # type: ignore[operator]
    for level, out in zip((3, 4, 5), maps, strict=False):
        scale = float(np.std(keras.ops.convert_to_numpy(out)[..., :64])) / 3.0
        layer = model.get_layer(  # type: ignore[attr-defined]
            f"head__p{level}__branches__branch1__cv2_2")
        layer.set_weights([w / scale for w in layer.get_weights()])


def test_yolov8n_converts_to_tflite_and_agrees(tmp_path: Path) -> None:
    assert cli.main(["build", spec_path("yolov8"), "--variant", "n", "--set", "dfl=true",
                     "-q", "-o", str(tmp_path)]) == 0
    model = keras.saving.load_model(tmp_path / "yolov8-n.keras", safe_mode=True)
    # one slice per bottleneck: n's C2f repeats are max(round(n x 0.33), 1) for the table's
    # 3, 6, 6, 3 (backbone) and 3, 3, 3, 3 (neck): 1 + 2 + 2 + 1 + 4 x 1 = 10; and the
    # three box slices in front of the DFL
    assert sum(type(layer).__name__ == "ChannelSlice" for layer in model.layers) == 13
    assert model.get_layer("dfl").count_params() == 16
    _randomise(model)
    image = np.random.default_rng(1).random((1, 640, 640, 3), dtype=np.float32)
    _temper_box_logits(model, image)
    blob = tf.lite.TFLiteConverter.from_keras_model(model).convert()
    interpreter = tf.lite.Interpreter(model_content=blob)
    interpreter.allocate_tensors()
    (given,) = interpreter.get_input_details()
    assert tuple(given["shape"]) == (1, 640, 640, 3)
    interpreter.set_tensor(given["index"], image)
    interpreter.invoke()
    # TFLite names and orders its outputs its own way: match them to Keras's by shape.
    lite = {tuple(int(d) for d in d["shape"]): interpreter.get_tensor(d["index"])
            for d in interpreter.get_output_details()}
    ours = [keras.ops.convert_to_numpy(t) for t in model(image, training=False)]
    assert [o.shape for o in ours] == [(1, 80, 80, 144), (1, 40, 40, 144), (1, 20, 20, 144),
                                      (1, 8400, 4)]
    assert sorted(lite) == sorted(o.shape for o in ours)
    for expected in ours:
        got = lite[expected.shape]
        largest = float(np.max(np.abs(expected)))
        error = float(np.max(np.abs(got - expected)))
        print(f"{expected.shape}: largest {largest:.4g}, max error {error:.3g}")
        assert largest > 1.0
        assert error <= TOLERANCE * largest
