"""A static lower bound on the layers a spec expands to, decided before anything is lowered.

The layer cap (`C001`) used to be reached by expanding: blocks calling blocks ten times over
(10**9 layers) were refused only after 20,000 layers had been lowered and shape-checked, and
50,000 listed items only after 20,000 of them had been validated (1.6 s and 124 MB). Counting
needs none of that: every listed item costs at least one (a node, or a walk that made none:
an item removed by `when: false` counts against the cap too, so a `repeat` of removed layers
is not free), a block call is at least its block, `repeat` is `times` copies, `parallel` its
branches, `residual` its body. Whatever is uncertain counts as little as it could (a `when`
or `times` that reads block parameters or `$index`, a block nested past the depth cap, a
recursive block), so the bound never exceeds what lowering would charge and a spec under
the cap is never refused by it. The count walks nested lists by recursion, so it charges the
spec's depth budget like lowering does, and counts nothing deeper than its cap (C012).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from archc.diagnostics import Problem
from archc.lower.expr import Budget, evaluate, is_expression
from archc.lower.expr_context import MAX_LEVELS
from archc.spec.items import LAYER_KINDS, split_item

if TYPE_CHECKING:
    from archc.spec.schema import BlockDef


@dataclass(frozen=True)
class OverCap:
    """The top-level item at which the running lower bound first exceeds the cap."""

    index: int
    kind: str
    total: int
    own: int


class _Counter:
    def __init__(self, blocks: Mapping[str, BlockDef], variables: Mapping[str, Any],
                 max_repeat: int, max_block_depth: int, budget: Budget) -> None:
        self.budget = budget
        self.level = 0
        self.blocks = blocks
        self.variables = variables
        self.max_repeat = max_repeat
        self.max_block_depth = max_block_depth
        self.memo: dict[tuple[str, int], int] = {}
        self.open: set[str] = set()

    def sequence(self, items: Any, depth: int, top: bool) -> int:
        if not isinstance(items, list):
            return 0
        if self.level >= MAX_LEVELS:
            return 0  # lowering reports C012 here
        self.level += 1
        try:
            return sum(self.item(item, depth, top) for item in items)
        finally:
            self.level -= 1

    def item(self, item: Any, depth: int, top: bool) -> int:
        split = split_item(item)
        if split is None:
            return 0
        kind, args = split.kind, split.args
        if "when" in args and self.known(args["when"], top) is not True:
            return 1  # false, or not known before lowering: counted as removed (one walk)
        return max(1, self.kept(kind, args, depth, top))

    def kept(self, kind: str, args: Mapping[str, Any], depth: int, top: bool) -> int:
        if kind in LAYER_KINDS:
            return 1
        if kind == "parallel":
            branches = args.get("branches")
            return sum(self.sequence(b, depth, top) for b in branches) \
                if isinstance(branches, list) else 0
        if kind == "residual":
            return self.sequence(args.get("body"), depth, top)
        if kind == "repeat":
            return self.repeat(args, depth, top)
        if kind in self.blocks:
            return self.block(kind, depth)
        return 0

    def known(self, value: Any, top: bool) -> Any:
        """`value`, evaluated if it is an expression of the spec's variables alone, else None.

        Outside the top-level list (in a block, in a repeat) an expression may read block
        parameters or `$index`, which are not known before lowering.
        """
        if not (isinstance(value, str) and is_expression(value)):
            return value
        if not top:
            return None
        try:
            return evaluate(value, self.variables, budget=self.budget)
        except Problem:
            return None

    def repeat(self, args: Mapping[str, Any], depth: int, top: bool) -> int:
        times = self.known(args.get("times"), top)
        if isinstance(times, bool) or not isinstance(times, int) \
                or not 0 <= times <= self.max_repeat:
            return 0  # C002 or a validation error will say what is wrong
        block = args.get("block")
        if isinstance(block, str):
            per = self.block(block, depth) if block in self.blocks else 0
        else:  # the body sees `$index`: not the top-level environment any more
            per = self.sequence(args.get("layers"), depth, False)
        return times * per

    def block(self, name: str, depth: int) -> int:
        if depth >= self.max_block_depth or name in self.open:
            return 0  # C004 or N004 will say what is wrong
        key = (name, depth)
        if key not in self.memo:
            self.open.add(name)
            self.memo[key] = self.sequence(self.blocks[name].layers, depth + 1, False)
            self.open.discard(name)
        return self.memo[key]


def static_layers(layers: Any, blocks: Mapping[str, BlockDef], variables: Mapping[str, Any],
                  inputs: int, max_repeat: int, max_block_depth: int,
                  budget: Budget | None = None) -> int:
    """The whole lower bound (inputs included): what one compilation surely costs."""
    if not isinstance(layers, list):
        return inputs
    counter = _Counter(blocks, variables, max_repeat, max_block_depth,
                       budget if budget is not None else Budget())
    return inputs + sum(counter.item(item, 0, True) for item in layers)


def first_over_cap(layers: Any, blocks: Mapping[str, BlockDef], variables: Mapping[str, Any],
                   inputs: int, max_nodes: int, max_repeat: int,
                   max_block_depth: int, budget: Budget | None = None) -> OverCap | None:
    """The first top-level item by which the spec surely exceeds `max_nodes`, or None."""
    if not isinstance(layers, list):
        return None
    counter = _Counter(blocks, variables, max_repeat, max_block_depth,
                       budget if budget is not None else Budget())
    total = inputs
    for index, item in enumerate(layers):
        own = counter.item(item, 0, True)
        total += own
        if total > max_nodes:
            split = split_item(item)
            return OverCap(index, split.kind if split else "", total, own)
    return None
