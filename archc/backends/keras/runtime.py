"""Importing Keras on demand, quietly, with a clear error when it is missing.

Keras 3 runs on TensorFlow, JAX or PyTorch; it picks one when it is first imported, from
the `KERAS_BACKEND` environment variable, else the `backend` of `~/.keras/keras.json`, else
TensorFlow. `expected_backend` reads the same settings without importing anything, so
archc's messages name the backend before the slow import starts.

A backend takes seconds to import and may print C++ log noise (TensorFlow's oneDNN
notices, "could not find cuda drivers"); only the Keras backend of archc pays that cost,
and only when a model is actually built. Everything else in archc stays usable without
Keras installed.

`TF_CPP_MIN_LOG_LEVEL=2` silences most of TensorFlow's logging, but TensorFlow 2.21 writes
its start-up notices through absl before that setting is read, straight to file descriptor
2. So the import (and the first device query, which prints the CUDA probe) runs with
descriptor 2 pointed at a temporary file; if the import fails, what it wrote is part of the
error message, so nothing useful is lost.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from typing import IO, Any

DISTRIBUTION = "archc-cnn"
"""archc's name on PyPI (the name `archc` there belongs to another project)."""

INSTALL_HINTS = {
    "tensorflow": f"pip install '{DISTRIBUTION}[keras]'",
    "jax": f"pip install '{DISTRIBUTION}[jax]'",
    "torch": f"pip install '{DISTRIBUTION}[torch]'",
}
"""How to install Keras with each backend archc is tested on."""

INSTALL_HINT = INSTALL_HINTS["tensorflow"]

BACKEND_LABELS = {"tensorflow": "TensorFlow", "jax": "JAX", "torch": "PyTorch",
                  "numpy": "NumPy", "openvino": "OpenVINO"}


def expected_backend() -> str:
    """The backend Keras uses, or will use when imported: Keras's own order of settings."""
    keras = sys.modules.get("keras")
    if keras is not None:
        with contextlib.suppress(Exception):
            return str(keras.config.backend())
    chosen = os.environ.get("KERAS_BACKEND")
    if chosen:
        return chosen
    home = os.environ.get("KERAS_HOME")
    if home is None:
        base = os.path.expanduser("~")
        home = os.path.join(base if os.access(base, os.W_OK) else "/tmp", ".keras")
    config = os.path.join(os.path.expanduser(home), "keras.json")
    with contextlib.suppress(OSError, ValueError, AttributeError), open(config) as f:
        return str(json.load(f).get("backend", "tensorflow"))
    return "tensorflow"


def backend_label(name: str) -> str:
    """`jax` -> `JAX`, for messages."""
    return BACKEND_LABELS.get(name, name)


class KerasUnavailable(ImportError):
    """Keras or its backend cannot be imported; the CLI turns this into exit code 3."""


@contextlib.contextmanager
def _captured_stderr_fd() -> Iterator[IO[bytes]]:
    """Point file descriptor 2 at a temporary file for the duration (C-level output too)."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield sink
        finally:
            sys.stderr.flush()
            os.dup2(saved, 2)
            os.close(saved)


def import_keras(quiet: bool = True, purpose: str = "building a Keras model") -> Any:
    """Return the `keras` module, importing its backend without log noise.

    `purpose` starts the message when Keras is missing (`loading a Keras model`, ...).
    """
    # Must be set before TensorFlow's first import; setdefault keeps a user's own choice.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if "keras" in sys.modules or not quiet:
        return _import(purpose)
    with _captured_stderr_fd() as sink:
        try:
            keras = _import(purpose)
            if keras.config.backend() == "tensorflow":
                _probe_devices()
        except KerasUnavailable as exc:
            sink.seek(0)
            noise = sink.read().decode("utf-8", "replace").strip()
            raise KerasUnavailable(f"{exc}\n{noise}" if noise else str(exc)) from exc.__cause__
    return keras


class LazyModule:
    """A module imported on first use of one of its attributes.

    The lowering table refers to `keras.layers` and archc's custom layers, but the table
    itself must be importable without TensorFlow (the op-table test sweeps it in the fast,
    TF-free suite). Rules only run after `import_keras()`, so the real import happens then.
    """

    def __init__(self, load: Callable[[], Any]) -> None:
        self._load = load

    def __getattr__(self, attr: str) -> Any:
        return getattr(self._load(), attr)


def _probe_devices() -> None:
    """List devices now, while descriptor 2 is captured: this is what prints the CUDA probe."""
    with contextlib.suppress(Exception):  # a failed probe changes nothing; Keras retries
        import tensorflow as tf

        tf.config.list_physical_devices()


KERAS_BACKENDS = ("tensorflow", "jax", "torch", "numpy", "openvino")
"""The names Keras 3 accepts in `KERAS_BACKEND` (and `keras.json`)."""


def _import(purpose: str) -> Any:
    backend = expected_backend()
    if backend not in KERAS_BACKENDS:
        # Keras would raise ValueError("Unable to import backend") from inside its import:
        # say what is wrong before importing anything.
        raise KerasUnavailable(
            f"{purpose} needs a Keras backend, and `{backend}` (KERAS_BACKEND, else the "
            "`backend` of keras.json) is not one; the valid names are "
            + ", ".join(KERAS_BACKENDS) + " (archc is tested on tensorflow, jax and torch)")
    try:
        import keras
    except ImportError as exc:
        backend = expected_backend()
        hint = INSTALL_HINTS.get(backend, INSTALL_HINT)
        raise KerasUnavailable(
            f"{purpose} needs Keras 3 and its {backend_label(backend)} backend "
            f"(KERAS_BACKEND={backend}), which cannot be imported ({exc}); install them with: "
            f"{hint}"
        ) from exc
    return keras
