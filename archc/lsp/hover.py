"""Hover text: what a spec item became, in the figures `archc summary` reports.

A layer shows its output shape, parameters and MACs; a block use, a repeat or a residual
shows the subtotal of its instance; an item inside a block definition shows every instance
the current variant made of it; a `$variable` shows its value under the current variant
(and under each variant). Figures come from the analysis; while the spec has errors, what
the stages that ran could tell (shapes of a lowering that failed) is shown with a note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

import archc.lsp.blockio as blockio
from archc.diagnostics import SourceSpan
from archc.ir.printer import format_shape
from archc.lsp.model import Instance, Position, Scalar, SpecModel, build
from archc.lsp.show import preview, summary_of
from archc.lsp.spec_items import item_args, item_kind, item_of, known_kind
from archc.spec.loader import Path
from archc.spec.schema import LAYER_MODELS, STRUCTURE_MODELS

MAX_ROWS = 8
"""Instances listed one by one before the rest are summed up."""

_VAR = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class Hover:
    markdown: str
    span: SourceSpan


def hover(model: SpecModel, pos: Position, last_good: SpecModel | None = None) -> Hover | None:
    """The hover for the scalar under `pos`, or None where there is nothing to say.

    While the spec has errors, the figures are those of what still resolves (the lowering
    runs past a mistake). When an error stops the stages before lowering (broken YAML, a bad
    header), `last_good`, the last analysis without errors, answers for a line whose text
    has not changed since, and the hover says so.
    """
    found = _hover(model, pos)
    if _lowered(model) or last_good is None or not _lowered(last_good):
        return found
    now, then = model.text.split("\n"), last_good.text.split("\n")
    if not 0 < pos[0] <= len(now) or not now[pos[0] - 1].strip():
        return found
    # The same line in the old text: at the same place, else the one line equal to it
    # (lines above may have been added or removed since).
    line = pos[0]
    if not (line <= len(then) and then[line - 1] == now[line - 1]):
        same = [i + 1 for i, text in enumerate(then) if text == now[pos[0] - 1]]
        if len(same) != 1:
            return found
        line = same[0]
    old = _hover(last_good, (line, pos[1]))
    if old is None:
        return found
    version = f" (version {last_good.version})" if last_good.version is not None else ""
    span = replace(old.span, line=pos[0], end_line=old.span.end_line - old.span.line + pos[0])
    return Hover(old.markdown + f"\n\n_From the last analysis without errors{version}: the "
                 "current text has errors that stop analysis (see Problems)._", span)


def _lowered(model: SpecModel) -> bool:
    return model.compiled is not None and model.compiled.lowered is not None


def _hover(model: SpecModel, pos: Position) -> Hover | None:
    scalar = model.scalar_at(pos)
    if scalar is None:
        return None
    text = _text(model, scalar, pos)
    return Hover(text, scalar.span) if text else None


def _text(model: SpecModel, s: Scalar, pos: Position) -> str | None:
    path = s.path
    name = None if s.is_key else variable_at(s, pos)
    declared = blockio.input_at(model, s, name)
    if declared is not None:
        return blockio.hover(model, *declared)
    exposed = blockio.exposed_at(model, s)
    if exposed is not None:
        return blockio.exposed_hover(model, *exposed)
    if name is not None:
        return variable(model, name, path)
    target = layer_target(model, s)
    if target is not None:
        return layer(model, target)
    if len(path) == 2 and path[0] == "blocks" and s.is_key:
        return block(model, str(path[1]))
    if path[-1:] == ("block",) and path[-2:-1] == ("repeat",) and not s.is_key:
        name = s.text
        return block(model, name) if name in model.section("blocks") else None
    if len(path) == 2 and path[0] == "variables" and s.is_key:
        return variable(model, str(path[1]), path)
    if len(path) == 3 and path[0] == "variants" and s.is_key:
        return variable(model, str(path[2]), path)
    if len(path) == 2 and path[0] == "variants" and s.is_key:
        return variant(model, str(path[1]))
    if path == ("default_variant",) and not s.is_key:
        return variant(model, s.text) if s.text in model.section("variants") else None
    if s.is_key:
        return field(model, path)
    return None


def variable_at(s: Scalar, pos: Position) -> str | None:
    """The `$name` the cursor is on inside a scalar, if any."""
    offset = pos[1] - s.span.col
    for match in _VAR.finditer(s.text):
        if match.start() <= offset <= match.end():
            return match.group(1)
    return None


def layer_target(model: SpecModel, s: Scalar) -> Path | None:
    """The layer item a scalar stands for: its type key, its `name:`, or a reference to it."""
    path = s.path
    item = item_of(path)
    if item is not None:
        kind = item_kind(model.value(item))
        if path == item or (s.is_key and path == item + (kind,)):
            return item
        if not s.is_key and kind is not None and path == item + (kind, "name"):
            return item
        if not s.is_key and kind is not None and path[len(item):len(item) + 2] == (kind, "inputs"):
            found = model.visible_names(item).get(s.text)
            return found if found and item_of(found) == found else None
    if path[:1] == ("outputs",) and len(path) == 2 and not s.is_key:
        found = model.top_level_names().get(s.text)
        return found if found and item_of(found) == found else None
    return None


def layer(model: SpecModel, item: Path) -> str:
    """A layer item: each instance's shape, params and MACs (a block's subtotal)."""
    raw = model.value(item)
    kind = item_kind(raw) or "?"
    name = item_args(raw).get("name")
    title = f"**{name}** · `{kind}`" if isinstance(name, str) else f"**`{kind}`**"
    role = known_kind(kind, model.section("blocks"))
    about = _describe_kind(model, kind, role)
    lines = [title + (f" — {about}" if about else ""), ""]
    missing = _missing(model)
    if missing:
        return "\n".join(lines + [missing])
    instances = model.instances(item)
    if not instances and model.partial:
        lines.append("No figures: this item did not lower (see Problems).")
        return "\n".join(lines)
    if not instances:
        lines.append("Not in the network" + _under(model)
                     + " (`when: false`, or a block no item uses).")
        return "\n".join(lines)
    lines.extend(_instances(model, instances, subtotal=role != "layer"))
    return "\n".join(lines)


def block(model: SpecModel, name: str) -> str:
    """A block definition: its parameters, and the subtotal of each of its uses."""
    params = ", ".join(p if d is None else f"{p}={_show(d)}"
                       for p, d, _ in model.block_params(name))
    lines = [f"**block `{name}`**({params})", ""]
    description = model.value(("blocks", name, "description"))
    if isinstance(description, str):
        lines += [description, ""]
    missing = _missing(model)
    if missing:
        return "\n".join(lines + [missing])
    scopes = model.scopes_of_kind(name)
    if not scopes:
        lines.append("Not used" + _under(model) + ".")
        return "\n".join(lines)
    lines.extend(_instances(model, [model.scope_instance(s) for s in scopes], subtotal=True))
    return "\n".join(lines)


def variable(model: SpecModel, name: str, where: Path) -> str:
    """`$name`: a block parameter, `$index`, or a spec variable with its value now."""
    if where[:1] == ("blocks",) and len(where) > 1:
        for param, default, _ in model.block_params(str(where[1])):
            if param == name:
                given = "required" if default is None else f"default `{_show(default)}`"
                return (f"**${name}**: parameter of block `{where[1]}` ({given}); each use "
                        "sets it. Hover over a use for its figures.")
    if name == "index" and name not in model.section("variables"):
        return "**$index**: the repetition of the enclosing `repeat`, from 1."
    if name not in model.section("variables"):
        return f"**${name}**: not a variable of this spec."
    current = model.variables.get(name, model.section("variables")[name])
    lines = [f"**${name}** = `{_show(current)}`" + _under(model), ""]
    variants = model.section("variants")
    if variants:
        lines += ["| variant | value |", "|---|---|"]
        default = model.section("variables")[name]
        for v, values in list(variants.items())[:MAX_ROWS]:
            value = values.get(name, default) if isinstance(values, dict) else default
            lines.append(f"| {v} | `{_show(value)}` |")
        if len(variants) > MAX_ROWS:
            lines.append(f"| … {len(variants) - MAX_ROWS} more | |")
    return "\n".join(lines)


def variant(model: SpecModel, name: str) -> str:
    """A variant: its totals (compiled with that variant)."""
    other = model if model.variant == name else build(model.text, model.file, name)
    analysis = other.analysis
    lines = [f"**variant `{name}`**" + (" (current)" if model.variant == name else ""), ""]
    if analysis is None:
        return "\n".join(lines + ["No figures: the spec has errors under this variant."])
    total = analysis.total
    graph = analysis.graph
    outs = ", ".join(f"{o} `{format_shape(analysis.shape(o))}`" for o in graph.outputs)
    lines += [f"{len(graph.nodes) - len(graph.inputs):,} layers · {total.params:,} params · "
              f"{total.macs:,} MACs", "", f"Outputs: {outs}"]
    return "\n".join(lines)


def field(model: SpecModel, path: Path) -> str | None:
    """A field key of a layer: its description and default, from the schema."""
    item = item_of(path)
    if item is None or len(path) != len(item) + 2:
        return None
    kind = str(path[len(item)])
    cls = LAYER_MODELS.get(kind) or STRUCTURE_MODELS.get(kind)
    if cls is None:
        return None
    for name, info in cls.model_fields.items():
        if (info.alias or name) == path[-1]:
            need = "required" if info.is_required() else (
                "optional" if info.default_factory is not None else
                f"default `{_show(info.default)}`")
            text = f"**{path[-1]}** (`{kind}`): {need}"
            return text + (f"\n\n{info.description}" if info.description else "")
    return None


def _instances(model: SpecModel, instances: list[Instance], subtotal: bool) -> list[str]:
    label = "subtotal" if subtotal else "layer"
    if len(instances) == 1:
        one = instances[0]
        layers = f" (subtotal of {one.layers} layers)" if subtotal and one.layers > 1 else ""
        return [f"Output `{format_shape(one.shape)}` · {_cost(one)}{layers}",
                "", f"`{one.name}`" + _under(model), *_note(model, instances)]
    lines = [f"{len(instances)} instances{_under(model)}:", "",
             f"| {label} | output | params | MACs |", "|---|---|---:|---:|"]
    for one in instances[:MAX_ROWS]:
        params = f"{one.cost.params:,}" if one.cost else "?"
        macs = f"{one.cost.macs:,}" if one.cost else "?"
        lines.append(f"| `{one.name}` | {format_shape(one.shape)} | {params} | {macs} |")
    if len(instances) > MAX_ROWS:
        lines.append(f"| … {len(instances) - MAX_ROWS} more | | | |")
    if all(one.cost for one in instances):
        params_sum = sum(one.cost.params for one in instances if one.cost)
        macs_sum = sum(one.cost.macs for one in instances if one.cost)
        lines.append(f"| **all {len(instances)}** | | {params_sum:,} | {macs_sum:,} |")
    return lines + _note(model, instances)


def _cost(one: Instance) -> str:
    if one.cost is None:
        return "params and MACs unknown"
    return f"{one.cost.params:,} params · {one.cost.macs:,} MACs"


def _note(model: SpecModel, instances: list[Instance]) -> list[str]:
    if any(one.cost is None for one in instances):
        return ["", "_Params and MACs unknown: this item's input depends on an error "
                "(see Problems)._"]
    if model.partial:
        return ["", "_Figures of what still resolves: the spec has errors elsewhere "
                "(see Problems)._"]
    return []


def _missing(model: SpecModel) -> str | None:
    compiled = model.compiled
    if compiled is None or compiled.lowered is None:
        return "_No figures while the spec has errors (see Problems)._"
    return None


def _under(model: SpecModel) -> str:
    return f" (variant `{model.variant}`)" if model.variant else ""


def _describe_kind(model: SpecModel, kind: str, role: str | None) -> str:
    if role == "block":
        return f"use of block `{kind}`"
    return summary_of(LAYER_MODELS.get(kind) or STRUCTURE_MODELS.get(kind))


def _show(value: Any) -> str:
    return preview(value)
