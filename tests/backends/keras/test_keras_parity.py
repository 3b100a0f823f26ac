"""archc's zoo networks are keras.applications' networks, weight for weight.

For each pair: the reference's weights are randomised (seeded), copied into the archc model
layer by layer in the structural order of `parity.canonical_weight_layers` (checked: same
class, same weight shapes), and both models' logits must agree to `parity.TOLERANCE`
relative to the largest logit; before the copy they must differ. See parity.py for why the
pairing walks the graph instead of zipping `model.layers`.

One model pair per test, released after it (the machine is small): `slow` and `tf`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytestmark = [pytest.mark.tf, pytest.mark.slow]

keras = pytest.importorskip("keras")

import parity  # noqa: E402
from keras_helpers import spec_path  # noqa: E402

import archc  # noqa: E402

# (spec, variant, keras.applications constructor, its keyword arguments, raw-pixel inputs:
# VGG16 has no normalisation layer, so standard-normal inputs fade to the bias by the top)
CASES: list[tuple[str, str | None, str, dict[str, Any], bool]] = [
    ("vgg16", None, "VGG16", {}, True),
    ("resnet", "resnet50", "ResNet50", {}, False),
    ("resnet", "resnet101", "ResNet101", {}, False),
    ("resnet", "resnet152", "ResNet152", {}, False),
    ("xception", None, "Xception", {}, False),
    ("inception_resnet_v2", None, "InceptionResNetV2", {}, False),
    # Issue 12's modern families: the cheap variant of each runs under every Keras backend
    # (`make test-backends`); the rest of each family, below, under TensorFlow.
    ("convnext", "tiny", "ConvNeXtTiny", {}, True),
    ("efficientnet", "b0", "EfficientNetB0", {}, True),
    ("mobilenetv3", "small", "MobileNetV3Small", {"input_shape": (224, 224, 3)}, True),
    ("mobilenetv3", "large_minimalistic", "MobileNetV3Large",
     {"input_shape": (224, 224, 3), "minimalistic": True}, True),
]

# Every other keras.applications model of the modern families, weight for weight. They add
# about 2.5 minutes under TensorFlow; the other backends' runs keep to the cheap variants.
TF_ONLY_CASES: list[tuple[str, str | None, str, dict[str, Any], bool]] = [
    *[("convnext", v, f"ConvNeXt{v.capitalize()}", {}, True)
      for v in ("small", "base", "large")],
    ("convnext", "xlarge", "ConvNeXtXLarge", {}, True),
    *[("efficientnet", f"b{i}", f"EfficientNetB{i}", {}, True) for i in range(1, 8)],
    ("mobilenetv3", "large", "MobileNetV3Large", {"input_shape": (224, 224, 3)}, True),
    ("mobilenetv3", "small_minimalistic", "MobileNetV3Small",
     {"input_shape": (224, 224, 3), "minimalistic": True}, True),
]
_TF_ONLY = pytest.mark.skipif(keras.backend.backend() != "tensorflow",
                              reason="the whole family sweep runs under TensorFlow")
PARAMS = [pytest.param(*c, id=f"{c[2]}-{c[1]}" if c[1] else c[2]) for c in CASES] + [
    pytest.param(*c, id=f"{c[2]}-{c[1]}", marks=_TF_ONLY) for c in TF_ONLY_CASES]


@pytest.fixture(autouse=True)
def _free_models() -> Iterator[None]:
    yield from parity.free()


@pytest.mark.parametrize(("spec", "variant", "reference", "kwargs", "pixels"), PARAMS)
def test_same_network_as_keras_applications(spec: str, variant: str | None, reference: str,
                                            kwargs: dict[str, Any], pixels: bool) -> None:
    ref = getattr(keras.applications, reference)(weights=None, **kwargs)
    ours = archc.build(spec_path(spec), variant=variant)
    assert ours.count_params() == ref.count_params()
    assert tuple(ours.input.shape[1:]) == tuple(ref.input.shape[1:])
    print(reference, parity.assert_parity(ref, ours, pixels=pixels))
