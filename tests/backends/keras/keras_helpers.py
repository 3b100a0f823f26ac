"""Helpers shared by the Keras backend tests (imported only by `tf`-marked modules)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]

# Every zoo spec and variant, with its figures from docs/numbers.md:
# (spec, variant, total params, trainable params).
ZOO: list[tuple[str, str | None, int, int]] = [
    ("lenet5", None, 60_850, 60_850),
    ("alexnet", "one_tower", 62_378_344, 62_378_344),
    ("alexnet", "two_gpu", 60_965_224, 60_965_224),
    ("vgg16", None, 138_357_544, 138_357_544),
    ("googlenet", "default", 6_998_552, 6_998_552),
    ("googlenet", "with_aux", 13_378_280, 13_378_280),
    ("resnet", "resnet18", 11_699_112, 11_689_512),
    ("resnet", "resnet34", 21_814_696, 21_797_672),
    ("resnet", "resnet50", 25_636_712, 25_583_592),
    ("resnet", "resnet101", 44_707_176, 44_601_832),
    ("resnet", "resnet152", 60_419_944, 60_268_520),
    ("xception", None, 22_910_480, 22_855_952),
    ("se_resnet50", None, 28_167_704, 28_114_584),
    # issue 12's modern families (numbers.md "Modern families", "U-Net"): one cheap
    # variant each is built here; all variants' figures are in tests/test_zoo_modern.py
    ("convnext", "tiny", 28_589_128, 28_589_128),
    ("efficientnet", "b0", 5_330_571, 5_288_548),
    ("mobilenetv3", "small", 2_554_968, 2_542_856),
    ("mobilenetv3", "large_minimalistic", 3_948_688, 3_924_288),
    ("inception_resnet_v2", None, 55_873_736, 55_813_192),
    ("unet", None, 31_030_658, 31_030_658),
    # issue 20 (numbers.md "Detection: YOLOv8"): Keras total and trainable, raw head; the
    # five scales' figures are in tests/test_zoo_yolov8.py
    ("yolov8", "n", 3_167_776, 3_157_184),
]


def spec_path(name: str) -> str:
    return str(ROOT / "specs" / f"{name}.yaml")


def weight_count(weights: Any) -> int:
    total = 0
    for w in weights:
        size = 1
        for d in w.shape:
            size *= int(d)
        total += size
    return total


def run_python(code: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter with the checkout importable."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=timeout, check=False)


def gradients(layer: Any, x: Any, loss: Any) -> list[Any]:
    """d loss(layer(x)) / d x, then / d each trainable variable, as NumPy arrays.

    Written once per backend, since each differentiates its own way (a tape, a pure
    function, autograd on tensors); `loss` uses `keras.ops` only. The layer must be built.
    """
    import keras
    import numpy as np

    backend = keras.config.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        xt = tf.constant(x)
        with tf.GradientTape() as tape:
            tape.watch(xt)
            value = loss(layer(xt))
        return [np.asarray(g) for g in tape.gradient(value, [xt, *layer.trainable_variables])]
    if backend == "jax":
        import jax

        frozen = [v.value for v in layer.non_trainable_variables]

        def pure(xv: Any, weights: list[Any]) -> Any:
            out, _ = layer.stateless_call(weights, frozen, xv)
            return loss(out)

        grad_x, grad_w = jax.grad(pure, argnums=(0, 1))(
            jax.numpy.asarray(x), [v.value for v in layer.trainable_variables])
        return [np.asarray(grad_x), *(np.asarray(g) for g in grad_w)]
    if backend == "torch":
        import torch

        xt = torch.tensor(np.asarray(x), requires_grad=True)
        for v in layer.trainable_variables:
            v.value.grad = None
        loss(layer(xt)).backward()
        grads = [xt.grad, *(v.value.grad for v in layer.trainable_variables)]
        return [g.detach().cpu().numpy() for g in grads]
    raise NotImplementedError(f"no gradient helper for the {backend} backend")
