"""Completion candidates: what may stand at the cursor, from the spec language and the spec.

The vocabulary comes from the schema the validator uses (`LAYER_MODELS`, the fields of
each model, the `Literal` values of a field), and the names from the document: its blocks
and their parameters, its variables and variants, the layer names a layer may read.
"""

from __future__ import annotations

import enum
import typing
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from archc.lsp.context import Context, context_at
from archc.lsp.model import Position, SpecModel
from archc.lsp.show import preview, summary_of
from archc.lsp.spec_items import is_layer_list, item_kind, item_of
from archc.pipeline import Attempt, Compiled
from archc.spec.items import COMMON_FIELDS
from archc.spec.schema import (
    LAYER_MODELS,
    SHORTHAND_FIELD,
    STRUCTURE_MODELS,
    BlockDef,
    LayerCommon,
    SpecHeader,
)


class Kind(enum.Enum):
    """What a candidate is; the server maps these to the protocol's item kinds."""

    LAYER_TYPE = "layer type"
    STRUCTURE = "structure"
    BLOCK = "block"
    FIELD = "field"
    PARAMETER = "block parameter"
    VARIABLE = "variable"
    VARIANT = "variant"
    LAYER_NAME = "layer name"
    VALUE = "value"


@dataclass(frozen=True)
class Candidate:
    label: str
    kind: Kind
    detail: str = ""
    documentation: str = ""


@dataclass(frozen=True)
class Completions:
    """The candidates and the text they replace (the partial word before the cursor)."""

    items: tuple[Candidate, ...]
    replace_from: Position
    replace_to: Position


def complete(model: SpecModel, pos: Position) -> Completions:
    """Candidates at `pos` (1-based line and column); empty when nothing fits."""
    ctx = context_at(model.text, pos, model.doc)
    if ctx is None:
        return Completions((), pos, pos)
    if model.doc is None:
        # The text does not load yet (a bracket still open while typing): the names come
        # from the repaired text the context was read from (no stage ran on it).
        model = SpecModel(ctx.doc.source, model.file, Attempt(Compiled(ctx.doc), ()))
    items = list(_candidates(model, ctx))
    if ctx.word:
        # The client filters too; dropping what cannot match keeps the list short.
        items = [c for c in items if _matches(c.label, ctx.word)]
    return Completions(tuple(_unique(items)), ctx.word_start, pos)


def _candidates(model: SpecModel, ctx: Context) -> Iterable[Candidate]:
    if ctx.word.startswith("$"):
        yield from _variables(model, ctx)
        return
    path = ctx.container
    data = ctx.doc.data if isinstance(ctx.doc.data, dict) else {}
    blocks = data.get("blocks") if isinstance(data.get("blocks"), dict) else {}
    assert isinstance(blocks, dict)
    if ctx.key is None and ctx.is_list and is_layer_list(path):
        yield from _layer_kinds(blocks)
    elif ctx.key is None and not ctx.is_list:
        yield from _keys(model, ctx, path, blocks)
    elif ctx.key is not None:
        yield from _values(model, ctx, path, ctx.key, blocks)
    elif path == ("outputs",) or path[-1:] == ("inputs",):
        yield from _layer_names(model, ctx, path)


def _keys(model: SpecModel, ctx: Context, path: typing.Sequence[Any],
          blocks: dict[str, Any]) -> Iterable[Candidate]:
    """Candidates for a mapping key at `path`."""
    path = tuple(path)
    if path == ():
        yield from _fields(SpecHeader, ctx.present)
    elif path == ("defaults",):
        yield from (c for c in _layer_kinds({}) if c.kind is Kind.LAYER_TYPE)
    elif len(path) == 2 and path[0] == "defaults" and str(path[1]) in LAYER_MODELS:
        yield from _fields(LAYER_MODELS[str(path[1])], ctx.present, skip=COMMON_FIELDS)
    elif len(path) == 2 and path[0] == "variants":
        yield from _variable_names(model, ctx.present)
    elif len(path) == 2 and path[0] == "blocks":
        yield from _fields(BlockDef, ctx.present)
    elif path and isinstance(path[-1], int) and is_layer_list(path[:-1]):
        yield from _layer_kinds(blocks)  # the key of a layer item is its type
    elif len(path) >= 2 and isinstance(path[-2], int) and is_layer_list(path[:-2]):
        kind = str(path[-1])
        if kind in LAYER_MODELS:
            yield from _fields(LAYER_MODELS[kind], ctx.present)
        elif kind in STRUCTURE_MODELS:
            yield from _fields(STRUCTURE_MODELS[kind], ctx.present)
        elif kind in blocks:
            yield from _block_params(model, kind, ctx.present)
            yield from _fields(LayerCommon, ctx.present)
    elif len(path) >= 3 and path[-2] == "repeat" and path[-1] in ("with", "first"):
        block = _repeat_block(model, ctx, path[:-1])
        if block is not None:
            yield from _block_params(model, block, ctx.present)
    elif path[-1:] == ("projection",):
        from archc.spec.schema import Projection

        yield from _fields(Projection, ctx.present)


def _values(model: SpecModel, ctx: Context, path: typing.Sequence[Any], key: str,
            blocks: dict[str, Any]) -> Iterable[Candidate]:
    """Candidates for the value of `key` in the mapping at `path`."""
    path = tuple(path)
    if path == () and key == "default_variant":
        yield from _variants(model)
        return
    if key == "inputs" or (path == () and key == "outputs"):
        yield from _layer_names(model, ctx, path + (key,))
        return
    if key == "block" and path[-1:] == ("repeat",):
        yield from (Candidate(b, Kind.BLOCK, _block_signature(model, b)) for b in blocks)
        return
    if key == "connections":
        tables = ctx.doc.data.get("tables") if isinstance(ctx.doc.data, dict) else None
        if isinstance(tables, dict):
            yield from (Candidate(t, Kind.VALUE, "connection table") for t in tables)
        return
    kind = str(path[-1]) if path else ""
    if isinstance(path[-1:][0] if path else None, int) and key in SHORTHAND_FIELD:
        kind, key = key, SHORTHAND_FIELD[key]  # `- activation: relu`
    elif len(path) == 2 and path[0] == "defaults":
        kind = str(path[1])
    model_cls = LAYER_MODELS.get(kind) or STRUCTURE_MODELS.get(kind)
    if model_cls is None:
        return
    for name, info in model_cls.model_fields.items():
        if (info.alias or name) == key:
            yield from (Candidate(v, Kind.VALUE, f"{kind}.{key}")
                        for v in _literal_values(info.annotation))


def _layer_kinds(blocks: dict[str, Any]) -> Iterable[Candidate]:
    for kind, cls in LAYER_MODELS.items():
        yield Candidate(kind, Kind.LAYER_TYPE, "layer", _doc(cls))
    for kind, cls in STRUCTURE_MODELS.items():
        yield Candidate(kind, Kind.STRUCTURE, "structure", _doc(cls))
    for block, body in blocks.items():
        description = body.get("description") if isinstance(body, dict) else None
        yield Candidate(block, Kind.BLOCK, "block", description or "")


def _fields(cls: type[Any], present: frozenset[str],
            skip: Iterable[str] = ()) -> Iterable[Candidate]:
    skipped = set(skip)
    for name, info in cls.model_fields.items():
        label = info.alias or name
        if label in present or label in skipped:
            continue
        detail = "required" if info.is_required() else f"default: {_show(info.default)}"
        if info.default_factory is not None:
            detail = "optional"
        yield Candidate(label, Kind.FIELD, detail, info.description or "")


def _block_params(model: SpecModel, block: str,
                  present: frozenset[str]) -> Iterable[Candidate]:
    for name, default, _ in model.block_params(block):
        if name not in present:
            detail = "required" if default is None else f"default: {_show(default)}"
            yield Candidate(name, Kind.PARAMETER, f"{block} parameter, {detail}")


def _block_signature(model: SpecModel, block: str) -> str:
    parts = [name if default is None else f"{name}={_show(default)}"
             for name, default, _ in model.block_params(block)]
    return f"block {block}({', '.join(parts)})"


def _variable_names(model: SpecModel, present: frozenset[str]) -> Iterable[Candidate]:
    for name in model.section("variables"):
        if name not in present:
            raw = model.section("variables")[name]
            yield Candidate(name, Kind.VARIABLE, f"default: {_show(raw)}")


def _variables(model: SpecModel, ctx: Context) -> Iterable[Candidate]:
    """`$name` candidates: spec variables, a block's parameters inside it, `$index`."""
    current = model.variables
    for name, raw in model.section("variables").items():
        value = current.get(name, raw)
        yield Candidate(f"${name}", Kind.VARIABLE, f"= {_show(value)}"
                        + (f" ({model.variant})" if model.variant else ""))
    path = ctx.container
    if len(path) >= 2 and path[0] == "blocks":
        for name, default, _ in model.block_params(str(path[1])):
            detail = "required" if default is None else f"default: {_show(default)}"
            yield Candidate(f"${name}", Kind.PARAMETER, f"{path[1]} parameter, {detail}")
    if any(path[i:i + 2] == ("repeat", "layers") for i in range(len(path))):
        yield Candidate("$index", Kind.VARIABLE, "the repetition, from 1")


def _variants(model: SpecModel) -> Iterable[Candidate]:
    for name in model.section("variants"):
        yield Candidate(name, Kind.VARIANT, "variant")


def _layer_names(model: SpecModel, ctx: Context, path: tuple[Any, ...]) -> Iterable[Candidate]:
    if path[:1] == ("outputs",):
        names = model.top_level_names()
    else:
        item = item_of(path)
        names = model.visible_names(item) if item is not None else {}
    for name, where in names.items():
        kind = item_kind(model.value(where)) if where and isinstance(where[-1], int) else "input"
        yield Candidate(name, Kind.LAYER_NAME, kind or "")


def _repeat_block(model: SpecModel, ctx: Context, repeat_args: tuple[Any, ...]) -> str | None:
    """The block a repeat expands (`block: $unit` resolved under the current variant)."""
    value = ctx.doc.data
    for part in repeat_args:
        value = value[part] if isinstance(value, (dict, list)) else None
    block = value.get("block") if isinstance(value, dict) else None
    if isinstance(block, str) and block.startswith("$"):
        name = block[1:]
        block = model.variables.get(name, model.section("variables").get(name))
    return block if isinstance(block, str) else None


def _literal_values(annotation: Any) -> list[str]:
    out: list[str] = []
    if annotation is bool:
        return ["true", "false"]
    if typing.get_origin(annotation) is typing.Literal:
        return [str(v) for v in typing.get_args(annotation)]
    for arg in typing.get_args(annotation):
        out.extend(v for v in _literal_values(arg) if v not in out)
    return out


def _doc(cls: type[Any]) -> str:
    return summary_of(cls)


def _show(value: Any) -> str:
    return preview(value)


def _matches(label: str, word: str) -> bool:
    return label.lower().startswith(word.lower())


def _unique(items: Iterable[Candidate]) -> list[Candidate]:
    seen: set[str] = set()
    out = []
    for c in items:
        if c.label not in seen:
            seen.add(c.label)
            out.append(c)
    return out

