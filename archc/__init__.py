"""archc: a declarative architecture-spec compiler for convolutional networks.

`archc.load(path)` validates and analyses a spec without TensorFlow; `archc.build(path)`
compiles it into a Keras model (importing TensorFlow lazily). Importing `archc` also
registers archc's custom Keras layers when Keras is already loaded, so `.keras` files that
use them load with `keras.saving.load_model` in safe mode.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from archc.diagnostics import Diagnostic, SourceSpan, SpecError

if TYPE_CHECKING:
    from archc.api import LayerSummary, Summary, build, diagram, load

__version__ = "0.1.0"
__all__ = ["Diagnostic", "LayerSummary", "SourceSpan", "SpecError", "Summary", "build",
           "diagram", "load", "load_model"]


_API = frozenset({"LayerSummary", "Summary", "build", "diagram", "load"})
"""The API's names, imported from archc.api on first use: the command line (which runs
`import archc` first) never calls them, and `archc summary` should not pay for them."""


def __getattr__(name: str) -> Any:
    if name not in _API:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from archc import api

    value = getattr(api, name)
    globals()[name] = value
    return value


def load_model(path: Any) -> Any:
    """Load a `.keras` file written by archc (safe mode, with room for very deep models)."""
    from archc.backends.keras import load_model as _load

    return _load(path)


# Register archc's custom Keras layers now if Keras is loaded, or right after it is, without
# importing TensorFlow here (see archc/backends/keras/autoload.py).
from archc.backends.keras import autoload as _autoload  # noqa: E402

_autoload.install()
