"""One open spec as the editor features see it: the pipeline's results plus position indexes.

Everything here comes from `archc.pipeline.attempt`, the same stages `archc check` runs, so
the editor's diagnostics are the CLI's. What a feature needs beyond that is an index over
data the stages already made: the loader's spans (which scalar is at a line and column,
where each mapping ends) and the IR's spans (which nodes and block instances a spec item
produced). Nothing is parsed a second time. When the spec has errors, the stages that ran
still feed the features: the loaded document gives names, outline and definitions; a
lowering that failed still gives the shapes it could infer. Where items sit in a spec and
what they name is `archc.lsp.spec_items`.

This module and the other feature modules are plain Python with archc's own types; only
`archc.lsp.server` knows the Language Server Protocol.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from archc.diagnostics import Diagnostic, SourceSpan
from archc.ir import Node, Scope, Shape
from archc.ir.cost_rules import Cost
from archc.ir.ops import cost_of
from archc.lsp.spec_items import enclosing_item, item_kind, item_name
from archc.passes.analysis import Analysis
from archc.pipeline import Attempt, Compiled, ExpansionMemo, Options, UsageError, attempt
from archc.spec.document import value_at
from archc.spec.loader import Document, Path

Position = tuple[int, int]
"""A 1-based (line, column) in code points, as `SourceSpan` counts them."""

@dataclass(frozen=True)
class Scalar:
    """A scalar of the loaded document: a mapping key or a value, with its span."""

    path: Path
    is_key: bool
    span: SourceSpan
    text: str


@dataclass(frozen=True)
class Instance:
    """What one use of a spec item became: a layer, or a block instance with its subtotal."""

    name: str
    shape: Shape | None
    cost: Cost | None
    layers: int


class SpecModel:
    """The results of one compile of one document version, and indexes over them."""

    def __init__(self, text: str, file: str, result: Attempt,
                 version: int | None = None) -> None:
        self.text = text
        self.file = file
        self.result = result
        self.version = version
        """The document version compiled (the server sets it)."""
        self._scalars: dict[int, list[Scalar]] | None = None
        self._anchors: dict[Position, tuple[list[Node], list[Scope]]] | None = None
        self._scope_index: dict[tuple[str, ...], tuple[str, int]] | None = None
        self._nodes_by_name: dict[str, Node] | None = None

    # -- what the stages produced -------------------------------------------------------

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        return self.result.diagnostics

    @property
    def compiled(self) -> Compiled | None:
        return self.result.compiled

    @property
    def doc(self) -> Document | None:
        return self.compiled.doc if self.compiled else None

    @property
    def data(self) -> dict[str, Any]:
        doc = self.doc
        return doc.data if doc is not None and isinstance(doc.data, dict) else {}

    @property
    def analysis(self) -> Analysis | None:
        return self.compiled.analysis if self.compiled else None

    @property
    def variant(self) -> str | None:
        return self.compiled.variant if self.compiled else None

    @property
    def variables(self) -> Mapping[str, Any]:
        """Variable values under the current variant (empty before that stage ran)."""
        return self.compiled.variables if self.compiled else {}

    def section(self, key: str) -> dict[str, Any]:
        """A top-level mapping of the spec (`blocks`, `variables`, ...), or {} if absent."""
        value = self.data.get(key)
        return value if isinstance(value, dict) else {}

    # -- the document's scalars by position ---------------------------------------------

    def scalars(self, line: int) -> list[Scalar]:
        if self._scalars is None:
            self._scalars = _index_scalars(self.doc, self.text)
        return self._scalars.get(line, [])

    def scalar_at(self, pos: Position) -> Scalar | None:
        """The key or value under the cursor (touching its end counts, as editors expect)."""
        line, col = pos
        for s in self.scalars(line):
            if s.span.col <= col <= max(s.span.end_col, s.span.col + len(s.text)):
                return s
        return None

    def span(self, path: Path) -> SourceSpan | None:
        doc = self.doc
        return doc.spans.get(path) if doc is not None else None

    def key_span(self, path: Path) -> SourceSpan | None:
        doc = self.doc
        return doc.key_spans.get(path) if doc is not None else None

    def value(self, path: Path) -> Any:
        return value_at(self.doc.data, path) if self.doc is not None else None

    # -- what each spec item became ----------------------------------------------------

    def anchor(self, item: Path) -> SourceSpan | None:
        """The span the lowerer gives the nodes and scopes of the layer item at `item`."""
        kind = item_kind(self.value(item))
        doc = self.doc
        if kind is None or doc is None:
            return None
        return doc.key_span(item + (kind,))

    def produced(self, item: Path) -> tuple[list[Node], list[Scope]]:
        """The nodes and the outermost block instances lowered from one layer item."""
        span = self.anchor(item)
        if span is None:
            return [], []
        if self._anchors is None:
            self._anchors = self._index_anchors()
        return self._anchors.get((span.line, span.col), ([], []))

    def instances(self, item: Path) -> list[Instance]:
        """Each use of the item: a block instance (subtotal), or a layer (its own figures)."""
        nodes, scopes = self.produced(item)
        if scopes:
            return [self.scope_instance(s) for s in scopes]
        groups: dict[tuple[str, ...], list[Node]] = {}
        for node in nodes:  # `padding: 2` lowers into a padding node and the layer
            groups.setdefault(node.scope, []).append(node)
        return [self._node_instance(group) for group in groups.values()]

    def scope_instance(self, scope: Scope) -> Instance:
        if self._scope_index is None:
            self._scope_index = self._index_scopes()
        last, count = self._scope_index.get(scope.path, (None, 0))
        analysis = self.analysis
        if analysis is not None:
            cost: Cost | None = analysis.scope_total(scope.path)
        else:
            depth = len(scope.path)
            cost = self._sum(n.name for n in self._nodes() if n.scope[:depth] == scope.path)
        shape = self.shape_of(last) if last is not None else None
        return Instance(scope.name, shape, cost, count)

    @property
    def partial(self) -> bool:
        """Figures come from a lowering with errors: only nodes whose shapes resolved."""
        return self.analysis is None and self.compiled is not None \
            and self.compiled.lowered is not None

    def node_cost(self, name: str) -> Cost | None:
        """A node's params and MACs: from the analysis, or (while the spec has errors) from
        the cost rules over the shapes that resolved; None where a shape is unknown."""
        analysis = self.analysis
        if analysis is not None:
            return analysis.info(name).cost
        lowered = self.compiled.lowered if self.compiled else None
        if lowered is None:
            return None
        if self._nodes_by_name is None:
            self._nodes_by_name = {n.name: n for n in lowered.graph.nodes}
        node = self._nodes_by_name.get(name)
        out = lowered.shapes.get(name)
        ins = [lowered.shapes.get(i) for i in node.inputs] if node is not None else []
        if node is None or out is None or any(i is None for i in ins):
            return None
        try:
            return cost_of(node.op, node.attrs, [i for i in ins if i is not None], out)
        except Exception:  # a rule that trusts the analysis's checks: no figure, not a crash
            return None

    def _sum(self, names: Iterable[str]) -> Cost | None:
        total = Cost()
        for name in names:
            cost = self.node_cost(name)
            if cost is None:
                return None
            total = total + cost
        return total

    def _index_scopes(self) -> dict[tuple[str, ...], tuple[str, int]]:
        """Per scope: its last node (whose shape is the block's output) and its size."""
        index: dict[tuple[str, ...], tuple[str, int]] = {}
        for node in self._nodes():
            for i in range(1, len(node.scope) + 1):
                _, count = index.get(node.scope[:i], ("", 0))
                index[node.scope[:i]] = (node.name, count + 1)
        return index

    def _node_instance(self, group: list[Node]) -> Instance:
        last = group[-1]
        cost = self._sum(node.name for node in group)
        return Instance(last.name, self.shape_of(last.name), cost, len(group))

    def shape_of(self, node: str) -> Shape | None:
        lowered = self.compiled.lowered if self.compiled else None
        return lowered.shapes.get(node) if lowered is not None else None

    def scopes_of_kind(self, kind: str) -> list[Scope]:
        """Outermost instances of a block (scope kind = the block's name)."""
        lowered = self.compiled.lowered if self.compiled else None
        if lowered is None:
            return []
        return _outermost([s for s in lowered.graph.scopes if s.kind == kind])

    def _nodes(self) -> tuple[Node, ...]:
        lowered = self.compiled.lowered if self.compiled else None
        return lowered.graph.nodes if lowered is not None else ()

    def _index_anchors(self) -> dict[Position, tuple[list[Node], list[Scope]]]:
        index: dict[Position, tuple[list[Node], list[Scope]]] = {}
        lowered = self.compiled.lowered if self.compiled else None
        if lowered is None:
            return index
        for node in lowered.graph.nodes:
            if node.span is not None:
                index.setdefault((node.span.line, node.span.col), ([], []))[0].append(node)
        by_anchor: dict[Position, list[Scope]] = {}
        for scope in lowered.graph.scopes:
            if scope.span is not None:
                by_anchor.setdefault((scope.span.line, scope.span.col), []).append(scope)
        for key, scopes in by_anchor.items():
            index.setdefault(key, ([], []))[1].extend(_outermost(scopes))
        return index

    # -- names the spec defines ----------------------------------------------------------

    def block_params(self, block: str) -> list[tuple[str, Any, Path]]:
        """(name, default or None, path of the entry) for each parameter of a block."""
        params = self.value(("blocks", block, "params"))
        out: list[tuple[str, Any, Path]] = []
        if not isinstance(params, list):
            return out
        for i, entry in enumerate(params):
            if isinstance(entry, str):
                out.append((entry, None, ("blocks", block, "params", i)))
            elif isinstance(entry, dict):
                out.extend((k, v, ("blocks", block, "params", i, k)) for k, v in entry.items()
                           if isinstance(k, str))
        return out

    def input_names(self) -> list[str]:
        if "inputs" in self.data and isinstance(self.data["inputs"], dict):
            return [k for k in self.data["inputs"] if isinstance(k, str)]
        return ["input"]

    def visible_names(self, item: Path) -> dict[str, Path]:
        """Layer names the item at `item` may read, with the path of each named item.

        The lowerer's scoping rule: a layer sees the named layers above it in its own list
        and, from a residual body, a branch or a repeat, those above the enclosing item; a
        block's layers see only their own; the top level also sees the inputs.
        """
        names: dict[str, Path] = {}
        current = item
        while len(current) >= 2 and isinstance(current[-1], int):
            listing = current[:-1]
            items = self.value(listing)
            if isinstance(items, list):
                for j in range(min(current[-1], len(items)) - 1, -1, -1):
                    name = item_name(items[j])
                    if name is not None:
                        names.setdefault(name, listing + (j,))
            if listing == ("layers",):
                for name in self.input_names():
                    names.setdefault(name, ("inputs", name) if "inputs" in self.data
                                     else ("input",))
                break
            if listing[:1] == ("blocks",) and len(listing) == 3:
                declared = self.value(listing[:2] + ("inputs",))
                for i, name in enumerate(declared if isinstance(declared, list) else []):
                    if isinstance(name, str):  # a declared input reads like a layer
                        names.setdefault(name, listing[:2] + ("inputs", i))
                break
            current = enclosing_item(listing)
        return names

    def top_level_names(self) -> dict[str, Path]:
        """What `outputs:` may name: the inputs and every named top-level layer."""
        items = self.value(("layers",))
        return self.visible_names(("layers", len(items) if isinstance(items, list) else 0))


def build(text: str, file: str, variant: str | None = None,
          memo: ExpansionMemo | None = None) -> SpecModel:
    """Compile `text` as far as it goes (as `archc check` would) and index the results.

    Block expansions are reused (`lower.memo`); `memo`, kept by the caller for one document,
    carries them, and the figures of unchanged nodes, from one version to the next."""
    try:
        result = attempt(text, file, Options(variant=variant, reuse_expansions=True,
                                             memo=memo))
    except UsageError:  # a variant this spec does not have: fall back to its default
        result = attempt(text, file, Options(reuse_expansions=True, memo=memo))
    return SpecModel(text, file, result)


def layer_items(model: SpecModel, listing: Path) -> Iterator[Path]:
    """The paths of the items of the layer list at `listing` (none if it is not a list)."""
    items = model.value(listing)
    if isinstance(items, list):
        for i in range(len(items)):
            yield listing + (i,)


# -- index helpers ----------------------------------------------------------------------------


def _index_scalars(doc: Document | None, text: str) -> dict[int, list[Scalar]]:
    index: dict[int, list[Scalar]] = {}
    if doc is None:
        return index
    lines = text.splitlines()

    def add(path: Path, span: SourceSpan, is_key: bool) -> None:
        if span.end_line != span.line or span.line > len(lines):
            return  # block scalars span lines; nothing in a spec needs them under a cursor
        raw = lines[span.line - 1][span.col - 1:span.end_col - 1]
        index.setdefault(span.line, []).append(Scalar(path, is_key, span, raw))

    for path, span in doc.key_spans.items():
        add(path, span, True)
    for path, span in doc.spans.items():
        if path and path not in doc.ends:  # collections have ends; their items are indexed
            add(path, span, False)
    return index


def _outermost(scopes: list[Scope]) -> list[Scope]:
    paths = {s.path for s in scopes}
    return [s for s in scopes
            if not any(s.path[:i] in paths for i in range(1, len(s.path)))]
