"""The walk over an expression's tree: only whitelisted nodes, with every cost charged.

Each syntax node is a method (`_BinOp`, `_Call`, ...); a node without one is refused
(E002). Arithmetic is kept to real numbers within bounds (exponents up to 64, integers
below 2**128 along the way), calls reach only the builtins and the spec's own functions,
and every node visited, list item built or compared is charged to the spec's `Budget`.
`evaluate` in `expr.py` runs one walk per text.
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping
from typing import Any

from archc.diagnostics import Problem, did_you_mean
from archc.lower.builtins import BUILTINS, CALLABLE_NAMES, MAX_LIST, arity_text, number
from archc.lower.expr_context import (
    IN_ATTRIBUTES,
    INPUT,
    Budget,
    Callables,
    InputShape,
    quoted,
)
from archc.lower.expr_syntax import HELP, PREFIX

MAX_CALL_DEPTH = 32
_MAX_INTERMEDIATE = 2**128

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


def lookup(name: str, env: Mapping[str, Any]) -> Any:
    """The value of `$name` in `env`, or the E001/E002/E006 saying why there is none."""
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


class Walk:
    """One evaluation of one text: the walk over its syntax tree."""

    def __init__(self, text: str, env: Mapping[str, Any], functions: Callables,
                 budget: Budget) -> None:
        self.text = text
        self.env = env
        self.functions = functions
        self.budget = budget

    def refuse(self, what: str | None = None) -> Problem:
        message = f"`{self.text}` uses {what or 'something the evaluator does not allow'}"
        return Problem("E002", message, HELP)

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
        if node.id.startswith(PREFIX):
            return lookup(node.id[len(PREFIX):], self.env)
        if node.id in ("true", "false"):
            return node.id == "true"
        if node.id in BUILTINS or node.id in self.functions.names():
            raise Problem("E002", f"`{node.id}` in `{self.text}` is a function",
                          f"call it: `{node.id}(...)`")
        raise Problem("E002", f"`{node.id}` in `{self.text}` is not a number or a $variable",
                      f"write `${node.id}` to use the variable")

    def _Attribute(self, node: ast.Attribute) -> Any:
        target = node.value
        name = target.id[len(PREFIX):] if isinstance(target, ast.Name) \
            and target.id.startswith(PREFIX) else None
        # `$in`, and inside a block each named input (`$skip.height`), have a shape.
        if name is None or (name != INPUT and not isinstance(self.env.get(name), InputShape)):
            if name is not None and name not in self.env:
                lookup(name, self.env)  # raises E001 with "did you mean"
            raise self.refuse("an attribute; only `$in` and a block's named inputs have them")
        if name not in self.env:
            lookup(INPUT, self.env)  # raises E006
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
        if not isinstance(func, ast.Name) or func.id.startswith(PREFIX):
            if isinstance(func, ast.Name):
                raise Problem("E002", f"`${func.id[len(PREFIX):]}` in `{self.text}` is a "
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
