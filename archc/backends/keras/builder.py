"""Building a functional Keras model from an analysed IR graph, and checking it.

The graph's nodes are already in topological order, so the model is built in one loop over
them (no recursion: a thousand-layer ResNet builds like a ten-layer one). After each node the
Keras side is compared with archc's analysis: output shape and parameters (trainable and
non-trainable). The analysis is what `archc summary` prints, so any disagreement is a bug in
archc and is reported as one (`BuildMismatch`, exit code 4), naming the node.

Errors Keras raises while making a layer (an argument it refuses) are the user's to fix and
become located diagnostics against the spec line of the node (`B001`); things this backend
cannot express are `B002`.
"""

from __future__ import annotations

import math
import sys
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from archc.backends.keras.names import NameAllocator, keras_name
from archc.backends.keras.runtime import backend_label, expected_backend, import_keras
from archc.diagnostics import Diagnostic, Problem, SpecError
from archc.ir import Node
from archc.passes.analysis import Analysis, NodeInfo

Progress = Callable[[str], None]

_MAX_MESSAGE = 300


class BuildMismatch(Exception):
    """The built model disagrees with archc's analysis: a bug in archc (exit code 4)."""


def keras_error_diagnostic(node: Node, exc: BaseException) -> Diagnostic:
    """A located `B001` diagnostic for an exception Keras raised while making `node`."""
    text = str(exc).strip().splitlines()
    first = text[0].strip() if text else type(exc).__name__
    if len(first) > _MAX_MESSAGE:
        first = first[: _MAX_MESSAGE - 3] + "..."
    return Diagnostic(
        "B001",
        f"Keras refused to build `{node.name}` ({node.op.value}): {first}",
        node.span,
        "the spec is consistent, but Keras does not support this combination of "
        "arguments; change the layer's arguments",
    )


def _size(weights: Sequence[Any]) -> int:
    return sum(math.prod(int(d) for d in w.shape) for w in weights)


def _check_node(node: Node, layers: Sequence[Any], output: Any, info: NodeInfo) -> None:
    shape = tuple(int(d) if d is not None else -1 for d in output.shape[1:])
    if shape != tuple(info.shape):
        raise BuildMismatch(
            f"the Keras output of `{node.name}` ({node.op.value}) has shape {shape}, but "
            f"archc's analysis says {tuple(info.shape)}"
        )
    trainable = sum(_size(layer.trainable_weights) for layer in layers)
    frozen = sum(_size(layer.non_trainable_weights) for layer in layers)
    if (trainable, frozen) != (info.cost.trainable, info.cost.non_trainable):
        raise BuildMismatch(
            f"the Keras layers of `{node.name}` ({node.op.value}) have {trainable} trainable "
            f"and {frozen} non-trainable parameters, but archc's analysis says "
            f"{info.cost.trainable} and {info.cost.non_trainable}"
        )


def _check_totals(model: Any, analysis: Analysis) -> None:
    total = analysis.total
    trainable = _size(model.trainable_weights)
    frozen = _size(model.non_trainable_weights)
    params = int(model.count_params())
    if (params, trainable, frozen) != (total.params, total.trainable, total.non_trainable):
        raise BuildMismatch(
            f"the Keras model has {params} parameters ({trainable} trainable, {frozen} "
            f"non-trainable), but archc's analysis says {total.params} ({total.trainable}, "
            f"{total.non_trainable})"
        )


def build_model(analysis: Analysis, progress: Progress | None = None) -> Any:
    """The `keras.Model` for an analysed spec, checked node by node against the analysis."""
    return build_traced(analysis, progress)[0]


def build_traced(analysis: Analysis,
                 progress: Progress | None = None) -> tuple[Any, dict[str, Node]]:
    """`build_model`, and the IR node each Keras layer was made for (by layer name).

    `archc export` locates what a format cannot express at the spec line of the layer.
    """
    origins: dict[str, Node] = {}
    say = progress or (lambda _message: None)
    say(f"loading Keras ({backend_label(expected_backend())} backend)...")
    keras = import_keras()
    from archc.backends.keras.op_rules import LIMITATION, LOWERINGS, Emitter

    graph = analysis.graph
    say(f"building the Keras model ({len(graph)} nodes, "
        f"{backend_label(keras.config.backend())} backend)...")
    names = NameAllocator()
    # Node names first, helper layers after, so a node keeps its own name whatever helpers
    # other nodes need.
    node_names = {node.name: names.take(node.name) for node in graph}
    tensors: dict[str, Any] = {}
    for node in graph:
        emitter = Emitter(node, node_names[node.name], names)
        try:
            output = LOWERINGS[node.op](emitter, node.attrs,
                                        [tensors[src] for src in node.inputs])
        except Problem as exc:
            message = exc.message
            if exc.code == LIMITATION:
                message = (f"the Keras backend cannot build `{node.name}` ({node.op.value}): "
                           + message)
            raise SpecError([Diagnostic(exc.code, message, node.span, exc.help)]) from None
        except (ValueError, TypeError, NotImplementedError) as exc:
            raise SpecError([keras_error_diagnostic(node, exc)]) from None
        _check_node(node, emitter.layers, output, analysis.info(node.name))
        origins.update((layer.name, node) for layer in emitter.layers)
        tensors[node.name] = output
    inputs = [tensors[name] for name in graph.inputs]
    outputs = [tensors[name] for name in graph.outputs]
    model = deep_call(len(graph), lambda: keras.Model(
        inputs=inputs[0] if len(inputs) == 1 else inputs,
        outputs=outputs[0] if len(outputs) == 1 else outputs,
        name=keras_name(graph.name),
    ))
    _check_totals(model, analysis)
    return model, origins


def save_model(model: Any, target: str, progress: Progress | None = None) -> None:
    """Write `model` to `target` (a `.keras` path) atomically: all or nothing."""
    from archc.outputs import atomic_output

    if progress:
        progress("saving...")
    with atomic_output(target, suffix=".keras") as tmp:
        deep_call(len(model.layers), lambda: model.save(str(tmp), overwrite=True))


_T = TypeVar("_T")

_FRAMES_PER_LAYER = 8
_STACK_BYTES = 512 * 1024 * 1024


def deep_call(layers: int, fn: Callable[[], _T]) -> _T:
    """Run `fn` with room for Keras's recursive graph walks over `layers` layers.

    Keras maps a functional graph recursively, a few Python frames per layer along the
    longest path, so a plain chain of ~300 layers already passes Python's default limit of
    1,000 frames. Raising the limit alone could overflow the C stack instead, so `fn` runs
    in a worker thread with a large stack and a limit sized to the graph; the caller's
    limit is restored afterwards. Small graphs run directly.
    """
    needed = _FRAMES_PER_LAYER * layers + 2_000
    if needed <= sys.getrecursionlimit():
        return fn()
    result: list[_T] = []
    error: list[BaseException] = []

    def work() -> None:
        try:
            result.append(fn())
        except BaseException as exc:  # re-raised in the caller's thread below
            error.append(exc)

    old_limit, old_stack = sys.getrecursionlimit(), threading.stack_size()
    sys.setrecursionlimit(needed)
    try:
        threading.stack_size(_STACK_BYTES)
        worker = threading.Thread(target=work, name="archc-deep-keras")
        worker.start()
        worker.join()
    finally:
        threading.stack_size(old_stack)
        sys.setrecursionlimit(old_limit)
    if error:
        raise error[0]
    return result[0]
