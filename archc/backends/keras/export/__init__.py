"""Exporting a built Keras model to ONNX, TFLite or a TensorFlow SavedModel, verified.

An export counts only when the runtime that will run the artefact agrees with Keras: the
file (or directory) is written to a temporary name, loaded by onnxruntime, the TFLite
interpreter or `tf.saved_model.load`, run on a random batch, and compared with the Keras
model's outputs on the same batch; only then is it renamed into place (`Verification` is
what the command reports). A converter's exit status proves nothing about the numbers.

ONNX is written by archc itself (`onnx_graph`, `onnx_layers`): one rule per Keras layer
class the Keras backend makes, so every layer of the zoo is covered and a layer without a
rule is a located error naming it and the format, never a converter traceback. TFLite uses
TensorFlow's converter, SavedModel Keras's `export`.

Importing this package imports neither TensorFlow nor onnx: `missing_dependency` tells the
CLI, before any work, whether the format's converter and runtime can be imported.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

from archc.backends.keras.runtime import DISTRIBUTION

FORMATS = ("onnx", "tflite", "savedmodel")

LABELS = {"onnx": "ONNX", "tflite": "TFLite", "savedmodel": "SavedModel"}

DEFAULT_SUFFIX = {"onnx": ".onnx", "tflite": ".tflite", "savedmodel": "_savedmodel"}
"""`<spec>[-<variant>]` + this is the default output name; a SavedModel is a directory."""

EXPORT_HINT = f"pip install '{DISTRIBUTION}[keras,export]'"

_NEEDS = {
    "onnx": (("onnx", EXPORT_HINT), ("onnxruntime", EXPORT_HINT)),
    "tflite": (("tensorflow", f"pip install '{DISTRIBUTION}[keras]'"),),
    "savedmodel": (("tensorflow", f"pip install '{DISTRIBUTION}[keras]'"),),
}
"""The modules each format needs besides Keras, and how to install them."""

TOLERANCE = 1e-4
"""Outputs must agree within this fraction of the largest Keras output (in magnitude)."""


class ExportUnavailable(ImportError):
    """A converter or runtime the format needs cannot be imported (exit code 3)."""


class ExportLimitation(Exception):
    """The format cannot express a layer: the CLI reports B003 at the layer's spec line."""

    def __init__(self, layer: str, kind: str, fmt: str, reason: str) -> None:
        super().__init__(reason)
        self.layer = layer
        self.kind = kind
        self.format = fmt
        self.reason = reason


class ExportRefused(Exception):
    """The format's converter refused the model (B004); `layer` if its message names one."""

    def __init__(self, fmt: str, message: str, layer: str | None = None) -> None:
        super().__init__(message)
        self.format = fmt
        self.message = message
        self.layer = layer


class VerificationFailed(Exception):
    """The artefact's runtime disagrees with Keras beyond the tolerance (B005; nothing is
    written): a bug in archc's ONNX rules or in the converter, not in the spec."""

    def __init__(self, verification: Verification) -> None:
        super().__init__(verification.describe())
        self.verification = verification


@dataclass(frozen=True)
class Verification:
    """How the artefact's runtime compared with Keras on one random batch."""

    format: str
    runtime: str
    batch: int
    max_difference: float
    largest_output: float

    @property
    def tolerance(self) -> float:
        return TOLERANCE * self.largest_output

    @property
    def passed(self) -> bool:
        return self.max_difference <= self.tolerance

    def describe(self) -> str:
        return (f"{self.runtime} on a random batch of {self.batch}: max |difference| "
                f"{self.max_difference:.3g} (largest output {self.largest_output:.3g}, "
                f"tolerance {self.tolerance:.3g})")


def missing_dependency(fmt: str) -> str | None:
    """Why `fmt` cannot be exported here (with the install line), or None if it can.

    Only looks the modules up (`find_spec`): nothing heavy is imported, so the CLI can say
    so before compiling the spec or loading TensorFlow.
    """
    for module, hint in _NEEDS[fmt]:
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            return (f"exporting to {LABELS[fmt]} needs the Python package `{module}`, which "
                    f"cannot be imported; install it with: {hint}")
    return None


__all__ = [
    "DEFAULT_SUFFIX",
    "EXPORT_HINT",
    "FORMATS",
    "LABELS",
    "TOLERANCE",
    "ExportLimitation",
    "ExportRefused",
    "ExportUnavailable",
    "Verification",
    "VerificationFailed",
    "missing_dependency",
]
