"""The functions every spec expression may call, with their exact semantics.

Specs port reference code (keras.applications, torchvision, timm), and a width that lands
on `.5` must round the way that code rounds, so each builtin says precisely what it does:
`round` is Python 3's one-argument round (half to even, IEEE-754's default), `floor` and
`ceil` go toward minus and plus infinity, `int` truncates toward zero; each of the four
returns an integer. Booleans count as 0 and 1 wherever a number is expected (`8 * $se`,
`sum([$a > 0, $b > 0])`). Nothing here reaches Python objects other than numbers and lists.

`map` is not in the table: its first argument names a function rather than a value, so the
evaluator (`expr.py`) treats it itself.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from archc.diagnostics import Problem

MAX_LIST = 10_000
"""The longest list an expression may build (a `map` or a list literal)."""


def number(value: Any, where: str) -> int | float:
    """`value` as a number for arithmetic: a boolean is 0 or 1, anything else not a number
    is E003."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    raise Problem("E003", f"{where} needs numbers; received {_show(value)}")


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, list):
        return "a list"
    return f"`{value}`" if not isinstance(value, str) else f"the text '{value}'"


def _numbers(name: str, args: Sequence[Any]) -> list[int | float]:
    """min/max: several numbers, or one list of them."""
    items = args[0] if len(args) == 1 and isinstance(args[0], list) else list(args)
    if not items:
        raise Problem("E003", f"`{name}` of an empty list")
    return [number(v, f"`{name}`") for v in items]


def _list(name: str, value: Any) -> list[Any]:
    if not isinstance(value, list):
        raise Problem("E003", f"`{name}` needs a list; received {_show(value)}")
    return value


def _sqrt(x: Any) -> float:
    v = number(x, "`sqrt`")
    if v < 0:
        raise Problem("E003", f"`sqrt` of a negative number ({v})")
    return math.sqrt(v)


@dataclass(frozen=True)
class Builtin:
    """One builtin: how many positional arguments it takes, and what it computes."""

    low: int
    high: int | None
    """None: any number of arguments."""
    run: Callable[[Sequence[Any]], Any]
    doc: str


BUILTINS: dict[str, Builtin] = {
    "min": Builtin(1, None, lambda a: min(_numbers("min", a)),
                   "the smallest argument (or item of one list argument), of its own type"),
    "max": Builtin(1, None, lambda a: max(_numbers("max", a)),
                   "the largest argument (or item of one list argument), of its own type"),
    "abs": Builtin(1, 1, lambda a: abs(number(a[0], "`abs`")), "the absolute value"),
    "round": Builtin(1, 1, lambda a: round(number(a[0], "`round`")),
                     "the nearest integer, halves to even: round(2.5) = 2, round(3.5) = 4"),
    "floor": Builtin(1, 1, lambda a: math.floor(number(a[0], "`floor`")),
                     "the integer toward minus infinity: floor(-0.5) = -1"),
    "ceil": Builtin(1, 1, lambda a: math.ceil(number(a[0], "`ceil`")),
                    "the integer toward plus infinity: ceil(2.2) = 3"),
    "int": Builtin(1, 1, lambda a: int(number(a[0], "`int`")),
                   "the integer toward zero (truncation): int(-2.7) = -2"),
    "sqrt": Builtin(1, 1, lambda a: _sqrt(a[0]), "the square root, a float"),
    "sum": Builtin(1, 1, lambda a: sum(number(v, "`sum`") for v in _list("sum", a[0])),
                   "the sum of a list's numbers (0 for an empty list)"),
    "len": Builtin(1, 1, lambda a: len(_list("len", a[0])), "the number of items of a list"),
}
"""Builtins callable by bare name (`max(8, $x)`)."""

CALLABLE_NAMES = (*BUILTINS, "map")
"""Every name a call may use besides the spec's own functions, in the docs' order."""

ROUNDING_HELP = ("round(x) takes one argument and rounds halves to even; to round to a "
                 "multiple of 8 write round($x / 8) * 8")


def arity_text(name: str, builtin: Builtin) -> str:
    """`round` takes 1 argument / `min` takes 1 or more arguments (for E005)."""
    if builtin.high is None:
        return f"`{name}` takes {builtin.low} or more arguments"
    count = builtin.low
    return f"`{name}` takes {count} argument{'s' if count != 1 else ''}"
