"""The Keras backend: build a checked `keras.Model` from an analysed spec.

Importing this package is cheap and does not import TensorFlow; the submodules that need
Keras (`op_rules`, `layers`) are imported only when a model is built, so `archc summary` and
friends stay usable without TensorFlow installed.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from archc.backends.keras.builder import (
        BuildMismatch,
        Progress,
        build_model,
        save_model,
    )
    from archc.backends.keras.runtime import INSTALL_HINT, KerasUnavailable

_LAZY = {"BuildMismatch": "builder", "Progress": "builder", "build_model": "builder",
         "deep_call": "builder", "save_model": "builder", "INSTALL_HINT": "runtime",
         "KerasUnavailable": "runtime"}
"""Names this package offers, by the submodule that holds them. They are imported on first
use: `import archc` imports `autoload` from this package, and `archc summary` must not pay
for the builder (tempfile, shutil, compression modules) it never calls."""


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from archc.backends.keras import builder, runtime

    value = getattr(builder if module == "builder" else runtime, name)
    globals()[name] = value
    return value


__all__ = [
    "INSTALL_HINT",
    "BuildMismatch",
    "KerasUnavailable",
    "Progress",
    "build_model",
    "load_model",
    "save_model",
]


def load_model(path: str | os.PathLike[str]) -> Any:
    """`keras.saving.load_model` (safe mode) with room for very deep models.

    Keras rebuilds a loaded functional model with the same recursive graph walk as when it
    was built, so a model of thousands of layers needs the headroom `deep_call` gives.
    """
    from archc.backends.keras.builder import deep_call
    from archc.backends.keras.runtime import import_keras

    # Keras first: without it this raises KerasUnavailable (the install line, exit code 3
    # in the CLI), not the ModuleNotFoundError of the custom layers' `import keras`.
    keras = import_keras(purpose="loading a Keras model")
    import archc.backends.keras.layers  # noqa: F401  (registers archc's custom layers)

    with open(path, "rb") as handle:  # a clear OSError for a missing file, before Keras
        handle.read(1)
    return deep_call(10_000, lambda: keras.saving.load_model(os.fspath(path), safe_mode=True))
