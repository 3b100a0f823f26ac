"""Names and cycle paths: what a layer's `inputs` can refer to, and why a reference fails.

Each sequence (the top level, a branch, a block body, a repetition) sees its own names and,
through `parent`, those of the sequences around it. A reference that does not resolve is
told apart: a cycle among the items (G008, with its path), a layer defined further down
(N001, "defined later") or a plain unknown name (N001, with "did you mean").
"""

from __future__ import annotations

import re
from collections import ChainMap
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from archc.diagnostics import DiagnosticSink, SourceSpan, did_you_mean
from archc.spec.items import split_item
from archc.spec.loader import Document, Path

INPUT_NAME = "input"
"""What a block's layers call the block's input (the spec's single input has this name)."""


class Names:
    """Layer names visible in one sequence, with the enclosing sequence as fallback."""

    def __init__(self, parent: Names | None = None) -> None:
        self.local: dict[str, str | None] = {}
        self.spans: dict[str, SourceSpan] = {}
        self.reserved: set[str] = set()
        """Names the list did not define: a block's `input` (and declared inputs), a
        repeated list's `input`."""
        self.reserved_for = "in a block, `{name}` is the block's input"
        """Why a reserved name cannot name a layer (N002's message)."""
        self.removed: dict[str, SourceSpan] = {}
        """Names of items left out by `when: false`, with the span of their `when`."""
        self.parent = parent

    def removed_at(self, name: str) -> SourceSpan | None:
        scope: Names | None = self
        while scope is not None:
            if name in scope.removed:
                return scope.removed[name]
            scope = scope.parent
        return None

    def lookup(self, name: str) -> tuple[bool, str | None]:
        scope: Names | None = self
        while scope is not None:
            if name in scope.local:
                return True, scope.local[name]
            scope = scope.parent
        return False, None

    def visible(self) -> Iterator[str]:
        scope: Names | None = self
        while scope is not None:
            yield from scope.local
            scope = scope.parent


@dataclass
class Ctx:
    """Where the walk is: variables in scope, visible names, scope path, the current output,
    the blocks being expanded (to refuse recursion) and the sequence being walked."""

    env: ChainMap[str, Any]
    """Variables, parameters and `$in`, in layers: an item adds one, never copies."""
    names: Names
    scope: tuple[str, ...]
    current: str | None
    blocks: tuple[str, ...] = ()
    items: list[Any] = field(default_factory=list)
    index: int = 0


def unknown_reference(sink: DiagnosticSink, doc: Document, ref: str, ref_path: Path,
                      ctx: Ctx) -> None:
    """An unresolved reference: a cycle or the layer itself (G008), a forward reference, a
    layer removed by `when: false`, or a typo (N001). (Automatic names are readable: they
    are registered like given ones, see the lowerer's `_finish`.)"""
    span = doc.span(ref_path)
    later = later_index(ctx.items, ctx.index, ref)
    if later is not None:
        cycle = cycle_path(ctx.items, ctx.index, later)
        if cycle is not None:
            sink.error("G008", "the layers form a cycle: " + " -> ".join(cycle), span,
                       "a network is acyclic; break the loop by reading an earlier layer")
        else:
            sink.error("N001", f"`{ref}` is defined later (item {later + 1} of this "
                       "list); a layer can only read layers above it", span,
                       "move the layer above, or read an earlier one")
        return
    if ctx.items and ctx.index < len(ctx.items) and _item_name(ctx.items[ctx.index]) == ref:
        sink.error("G008", f"the layer `{ref}` reads itself", span,
                   "a layer reads layers above it: name an earlier one, or drop "
                   "`inputs` to read the previous layer")
        return
    removed = ctx.names.removed_at(ref)
    if removed is not None:
        sink.error("N001", f"`{ref}` is removed by `when: false` (line "
                   f"{removed.line}), so nothing can read it", span,
                   "read another layer, or make both depend on the same condition")
        return
    sink.error("N001", f"unknown layer name `{ref}`", span,
               did_you_mean(ref, ctx.names.visible()) or (
                   "automatic names are read in their own scope: a layer inside a block, "
                   "branch, body or repeat copy is read there, or through its structure's "
                   "name" if _AUTOMATIC.fullmatch(ref) else None))


_AUTOMATIC = re.compile(r"[a-z][a-z0-9_]*_[0-9]+")
"""What an automatic name looks like (`conv2d_1`, `residual_2`)."""


def _item_name(item: Any) -> str | None:
    split = split_item(item)
    name = split.args.get("name") if split is not None else None
    return name if isinstance(name, str) else None


def _item_inputs(item: Any) -> list[str] | None:
    split = split_item(item)
    if split is None or "inputs" not in split.args:
        return None
    refs = split.args["inputs"]
    return [refs] if isinstance(refs, str) else [r for r in refs if isinstance(r, str)]


def later_index(items: list[Any], index: int, ref: str) -> int | None:
    for j in range(index + 1, len(items)):
        if _item_name(items[j]) == ref:
            return j
    return None


def cycle_path(items: list[Any], start: int, target: int) -> list[str] | None:
    """If item `target` depends (through chaining or names) on item `start`, the cycle."""
    names = {(_item_name(it) or ""): i for i, it in enumerate(items) if _item_name(it)}

    def label(i: int) -> str:
        return _item_name(items[i]) or f"item {i + 1}"

    def deps(i: int) -> list[int]:
        refs = _item_inputs(items[i])
        if refs is None:
            return [i - 1] if i > 0 else []
        return [names[r] for r in refs if r in names]

    stack: list[tuple[int, list[int]]] = [(target, [target])]
    seen: set[int] = set()
    while stack:
        node, trail = stack.pop()
        if node == start:
            return [label(start)] + [label(i) for i in trail]
        if node in seen:
            continue
        seen.add(node)
        for dep in deps(node):
            stack.append((dep, trail + [dep]))
    return None
