"""The safe `$var` evaluator: what it computes, what it refuses, and how it says so."""

from __future__ import annotations

from typing import Any

import pytest

from archc.diagnostics import Problem
from archc.lower.expr import MAX_EXPR_LENGTH, evaluate, is_expression

ENV: dict[str, Any] = {"filters": 64, "stages": [3, 4, 6, 3], "aux": True, "unit": "basic",
                       "rate": 0.5}


@pytest.mark.parametrize(("text", "value"), [
    ("$filters", 64),
    ("$filters * 4", 256),
    ("$filters // 3", 21),
    ("$filters / 4", 16),            # an exact division stays an int
    ("$filters / 128", 0.5),
    ("($filters + 2) % 5", 1),
    ("2 ** 3 * $filters", 512),
    ("-$filters", -64),
    ("$stages[2]", 6),
    ("$stages", [3, 4, 6, 3]),
    ("$unit", "basic"),
    ("$aux and $filters > 32", True),
    ("not $aux", False),
    ("$unit == 'basic'", True),
    ("1 < $filters <= 64", True),
    ("$rate * 2", 1.0),
])
def test_allowed(text: str, value: Any) -> None:
    result = evaluate(text, ENV)
    assert result == value and type(result) is type(value)


@pytest.mark.parametrize(("text", "code", "message"), [
    ("$filter * 2", "E001", "unknown variable `$filter`"),
    ("$__import__('os')", "E002", "is a variable, not a function"),
    ("__import__('os')", "E004", "unknown function `__import__`"),
    ("$filters.bit_length()", "E002", "uses something the evaluator does not allow"),
    ("$stages[0:2:1]", "E002", "uses a slice step"),
    ("$stages[$unit]", "E003", "only lists can be indexed, by integers"),
    ("[x for x in $stages]", "E002", "uses something the evaluator does not allow"),
    ("lambda: $filters", "E002", "uses something the evaluator does not allow"),
    ("filters * $filters", "E002", "`filters` in `filters * $filters` is not a number or a "
                                   "$variable"),
    ("$filters *", "E002", "cannot parse the expression"),
    ("$ filters", "E002", "`$` must be followed by a variable name"),
    ("$filters / 0", "E003", "cannot evaluate `$filters / 0`"),
    ("$stages[9]", "E003", "cannot evaluate `$stages[9]`"),
    ("$unit * 2", "E003", "arithmetic on a non-number ('basic')"),
    ("$stages + 1", "E003", "arithmetic on a non-number (a list)"),
    ("$filters ** 100", "E003", "exponent too large"),
])
def test_refused(text: str, code: str, message: str) -> None:
    with pytest.raises(Problem) as info:
        evaluate(text, ENV)
    assert info.value.code == code
    assert message in str(info.value)


def test_unknown_variable_suggests() -> None:
    with pytest.raises(Problem) as info:
        evaluate("$filtres", ENV)
    assert info.value.help == "did you mean `filters`?"


def test_length_cap() -> None:
    text = "$filters" + " + 1" * MAX_EXPR_LENGTH
    with pytest.raises(Problem) as info:
        evaluate(text, ENV)
    assert info.value.code == "E002"
    assert str(info.value) == f"expression longer than {MAX_EXPR_LENGTH} characters"


def test_is_expression() -> None:
    assert is_expression("$a") and is_expression("2 * $a")
    assert not is_expression("relu") and not is_expression(3)


def test_spec_expression_errors_are_located() -> None:
    from spec_helpers import one_error

    d = one_error("""
        archc: 1
        name: t
        input: [8, 8, 1]
        variables: {width: 4}
        layers:
          - conv2d: {filters: $widht * 2, kernel_size: 3}
    """)
    assert (d.code, d.message, d.help) == ("E001", "unknown variable `$widht`",
                                           "did you mean `width`?")
    assert d.span is not None and (d.span.line, d.span.col) == (7, 23)
