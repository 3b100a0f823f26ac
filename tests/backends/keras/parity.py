"""Weight-for-weight parity with keras.applications: pair layers, randomise, copy, compare.

Two Keras models that compute the same network are rarely built from the same list of
layers. keras.applications writes `x + y` and `x * (1/6)` as operations that are not layers,
nests `Sequential`s (ConvNeXt's stem and downsampling blocks), pads with `ZeroPadding2D`
where archc pads inside the convolution, and Keras 3's `model.layers` is ordered by the
longest path to the output, not by creation. So weight-bearing layers are paired by the
graph's structure, counted in weight-bearing layers only:

- every weight-bearing layer gets its *weight depth* from the input: the longest path, over
  all operations (layers or not), counting only weight-bearing layers;
- and its weight depth to the output (the same, walked backwards);
- layers are sorted by (depth from input, -depth to output, class, weight shapes, position
  in the operation list). Nothing in the key depends on the operand order of a merge, on
  weightless layers, or on automatic names.

Nested models are flattened: their weight-bearing layers, in their own canonical order, take
the nested model's place as a chain (keras.applications nests only `Sequential`s). Classes
are compared through `CLASS_ALIASES`, because archc lowers some layers to classes of its
own with Keras's weight layout (a grouped convolution is `GroupedConv2D`, weights as
`Conv2D(groups=g)`).

The comparison (`assert_parity`) follows issue 12: every weight of the reference is first
set from a seeded generator (batch-norm statistics, gammas and biases far from their
initial 0/1, so that no block is close to the identity and no layer scale hides a branch),
the weights are copied in pair order, and the logits (the classifier's input to softmax)
are compared, not probabilities, which a random 1000-way classifier squashes to ~1e-3.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

# archc's Keras classes and the keras.applications classes with the same weights.
CLASS_ALIASES: dict[str, str] = {
    "GroupedConv2D": "Conv2D",
}

# Relative tolerance on logits: max |ours - theirs| <= TOLERANCE * max(1, max |theirs|).
TOLERANCE = 1e-5


def _class_name(layer: Any) -> str:
    name = type(layer).__name__
    return CLASS_ALIASES.get(name, name)


def _shapes(layer: Any) -> tuple[tuple[int, ...], ...]:
    return tuple(tuple(int(d) for d in w.shape) for w in layer.weights)


@dataclass
class _Slot:
    """One weight-bearing layer in a flattened graph, with the keys that order it."""

    layer: Any
    down: int  # weight depth from the input (1 for the first weight-bearing layer)
    up: int  # weight depth to the output
    position: int


def _is_model(op: Any) -> bool:
    import keras

    return isinstance(op, keras.Model)


def _chain(op: Any) -> list[Any]:
    """The weight-bearing layers an operation stands for, in canonical order."""
    import keras

    if isinstance(op, keras.Sequential):
        return [layer for inner in op.layers for layer in _chain(inner)]
    if _is_model(op):
        return canonical_weight_layers(op)
    return [op] if getattr(op, "weights", None) else []


def _parents(op: Any, members: set[int]) -> list[Any]:
    parents = []
    for node in op._inbound_nodes:
        ops = [p.operation for p in node.parent_nodes]
        if ops and all(id(p) in members for p in ops):
            parents.extend(ops)
    return parents


def _topological(ops: list[Any], parents: dict[int, list[Any]],
                 children: dict[int, list[Any]]) -> list[Any]:
    waiting = {id(op): len(parents[id(op)]) for op in ops}
    ready = [op for op in ops if not waiting[id(op)]]
    order: list[Any] = []
    while ready:
        op = ready.pop()
        order.append(op)
        for child in children[id(op)]:
            waiting[id(child)] -= 1
            if not waiting[id(child)]:
                ready.append(child)
    assert len(order) == len(ops), "the model's graph has a cycle"
    return order


def canonical_weight_layers(model: Any) -> list[Any]:
    """Every weight-bearing layer of `model` (nested models flattened) in canonical order."""
    ops = list(model.operations)
    members = {id(op) for op in ops}
    parents = {id(op): _parents(op, members) for op in ops}
    children: dict[int, list[Any]] = {id(op): [] for op in ops}
    for op in ops:
        for parent in parents[id(op)]:
            children[id(parent)].append(op)
    chains = {id(op): _chain(op) for op in ops}

    # Longest paths over a topological order (Kahn's algorithm: the operation list is not
    # relied on to be topological, and recursion would be too deep for 800-layer models).
    order = _topological(ops, parents, children)
    down: dict[int, int] = {}
    for op in order:
        before = max((down[id(p)] for p in parents[id(op)]), default=0)
        down[id(op)] = before + len(chains[id(op)])
    up: dict[int, int] = {}
    for op in reversed(order):
        after = max((up[id(c)] for c in children[id(op)]), default=0)
        up[id(op)] = after + len(chains[id(op)])

    slots: list[_Slot] = []
    for position, op in enumerate(ops):
        chain = chains[id(op)]
        start = down[id(op)] - len(chain)
        end = up[id(op)]
        for offset, layer in enumerate(chain):
            slots.append(_Slot(layer, start + offset + 1, end - offset,
                               position * 10_000 + offset))
    slots.sort(key=lambda s: (s.down, -s.up, _class_name(s.layer), _shapes(s.layer),
                              s.position))
    return [s.layer for s in slots]


def pair_layers(reference: Any, ours: Any) -> list[tuple[Any, Any]]:
    """Pairs (reference layer, our layer), checked: same class (by alias) and weight shapes."""
    theirs = canonical_weight_layers(reference)
    mine = canonical_weight_layers(ours)
    assert len(mine) == len(theirs), (len(theirs), len(mine))
    for a, b in zip(theirs, mine, strict=True):
        assert _class_name(a) == _class_name(b), (a.name, b.name)
        assert _shapes(a) == _shapes(b), (a.name, _shapes(a), b.name, _shapes(b))
    return list(zip(theirs, mine, strict=True))


def _random_weight(name: str, value: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A value far from the initial one, in a range that keeps activations O(1)."""
    if not np.issubdtype(value.dtype, np.floating):
        return value  # Normalization's sample count
    if name in ("gamma", "moving_variance", "variance"):
        return rng.uniform(0.5, 1.5, value.shape).astype(value.dtype)
    if name in ("beta", "bias", "moving_mean", "mean"):
        return rng.normal(0.0, 0.1, value.shape).astype(value.dtype)
    return value  # kernels keep their fan-scaled random initialisation


def randomise(layers: list[Any], seed: int = 0) -> None:
    """Set the non-kernel weights of `layers` from a seeded generator (see module doc)."""
    rng = np.random.default_rng(seed)
    for layer in layers:
        values = [_random_weight(w.name, np.asarray(w.numpy()), rng) for w in layer.weights]
        layer.set_weights(values)


def strip_softmax(model: Any) -> None:
    """Make the model return logits: a final softmax (layer or activation) becomes linear."""
    import keras

    out = model.outputs[0]._keras_history.operation
    if _is_model(out):
        strip_softmax(out)
        return
    activation = getattr(out, "activation", None)
    assert activation is not None and getattr(activation, "__name__", "") == "softmax", (
        f"{out.name}: the model does not end in a softmax")
    out.activation = keras.activations.get("linear")


def calibrate(model: Any, layers: list[Any], x: np.ndarray) -> None:
    """Set every batch norm's moving statistics to its input's statistics on `x`.

    One forward pass in training mode with momentum 0 stores each batch norm's batch mean
    and variance as its moving statistics. Without this, random kernels under statistics
    that do not match their inputs shrink the signal block after block, and the logits end
    up as the classifier's bias whatever the input (seen on MobileNetV3 and EfficientNet:
    the two inputs' logits differed by 1e-7), which would make the comparison empty.
    """
    import keras

    norms = [layer for layer in layers if isinstance(layer, keras.layers.BatchNormalization)]
    momenta = [layer.momentum for layer in norms]
    for layer in norms:
        layer.momentum = 0.0
    model(x, training=True)
    for layer, momentum in zip(norms, momenta, strict=True):
        layer.momentum = momentum


def _inputs(shape: tuple[int, ...], count: int, pixels: bool,
            rng: np.random.Generator) -> np.ndarray:
    values = (rng.uniform(0.0, 255.0, (count, *shape)) if pixels
              else rng.standard_normal((count, *shape)))
    return values.astype("float32")


@dataclass
class Parity:
    """What a parity run measured (absolute values on the logits)."""

    before: float  # max |ours - theirs| before the copy
    after: float  # ... after the copy
    scale: float  # max |reference logit|
    spread: float  # max |reference logits of input 0 - of input 1|


def parity_error(reference: Any, ours: Any, seed: int = 0, pixels: bool = False) -> Parity:
    """Randomise and calibrate the reference, copy it into `ours`, compare logits.

    The inputs are raw pixels in [0, 255) when `pixels` (models that preprocess inside, as
    keras.applications' EfficientNet, ConvNeXt and MobileNetV3 do), else standard normal.
    """
    pairs = pair_layers(reference, ours)
    theirs = [a for a, _ in pairs]
    randomise(theirs, seed)
    shape = tuple(int(d) for d in reference.input.shape[1:])
    rng = np.random.default_rng(seed + 1)
    calibrate(reference, theirs, _inputs(shape, 4, pixels, rng))
    strip_softmax(reference)
    strip_softmax(ours)
    x = _inputs(shape, 2, pixels, rng)
    import keras

    # convert_to_numpy, not np.asarray: a PyTorch output still holds its autograd graph.
    expected = keras.ops.convert_to_numpy(reference(x, training=False))
    before = float(np.abs(keras.ops.convert_to_numpy(ours(x, training=False)) - expected).max())
    for a, b in pairs:
        b.set_weights(a.get_weights())
    after = float(np.abs(keras.ops.convert_to_numpy(ours(x, training=False)) - expected).max())
    return Parity(before, after, float(np.abs(expected).max()),
                  float(np.abs(expected[0] - expected[1]).max()))


def assert_parity(reference: Any, ours: Any, seed: int = 0, pixels: bool = False) -> Parity:
    """Issue 12's criterion: logits equal to TOLERANCE (relative to the largest logit)."""
    result = parity_error(reference, ours, seed, pixels)
    bound = TOLERANCE * max(1.0, result.scale)
    assert np.isfinite(result.scale), result
    # The logits depend on the input: a network that maps everything to its bias would
    # agree trivially.
    assert result.spread > 1000 * bound, result
    assert result.after <= bound, result
    # The independently initialised model computed something else: the copy is what matched.
    assert result.before > 100 * result.after, result
    return result


def free() -> Iterator[None]:
    """Fixture body: release the models of one test before the next is built."""
    yield
    import keras

    keras.backend.clear_session()
    gc.collect()
