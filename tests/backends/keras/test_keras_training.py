"""Models built from specs train: LeNet-5 (every custom layer on its path) fits a small
synthetic task, and a model takes a training step under `tf.distribute.MirroredStrategy`
over two logical CPU devices (the route to multi-GPU and multi-worker training)."""

from __future__ import annotations

import numpy as np
import pytest

pytestmark = pytest.mark.tf

keras = pytest.importorskip("keras")

from keras_helpers import run_python, spec_path  # noqa: E402

import archc  # noqa: E402


def _templates_task(samples: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Ten fixed random 32x32 patterns; each sample is one of them plus noise."""
    rng = np.random.default_rng(seed)
    templates = rng.standard_normal((10, 32, 32, 1)).astype("float32")
    labels = rng.integers(0, 10, samples)
    noise = 0.5 * rng.standard_normal((samples, 32, 32, 1)).astype("float32")
    return templates[labels] + noise, labels


def test_lenet5_fits_a_small_synthetic_task() -> None:
    keras.utils.set_random_seed(0)
    model = archc.build(spec_path("lenet5"))
    x, y = _templates_task(512, seed=0)
    model.compile(optimizer=keras.optimizers.Adam(1e-3),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    before = [keras.ops.convert_to_numpy(w) for w in model.trainable_weights]
    history = model.fit(x, y, batch_size=32, epochs=6, verbose=0)
    losses = history.history["loss"]
    # Chance level is ln(10) ~ 2.30; the loss must fall well below where it started.
    assert losses[-1] < 0.5 * losses[0]
    assert history.history["accuracy"][-1] > 0.8
    # Every trainable weight moved: gradients reach the subsampling coefficients and biases
    # and the connection table's weights, not only the stock layers.
    after = [keras.ops.convert_to_numpy(w) for w in model.trainable_weights]
    unchanged = [w.path for w, a, b in zip(model.trainable_weights, before, after, strict=True)
                 if np.array_equal(a, b)]
    assert unchanged == []
    keras.backend.clear_session()


MIRRORED = """
import numpy as np
import tensorflow as tf
cpu = tf.config.list_physical_devices("CPU")[0]
tf.config.set_logical_device_configuration(
    cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()])
import archc, keras
strategy = tf.distribute.MirroredStrategy(["/cpu:0", "/cpu:1"])
with strategy.scope():
    model = archc.build("specs/lenet5.yaml")
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
rng = np.random.default_rng(0)
x = rng.standard_normal((8, 32, 32, 1)).astype("float32")
y = rng.integers(0, 10, 8)
history = model.fit(x, y, batch_size=8, epochs=1, steps_per_epoch=1, verbose=0)
print(strategy.num_replicas_in_sync, np.isfinite(history.history["loss"][0]))
"""


@pytest.mark.skipif(keras.config.backend() != "tensorflow",
                    reason="tf.distribute is TensorFlow's; JAX and PyTorch distribute otherwise")
def test_training_step_under_mirrored_strategy_on_two_cpus() -> None:
    # Logical devices must be configured before TensorFlow initialises them, so this runs
    # in its own process and leaves the test process's devices alone.
    result = run_python(MIRRORED)
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.split() == ["2", "True"]


@pytest.mark.slow
def test_preact_resnet1001_builds_without_recursion_error() -> None:
    summary = archc.load(spec_path("preact_resnet1001"))
    # 3 stages x 111 units x 3 convs + the first conv = 1,000 convs, + 1 dense = 1,001.
    convs = [n for n in summary.graph if n.op.value == "conv2d"
             and not n.name.endswith("shortcut/conv")]
    assert len(convs) == 1 + 3 * 111 * 3
    from archc.backends.keras import build_model

    model = build_model(summary.analysis)
    assert len(model.layers) > 3000
    assert model.count_params() == summary.total_params
    assert tuple(model.output.shape[1:]) == (10,)
    keras.backend.clear_session()


@pytest.mark.slow
def test_a_plain_chain_of_a_thousand_layers_builds_saves_and_loads(tmp_path: object) -> None:
    """Keras maps functional graphs recursively; a 1,000-layer chain exceeds Python's
    default recursion limit unless the backend makes room (`deep_call`)."""
    import sys
    from pathlib import Path

    from archc.backends.keras import load_model, save_model

    layers = "\n".join("  - conv2d: {filters: 2, kernel_size: 3, padding: same}"
                       for _ in range(1000))
    spec = f"archc: 1\nname: chain\ninput: [8, 8, 2]\nlayers:\n{layers}\n"
    limit = sys.getrecursionlimit()
    model = archc.build(spec)
    assert sys.getrecursionlimit() == limit  # restored
    # Each conv: 3 * 3 * 2 * 2 weights + 2 biases = 38 params.
    assert model.count_params() == 1000 * 38
    target = Path(str(tmp_path)) / "chain.keras"
    save_model(model, str(target))
    loaded = load_model(str(target))
    assert loaded.count_params() == 1000 * 38
    keras.backend.clear_session()
