"""The safe `$var` evaluator: what it computes, what it refuses, and how it says so."""

from __future__ import annotations

from typing import Any

import pytest

from archc.diagnostics import Problem
from archc.lower.expr import MAX_EXPR_LENGTH, InputShape, evaluate, is_expression, whole

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


# -- language 2: builtins, conditionals, booleans, slices (docs/spec-language.md#rounding) --

@pytest.mark.parametrize(("text", "value"), [
    # round: halves to even, an int (Python 3's round, IEEE 754's default)
    ("round(2.5)", 2), ("round(3.5)", 4), ("round(-2.5)", -2), ("round(0.5)", 0),
    ("round(2.6)", 3), ("round(7)", 7),
    # floor / ceil toward minus / plus infinity; int truncates toward zero
    ("floor(2.7)", 2), ("floor(-0.5)", -1), ("ceil(2.2)", 3), ("ceil(3.0)", 3),
    ("ceil(1.1 * 3)", 4),            # 1.1 * 3 = 3.3000000000000003: no tidying of floats
    ("int(2.7)", 2), ("int(-2.7)", -2), ("int(true)", 1),
    # min / max keep the winner's type; one list argument means its items
    ("max(8, 7.5)", 8), ("min(8, 7.5)", 7.5), ("min([3, 1])", 1), ("max($stages)", 6),
    ("abs(-2.5)", 2.5), ("sqrt(16)", 4.0), ("sum([1, 2, 3])", 6), ("sum([])", 0),
    ("len($stages)", 4), ("map(round, [0.5, 1.5])", [0, 2]),
    # booleans count 0 and 1 in arithmetic and builtins
    ("8 * $aux", 8), ("8 * (not $aux)", 0), ("sum([$aux, $filters > 100, true])", 2),
    ("-$aux", -1),
    # conditionals choose one side; the other is never evaluated
    ("'same' if $filters == 64 else 'valid'", "same"),
    ("$stages[9] if len($stages) > 9 else 0", 0),
    ("$filters // 0 if false else 1", 1),
    # and / or stop at the deciding operand
    ("$filters > 100 and $filters // 0 > 1", False),
    ("$aux or $filters // 0 > 1", True),
    # slices (no step) and list literals
    ("$stages[1:3]", [4, 6]), ("$stages[:2]", [3, 4]), ("$stages[-1:]", [3]),
    ("sum($stages[:2]) * 4", 28), ("[1, $filters]", [1, 64]),
    ("1 / 255", 1 / 255),
])
def test_language_2_values(text: str, value: Any) -> None:
    result = evaluate(text, ENV)
    assert result == value and type(result) is type(value)


@pytest.mark.parametrize(("text", "code", "message"), [
    ("rnd(2.5)", "E004", "unknown function `rnd`"),
    ("round(2.5, 1)", "E005", "`round` takes 1 argument; received 2"),
    ("round(x=2.5)", "E005", "`round` takes no keyword arguments"),
    ("max()", "E005", "`max` takes 1 or more arguments; received 0"),
    ("map(round)", "E005", "`map` takes 2 arguments"),
    ("map($filters, $stages)", "E003", "must name a function"),
    ("map(round, $filters)", "E003", "`map` needs a list"),
    ("round", "E002", "`round` in `round` is a function"),
    ("max([])", "E003", "`max` of an empty list"),
    ("sqrt(-1)", "E003", "`sqrt` of a negative number"),
    ("len($filters)", "E003", "`len` needs a list"),
    ("round($unit)", "E003", "`round` needs numbers; received the text 'basic'"),
    ("1 if $filters else 2", "E003", "the condition of `if` in `1 if $filters else 2` is `64`"),
    ("$unit[0:1]", "E003", "only lists can be sliced"),
    ("$stages[$aux]", "E003", "only lists can be indexed, by integers"),
    ("$in.channels", "E006", "`$in` is only defined in layer items"),
    ("$in * 2", "E006", "`$in` is only defined in layer items"),
    ("1e308 * 10", "E003", "is too large (inf)"),
])
def test_language_2_refused(text: str, code: str, message: str) -> None:
    with pytest.raises(Problem) as info:
        evaluate(text, ENV)
    assert (info.value.code, message in str(info.value)) == (code, True), str(info.value)


def test_in_is_a_record_of_the_input_shape() -> None:
    env = ENV | {"in": InputShape((28, 14, 48))}
    assert [evaluate(f"$in.{a}", env) for a in ("channels", "height", "width", "shape")] == \
        [48, 28, 14, [28, 14, 48]]
    vector = ENV | {"in": InputShape((10,))}
    assert evaluate("$in.channels", vector) == 10
    for text, code, message in [
            ("$in", "E002", "`$in` is the input's shape, not a number"),
            ("$in.chanels", "E002", "`$in` has no attribute `chanels`"),
            ("$filters.real", "E002", "only `$in` and a block's named inputs have them")]:
        with pytest.raises(Problem) as info:
            evaluate(text, env)
        assert (info.value.code, info.value.message.endswith(message) or message in
                info.value.message) == (code, True)
    with pytest.raises(Problem) as info:
        evaluate("$in.chanels", env)
    assert info.value.help == "did you mean `$in.channels`?"
    with pytest.raises(Problem) as info:
        evaluate("$in.height", vector)
    assert info.value.message == "`$in` is a vector of 10 features; it has no height"


def test_the_work_one_expression_may_cause_is_capped() -> None:
    # 2 ** 64 ** ... nests exponentially; integers stay below 2**128 on the way.
    with pytest.raises(Problem) as info:
        evaluate("2 ** 64 * 2 ** 64 * 2 ** 64", ENV)
    assert info.value.message.endswith("is too large")
    big = {"l": list(range(10_001))}
    with pytest.raises(Problem) as info:
        evaluate("map(abs, $l)", big)
    assert info.value.message == "`map` over more than 10,000 items"


def test_strings_that_compute_without_a_dollar() -> None:
    # numbers, operators and calls compute; words, plain numbers and names stay text
    for text in ("1 / 255", "max(8, 16)", "round_filters(32)", "(0.229 * 255) ** 2",
                 "'same' if 1 > 2 else 'valid'"):
        assert is_expression(text), text
    for text in ("same", "relu6", "a-b", "conv2d_1", "-1", "3", "x/y", "v1.0", "'relu'",
                 "see fig(3) here"):
        assert not is_expression(text), text


def test_whole_floats_become_integers_for_fields() -> None:
    assert whole(64.0) == 64 and type(whole(64.0)) is int
    assert whole([3.0, 2.5, True]) == [3, 2.5, True]
    assert type(whole(2.5)) is float


# -- issue 18, item 7: the evaluator agrees with its docs and with itself ---------------------


@pytest.mark.parametrize(("text", "code", "message"), [
    # A result that is not a real number, whichever way it is made.
    ("(-8) ** 0.5", "E003", "the value of `(-8) ** 0.5` is not a real number"),
    ("(-$filters) ** 0.5 + 1", "E003", "is not a real number"),
    # A keyword given twice, to a builtin as to a spec function (one rule: E005).
    ("max(1, x=2, x=3)", "E005", "`max` receives `x` twice"),
    # Look-alikes Python would fold (NFKC) are refused under the name as written.
    ("$w\U0001d422dth", "E002", "`\U0001d422` (U+1D422) in `$w\U0001d422dth` is not ASCII"),
    ("\u210c(1) + $filters", "E002", "`\u210c` (U+210C)"),
    # Python's spellings of the booleans, and archc's own prefix for variables.
    ("$filters + True", "E002", "`True` in `$filters + True`: a spec writes `true`"),
    ("False or $aux", "E002", "a spec writes `false`"),
    ("$filters + __archc_var_filters", "E002", "`__archc_var_` in"),
    # Every branch is resolved, taken or not.
    ("4 if $aux else $filtres", "E001", "unknown variable `$filtres`"),
    ("$filtres if false else 4", "E001", "unknown variable `$filtres`"),
    ("$aux or $nope > 1", "E001", "unknown variable `$nope`"),
    ("4 if $aux else rnd(2.5)", "E004", "unknown function `rnd`"),
    ("4 if $aux else map(rnd, $stages)", "E004", "unknown function `rnd`"),
])
def test_item_7_refusals(text: str, code: str, message: str) -> None:
    with pytest.raises(Problem) as info:
        evaluate(text, ENV)
    assert info.value.code == code
    assert message in info.value.message


def test_quoted_strings_may_hold_anything() -> None:
    assert evaluate("'caf\u00e9' if $aux else 'x'", ENV) == "caf\u00e9"
    assert evaluate("'$nope' if $aux else 'x'", ENV) == "$nope"  # text, not a read


def test_map_without_dollar_is_an_expression_as_the_docs_show() -> None:
    # docs/spec-language.md's table: `map(round, [0.5, 1.5])` = `[0, 2]`.
    assert is_expression("sum(map(round, [0.5, 1.5]))")
    assert evaluate("sum(map(round, [0.5, 1.5]))", {}) == 2
    assert evaluate("map(round, [0.5, 1.5])", {}) == [0, 2]
    assert not is_expression("a-b")  # words stay text


def test_true_and_false_are_the_spec_s_booleans() -> None:
    assert evaluate("true and not false", {}) is True
