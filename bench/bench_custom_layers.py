"""Cost of archc's custom Keras layers against the stock op they stand in for.

Three comparisons, each the median wall time of many repeats after a warm-up, same batch:

- LeNet-like training step with the connection-table C3 (`ConnectionTableConv2D`) against
  the same model with a plain ``Conv2D(16, 5)`` (issue 3's target: at most 1.5x). A third
  model uses the gather + depthwise-conv + fixed-sum formulation, to show why the layer
  scatters its weights into a dense kernel instead.
- `LocalResponseNormalization` against ``tf.nn.local_response_normalization``.
- `Subsampling2D` against ``AveragePooling2D`` (which has no coefficient or bias), alone
  and as S2/S4 in the LeNet-like training step.
- `GroupedConv2D` against ``Conv2D(groups=2)`` with the same weights, at AlexNet conv2,
  and in its depthwise form against ``Conv2D(groups=96)`` at ConvNeXt-T's first 7x7.

The layer comparisons time forward + gradient inside one ``tf.function``, which is what a
training step pays. Run ``python bench/bench_custom_layers.py``; `run()` returns the dict.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from collections.abc import Callable
from functools import partial
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

BATCH = 128
C3_TABLE = [
    [0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [0, 4, 5], [0, 1, 5],
    [0, 1, 2, 3], [1, 2, 3, 4], [2, 3, 4, 5], [0, 3, 4, 5], [0, 1, 4, 5], [0, 1, 2, 5],
    [0, 1, 3, 4], [1, 2, 4, 5], [0, 2, 3, 5],
    [0, 1, 2, 3, 4, 5],
]


def _interleaved_medians(steps: dict[str, Callable[[], Any]], repeats: int,
                         warmup: int = 5) -> dict[str, float]:
    """Median seconds per call of each step, timed in interleaved rounds.

    On a shared machine the load drifts over a run; timing the candidates one round at a
    time exposes them to the same drift, so their ratio is far steadier than when each is
    timed in its own block.
    """
    for step in steps.values():
        for _ in range(warmup):
            step()
    times: dict[str, list[float]] = {name: [] for name in steps}
    for _ in range(repeats):
        for name, step in steps.items():
            start = time.perf_counter()
            step()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def _gather_depthwise_c3() -> Any:
    """The alternative formulation, kept here only to be measured against."""
    import keras
    import numpy as np
    from keras import ops

    class GatherDepthwiseC3(keras.layers.Layer):  # type: ignore[misc]
        def build(self, input_shape: Any) -> None:
            links = [c for row in C3_TABLE for c in row]
            self.index = np.asarray(links, dtype="int32")
            total = np.zeros((len(links), len(C3_TABLE)), dtype="float32")
            link = 0
            for j, row in enumerate(C3_TABLE):
                for _ in row:
                    total[link, j] = 1.0
                    link += 1
            self.total = total
            self.kernel = self.add_weight(shape=(5, 5, len(links), 1),
                                          initializer="glorot_uniform")
            self.bias = self.add_weight(shape=(len(C3_TABLE),), initializer="zeros")

        def call(self, x: Any) -> Any:
            gathered = ops.take(x, self.index, axis=-1)
            per_link = ops.depthwise_conv(gathered, self.kernel, padding="valid")
            return ops.matmul(per_link, ops.convert_to_tensor(self.total)) + self.bias

    return GatherDepthwiseC3()


def _lenet(c3: Any, subsampling: bool = False) -> Any:
    """LeNet-5's shape; S2/S4 are AveragePooling2D unless `subsampling` (archc's layer)."""
    import keras

    from archc.backends.keras.layers import Subsampling2D, lecun_tanh

    def pool() -> Any:
        return Subsampling2D(2, 2) if subsampling else keras.layers.AveragePooling2D(2)

    inputs = keras.Input((32, 32, 1))
    x = keras.layers.Conv2D(6, 5, activation=lecun_tanh)(inputs)
    x = pool()(x)
    x = keras.layers.Activation(lecun_tanh)(c3(x))
    x = pool()(x)
    x = keras.layers.Conv2D(120, 5, activation=lecun_tanh)(x)
    x = keras.layers.Flatten()(x)
    x = keras.layers.Dense(84, activation=lecun_tanh)(x)
    outputs = keras.layers.Dense(10, activation="softmax")(x)
    model = keras.Model(inputs, outputs)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    return model


def bench_c3(repeats: int = 60) -> dict[str, float]:
    """Training-step seconds for C3 as a table conv, as a plain conv, as gather+depthwise."""
    import keras
    import numpy as np

    from archc.backends.keras.layers import ConnectionTableConv2D

    rng = np.random.default_rng(0)
    x = rng.standard_normal((BATCH, 32, 32, 1)).astype("float32")
    y = rng.integers(0, 10, BATCH)
    models = {
        "plain_conv2d": _lenet(keras.layers.Conv2D(16, 5)),
        "connection_table": _lenet(ConnectionTableConv2D(16, 5, C3_TABLE)),
        "gather_depthwise": _lenet(_gather_depthwise_c3()),
        "subsampling": _lenet(keras.layers.Conv2D(16, 5), subsampling=True),
    }
    medians = _interleaved_medians(
        {name: partial(model.train_on_batch, x, y) for name, model in models.items()}, repeats)
    result = {f"lenet_step_s_{name}": seconds for name, seconds in medians.items()}
    plain = result["lenet_step_s_plain_conv2d"]
    result["c3_ratio_table_vs_plain"] = result["lenet_step_s_connection_table"] / plain
    result["c3_ratio_gather_depthwise_vs_plain"] = result["lenet_step_s_gather_depthwise"] / plain
    result["s2s4_ratio_subsampling_vs_avgpool"] = result["lenet_step_s_subsampling"] / plain
    return result


def _grad_step(fn: Callable[[Any], Any], variables: list[Any]) -> Any:
    """A compiled forward + gradient (w.r.t. the input and `variables`) of sum(fn(x))."""
    import tensorflow as tf

    def step(x: Any) -> Any:
        with tf.GradientTape() as tape:
            tape.watch(x)
            loss = tf.reduce_sum(fn(x))
        return tape.gradient(loss, [x, *variables])

    return tf.function(step)


def bench_layers(repeats: int = 60) -> dict[str, float]:
    """Forward + gradient seconds of LRN, Subsampling2D, GroupedConv2D and their peers."""
    import keras
    import numpy as np
    import tensorflow as tf

    from archc.backends.keras.layers import (
        GroupedConv2D,
        LocalResponseNormalization,
        Subsampling2D,
    )

    rng = np.random.default_rng(0)
    result: dict[str, float] = {}

    # AlexNet's first LRN sees 55x55x96 maps; a batch of 16 keeps the run short.
    lrn_x = tf.constant(rng.standard_normal((16, 55, 55, 96)).astype("float32"))
    lrn = LocalResponseNormalization(k=2.0, n=5, alpha=1e-4, beta=0.75)
    ours = _grad_step(lrn, [])
    theirs = _grad_step(lambda t: tf.nn.local_response_normalization(
        t, depth_radius=2, bias=2.0, alpha=1e-4, beta=0.75), [])
    medians = _interleaved_medians(
        {"archc": lambda: ours(lrn_x), "tf": lambda: theirs(lrn_x)}, repeats)
    result["lrn_s_archc"], result["lrn_s_tf"] = medians["archc"], medians["tf"]
    result["lrn_ratio"] = result["lrn_s_archc"] / result["lrn_s_tf"]

    # LeNet's S2 sees 28x28x6 maps, at the C3 benchmark's batch.
    sub_x = tf.constant(rng.standard_normal((BATCH, 28, 28, 6)).astype("float32"))
    sub = Subsampling2D(2, 2, activation="tanh")
    sub.build(sub_x.shape)
    pool = keras.layers.AveragePooling2D(2)
    # The nearest built-in equivalent of the same *trainable* function: average pooling,
    # then a per-channel scale and bias (a 1x1 depthwise convolution), then the activation.
    affine = keras.layers.DepthwiseConv2D(1, use_bias=True)
    affine.build((None, 14, 14, 6))
    sub_step = _grad_step(sub, list(sub.trainable_variables))
    pool_step = _grad_step(lambda t: tf.tanh(pool(t)), [])
    builtin_step = _grad_step(lambda t: tf.tanh(affine(pool(t))),
                              list(affine.trainable_variables))
    medians = _interleaved_medians(
        {"archc": lambda: sub_step(sub_x), "avgpool": lambda: pool_step(sub_x),
         "builtin": lambda: builtin_step(sub_x)}, repeats)
    result["subsampling_s_archc"] = medians["archc"]
    result["subsampling_s_avgpool"] = medians["avgpool"]
    result["subsampling_s_avgpool_affine"] = medians["builtin"]
    # Against plain (untrainable) pooling: the extra cost of the two trainable parameters.
    result["subsampling_ratio"] = result["subsampling_s_archc"] / result["subsampling_s_avgpool"]
    result["subsampling_ratio_vs_builtin_equivalent"] = (
        result["subsampling_s_archc"] / result["subsampling_s_avgpool_affine"])

    # AlexNet's two-tower conv2 (27x27x96 -> 256 maps, 5x5, 2 groups), same weights.
    group_x = tf.constant(rng.standard_normal((4, 27, 27, 96)).astype("float32"))
    ours_conv = GroupedConv2D(256, 5, 2, padding="same")
    stock_conv = keras.layers.Conv2D(256, 5, groups=2, padding="same")
    ours_conv.build(group_x.shape)
    stock_conv.build(group_x.shape)
    ours_conv.set_weights(stock_conv.get_weights())
    ours_step = _grad_step(ours_conv, list(ours_conv.trainable_variables))
    stock_step = _grad_step(stock_conv, list(stock_conv.trainable_variables))
    medians = _interleaved_medians(
        {"archc": lambda: ours_step(group_x), "keras": lambda: stock_step(group_x)},
        max(3, repeats // 6), warmup=2)
    result["grouped_s_archc"], result["grouped_s_keras"] = medians["archc"], medians["keras"]
    result["grouped_ratio"] = result["grouped_s_archc"] / result["grouped_s_keras"]

    # ConvNeXt-T's first depthwise-form conv (56x56x96, 7x7, groups 96), same weights:
    # archc computes it as one depthwise convolution on the reshaped kernel.
    dw_x = tf.constant(rng.standard_normal((4, 56, 56, 96)).astype("float32"))
    ours_dw = GroupedConv2D(96, 7, 96, padding="same")
    stock_dw = keras.layers.Conv2D(96, 7, groups=96, padding="same")
    ours_dw.build(dw_x.shape)
    stock_dw.build(dw_x.shape)
    ours_dw.set_weights(stock_dw.get_weights())
    ours_dw_step = _grad_step(ours_dw, list(ours_dw.trainable_variables))
    stock_dw_step = _grad_step(stock_dw, list(stock_dw.trainable_variables))
    medians = _interleaved_medians(
        {"archc": lambda: ours_dw_step(dw_x), "keras": lambda: stock_dw_step(dw_x)},
        max(3, repeats // 6), warmup=2)
    result["depthwise_form_s_archc"] = medians["archc"]
    result["depthwise_form_s_keras"] = medians["keras"]
    result["depthwise_form_ratio"] = medians["archc"] / medians["keras"]
    return result


def run() -> dict[str, float]:
    """All measurements, seconds per step (median) and ratios archc / stock."""
    return {**bench_c3(), **bench_layers()}


if __name__ == "__main__":
    print(json.dumps(run(), indent=2, sort_keys=True))
