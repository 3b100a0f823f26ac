"""archc: a declarative architecture-spec compiler for convolutional networks.

`archc.load(path)` validates and analyses a spec without TensorFlow; `archc.build(path)`
compiles it into a Keras model (importing TensorFlow lazily). Importing `archc` also
registers archc's custom Keras layers when Keras is already loaded, so `.keras` files that
use them load with `keras.saving.load_model` in safe mode.
"""

from __future__ import annotations

import sys
from typing import Any

from archc.api import LayerSummary, Summary, load
from archc.diagnostics import Diagnostic, SourceSpan, SpecError

__version__ = "0.1.0"
__all__ = ["Diagnostic", "LayerSummary", "SourceSpan", "SpecError", "Summary", "build", "load"]


def build(spec: Any, variant: str | None = None, overrides: Any = None) -> Any:
    """Compile a spec (path or YAML text) into a `keras.Model`; imports TensorFlow."""
    from archc.backends.keras import build_from_spec

    return build_from_spec(spec, variant=variant, overrides=overrides)


if "keras" in sys.modules:  # pragma: no cover - depends on import order
    import contextlib

    with contextlib.suppress(ImportError):
        import archc.backends.keras.layers  # noqa: F401  (registers serializable layers)
