"""Go to definition and the document outline, from the loader's spans.

Both work on the loaded document alone, so they keep working while the spec has errors
that stop validation or lowering (only unloadable YAML leaves them without a document).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import archc.lsp.blockio as blockio
from archc.diagnostics import SourceSpan
from archc.ir.printer import format_shape
from archc.lsp.hover import layer_target, variable_at
from archc.lsp.model import Position, SpecModel, layer_items
from archc.lsp.spec_items import item_args, item_kind, item_name, known_kind
from archc.spec.loader import Path


def definition(model: SpecModel, pos: Position) -> SourceSpan | None:
    """Where the thing under the cursor is defined: a block, a layer, a variable, ..."""
    s = model.scalar_at(pos)
    if s is None:
        return None
    path = s.path
    blocks = model.section("blocks")
    name = None if s.is_key else variable_at(s, pos)
    declared = blockio.input_at(model, s, name)
    if declared is not None:
        return blockio.definition(model, *declared)
    exposed = blockio.exposed_at(model, s)
    if exposed is not None:
        return blockio.exposed_definition(model, exposed[1], exposed[2])
    if name is not None:
        return _variable(model, name, path)
    target = layer_target(model, s)
    if target is not None:
        kind = item_kind(model.value(target))
        if kind in blocks and (s.is_key or path == target):
            return model.key_span(("blocks", kind))
        if kind is not None and not (s.is_key or path == target):
            return model.span(target + (kind, "name")) or model.anchor(target)
        return None
    if not s.is_key and path[:1] != ("outputs",) and _is_reference(path):
        return _input_span(model, s.text)
    if path[-2:] == ("repeat", "block") and not s.is_key and s.text in blocks:
        return model.key_span(("blocks", s.text))
    if path == ("default_variant",) and not s.is_key:
        return model.key_span(("variants", s.text))
    if path[-1:] == ("connections",) and not s.is_key:
        return model.key_span(("tables", s.text))
    if len(path) == 3 and path[0] == "variants" and s.is_key:
        return model.key_span(("variables", str(path[2])))
    return None


def _variable(model: SpecModel, name: str, where: Path) -> SourceSpan | None:
    if where[:1] == ("blocks",) and len(where) > 1:
        for param, _, entry in model.block_params(str(where[1])):
            if param == name:
                return model.key_span(entry) or model.span(entry)
    if name in model.section("variables"):
        return model.key_span(("variables", name))
    return None


def _is_reference(path: Path) -> bool:
    return "inputs" in path[-2:]


def _input_span(model: SpecModel, name: str) -> SourceSpan | None:
    if name in model.section("inputs"):
        return model.key_span(("inputs", name))
    if name == "input" and "input" in model.data:
        return model.key_span(("input",))
    return None


@dataclass
class Symbol:
    """One entry of the outline: a section, a block, a layer item, a variable, ..."""

    name: str
    kind: str
    """section, block, structure, block_use, layer, branch, variable or variant."""
    detail: str
    range: tuple[Position, Position]
    selection: SourceSpan
    children: list[Symbol] = field(default_factory=list)


def symbols(model: SpecModel) -> list[Symbol]:
    """The outline: variables, variants, blocks with their layers, and the layers."""
    out: list[Symbol | None] = []
    for section, kind in (("variables", "variable"), ("variants", "variant")):
        children = [_leaf(model, (section, k), kind, "") for k in model.section(section)]
        if children:
            out.append(_symbol(model, (section,), section, "section", "", children))
    blocks = [_symbol(model, ("blocks", b), str(b), "block", _params(model, str(b)),
                      _items(model, ("blocks", b, "layers")))
              for b in model.section("blocks")]
    if blocks:
        out.append(_symbol(model, ("blocks",), "blocks", "section", "", blocks))
    layers = _items(model, ("layers",))
    if layers or "layers" in model.data:
        out.append(_symbol(model, ("layers",), "layers", "section", "", layers))
    return [s for s in out if s is not None]


def _items(model: SpecModel, listing: Path) -> list[Symbol]:
    out = []
    blocks = model.section("blocks")
    for item in layer_items(model, listing):
        raw = model.value(item)
        kind = item_kind(raw)
        if kind is None:
            continue
        role = known_kind(kind, blocks) or "layer"
        children: list[Symbol] = []
        if kind == "residual":
            children = _items(model, item + (kind, "body"))
            children += _items(model, item + (kind, "shortcut"))
        elif kind == "repeat":
            children = _items(model, item + (kind, "layers"))
        elif kind == "parallel":
            branches = item_args(raw).get("branches")
            for j in range(len(branches) if isinstance(branches, list) else 0):
                sub = item + (kind, "branches", j)
                branch = _symbol(model, sub, f"branch{j + 1}", "branch", "",
                                 _items(model, sub))
                if branch is not None:
                    children.append(branch)
        detail = kind + _shape(model, item)
        symbol = _symbol(model, item, item_name(raw) or kind,
                         {"block": "block_use"}.get(role, role), detail, children)
        if symbol is not None:
            out.append(symbol)
    return out


def _shape(model: SpecModel, item: Path) -> str:
    instances = model.instances(item) if model.compiled and model.compiled.lowered else []
    if len(instances) == 1 and instances[0].shape is not None:
        return " → " + format_shape(instances[0].shape)
    return ""


def _params(model: SpecModel, block: str) -> str:
    return "(" + ", ".join(p for p, _, _ in model.block_params(block)) + ")"


def _leaf(model: SpecModel, path: Path, kind: str, detail: str) -> Symbol | None:
    return _symbol(model, path, str(path[-1]), kind, detail, [])


def _symbol(model: SpecModel, path: Path, name: str, kind: str, detail: str,
            children: Sequence[Symbol | None]) -> Symbol | None:
    selection = model.key_span(path) or model.span(path)
    if isinstance(path[-1], int):  # a list item: select its type key
        kind_key = item_kind(model.value(path))
        if kind_key is not None:
            selection = model.key_span(path + (kind_key,)) or model.span(path)
    start_span = model.key_span(path) or model.span(path)
    if selection is None or start_span is None:
        return None
    start = (start_span.line, start_span.col)
    end = _end(model, path, selection)
    kids = [c for c in children if c is not None]
    if selection_pos(selection) < start:
        start = selection_pos(selection)
    for kid in kids:  # the protocol wants children inside the parent's range
        start = min(start, kid.range[0])
        end = max(end, kid.range[1])
    return Symbol(name, kind, detail, (start, end), selection, kids)


def selection_pos(span: SourceSpan) -> Position:
    return (span.line, span.col)


def _end(model: SpecModel, path: Path, selection: SourceSpan) -> Position:
    doc = model.doc
    if doc is not None and path in doc.ends:
        return doc.ends[path]
    value = model.span(path)
    for span in (value, selection):
        if span is not None and span.end_line:
            return (span.end_line, span.end_col)
    return (selection.line, selection.col + 1)
