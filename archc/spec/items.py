"""A layer item's parts: its type and its arguments, and the fields every item takes.

A spec writes an item three ways: a bare type (`- flatten`), a type with one scalar for its
shorthand field (`- dropout: 0.5`, `- activation: relu`), or a type over a mapping of
arguments (`- conv2d: {filters: 8, kernel_size: 3}`). Lowering, the static layer count and
the language server all read items; they take them apart here, so the three agree on what
an item says. Reporting a malformed item (S001, S006) is the lowerer's: `split_item` only
says that it is one.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from archc.ir.ops import CATALOGUE, Family
from archc.spec.loader import Path

COMMON_FIELDS: tuple[str, ...] = ("name", "inputs", "output", "when")
"""The fields every layer item takes itself, block calls and structures included: the
fields of `schema.LayerCommon` (tests/spec/test_items.py holds the two equal), in the order
diagnostics list them. A block parameter cannot take one of these names, and they are not
arguments of the op."""


LAYER_KINDS: tuple[str, ...] = (*(op.value for op, d in CATALOGUE.items()
                                  if d.family is not Family.INPUT), "squeeze_excitation")
"""Layer types a spec may use directly, by their YAML key: every op of the catalogue but the
input, in its order, then the squeeze-and-excitation block (`schema.LAYER_MODELS` has a
model for each, in this order). Here, without pydantic, so that telling an item's kind
imports no schema model."""

STRUCTURE_KINDS: tuple[str, ...] = ("parallel", "residual", "repeat")
"""Structural items that contain other layers (`schema.STRUCTURE_MODELS`)."""

SHORTHAND_FIELD: Mapping[str, str] = {"activation": "function", "dropout": "rate"}
"""`- activation: relu` means `{activation: {function: relu}}`; likewise `dropout: 0.5`."""


@dataclass(frozen=True)
class SplitItem:
    """One layer item taken apart. `args` is the mapping as written (not a copy: read it,
    do not change it), `{field: value}` for a shorthand, empty for a bare type."""

    kind: str
    args: Mapping[str, Any]
    shorthand: bool = False
    """The item gave one scalar for its type's shorthand field (`dropout: 0.5`)."""
    stray: bool = False
    """The item gave a scalar to a type without a shorthand (`repeat: 3`): `args` is
    empty, and the lowerer reports S006."""

    def arg_paths(self, path: Path) -> dict[str, Path]:
        """Where each argument is written, for the item at `path` (a shorthand's value is
        the value of the type's key itself)."""
        if self.shorthand:
            return {key: path + (self.kind,) for key in self.args}
        return {key: path + (self.kind, key) for key in self.args}


_NO_ARGS: Mapping[str, Any] = {}


def split_item(item: Any) -> SplitItem | None:
    """`flatten`, `{dropout: 0.5}` or `{conv2d: {...}}` -> its type and arguments; None when
    the item is neither a string nor a mapping with one key (lowering reports S001)."""
    if isinstance(item, str):
        return SplitItem(item, _NO_ARGS)
    if not isinstance(item, dict) or len(item) != 1:
        return None
    kind, raw = next(iter(item.items()))
    if raw is None:  # `- flatten:` with nothing after the colon
        return SplitItem(kind, _NO_ARGS)
    if isinstance(raw, dict):
        return SplitItem(kind, raw)
    if kind in SHORTHAND_FIELD:
        return SplitItem(kind, {SHORTHAND_FIELD[kind]: raw}, shorthand=True)
    return SplitItem(kind, _NO_ARGS, stray=True)
