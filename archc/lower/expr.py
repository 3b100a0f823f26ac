"""A small, safe evaluator for parameter arithmetic in specs.

`filters: $filters * 4`, `times: $stages[2]`, `when: $with_aux`. The text is parsed with
`ast.parse(mode="eval")` and walked over a whitelist of node types: numbers, strings,
variables, + - * / // % **, comparisons, `and`/`or`/`not`, subscripts and parentheses.
Nothing is ever evaluated by Python itself, and there are no calls or attributes, so a spec
cannot reach any object.
"""

from __future__ import annotations

import ast
import math
import operator
import re
from collections.abc import Callable, Mapping
from typing import Any

from archc.diagnostics import Problem, did_you_mean

MAX_EXPR_LENGTH = 200

_PREFIX = "__archc_var_"
PARAM_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
"""What `$name` can read: variables and block parameters must match it."""
_VAR = re.compile(r"\$(" + PARAM_PATTERN.pattern + ")")

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


def is_expression(value: Any) -> bool:
    return isinstance(value, str) and "$" in value


def variables_in(text: str) -> list[str]:
    return _VAR.findall(text)


def evaluate(text: str, env: Mapping[str, Any]) -> Any:
    """Evaluate `text` (which contains `$name` references) against `env`."""
    if len(text) > MAX_EXPR_LENGTH:
        raise Problem("E002", f"expression longer than {MAX_EXPR_LENGTH} characters")
    whole = _VAR.fullmatch(text.strip())
    if whole:  # the common case, `$filters`: any value, including lists and names
        return _lookup(whole.group(1), env)
    # `$name` becomes a prefixed identifier, so a bare `name` elsewhere in the text is still
    # recognised as a forgotten `$` (substituting plain `name` let `filters * $filters` pass).
    source = _VAR.sub(lambda m: _PREFIX + m.group(1), text)
    if "$" in source:
        raise Problem("E002", f"`$` must be followed by a variable name in `{text}`")
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError:
        raise Problem("E002", f"cannot parse the expression `{text}`",
                        "use numbers, $variables, + - * / // % ** and parentheses") from None
    return _eval(tree.body, env, set(), text)


def _lookup(name: str, env: Mapping[str, Any]) -> Any:
    if name not in env:
        raise Problem("E001", f"unknown variable `${name}`", did_you_mean(name, env))
    return env[name]


def _eval(node: ast.expr, env: Mapping[str, Any], allowed: set[str], text: str) -> Any:
    try:
        result = _eval_node(node, env, allowed, text)
        if isinstance(result, (int, float)) and abs(result) >= MAX_MAGNITUDE:
            raise Problem("E003", f"the value of `{text}` is too large ({float(result):.3g})")
        if isinstance(result, float) and math.isnan(result):  # inf - inf, from 1e400 literals
            raise Problem("E003", f"the value of `{text}` is not a number (nan)")
        return result
    except Problem:
        raise
    except (TypeError, ValueError, ZeroDivisionError, IndexError, KeyError, OverflowError) as exc:
        raise Problem("E003", f"cannot evaluate `{text}`: {exc}") from None


def _eval_node(node: ast.expr, env: Mapping[str, Any], allowed: set[str], text: str) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str)):
        return node.value
    if isinstance(node, ast.Name):
        if not node.id.startswith(_PREFIX):  # a bare word: the author forgot the `$`
            raise Problem("E002", f"`{node.id}` in `{text}` is not a number or a $variable",
                            f"write `${node.id}` to use the variable")
        return _lookup(node.id[len(_PREFIX):], env)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        left = _eval_node(node.left, env, allowed, text)
        right = _eval_node(node.right, env, allowed, text)
        _check_number(left, text)
        _check_number(right, text)
        if isinstance(node.op, ast.Pow) and (abs(right) > 64 or _too_big(left, right)):
            raise Problem("E003", f"exponent too large in `{text}`")
        result = _BINOPS[type(node.op)](left, right)
        if isinstance(node.op, ast.Div) and float(result).is_integer():
            return int(result)
        return result
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd, ast.Not)):
        value = _eval_node(node.operand, env, allowed, text)
        if isinstance(node.op, ast.Not):
            return not value
        _check_number(value, text)
        return -value if isinstance(node.op, ast.USub) else value
    if isinstance(node, ast.BoolOp):
        values = [_eval_node(v, env, allowed, text) for v in node.values]
        return all(values) if isinstance(node.op, ast.And) else any(values)
    if isinstance(node, ast.Compare) and all(type(o) in _CMPOPS for o in node.ops):
        left = _eval_node(node.left, env, allowed, text)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            right = _eval_node(comparator, env, allowed, text)
            if not _CMPOPS[type(op)](left, right):
                return False
            left = right
        return True
    if isinstance(node, ast.Subscript):
        container = _eval_node(node.value, env, allowed, text)
        index = _eval_node(node.slice, env, allowed, text)
        if not isinstance(container, list) or not isinstance(index, int):
            raise Problem("E003", f"only lists can be indexed, by integers, in `{text}`")
        return container[index]
    raise Problem("E002", f"`{text}` uses something the evaluator does not allow",
                    "use numbers, $variables, + - * / // % ** and parentheses")


MAX_MAGNITUDE = 2**63
"""Results beyond int64 are never a layer size; unbounded ones reach float() later and crash."""


def _too_big(base: Any, exponent: Any) -> bool:
    """Would `base ** exponent` exceed 2**128? Checked first: `((9**64)**64)**64` nests fast."""
    size = abs(base)
    return bool(exponent > 0 and size > 1 and exponent * math.log2(size) > 128)


def _check_number(value: Any, text: str) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise Problem("E003", f"arithmetic on a non-number ({value!r}) in `{text}`")
