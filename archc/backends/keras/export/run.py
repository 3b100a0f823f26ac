"""Writing each format to a temporary path and running it in its own runtime.

`export_model` is the one entry: it converts, writes through the output policy of
`archc/outputs.py` (a temporary beside the target, renamed into place only once the
runtime agreed with Keras), and returns the `Verification`. Keras (and TensorFlow, and for
ONNX `onnx` and `onnxruntime`) are imported here, lazily, by the caller's first use.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import sys
import tempfile
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from archc.backends.keras.builder import deep_call
from archc.backends.keras.export import (
    EXPORT_HINT,
    LABELS,
    ExportLimitation,
    ExportRefused,
    ExportUnavailable,
    Verification,
    VerificationFailed,
)

Progress = Callable[[str], None]

BATCH = 2
"""Rows of the random batch: more than one, so a batch axis fixed to 1 would show."""

_MAX_MESSAGE = 300


def random_batch(model: Any, seed: int = 0) -> list[Any]:
    """One standard-normal float32 array per model input, `BATCH` rows each."""
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((BATCH, *(int(d) for d in t.shape[1:]))).astype(np.float32)
            for t in model.inputs]


def keras_outputs(model: Any, batch: Sequence[Any]) -> list[Any]:
    import keras

    result = deep_call(len(model.layers), lambda: model(
        batch[0] if len(batch) == 1 else list(batch), training=False))
    items = result if isinstance(result, (list, tuple)) else [result]
    return [np.asarray(keras.ops.convert_to_numpy(r), dtype=np.float32) for r in items]


def compare(fmt: str, runtime: str, expected: Sequence[Any],
            actual: Sequence[Any]) -> Verification:
    if len(expected) != len(actual):
        raise ExportRefused(fmt, f"{runtime} returned {len(actual)} outputs; the Keras model "
                                 f"has {len(expected)}")
    difference, largest = 0.0, 0.0
    for want, got in zip(expected, actual, strict=True):
        got = np.asarray(got, dtype=np.float32)
        if got.shape != want.shape:
            raise ExportRefused(fmt, f"{runtime} returned an output of shape {got.shape}; "
                                     f"the Keras model's is {want.shape}")
        difference = max(difference, float(np.max(np.abs(got - want))))
        largest = max(largest, float(np.max(np.abs(want))))
    return Verification(fmt, runtime, BATCH, difference, largest)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Silence converters that print to file descriptors 1 and 2 (TensorFlow's C++ logs,
    the TFLite converter's signature dump); what they said is kept for an error message."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 1)
        os.dup2(sink.fileno(), 2)
        try:
            with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), \
                    contextlib.redirect_stderr(io.StringIO()):
                warnings.simplefilter("ignore")  # Python-level prints and warnings too
                yield
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os.dup2(saved[0], 1)
            os.dup2(saved[1], 2)
            os.close(saved[0])
            os.close(saved[1])


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    text = lines[0] if lines else type(exc).__name__
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 3] + "..."


def _named_layer(model: Any, message: str) -> str | None:
    """The first of the model's layer names that a converter's message mentions."""
    names = sorted((layer.name for layer in model.layers), key=len, reverse=True)
    for name in names:
        if re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", message):
            return str(name)
    return None


# -- ONNX ----------------------------------------------------------------------------------------


def to_onnx(model: Any) -> Any:
    """The ONNX model for a built functional Keras model (raises ExportLimitation)."""
    try:
        from archc.backends.keras.export.onnx_graph import KERAS, OnnxGraph, Value
        from archc.backends.keras.export.onnx_layers import RULES
    except ImportError as exc:
        raise ExportUnavailable(f"exporting to ONNX needs the Python package `onnx`, which "
                                f"cannot be imported ({exc}); install it with: "
                                f"{EXPORT_HINT}") from exc
    g = OnnxGraph()
    values: dict[int, Value] = {}
    inputs = []
    for tensor in model.inputs:
        name = g.fresh(tensor.name)
        values[id(tensor)] = Value(name, KERAS, len(tensor.shape))
        inputs.append((name, tensor.shape[1:]))
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "InputLayer":
            continue
        rule = RULES.get(kind)
        if rule is None:
            raise ExportLimitation(layer.name, kind, "onnx",
                                   f"archc has no ONNX rule for the Keras layer class {kind}")
        node = layer._inbound_nodes[0]
        xs = [values[id(t)] for t in node.input_tensors]
        try:
            out = rule(g, layer, xs, layer.name)
        except KeyError as exc:  # an activation or mode the rules do not map
            raise ExportLimitation(layer.name, kind, "onnx",
                                   f"ONNX export has no mapping for {exc.args[0]}") from None
        (tensor,) = node.output_tensors
        values[id(tensor)] = out
    outputs = []
    for tensor in model.outputs:
        value = g.keras(values[id(tensor)])
        name = g.op("Identity", [value.name], f"output_{tensor.name}")
        outputs.append((name, tensor.shape[1:]))
    return g.model(model.name, inputs, outputs)


def _run_onnx(path: Path, batch: Sequence[Any]) -> tuple[str, list[Any]]:
    try:
        import onnxruntime
    except ImportError as exc:
        raise ExportUnavailable(f"checking an ONNX file needs onnxruntime, which cannot be "
                                f"imported ({exc}); install it with: {EXPORT_HINT}") from exc
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    session = onnxruntime.InferenceSession(str(path), options,
                                           providers=["CPUExecutionProvider"])
    feed = {i.name: x for i, x in zip(session.get_inputs(), batch, strict=True)}
    return f"onnxruntime {onnxruntime.__version__}", list(session.run(None, feed))


def _write_onnx(model: Any, path: Path) -> None:
    import onnx

    proto = to_onnx(model)
    onnx.checker.check_model(proto, full_check=False)
    path.write_bytes(proto.SerializeToString())


# -- TFLite --------------------------------------------------------------------------------------


def _write_tflite(model: Any, path: Path) -> None:
    import tensorflow as tf

    try:
        with _quiet():
            data = deep_call(len(model.layers),
                             tf.lite.TFLiteConverter.from_keras_model(model).convert)
    except Exception as exc:  # the converter's errors have no common base class
        message = _first_line(exc)
        raise ExportRefused("tflite", message, _named_layer(model, str(exc))) from None
    path.write_bytes(data)


def _run_tflite(path: Path, batch: Sequence[Any]) -> tuple[str, list[Any]]:
    import tensorflow as tf

    # Quiet: tf.lite.Interpreter warns of its move to the ai_edge_litert package, and the
    # first run announces its CPU delegate.
    with _quiet():
        interpreter = tf.lite.Interpreter(model_path=str(path))
        runner = interpreter.get_signature_runner()
        inputs = runner.get_input_details()
        names = sorted(inputs, key=lambda n: inputs[n]["index"])
        # Converted with batch 1 and a free batch axis: the runner resizes to the batch.
        result = runner(**dict(zip(names, batch, strict=True)))
    order = sorted(result, key=_output_position)
    return f"TFLite interpreter (TensorFlow {tf.__version__})", [result[n] for n in order]


def _output_position(name: str) -> tuple[int, str]:
    """Keras names a signature's outputs output_0, output_1, ... in the model's order."""
    match = re.fullmatch(r"output_(\d+)", name)
    return (int(match.group(1)), name) if match else (sys.maxsize, name)


# -- SavedModel ----------------------------------------------------------------------------------


def _write_savedmodel(model: Any, path: Path) -> None:
    try:
        with _quiet():
            deep_call(len(model.layers), lambda: model.export(
                str(path), format="tf_saved_model", verbose=False))
    except Exception as exc:
        raise ExportRefused("savedmodel", _first_line(exc),
                            _named_layer(model, str(exc))) from None


def _run_savedmodel(path: Path, batch: Sequence[Any]) -> tuple[str, list[Any]]:
    import tensorflow as tf

    with _quiet():
        loaded = tf.saved_model.load(str(path))
    result = loaded.serve(*batch)
    items = result if isinstance(result, (list, tuple)) else [result]
    return f"tf.saved_model.load (TensorFlow {tf.__version__})", [np.asarray(r) for r in items]


_WRITERS = {"onnx": _write_onnx, "tflite": _write_tflite, "savedmodel": _write_savedmodel}
_RUNNERS = {"onnx": _run_onnx, "tflite": _run_tflite, "savedmodel": _run_savedmodel}


Reference = tuple[list[Any], list[Any]]
"""(the random batch, the Keras model's outputs on it)."""


def reference(model: Any) -> Reference:
    """The batch every runtime gets and what Keras returns for it (computed once per model
    when several formats are checked)."""
    batch = random_batch(model)
    return batch, keras_outputs(model, batch)


def convert_and_verify(model: Any, fmt: str, path: Path, progress: Progress | None = None,
                       known: Reference | None = None) -> Verification:
    """Write `fmt` to `path` (a fresh temporary), run it in its runtime, compare with Keras.

    Raises `VerificationFailed` if they disagree; the caller then discards `path`.
    """
    say = progress or (lambda _message: None)
    say(f"converting to {LABELS[fmt]}...")
    _WRITERS[fmt](model, path)
    say(f"running the {LABELS[fmt]} model in its runtime and in Keras...")
    batch, expected = known or reference(model)
    runtime, actual = _RUNNERS[fmt](path, batch)
    verification = compare(fmt, runtime, expected, actual)
    if not verification.passed:
        raise VerificationFailed(verification)
    return verification


def export_model(model: Any, fmt: str, target: str | os.PathLike[str], inputs: Sequence[str] = (),
                 progress: Progress | None = None) -> Verification:
    """Export `model` to `target` under the output policy: verified, then renamed into place.

    A SavedModel is a directory (`outputs.atomic_directory`), the others one file each.
    """
    from archc.outputs import atomic_directory, atomic_output

    if fmt == "savedmodel":
        with atomic_directory(target, inputs) as tmp_dir:
            return convert_and_verify(model, fmt, tmp_dir, progress)
    with atomic_output(target) as tmp:
        return convert_and_verify(model, fmt, tmp, progress)
