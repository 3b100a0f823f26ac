"""The Graphviz backend: the spec's own structure as DOT, SVG, PNG or PDF, without TensorFlow.

`plan` decides what is drawn (collapsed and folded blocks, edges, clusters), `emit` writes
the DOT text, `render` runs `dot`. `to_digraph` wraps the same DOT in a `graphviz.Digraph`
for notebooks, so there is one emitter for files and for Jupyter.
"""

from __future__ import annotations

from typing import Any

from archc.backends.graphviz.emit import (
    DEFAULT_MAX_NODES,
    RANKDIRS,
    Diagram,
    DiagramOptions,
    build_diagram,
)
from archc.backends.graphviz.plan import Plan, make_plan

__all__ = ["DEFAULT_MAX_NODES", "RANKDIRS", "Diagram", "DiagramOptions", "Plan",
           "build_diagram", "diagram_from_spec", "make_plan", "to_digraph"]


def to_digraph(diagram: Diagram) -> Any:
    """A `graphviz.Digraph` whose `.source` equals `diagram.source` (shows inline in Jupyter)."""
    import graphviz

    return graphviz.Digraph(name=diagram.name, body=list(diagram.body))


def diagram_from_spec(spec: Any, variant: str | None = None, overrides: Any = None,
                      depth: int | None = None, rankdir: str = "TB", fold: bool = True,
                      max_nodes: int = DEFAULT_MAX_NODES, fields: bool = False) -> Any:
    """Compile a spec (path or YAML text) and draw it as a `graphviz.Digraph`.

    Notices (the node cap collapsed the drawing) are issued as `UserWarning`s: the API
    never prints. They name the keyword arguments (`max_nodes=`), not the CLI's flags.
    """
    import warnings

    from archc.api import compile_spec, options
    from archc.diagnostics import SpecError

    compiled = compile_spec(spec, options(variant, overrides))
    assert compiled.analysis is not None
    try:
        diagram = build_diagram(compiled.analysis, DiagramOptions(
            depth, rankdir, fold, max_nodes, fields=fields, spelling="python"))
    except SpecError as exc:
        exc.sources.setdefault(compiled.doc.file, compiled.doc.source)
        raise
    for notice in diagram.notices:
        warnings.warn(notice, UserWarning, stacklevel=2)
    return to_digraph(diagram)
