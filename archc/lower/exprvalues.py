"""What expressions see and say besides numbers: `$in`, the spec's functions as the
evaluator calls them, the budget one evaluation shares with its calls, the two kinds of
problem the lowerer treats specially, and which strings are expressions at all.

Kept apart from the walker (`expr.py`) so that module stays one job: the whitelist walk.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, Protocol

from archc.diagnostics import Problem

MAX_EXPR_LENGTH = 200

INPUT = "in"
"""`$in`: the record of the incoming tensor's shape (see `InputShape`)."""
IN_ATTRIBUTES = ("channels", "height", "width", "shape")


@dataclass(frozen=True)
class InputShape:
    """What `$in` reads: the shape of the tensor an item receives.

    `shape` is None when an earlier error left it unknown; reading it then raises `Silent`,
    so the item is dropped without a second report."""

    shape: tuple[int, ...] | None
    unknown: Callable[[], None] | None = None
    """Reports why the shape is unknown, if nobody has yet (an unknown `inputs` name)."""
    label: str = INPUT
    """How the spec reads it: `in`, or a block input's name (`skip` for `$skip.height`)."""

    def attribute(self, name: str) -> Any:
        if self.shape is None:
            if self.unknown is not None:
                self.unknown()
            raise Silent("E003", "the input's shape is unknown")
        if name == "shape":
            return list(self.shape)
        if name == "channels":
            return self.shape[-1]
        if len(self.shape) != 3:
            features = self.shape[0] if self.shape else 0
            raise Problem("E003", f"`${self.label}` is a vector of {features:,} features; it "
                          f"has no {name}", f"use `${self.label}.channels` for its length")
        return self.shape[0] if name == "height" else self.shape[1]


class Silent(Problem):
    """The expression read a value an earlier, reported error left unknown: drop the item
    without a new diagnostic."""


class InFunction(Problem):
    """A problem inside a spec function's own text; `path` is where that text is."""

    def __init__(self, inner: Problem, path: tuple[str | int, ...]) -> None:
        super().__init__(inner.code, inner.message, inner.help)
        self.path = path


class Callables(Protocol):
    """The spec's `functions:`, as the evaluator calls them (see `functions.py`)."""

    def names(self) -> Collection[str]: ...

    def call(self, name: str, args: list[Any], kwargs: dict[str, Any],
             budget: Budget) -> Any: ...


@dataclass
class Budget:
    """Work done by one top-level evaluation, shared by the calls it makes."""

    steps: int = 0
    depth: int = 0


class _NoFunctions:
    def names(self) -> Collection[str]:
        return ()

    def call(self, name: str, args: list[Any], kwargs: dict[str, Any],
             budget: Budget) -> Any:  # pragma: no cover - names() is empty
        raise AssertionError(name)


NO_FUNCTIONS: Callables = _NoFunctions()


def is_expression(value: Any) -> bool:
    """Is this value computed? A string with `$`, or one that is only numbers, operators
    and calls (`1 / 255`, `max(8, 16)`, `round_filters(32)`); any other string is text."""
    return isinstance(value, str) and ("$" in value or _computes(value))


_HAS_OPERATOR = re.compile(r"[-+*/%()<>=!]")
_COMPUTING = (ast.BinOp, ast.Compare, ast.BoolOp, ast.IfExp, ast.Call)


@functools.lru_cache(maxsize=4096)
def _computes(text: str) -> bool:
    if len(text) > MAX_EXPR_LENGTH or not _HAS_OPERATOR.search(text):
        return False
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError):
        return False
    callees = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    computing = False
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            if id(node) not in callees and node.id not in ("true", "false"):
                return False  # a word that is not a call: this is text (`a-b`, `x/y`)
        elif isinstance(node, ast.Constant):
            if not isinstance(node.value, (int, float, str)):
                return False
        elif isinstance(node, _COMPUTING):
            computing = True
        elif not isinstance(node, (ast.Expression, ast.UnaryOp, ast.List, ast.Load, ast.keyword,
                                   ast.operator, ast.unaryop, ast.cmpop, ast.boolop)):
            return False
    return computing


def whole(value: Any) -> Any:
    """An expression's result for a field: a whole float is the integer it equals (`64.0`
    from `$w * 2` fills `filters`), inside lists too; anything else is unchanged."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [whole(v) for v in value]
    return value
