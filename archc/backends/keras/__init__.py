"""The Keras backend: compile an analysed spec into a `keras.Model`.

Importing this package is cheap and does not import TensorFlow; the submodules that need
Keras (`lowering`, `layers`) are imported only when a model is built, so `archc summary` and
friends stay usable without TensorFlow installed.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from archc.backends.keras.builder import BuildMismatch, Progress, build_model, save_model
from archc.backends.keras.runtime import INSTALL_HINT, KerasUnavailable

__all__ = [
    "INSTALL_HINT",
    "BuildMismatch",
    "KerasUnavailable",
    "build_from_spec",
    "build_model",
    "save_model",
]


def build_from_spec(spec: str | os.PathLike[str], variant: str | None = None,
                    overrides: Mapping[str, Any] | None = None,
                    progress: Progress | None = None) -> Any:
    """Compile a spec (a path, or YAML text) and build its checked `keras.Model`."""
    from archc.api import compile_spec, options

    compiled = compile_spec(spec, options(variant, overrides))
    return build_model(compiled, progress)
