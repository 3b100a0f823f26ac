"""archc: a declarative architecture-spec compiler for convolutional networks.

`archc.load(path)` validates and analyses a spec without TensorFlow; `archc.build(path)`
compiles it into a Keras model (importing TensorFlow lazily). Importing `archc` also
registers archc's custom Keras layers when Keras is already loaded, so `.keras` files that
use them load with `keras.saving.load_model` in safe mode.
"""

from __future__ import annotations

from typing import Any

from archc.api import LayerSummary, Summary, load
from archc.diagnostics import Diagnostic, SourceSpan, SpecError

__version__ = "0.1.0"
__all__ = ["Diagnostic", "LayerSummary", "SourceSpan", "SpecError", "Summary", "build",
           "diagram", "load", "load_model"]


def build(spec: Any, variant: str | None = None, overrides: Any = None) -> Any:
    """Compile a spec (path or YAML text) into a `keras.Model`; imports TensorFlow."""
    from archc.backends.keras import build_from_spec

    return build_from_spec(spec, variant=variant, overrides=overrides)


def load_model(path: Any) -> Any:
    """Load a `.keras` file written by archc (safe mode, with room for very deep models)."""
    from archc.backends.keras import load_model as _load

    return _load(path)


def diagram(spec: Any, variant: str | None = None, overrides: Any = None,
            depth: int | None = None, rankdir: str = "TB", fold: bool = True,
            max_nodes: int = 2000, fields: bool = False) -> Any:
    """Draw a spec (path or YAML text) as a `graphviz.Digraph` (shows inline in Jupyter).

    The options are `archc diagram`'s: `depth` (`--depth`), `rankdir`, `fold=False`
    (`--no-fold`), `max_nodes` (`--max-nodes`) and `fields=True` (`--receptive-field`: each
    box's receptive field); over the node cap the drawing collapses with a `UserWarning`.
    Needs no TensorFlow; rendering it (`.render()`, notebook display) needs Graphviz `dot`.
    """
    from archc.backends.graphviz import diagram_from_spec

    if depth is not None and depth < 1:
        raise ValueError("depth must be at least 1")
    if max_nodes < 1:
        raise ValueError("max_nodes must be positive")
    return diagram_from_spec(spec, variant=variant, overrides=overrides, depth=depth,
                             rankdir=rankdir, fold=fold, max_nodes=max_nodes, fields=fields)


# Register archc's custom Keras layers now if Keras is loaded, or right after it is, without
# importing TensorFlow here (see archc/backends/keras/autoload.py).
from archc.backends.keras import autoload as _autoload  # noqa: E402

_autoload.install()
