"""Hover and go-to-definition on a block's declared inputs and exposed outputs.

An input of a block that declares `inputs: [x, skip]` is written in four places: its
declaration, a reference in the body (`inputs: skip`), its shape (`$skip.height`) and a
call's `inputs: {skip: enc3}`. Each leads to the declaration, and hovering shows what the
input read in every use of the block (from the scopes the lowerer records). A reference
`net.p3` to a call's exposed output leads to the block's `outputs:` entry, and hovering
shows the layer it reads with its shape.
"""

from __future__ import annotations

from archc.diagnostics import SourceSpan
from archc.ir.printer import format_shape
from archc.lsp.model import Scalar, SpecModel
from archc.lsp.spec_items import item_args, item_kind, item_of
from archc.spec.loader import Path

MAX_USES = 8
"""Uses listed one by one before the rest are counted."""


def declared(model: SpecModel, block: str) -> list[str]:
    """The inputs a block declares (none: it reads one tensor, `input`)."""
    names = model.value(("blocks", block, "inputs"))
    return [n for n in names if isinstance(n, str)] if isinstance(names, list) else []


def input_at(model: SpecModel, s: Scalar, variable: str | None) -> tuple[str, int] | None:
    """(block, index of the input) when the scalar under the cursor is a block input:
    its declaration, a reference to it in the body, `$name` (given as `variable`), or a
    key of a call's `inputs:` mapping."""
    path = s.path
    blocks = model.section("blocks")
    if len(path) >= 2 and path[0] == "blocks" and isinstance(path[1], str) \
            and path[1] in blocks:
        block = path[1]
        names = declared(model, block)
        if path[2:3] == ("inputs",) and len(path) == 4 and not s.is_key:
            return (block, int(path[3])) if isinstance(path[3], int) else None
        if variable is not None:
            return (block, names.index(variable)) if variable in names else None
        if path[2:3] == ("layers",) and not s.is_key and "inputs" in path[-2:] \
                and s.text in names:
            return block, names.index(s.text)
        return None
    item = item_of(path)
    if item is None or not s.is_key:
        return None
    kind = item_kind(model.value(item))
    if kind is None or kind not in blocks:
        return None
    if path[len(item):len(item) + 2] == (kind, "inputs") and len(path) == len(item) + 3:
        names = declared(model, kind)
        return (kind, names.index(s.text)) if s.text in names else None
    return None


def definition(model: SpecModel, block: str, index: int) -> SourceSpan | None:
    return model.span(("blocks", block, "inputs", index))


def hover(model: SpecModel, block: str, index: int) -> str:
    """The input's place in the call order and what it read in each use of the block."""
    names = declared(model, block)
    name = names[index]
    lines = [f"**input `{name}`** of block `{block}` ({index + 1} of {len(names)}): a layer "
             f"name in the body, and `${name}.channels`, `.height`, `.width`, `.shape`", ""]
    scopes = model.scopes_of_kind(block)
    if not scopes:
        lines.append("Not used: no call of the block in the network.")
        return "\n".join(lines)
    for scope in scopes[:MAX_USES]:
        source = dict(scope.inputs).get(name)
        shape = model.shape_of(source) if source else None
        read = f"`{source}` {format_shape(shape)}" if source and shape else \
            f"`{source}`" if source else "unknown"
        lines.append(f"- `{scope.name}` reads {read}")
    if len(scopes) > MAX_USES:
        lines.append(f"- ... and {len(scopes) - MAX_USES} more uses")
    return "\n".join(lines)


def exposed_at(model: SpecModel, s: Scalar) -> tuple[Path, str, str] | None:
    """(the call's item, its block, the exposed name) for a reference like `net.p3` to an
    output of a block call (or to the last copy's input or output of a repeat)."""
    path = s.path
    if s.is_key or "." not in s.text:
        return None
    if path[:1] == ("outputs",) and len(path) == 2:
        names = model.top_level_names()
    elif "inputs" in path[-3:-1] or "inputs" in path[-2:]:
        item = item_of(path)
        names = model.visible_names(item) if item is not None else {}
    else:
        return None
    text = s.text
    for cut in range(len(text) - 1, 0, -1):
        if text[cut] != ".":
            continue
        call, exposed = text[:cut], text[cut + 1:]
        item = names.get(call)
        if item is None or item_of(item) != item:
            continue
        raw = model.value(item)
        kind = item_kind(raw)
        block = item_args(raw).get("block") if kind == "repeat" else kind
        if not isinstance(block, str) or block not in model.section("blocks"):
            continue
        extra = declared(model, block) if kind == "repeat" else []
        if exposed in _outputs(model, block) or exposed in extra:
            return item, block, exposed
    return None


def _outputs(model: SpecModel, block: str) -> dict[str, str]:
    outputs = model.value(("blocks", block, "outputs"))
    if isinstance(outputs, list):
        return {o: o for o in outputs if isinstance(o, str)}
    if isinstance(outputs, dict):
        return {k: v for k, v in outputs.items() if isinstance(k, str) and isinstance(v, str)}
    return {}


def exposed_definition(model: SpecModel, block: str, exposed: str) -> SourceSpan | None:
    outputs = model.value(("blocks", block, "outputs"))
    if isinstance(outputs, list) and exposed in outputs:
        return model.span(("blocks", block, "outputs", outputs.index(exposed)))
    if isinstance(outputs, dict) and exposed in outputs:
        return model.key_span(("blocks", block, "outputs", exposed))
    names = declared(model, block)
    return definition(model, block, names.index(exposed)) if exposed in names else None


def exposed_hover(model: SpecModel, item: Path, block: str, exposed: str) -> str:
    layer = _outputs(model, block).get(exposed)
    what = f"output `{exposed}` of block `{block}` (its layer `{layer}`)" if layer else \
        f"what the last copy of block `{block}` read as `{exposed}`"
    lines = [f"**`{exposed}`**: {what}", ""]
    for scope in model.produced(item)[1][:MAX_USES]:
        node = dict(scope.outputs).get(exposed)
        if node is not None:
            shape = model.shape_of(node)
            lines.append(f"- `{node}`" + (f" {format_shape(shape)}" if shape else ""))
    return "\n".join(lines).rstrip()

