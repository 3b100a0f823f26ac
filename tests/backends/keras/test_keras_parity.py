"""archc's VGG16, ResNet-50/101/152 and Xception are keras.applications' networks, weight for
weight: copy the reference model's weights into the archc model and both predict the same.

Layers are paired in a canonical order that does not depend on the operand order of an
`add` (archc hoists a residual's shortcut first; Keras's Xception adds it second): weight-
bearing layers sorted by their depth from the input, then layer class, then weight shapes.
The pairing is checked (same class, same weight shapes) before any weight is copied.
"""

from __future__ import annotations

import gc
from typing import Any

import numpy as np
import pytest

pytestmark = pytest.mark.tf

keras = pytest.importorskip("keras")

from keras_helpers import spec_path  # noqa: E402

import archc  # noqa: E402

TOLERANCE = 1e-4

CASES = [
    ("vgg16", None, "VGG16"),
    ("resnet", "resnet50", "ResNet50"),
    ("resnet", "resnet101", "ResNet101"),
    ("resnet", "resnet152", "ResNet152"),
    ("xception", None, "Xception"),
]


def canonical_weight_layers(model: Any) -> list[Any]:
    depth: dict[int, int] = {}
    for layer in model.layers:  # topological order
        parents = [parent.operation for node in layer._inbound_nodes
                   for parent in node.parent_nodes]
        depth[id(layer)] = 1 + max((depth[id(p)] for p in parents), default=-1)
    keyed = [
        ((depth[id(layer)], type(layer).__name__,
          tuple(tuple(w.shape) for w in layer.weights), index), layer)
        for index, layer in enumerate(model.layers) if layer.weights
    ]
    keyed.sort(key=lambda item: item[0])
    return [layer for _, layer in keyed]


@pytest.mark.parametrize(("spec", "variant", "reference"), CASES,
                         ids=[c[2] for c in CASES])
def test_same_network_as_keras_applications(spec: str, variant: str | None,
                                            reference: str) -> None:
    ref = getattr(keras.applications, reference)(weights=None)
    ours = archc.build(spec_path(spec), variant=variant)
    assert ours.count_params() == ref.count_params()
    assert tuple(ours.input.shape[1:]) == tuple(ref.input.shape[1:])

    theirs_layers = canonical_weight_layers(ref)
    our_layers = canonical_weight_layers(ours)
    assert len(our_layers) == len(theirs_layers)
    for a, b in zip(theirs_layers, our_layers, strict=True):
        assert type(a) is type(b), (a.name, b.name)
        assert [tuple(w.shape) for w in a.weights] == [tuple(w.shape) for w in b.weights], (
            a.name, b.name)

    x = np.random.default_rng(0).standard_normal((1, *ref.input.shape[1:])).astype("float32")
    expected = np.asarray(ref(x, training=False))
    before = np.abs(np.asarray(ours(x, training=False)) - expected).max()
    for a, b in zip(theirs_layers, our_layers, strict=True):
        b.set_weights(a.get_weights())
    after = np.abs(np.asarray(ours(x, training=False)) - expected).max()
    assert after <= TOLERANCE
    # The independently initialised model predicted differently: the copy is what matched.
    assert before > after
    del ref, ours, theirs_layers, our_layers
    keras.backend.clear_session()
    gc.collect()
