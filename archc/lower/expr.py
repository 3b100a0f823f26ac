"""A small, safe evaluator for the arithmetic in specs.

`filters: $filters * 4`, `times: $stages[2]`, `when: $with_aux`,
`padding: "'same' if $s == 1 else 'valid'"`, `units: max(8, int($in.channels * 0.25))`.
The text is parsed with `ast.parse(mode="eval")` and walked over a whitelist of node types
(`ALLOWED` says which, in the words E002's help prints). Nothing is ever evaluated by Python
itself; calls reach only the builtins in `builtins.py` and the spec's own `functions:`, and
the only attribute is `$in.channels`/`.height`/`.width`/`.shape`, so a spec cannot reach
any object.

Caps keep hostile text cheap: 200 characters per text, exponents up to 64, intermediate
integers below 2**128, results below 2**63, calls nested at most 32 deep, lists of at most
10,000 items. The cost model (`Budget`, one per spec) bounds the rest: every syntax node
visited, every list item built, compared or summed is a term; a value's size is its
expanded size (shared sub-lists counted as often as they occur, measured without expanding
them); one evaluation may spend 100,000 terms, a whole spec 2,000,000; and the expression's
nesting and its calls charge the same depth budget as the structures around it.
"""

from __future__ import annotations

import ast
import functools
import keyword
import math
import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

from archc.diagnostics import Problem, did_you_mean
from archc.lower.builtins import BUILTINS, CALLABLE_NAMES, MAX_LIST, arity_text, number
from archc.lower.expr_context import (
    IN_ATTRIBUTES,
    INPUT,
    MAX_EXPR_LENGTH,
    NO_FUNCTIONS,
    Budget,
    Callables,
    Exhausted,
    InFunction,
    InputShape,
    Silent,
    is_expression,
    quoted,
    whole,
)

__all__ = ["ALLOWED", "INPUT", "MAX_EXPR_LENGTH", "NO_FUNCTIONS", "PARAM_PATTERN", "Budget",
           "Callables", "Exhausted", "InFunction", "InputShape", "Silent", "evaluate",
           "is_expression", "names_in", "variables_in", "whole"]

MAX_CALL_DEPTH = 32
MAX_MAGNITUDE = 2**63
"""Results beyond int64 are never a layer size; unbounded ones reach float() later and crash."""
_MAX_INTERMEDIATE = 2**128

_PREFIX = "__archc_var_"
PARAM_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
"""What `$name` can read: variables, block and function parameters must match it."""
_VAR = re.compile(r"\$(" + PARAM_PATTERN.pattern + ")")
_STRING = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")
"""A quoted string inside an expression (its text may be anything)."""

ALLOWED = ("numbers, 'strings', true, false, [lists], $variables, $in.channels / .height / "
           ".width / .shape, + - * / // % **, == != < <= > >=, and, or, not, "
           "a if c else b, list[i], list[a:b], parentheses, and calls to "
           + ", ".join(CALLABLE_NAMES) + " and this spec's functions")
"""E002's help: exactly what an expression may contain."""
_HELP = "allowed: " + ALLOWED

_BINOPS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_CMPOPS: dict[type[ast.cmpop], Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}


def variables_in(text: str) -> list[str]:
    return _VAR.findall(text)


def evaluate(text: str, env: Mapping[str, Any], functions: Callables = NO_FUNCTIONS,
             budget: Budget | None = None) -> Any:
    """Evaluate `text` (which contains `$name` references) against `env`.

    `budget` is the spec's cost account (a fresh one when None); a top-level evaluation
    (not one inside a function call) starts its own 100,000-term allowance in it."""
    if len(text) > MAX_EXPR_LENGTH:
        raise Problem("E002", f"expression longer than {MAX_EXPR_LENGTH} characters",
                      "split it: compute parts in `variables:` or a function's `let:`")
    budget = budget if budget is not None else Budget()
    if budget.depth == 0:
        budget.start = budget.steps
    whole = _VAR.fullmatch(text.strip())
    if whole and whole.group(1) != INPUT:  # `$filters`: any value, lists and names included
        budget.charge(1, text)  # a bare `$n` is a term like any other (a `let` of 100 of them)
        return _lookup(whole.group(1), env)
    budget.read(text)
    tree = _parse(text)
    walk = _Walk(text, env, functions, budget)
    try:
        result = walk.value_of(tree)
    except Problem:
        raise
    except (TypeError, ValueError, ZeroDivisionError, IndexError, KeyError,
            OverflowError) as exc:
        raise Problem("E003", f"cannot evaluate `{text}`: {exc}") from None
    _resolve(text, env, functions)  # after the walk: the branches it did not take
    budget.size(result, text)
    if isinstance(result, (int, float)) and abs(result) >= MAX_MAGNITUDE:
        raise Problem("E003", f"the value of `{text}` is too large ({float(result):.3g})")
    if isinstance(result, float) and math.isnan(result):  # inf - inf, from 1e400 literals
        raise Problem("E003", f"the value of `{text}` is not a number (nan)")
    return result


@functools.lru_cache(maxsize=4096)
def _parse(text: str) -> ast.expr:
    # `$name` becomes a prefixed identifier, so a bare `name` elsewhere in the text is still
    # recognised as a forgotten `$` (substituting plain `name` let `filters * $filters` pass).
    outside = _STRING.sub("''", text)
    if _PREFIX in outside:
        raise Problem("E002", f"`{_PREFIX}` in `{text}` is reserved by archc",
                      "read variables as `$name`")
    foreign = next((c for c in outside if not c.isascii()), None)
    if foreign is not None:
        # Python folds look-alikes (NFKC): `$w\U0001d422dth` would read `$width`, `\u210c`
        # call `H`. Names are ASCII, so such a text is refused under the name as written.
        raise Problem("E002", f"`{foreign}` (U+{ord(foreign):04X}) in `{text}` is not ASCII",
                      "names, numbers and operators in expressions are ASCII; only quoted "
                      "'strings' may hold other characters")
    # Outside quoted strings only: `'$x'` is the text `$x`.
    parts, last = [], 0
    for quoted_text in _STRING.finditer(text):
        parts += [_VAR.sub(lambda m: _PREFIX + m.group(1), text[last:quoted_text.start()]),
                  quoted_text.group()]
        last = quoted_text.end()
    parts.append(_VAR.sub(lambda m: _PREFIX + m.group(1), text[last:]))
    source = "".join(parts)
    if "$" in _STRING.sub("''", source):
        raise Problem("E002", f"`$` must be followed by a variable name in `{text}`", _HELP)
    try:
        return ast.parse(source.strip(), mode="eval").body
    except (SyntaxError, ValueError):
        raise Problem("E002", f"cannot parse the expression `{text}`", _HELP) from None


_CALLED = re.compile(r"(?<![$\w.])([A-Za-z_]\w*)\s*\(")
"""A bare name followed by `(`: a call (`$f(` and `x.f(` are not; the walker explains them)."""
_READ = re.compile(_VAR.pattern + r"\b(?!\s*\()")
"""`$name` read as a value (`$f(...)` is a mistake the walker explains)."""
_MAPPED = re.compile(r"(?<![$\w.])map\s*\(\s*([A-Za-z_]\w*)\s*,")
"""`map(f, ...)`: the function `map` calls."""


@functools.lru_cache(maxsize=4096)
def names_in(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The variables a (parseable) text reads and the functions it calls, in every branch.

    Read from the text (outside its quoted strings) rather than by walking the tree: a
    regular expression is several times cheaper, and 20,000 `let`s call this 20,000 times."""
    outside = _STRING.sub("''", text)
    calls = [c for c in _CALLED.findall(outside) + _MAPPED.findall(outside)
             if not keyword.iskeyword(c)]  # `x if (...)`, `not (...)`, `in (...)`
    return tuple(dict.fromkeys(_READ.findall(outside))), tuple(dict.fromkeys(calls))


def _resolve(text: str, env: Mapping[str, Any], functions: Callables) -> None:
    """Every name of the text must exist, in the branch taken or not: `4 if $t else $widht`
    is a typo whatever `$t` is (functions are checked so when the spec is loaded)."""
    variables, calls = names_in(text)
    for name in variables:
        if name != INPUT and name not in env:
            _lookup(name, env)  # raises E001 with "did you mean"
    spec_functions = functions.names()
    for name in calls:
        if name not in BUILTINS and name != "map" and name not in spec_functions:
            raise Problem("E004", f"unknown function `{name}` in `{text}`",
                          did_you_mean(name, [*CALLABLE_NAMES, *spec_functions])
                          or "functions: " + ", ".join([*CALLABLE_NAMES, *spec_functions]))


def _lookup(name: str, env: Mapping[str, Any]) -> Any:
    if name == INPUT:
        if INPUT not in env:
            raise Problem("E006", "`$in` is only defined in layer items",
                          "`$in` is the shape of what an item reads: use it in a layer's "
                          "fields, a block call's arguments or a block parameter's default")
        raise Problem("E002", "`$in` is the input's shape, not a number",
                      "use `$in.channels`, `$in.height`, `$in.width` or `$in.shape`")
    if name not in env:
        raise Problem("E001", f"unknown variable `${name}`", did_you_mean(name, env))
    value = env[name]
    if isinstance(value, InputShape):  # a block's named input: `$skip.height`, ...
        raise Problem("E002", f"`${name}` is the shape of the block's input `{name}`, not a "
                      "number", f"use `${name}.channels`, `${name}.height`, `${name}.width` "
                      f"or `${name}.shape`")
    return value


class _Walk:
    """One evaluation of one text: the walk over its syntax tree."""

    def __init__(self, text: str, env: Mapping[str, Any], functions: Callables,
                 budget: Budget) -> None:
        self.text = text
        self.env = env
        self.functions = functions
        self.budget = budget

    def refuse(self, what: str | None = None) -> Problem:
        message = f"`{self.text}` uses {what or 'something the evaluator does not allow'}"
        return Problem("E002", message, _HELP)

    def value_of(self, node: ast.expr) -> Any:
        budget = self.budget
        budget.charge(1, self.text)
        method = getattr(self, "_" + type(node).__name__, None)
        if method is None:
            raise self.refuse()
        budget.enter(quoted(self.text))
        try:
            return method(node)
        finally:
            budget.level -= 1

    # -- leaves -------------------------------------------------------------------------

    def _Constant(self, node: ast.Constant) -> Any:
        if isinstance(node.value, bool):
            raise Problem("E002", f"`{node.value}` in `{self.text}`: a spec writes "
                          f"`{str(node.value).lower()}`", f"write `{str(node.value).lower()}`")
        if isinstance(node.value, (int, float, str)):
            return node.value
        raise self.refuse()

    def _Name(self, node: ast.Name) -> Any:
        if node.id.startswith(_PREFIX):
            return _lookup(node.id[len(_PREFIX):], self.env)
        if node.id in ("true", "false"):
            return node.id == "true"
        if node.id in BUILTINS or node.id in self.functions.names():
            raise Problem("E002", f"`{node.id}` in `{self.text}` is a function",
                          f"call it: `{node.id}(...)`")
        raise Problem("E002", f"`{node.id}` in `{self.text}` is not a number or a $variable",
                      f"write `${node.id}` to use the variable")

    def _Attribute(self, node: ast.Attribute) -> Any:
        target = node.value
        name = target.id[len(_PREFIX):] if isinstance(target, ast.Name) \
            and target.id.startswith(_PREFIX) else None
        # `$in`, and inside a block each named input (`$skip.height`), have a shape.
        if name is None or (name != INPUT and not isinstance(self.env.get(name), InputShape)):
            if name is not None and name not in self.env:
                _lookup(name, self.env)  # raises E001 with "did you mean"
            raise self.refuse("an attribute; only `$in` and a block's named inputs have them")
        if name not in self.env:
            _lookup(INPUT, self.env)  # raises E006
        if node.attr not in IN_ATTRIBUTES:
            names = [f"${name}.{a}" for a in IN_ATTRIBUTES]
            raise Problem("E002", f"`${name}` has no attribute `{node.attr}`",
                          did_you_mean(f"${name}.{node.attr}", names)
                          or "use " + ", ".join(f"`{n}`" for n in names))
        record: InputShape = self.env[name]
        return record.attribute(node.attr)

    def _List(self, node: ast.List) -> list[Any]:
        if len(node.elts) > MAX_LIST:
            raise Problem("E003", f"a list of more than {MAX_LIST:,} items in `{self.text}`")
        out = [self.value_of(e) for e in node.elts]
        self.budget.size(out, self.text)
        return out

    # -- operators ----------------------------------------------------------------------

    def _BinOp(self, node: ast.BinOp) -> Any:
        if type(node.op) not in _BINOPS:
            raise self.refuse()
        left = self._number(self.value_of(node.left))
        right = self._number(self.value_of(node.right))
        if isinstance(node.op, ast.Pow) and (abs(right) > 64 or _too_big(left, right)):
            raise Problem("E003", f"exponent too large in `{self.text}`")
        result = _BINOPS[type(node.op)](left, right)
        if isinstance(node.op, ast.Div) and float(result).is_integer():
            result = int(result)
        return self._bounded(result)

    def _UnaryOp(self, node: ast.UnaryOp) -> Any:
        value = self.value_of(node.operand)
        if isinstance(node.op, ast.Not):
            return not value
        if not isinstance(node.op, (ast.USub, ast.UAdd)):
            raise self.refuse()
        number_ = self._number(value)
        return -number_ if isinstance(node.op, ast.USub) else number_

    def _BoolOp(self, node: ast.BoolOp) -> bool:
        # Short-circuit: `$n > 0 and 8 // $n > 1` never divides by zero.
        stop_at = not isinstance(node.op, ast.And)
        for value in node.values:
            if bool(self.value_of(value)) is stop_at:
                return stop_at
        return not stop_at

    def _Compare(self, node: ast.Compare) -> bool:
        if not all(type(o) in _CMPOPS for o in node.ops):
            raise self.refuse("`in` or `is`")
        left = self.value_of(node.left)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = self.value_of(comparator)
            if isinstance(left, list) and isinstance(right, list):
                # Comparing walks both values: as many terms as the smaller one expands to.
                self.budget.charge(min(self.budget.size(left, self.text),
                                       self.budget.size(right, self.text)), self.text)
            if not _CMPOPS[type(op)](left, right):
                return False
            left = right
        return True

    def _IfExp(self, node: ast.IfExp) -> Any:
        condition = self.value_of(node.test)
        if not isinstance(condition, bool):
            raise Problem("E003", f"the condition of `if` in `{self.text}` is "
                          f"{_show(condition)}, not true or false",
                          "compare it, e.g. `$x != 0`")
        return self.value_of(node.body if condition else node.orelse)

    def _Subscript(self, node: ast.Subscript) -> Any:
        container = self.value_of(node.value)
        if isinstance(node.slice, ast.Slice):
            if node.slice.step is not None:
                raise self.refuse("a slice step")
            bounds = [None if b is None else self.value_of(b)
                      for b in (node.slice.lower, node.slice.upper)]
            if not isinstance(container, list) or not all(
                    b is None or (isinstance(b, int) and not isinstance(b, bool))
                    for b in bounds):
                raise Problem("E003", f"only lists can be sliced, by integers, in "
                              f"`{self.text}`")
            part = container[bounds[0]:bounds[1]]
            self.budget.charge(len(part), self.text)
            self.budget.size(part, self.text)
            return part
        index = self.value_of(node.slice)
        if not isinstance(container, list) or not isinstance(index, int) \
                or isinstance(index, bool):
            raise Problem("E003", f"only lists can be indexed, by integers, in `{self.text}`")
        return container[index]

    # -- calls --------------------------------------------------------------------------

    def _Call(self, node: ast.Call) -> Any:
        func = node.func
        if not isinstance(func, ast.Name) or func.id.startswith(_PREFIX):
            if isinstance(func, ast.Name):
                raise Problem("E002", f"`${func.id[len(_PREFIX):]}` in `{self.text}` is a "
                              "variable, not a function", "call functions by their bare name: "
                              "`max(...)`, `make_divisible(...)`")
            raise self.refuse()
        name = func.id
        if any(isinstance(a, ast.Starred) for a in node.args) or any(
                k.arg is None for k in node.keywords):
            raise self.refuse("`*` or `**` arguments")
        spec_functions = self.functions.names()
        if name not in BUILTINS and name != "map" and name not in spec_functions:
            raise Problem("E004", f"unknown function `{name}` in `{self.text}`",
                          did_you_mean(name, [*CALLABLE_NAMES, *spec_functions])
                          or "functions: " + ", ".join([*CALLABLE_NAMES, *spec_functions]))
        if name == "map":
            return self._map(node)
        args = [self.value_of(a) for a in node.args]
        kwargs: dict[str, Any] = {}
        for given in node.keywords:
            key = str(given.arg)
            if key in kwargs:
                raise Problem("E005", f"`{name}` receives `{key}` twice in `{self.text}`",
                              f"give `{key}` once")
            kwargs[key] = self.value_of(given.value)
        if name in spec_functions:
            return self._call_spec(name, args, kwargs)
        builtin = BUILTINS[name]
        if kwargs:
            raise Problem("E005", f"`{name}` takes no keyword arguments; received "
                          f"`{next(iter(kwargs))}`")
        if len(args) < builtin.low or (builtin.high is not None and len(args) > builtin.high):
            help_ = "round(x) rounds halves to even; to round to a multiple of 8 write " \
                "round($x / 8) * 8" if name == "round" else None
            raise Problem("E005", f"{arity_text(name, builtin)}; received {len(args)}", help_)
        self.budget.charge(sum(len(a) for a in args if isinstance(a, list)), self.text)
        return self._bounded(builtin.run(args))

    def _call_spec(self, name: str, args: list[Any], kwargs: dict[str, Any]) -> Any:
        if self.budget.depth >= MAX_CALL_DEPTH:
            raise Problem("E003", f"calls nest deeper than {MAX_CALL_DEPTH}")
        self.budget.enter(quoted(self.text))  # a call is a level of its own, besides its text's
        self.budget.depth += 1
        try:
            return self.functions.call(name, args, kwargs, self.budget)
        finally:
            self.budget.depth -= 1
            self.budget.level -= 1

    def _map(self, node: ast.Call) -> list[Any]:
        if len(node.args) != 2 or node.keywords:
            raise Problem("E005", "`map` takes 2 arguments: a function's name and a list; "
                          f"received {len(node.args) + len(node.keywords)}")
        target = node.args[0]
        names = self.functions.names()
        if not isinstance(target, ast.Name) or not (
                target.id in BUILTINS or target.id in names):
            raise Problem("E003", f"the first argument of `map` in `{self.text}` must name a "
                          "function", "e.g. `map(round_repeats, $repeats)`")
        items = self.value_of(node.args[1])
        if not isinstance(items, list):
            raise Problem("E003", f"`map` needs a list; received {_show(items)}")
        if len(items) > MAX_LIST:
            raise Problem("E003", f"`map` over more than {MAX_LIST:,} items")
        out = []
        for item in items:
            self.budget.charge(1, self.text)
            if target.id in names:
                out.append(self._call_spec(target.id, [item], {}))
            else:
                builtin = BUILTINS[target.id]
                if builtin.low > 1:
                    raise Problem("E005", f"{arity_text(target.id, builtin)}; `map` passes 1")
                out.append(self._bounded(builtin.run([item])))
        self.budget.size(out, self.text)
        return out

    # -- numbers ------------------------------------------------------------------------

    def _number(self, value: Any) -> int | float:
        try:
            return number(value, "arithmetic")
        except Problem:
            raise Problem("E003", f"arithmetic on a non-number ({_show(value)}) in "
                          f"`{self.text}`") from None

    def _bounded(self, value: Any) -> Any:
        if isinstance(value, complex):  # (-8) ** 0.5
            raise Problem("E003", f"the value of `{self.text}` is not a real number",
                          "a negative number has no real fractional power")
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return value
        if isinstance(value, float) and math.isnan(value):  # inf - inf
            raise Problem("E003", f"the value of `{self.text}` is not a number (nan)")
        if isinstance(value, float) and math.isinf(value):
            raise Problem("E003", f"the value of `{self.text}` is too large ({value:.3g})")
        if isinstance(value, int) and abs(value) > _MAX_INTERMEDIATE:
            raise Problem("E003", f"the value of `{self.text}` is too large")
        return value


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"'{value}'"
    return f"`{value}`"


def _too_big(base: Any, exponent: Any) -> bool:
    """Would `base ** exponent` exceed 2**128? Checked first: `((9**64)**64)**64` nests fast."""
    size = abs(base)
    return bool(exponent > 0 and size > 1 and exponent * math.log2(size) > 128)


