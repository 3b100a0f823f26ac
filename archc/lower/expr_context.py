"""What expressions see and say besides numbers: `$in`, the spec's functions as the
evaluator calls them, the budget one evaluation shares with its calls, the two kinds of
problem the lowerer treats specially, and which strings are expressions at all.

Kept apart from the walker (`expr.py`) so that module stays one job: the whitelist walk.
"""

from __future__ import annotations

import ast
import functools
import keyword
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
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


class Exhausted(Problem):
    """The spec's whole budget is spent (C011): every later evaluation would fail too, so
    the stage that catches it reports it once and stops."""


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


MAX_TERMS = 100_000
"""The expanded size of one value (a number is 1 term, a list 1 plus its items' sizes,
shared sub-lists counted as often as they occur), and the work of one evaluation."""
MAX_SPEC_TERMS = 1_000_000
"""The work of every evaluation of a spec together (variables, functions, every item of
every copy): the bound on what a spec's expressions can cost, whatever their count."""
PARSE_TERMS = 60
"""What reading a new text costs besides a term per 4 characters: parsing is most of an
evaluation's time, so 20,000 distinct `let`s must spend like 20,000 evaluations."""
MAX_LEVELS = 100
"""The one nesting budget every recursive walk charges: sequences of layer items (blocks,
repeats, residuals, branches), expression nodes and function calls, together."""
MAX_VALUE_DEPTH = 32
"""How deeply lists may nest inside one value (`[[[...]]]`)."""
SMALL = 32
"""Lists of fewer terms are not remembered by the budget (see `Budget.size`)."""


def _short(text: str) -> str:
    """An expression as a message quotes it: long ones by their start (the caret shows it)."""
    return text if len(text) <= 60 else text[:57] + "..."


def quoted(text: str) -> str:
    """`text` in backticks, shortened like the cost messages quote it."""
    return f"`{_short(text)}`"


@dataclass
class Budget:
    """The cost model of one compilation: the terms its expressions visit and build, the
    nesting depth the walks reached, and the measured size of each list value.

    One budget is shared by every evaluation of a spec (the pipeline makes it), so a
    10,000-copy repeat or a `map` over a function with many `let`s spends from the same
    account; `start` marks where the current top-level evaluation began, for its own cap.
    Sizes are memoised by identity (the list is kept alive beside its size, so an id is
    never reused while the budget lives): measuring a value built from shared parts costs
    its distinct nodes, never its expansion.
    """

    steps: int = 0
    depth: int = 0
    """Spec function calls open (for E003's call-depth cap)."""
    level: int = 0
    """Nesting levels open, of every walk together (see MAX_LEVELS)."""
    start: int = 0
    deepest: int = 0
    """The most levels open at once so far (for tests and measurements)."""
    sizes: dict[int, tuple[list[Any], int, int]] = field(default_factory=dict)
    parsed: set[str] = field(default_factory=set)
    """Texts this spec has read: the first reading of each is charged (see PARSE_TERMS)."""

    def read(self, text: str) -> None:
        """Charge the first reading of `text` in this spec (later ones hit the parse cache;
        charging per spec, not per cache miss, keeps the count the same in every process)."""
        if text not in self.parsed:
            self.parsed.add(text)
            self.charge(PARSE_TERMS + len(text) // 4, text, evaluation=False)

    def charge(self, terms: int, text: str, evaluation: bool = True) -> None:
        """Spend `terms`; refuse past the spec's cap, and past the evaluation's unless the
        work is not an evaluation's (reading a text, which compiling functions does too)."""
        self.steps += terms
        if self.steps > MAX_SPEC_TERMS:
            raise Exhausted("C011", f"the spec's expressions together visit more than "
                            f"{MAX_SPEC_TERMS:,} terms; `{_short(text)}` crosses the cap",
                          "compute large values once, in `variables:`, and read them; "
                          "map over shorter lists")
        if evaluation and self.steps - self.start > MAX_TERMS:
            raise Problem("E003", f"expression too costly: `{_short(text)}` visits more than "
                          f"{MAX_TERMS:,} terms", "map over shorter lists")

    def enter(self, what: str) -> None:
        """Open one nesting level; refuse past MAX_LEVELS (the caller lowers `level` again
        when the level closes)."""
        self.level += 1
        if self.level > self.deepest:
            self.deepest = self.level
        if self.level > MAX_LEVELS:
            self.level -= 1
            self.deepest = MAX_LEVELS
            raise Problem("C012", f"{what} nests deeper than {MAX_LEVELS} levels, counting "
                          "the blocks, repeats, branches and bodies around it, the "
                          "expressions' nesting and the calls they make",
                          "flatten it: compute parts in `variables:` or a `let:`, or nest "
                          "fewer structures")

    def size(self, value: Any, text: str) -> int:
        """The expanded size of `value` in terms (see MAX_TERMS), measured without recursion
        and refused (E003) past the size or nesting cap."""
        if not isinstance(value, list):
            return 1
        memo = self.sizes
        hit = memo.get(id(value))
        if hit is not None and hit[0] is value:
            return hit[1]
        # Small lists are remembered for this measurement only: re-measuring one costs at
        # most SMALL terms per occurrence, and the budget need not keep every list alive.
        done: dict[int, tuple[list[Any], int, int]] = {}
        stack: list[tuple[list[Any], bool]] = [(value, False)]
        while stack:
            node, ready = stack.pop()
            known = memo.get(id(node)) or done.get(id(node))
            if known is not None and known[0] is node:
                continue
            if not ready:
                stack.append((node, True))
                stack.extend((c, False) for c in node if isinstance(c, list))
                continue
            terms, depth = 1, 1
            for child in node:
                if isinstance(child, list):
                    _, t, d = memo.get(id(child)) or done[id(child)]
                    terms += t
                    depth = max(depth, d + 1)
                else:
                    terms += 1
            self.charge(len(node) + 1, text)
            if terms > MAX_TERMS:
                raise Problem("E003", f"the value of `{_short(text)}` is too large: it expands to "
                              f"{terms:,} terms (the cap is {MAX_TERMS:,})",
                              "lists built from copies of lists grow exponentially; build "
                              "the list you need directly")
            if depth > MAX_VALUE_DEPTH:
                raise Problem("E003", f"the value of `{_short(text)}` nests lists {depth} "
                              f"deep (the cap is {MAX_VALUE_DEPTH})", "flatten the list")
            done[id(node)] = (node, terms, depth)
            if terms >= SMALL:
                memo[id(node)] = done[id(node)]
        return done[id(value)][1]


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
_PLAIN = (ast.Expression, ast.UnaryOp, ast.List, ast.Load, ast.keyword, ast.operator,
          ast.unaryop, ast.cmpop, ast.boolop)
_QUOTED = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
_WORD = re.compile(r"(?<![\w.])([A-Za-z_]\w*)(\s*(?:\(|=(?!=)))?")
"""A word, and whether a call's `(` or a keyword argument's `=` follows it."""
_MAP_ARGUMENT = re.compile(r"(?<![\w.])map\s*\(\s*([A-Za-z_]\w*)")


@functools.lru_cache(maxsize=4096)
def _computes(text: str) -> bool:
    if len(text) > MAX_EXPR_LENGTH or not _HAS_OPERATOR.search(text):
        return False
    # Most texts are words (`a-b`, `relu`, `same`): a word that is not a call, `true`,
    # `false` or `map`'s function makes text, found without parsing (parsing and walking
    # each of 40,000 distinct texts was most of their cost).
    outside = _QUOTED.sub("''", text)
    mapped = set(_MAP_ARGUMENT.findall(outside))
    for word, call in _WORD.findall(outside):
        if not call and word not in ("true", "false") and word not in mapped \
                and not keyword.iskeyword(word):  # `if`, `and`, `not`: the parse decides
            return False
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError):
        return False
    callees: set[int] = set()
    computing = False
    stack: list[ast.AST] = [tree]
    while stack:  # the same test ast.walk would make, without its generators
        node = stack.pop()
        if isinstance(node, ast.Call):
            callees.add(id(node.func))
            if isinstance(node.func, ast.Name) and node.func.id == "map" and node.args:
                # `map(round, ...)`: map's first argument names a function, as a call does.
                callees.add(id(node.args[0]))
        if isinstance(node, ast.Name):
            if id(node) not in callees and node.id not in ("true", "false"):
                return False  # a word that is not a call: this is text (`a-b`, `x/y`)
        elif isinstance(node, ast.Constant):
            if not isinstance(node.value, (int, float, str)):
                return False
        elif isinstance(node, _COMPUTING):
            computing = True
        elif not isinstance(node, _PLAIN):
            return False
        for name in node._fields:
            child = getattr(node, name, None)
            if isinstance(child, list):
                stack.extend(c for c in reversed(child) if isinstance(c, ast.AST))
            elif isinstance(child, ast.AST):
                stack.append(child)
    return computing


def whole(value: Any, _done: dict[int, Any] | None = None) -> Any:
    """An expression's result for a field: a whole float is the integer it equals (`64.0`
    from `$w * 2` fills `filters`), inside lists too; anything else is unchanged.

    A list that needs no change is returned itself, and a shared sub-list is converted once:
    a copy would expand what the value shares (and lose the sizes measured for it)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if not isinstance(value, list):
        return value
    done = {} if _done is None else _done
    if id(value) in done:
        return done[id(value)]
    items = [whole(v, done) for v in value]
    result = value if all(a is b for a, b in zip(items, value, strict=True)) else items
    done[id(value)] = result
    return result
