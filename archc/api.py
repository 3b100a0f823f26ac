"""The Python API: the same pipeline as the CLI, returning objects instead of printing.

    >>> import archc
    >>> s = archc.load("specs/resnet.yaml", variant="resnet50")
    >>> s.total_params
    25636712

`build` and `diagram` compile a spec and hand its analysis to the Keras and Graphviz
backends; the backends themselves never see the pipeline. Nothing here imports TensorFlow
at import time; `build` does, lazily, inside the Keras backend.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from archc.backends.summary import RENDERERS, Report, build_report, report_dict
from archc.diagnostics import SpecError
from archc.ir import Graph
from archc.passes.analysis import Analysis
from archc.pipeline import Compiled, Options, compile_file, compile_text


@dataclass(frozen=True)
class LayerSummary:
    name: str
    type: str
    scope: str
    inputs: tuple[str, ...]
    output_shape: tuple[int, ...]
    params: int
    trainable_params: int
    non_trainable_params: int
    macs: int


@dataclass(frozen=True)
class Summary:
    """What `archc summary` reports, as an object (field names equal the JSON keys)."""

    name: str
    variant: str | None
    inputs: dict[str, tuple[int, ...]]
    outputs: dict[str, tuple[int, ...]]
    total_params: int
    trainable_params: int
    non_trainable_params: int
    total_macs: int
    total_flops: int
    activation_bytes: int
    layers: tuple[LayerSummary, ...]
    compiled: Compiled

    @property
    def graph(self) -> Graph:
        return self.compiled.graph

    @property
    def analysis(self) -> Analysis:
        assert self.compiled.analysis is not None
        return self.compiled.analysis

    def report(self, depth: int | None = None) -> Report:
        return build_report(self.analysis, depth)

    def to_dict(self) -> dict[str, Any]:
        return report_dict(self.report())

    def table(self, fmt: str = "text", depth: int | None = None) -> str:
        """The summary as `archc summary --format ...` prints it, as a string.

        `fmt` is "text" (the CLI's table), "markdown", "html", "csv" or "json"; `depth`
        folds nesting deeper than N levels into one row per block, like `--depth N`.
        """
        if depth is not None and depth < 1:
            raise ValueError("depth must be at least 1")
        if fmt == "html":
            from archc.backends.summary_html import render_html

            return render_html(self.report(depth))
        renderer = RENDERERS.get("table" if fmt == "text" else fmt)
        if renderer is None or fmt == "table":
            raise ValueError(f"unknown table format {fmt!r}; use one of: "
                             + ", ".join(TABLE_FORMATS))
        return renderer(self.report(depth))

    def __repr__(self) -> str:
        # The generated repr printed every layer and the whole compiled graph: 320,000
        # characters for ResNet-50. A repr is for recognising the object.
        return (f"Summary(name={self.name!r}, variant={self.variant!r}, "
                f"total_params={self.total_params}, total_macs={self.total_macs}, "
                f"layers=<{len(self.layers)} layers>)")

    def _repr_html_(self) -> str:
        """Jupyter shows a summary as this table (names are HTML-escaped)."""
        return self.table("html")

    def _repr_markdown_(self) -> str:
        return self.table("markdown")


TABLE_FORMATS = ("text", "markdown", "html", "csv", "json")
"""The formats `Summary.table` renders."""


def options(variant: str | None = None, overrides: Mapping[str, Any] | None = None) -> Options:
    pairs = tuple((k, v if isinstance(v, str) else _yaml_text(v))
                  for k, v in (overrides or {}).items())
    return Options(variant=variant, overrides=pairs)


def _yaml_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_yaml_text(v) for v in value) + "]"
    return str(value)


def compile_spec(spec: str | os.PathLike[str], opts: Options) -> Compiled:
    """Compile a path, or YAML text when `spec` contains a newline."""
    text = os.fspath(spec)
    if "\n" in text:
        return compile_text(text, "<string>", opts)
    return compile_file(text, opts)


def load(spec: str | os.PathLike[str], variant: str | None = None,
         overrides: Mapping[str, Any] | None = None) -> Summary:
    """Validate, lower and analyse a spec. Raises `SpecError` with located diagnostics."""
    compiled = compile_spec(spec, options(variant, overrides))
    return summarize(compiled)


def summarize(compiled: Compiled) -> Summary:
    assert compiled.analysis is not None
    report = build_report(compiled.analysis)
    t = report.total
    layers = tuple(
        LayerSummary("/".join(filter(None, (r.scope, r.name))), r.type, r.scope, r.inputs,
                     r.output_shape, r.cost.params, r.cost.trainable, r.cost.non_trainable,
                     r.cost.macs)
        for r in report.layers
    )
    return Summary(report.name, report.variant, dict(report.inputs), dict(report.outputs),
                   t.params, t.trainable, t.non_trainable, t.macs, 2 * t.macs,
                   report.activation_bytes, layers, compiled)


def build(spec: str | os.PathLike[str], variant: str | None = None,
          overrides: Mapping[str, Any] | None = None, progress: Any = None) -> Any:
    """Compile a spec (path or YAML text) into a checked `keras.Model`; imports TensorFlow."""
    from archc.backends.keras import build_model

    compiled = compile_spec(spec, options(variant, overrides))
    assert compiled.analysis is not None
    return build_model(compiled.analysis, progress)


def diagram(spec: str | os.PathLike[str], variant: str | None = None,
            overrides: Mapping[str, Any] | None = None, depth: int | None = None,
            rankdir: str = "TB", fold: bool = True, max_nodes: int = 2000,
            fields: bool = False) -> Any:
    """Draw a spec (path or YAML text) as a `graphviz.Digraph` (shows inline in Jupyter).

    The options are `archc diagram`'s: `depth` (`--depth`), `rankdir`, `fold=False`
    (`--no-fold`), `max_nodes` (`--max-nodes`) and `fields=True` (`--receptive-field`: each
    box's receptive field); over the node cap the drawing collapses with a `UserWarning`
    (the API never prints; notices name the keyword arguments, not the CLI's flags).
    Needs no TensorFlow; rendering it (`.render()`, notebook display) needs Graphviz `dot`.
    """
    import warnings

    from archc.backends.graphviz import DiagramOptions, build_diagram, to_digraph

    if depth is not None and depth < 1:
        raise ValueError("depth must be at least 1")
    if max_nodes < 1:
        raise ValueError("max_nodes must be positive")
    compiled = compile_spec(spec, options(variant, overrides))
    assert compiled.analysis is not None
    try:
        drawing = build_diagram(compiled.analysis, DiagramOptions(
            depth, rankdir, fold, max_nodes, fields=fields, spelling="python"))
    except SpecError as exc:
        exc.sources.setdefault(compiled.doc.file, compiled.doc.source)
        raise
    for notice in drawing.notices:
        warnings.warn(notice, UserWarning, stacklevel=2)
    return to_digraph(drawing)
