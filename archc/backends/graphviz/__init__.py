"""The Graphviz backend: the spec's own structure as DOT, SVG, PNG or PDF, without TensorFlow.

`plan` decides what is drawn (collapsed and folded blocks, edges, clusters), `dot` writes
the DOT text, `render` runs `dot`. `to_digraph` wraps the same DOT in a `graphviz.Digraph`
for notebooks (`archc.diagram`), so there is one emitter for files and for Jupyter.
"""

from __future__ import annotations

from typing import Any

from archc.backends.graphviz.dot import (
    DEFAULT_MAX_NODES,
    RANKDIRS,
    Diagram,
    DiagramOptions,
    build_diagram,
)
from archc.backends.graphviz.plan import Plan, make_plan

__all__ = ["DEFAULT_MAX_NODES", "RANKDIRS", "Diagram", "DiagramOptions", "Plan",
           "build_diagram", "make_plan", "to_digraph"]


def to_digraph(diagram: Diagram) -> Any:
    """A `graphviz.Digraph` whose `.source` equals `diagram.source` (shows inline in Jupyter)."""
    import graphviz

    return graphviz.Digraph(name=diagram.name, body=list(diagram.body))
