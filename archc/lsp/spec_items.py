"""Layer items of the spec language as the editor features find them in the loaded data.

Which paths hold a list of layer items (top level, a block, a residual body, a branch, a
repeat), the item around a cursor, an item's kind (`conv2d` in `{conv2d: {...}}` or a bare
`conv2d`), its arguments and name, and what a kind names (a layer type, a structure or one
of the spec's blocks). Pure functions over plain data: no compile, no position index.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from archc.spec.items import split_item
from archc.spec.loader import Path
from archc.spec.schema import LAYER_MODELS, STRUCTURE_MODELS


def is_layer_list(path: Path) -> bool:
    """Does `path` address a list of layer items (top level, block, body, branch, ...)?"""
    if path == ("layers",):
        return True
    if len(path) == 3 and path[0] == "blocks" and path[2] == "layers":
        return True
    if len(path) >= 3 and path[-2] == "residual" and path[-1] in ("body", "shortcut"):
        return True
    if len(path) >= 3 and path[-2] == "repeat" and path[-1] == "layers":
        return True
    return len(path) >= 4 and path[-3] == "parallel" and path[-2] == "branches" \
        and isinstance(path[-1], int)


def item_of(path: Path) -> Path | None:
    """The layer item that contains `path` most closely (the path itself may be one)."""
    for end in range(len(path), 0, -1):
        if isinstance(path[end - 1], int) and is_layer_list(path[:end - 1]):
            return path[:end]
    return None


def enclosing_item(listing: Path) -> Path:
    """For a nested layer list (a body, a branch), the structure item that holds it."""
    return listing[:-3] if len(listing) >= 3 and listing[-2] == "branches" else listing[:-2]


def item_kind(item: Any) -> str | None:
    """`conv2d` for `{conv2d: {...}}` and for a bare `conv2d`; None for anything else."""
    split = split_item(item)
    return split.kind if split is not None else None


def item_args(item: Any) -> dict[str, Any]:
    """An item's arguments (`spec.items.split_item`), as a mapping of its own."""
    split = split_item(item)
    return dict(split.args) if split is not None else {}


def item_name(item: Any) -> str | None:
    """The `name:` an item gives its layer or block use, if it is text."""
    name = item_args(item).get("name")
    return name if isinstance(name, str) else None


def known_kind(kind: str, blocks: Mapping[str, Any]) -> str | None:
    """What a layer item's key names: a "layer" type, a "structure", a "block", or None."""
    if kind in LAYER_MODELS:
        return "layer"
    if kind in STRUCTURE_MODELS:
        return "structure"
    if kind in blocks:
        return "block"
    return None
