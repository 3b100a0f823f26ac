"""Hover and go-to-definition on a block's declared inputs.

An input of a block that declares `inputs: [x, skip]` is written in four places: its
declaration, a reference in the body (`inputs: skip`), its shape (`$skip.height`) and a
call's `inputs: {skip: enc3}`. Each leads to the declaration, and hovering shows what the
input read in every use of the block (from the scopes the lowerer records).
"""

from __future__ import annotations

from archc.diagnostics import SourceSpan
from archc.ir.printer import format_shape
from archc.lsp.model import Scalar, SpecModel, item_kind, item_of

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
