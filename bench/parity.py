"""Run-time parity (issue 7): archc's compiled models against the same networks in Keras.

ResNet-50 and Xception are compared with keras.applications; GoogLeNet, which Keras does not
ship, with a direct Keras rewrite below (Table 1 of the paper, LRN through
`tf.nn.local_response_normalization` in a small Layer subclass). Same batch, same machine,
one `tf.function` per step; inference and one SGD training step are timed interleaved
(archc, reference, archc, ...) after warm-up, and each figure is a median. The ratio is
reference time / archc time: 1.0 means equal speed, the target is at least 0.95.

Imports TensorFlow; `python -m bench.run` runs it in a child process of its own.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parent.parent
BATCH = 4


def _keras() -> Any:
    import keras

    return keras


def _googlenet_reference() -> Any:
    """GoogLeNet written directly in Keras (same layers and order as specs/googlenet.yaml)."""
    import tensorflow as tf

    keras = _keras()
    layers = keras.layers

    # The paper's LRN: k=2, n=5, alpha=1e-4, beta=0.75.
    class LRN(layers.Layer):  # type: ignore[misc,name-defined]
        def call(self, x: Any) -> Any:
            return tf.nn.local_response_normalization(x, depth_radius=2, bias=2.0,
                                                      alpha=1e-4, beta=0.75)

    def conv(x: Any, filters: int, kernel: int, strides: int = 1) -> Any:
        return layers.Conv2D(filters, kernel, strides=strides, padding="same",
                             activation="relu")(x)

    def inception(x: Any, n1: int, r3: int, n3: int, r5: int, n5: int, proj: int) -> Any:
        b1 = conv(x, n1, 1)
        b2 = conv(conv(x, r3, 1), n3, 3)
        b3 = conv(conv(x, r5, 1), n5, 5)
        b4 = conv(layers.MaxPooling2D(3, strides=1, padding="same")(x), proj, 1)
        return layers.Concatenate()([b1, b2, b3, b4])

    inp = keras.Input((224, 224, 3))
    x = conv(inp, 64, 7, 2)
    x = layers.MaxPooling2D(3, strides=2, padding="same")(x)
    x = LRN()(x)
    x = conv(x, 64, 1)
    x = conv(x, 192, 3)
    x = LRN()(x)
    x = layers.MaxPooling2D(3, strides=2, padding="same")(x)
    x = inception(x, 64, 96, 128, 16, 32, 32)
    x = inception(x, 128, 128, 192, 32, 96, 64)
    x = layers.MaxPooling2D(3, strides=2, padding="same")(x)
    for args in ((192, 96, 208, 16, 48, 64), (160, 112, 224, 24, 64, 64),
                 (128, 128, 256, 24, 64, 64), (112, 144, 288, 32, 64, 64),
                 (256, 160, 320, 32, 128, 128)):
        x = inception(x, *args)
    x = layers.MaxPooling2D(3, strides=2, padding="same")(x)
    x = inception(x, 256, 160, 320, 32, 128, 128)
    x = inception(x, 384, 192, 384, 48, 128, 128)
    x = layers.AveragePooling2D(7, strides=1)(x)
    x = layers.Dropout(0.4)(x)
    x = layers.Flatten()(x)
    out = layers.Dense(1000, activation="softmax")(x)
    return keras.Model(inp, out)


NETWORKS: dict[str, tuple[str, str | None, Callable[[], Any], int]] = {
    "ResNet-50": ("specs/resnet.yaml", "resnet50",
                  lambda: _keras().applications.ResNet50(weights=None), 224),
    "Xception": ("specs/xception.yaml", None,
                 lambda: _keras().applications.Xception(weights=None), 299),
    "GoogLeNet": ("specs/googlenet.yaml", None, _googlenet_reference, 224),
}


def _steps(model: Any, x: Any, y: Any) -> tuple[Callable[[], Any], Callable[[], Any]]:
    import tensorflow as tf

    keras = _keras()
    loss_fn = keras.losses.SparseCategoricalCrossentropy()
    optimizer = keras.optimizers.SGD(learning_rate=1e-3)
    optimizer.build(model.trainable_variables)

    @tf.function  # type: ignore[untyped-decorator]
    def infer() -> Any:
        return model(x, training=False)

    @tf.function  # type: ignore[untyped-decorator]
    def train() -> Any:
        with tf.GradientTape() as tape:
            loss = loss_fn(y, model(x, training=True))
        grads = tape.gradient(loss, model.trainable_variables)
        optimizer.apply(grads, model.trainable_variables)
        return loss

    return infer, train


def _interleaved(steps: dict[str, Callable[[], Any]], repeats: int, warmup: int) -> dict[str,
                                                                                        float]:
    for _ in range(warmup):
        for step in steps.values():
            step()
    times: dict[str, list[float]] = {name: [] for name in steps}
    order = list(steps.items())
    for round_ in range(repeats):
        # Alternate who goes first: running second in a round is not the same (caches,
        # allocator state), and a fixed order would bias the ratio.
        for name, step in (order if round_ % 2 == 0 else order[::-1]):
            start = time.perf_counter()
            result = step()
            getattr(result, "numpy", lambda: None)()  # wait for the device
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def run(repeats: int = 5, warmup: int = 2, networks: tuple[str, ...] = tuple(NETWORKS)
        ) -> dict[str, Any]:
    import numpy as np

    import archc

    result: dict[str, Any] = {"batch": BATCH, "repeats": repeats}
    rng = np.random.default_rng(0)
    for name in networks:
        spec, variant, reference, size = NETWORKS[name]
        ours = archc.build(str(ROOT / spec), variant=variant)
        theirs = reference()
        result[f"{name} params archc / reference"] = (f"{ours.count_params():,} / "
                                                      f"{theirs.count_params():,}")
        x = rng.standard_normal((BATCH, size, size, 3), dtype=np.float32)
        y = rng.integers(0, 1000, size=(BATCH,))
        infer_a, train_a = _steps(ours, x, y)
        infer_k, train_k = _steps(theirs, x, y)
        # Inference steps are short and noisy; three times the rounds cost little.
        t = _interleaved({"archc": infer_a, "keras": infer_k}, 3 * repeats, warmup)
        result[f"{name} inference s archc"] = t["archc"]
        result[f"{name} inference s keras"] = t["keras"]
        result[f"{name} inference ratio"] = t["keras"] / t["archc"]
        t = _interleaved({"archc": train_a, "keras": train_k}, repeats, warmup)
        result[f"{name} train step s archc"] = t["archc"]
        result[f"{name} train step s keras"] = t["keras"]
        result[f"{name} train step ratio"] = t["keras"] / t["archc"]
        del ours, theirs
        _keras().backend.clear_session()
    return result


if __name__ == "__main__":
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    names = tuple(sys.argv[2:]) or tuple(NETWORKS)
    print(json.dumps(run(repeats=repeats, networks=names), indent=2))
