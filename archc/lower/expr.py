"""A small, safe evaluator for the arithmetic in specs.

`filters: $filters * 4`, `times: $stages[2]`, `when: $with_aux`,
`padding: "'same' if $s == 1 else 'valid'"`, `units: max(8, int($in.channels * 0.25))`.
The text is parsed with `ast.parse(mode="eval")` (`expr_syntax.py`) and walked over a
whitelist of node types (`expr_walk.py`; `ALLOWED` says which, in the words E002's help
prints). Nothing is ever evaluated by Python
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

import math
from collections.abc import Mapping
from typing import Any

from archc.diagnostics import Problem, did_you_mean
from archc.lower.builtins import BUILTINS, CALLABLE_NAMES
from archc.lower.expr_context import (
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
    whole,
)
from archc.lower.expr_syntax import ALLOWED, PARAM_PATTERN, VAR, names_in, parse, variables_in
from archc.lower.expr_walk import Walk, lookup

__all__ = ["ALLOWED", "INPUT", "MAX_EXPR_LENGTH", "NO_FUNCTIONS", "PARAM_PATTERN", "Budget",
           "Callables", "Exhausted", "InFunction", "InputShape", "Silent", "evaluate",
           "is_expression", "names_in", "parse", "variables_in", "whole"]

MAX_MAGNITUDE = 2**63
"""Results beyond int64 are never a layer size; unbounded ones reach float() later and crash."""


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
    whole = VAR.fullmatch(text.strip())
    if whole and whole.group(1) != INPUT:  # `$filters`: any value, lists and names included
        budget.charge(1, text)  # a bare `$n` is a term like any other (a `let` of 100 of them)
        return lookup(whole.group(1), env)
    budget.read(text)
    tree = parse(text)
    walk = Walk(text, env, functions, budget)
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


def _resolve(text: str, env: Mapping[str, Any], functions: Callables) -> None:
    """Every name of the text must exist, in the branch taken or not: `4 if $t else $widht`
    is a typo whatever `$t` is (functions are checked so when the spec is loaded)."""
    variables, calls = names_in(text)
    for name in variables:
        if name != INPUT and name not in env:
            lookup(name, env)  # raises E001 with "did you mean"
    spec_functions = functions.names()
    for name in calls:
        if name not in BUILTINS and name != "map" and name not in spec_functions:
            raise Problem("E004", f"unknown function `{name}` in `{text}`",
                          did_you_mean(name, [*CALLABLE_NAMES, *spec_functions])
                          or "functions: " + ", ".join([*CALLABLE_NAMES, *spec_functions]))
