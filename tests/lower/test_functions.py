"""A spec's `functions:`: calls, arguments, purity, static checks and where errors point."""

from __future__ import annotations

from typing import Any

import pytest
from spec_helpers import compile_yaml, errors_of, one_error

from archc.ir.ops import Conv2DAttrs

HEAD = """\
archc: 1
name: t
input: [32, 32, 3]
"""


def filters(text: str, **kwargs: Any) -> list[int]:
    graph = compile_yaml(HEAD + text, **kwargs).graph
    return [n.attrs.filters for n in graph.nodes if isinstance(n.attrs, Conv2DAttrs)]


MAKE_DIVISIBLE = """\
functions:
  make_divisible:                # keras.applications mobilenet_v3.py _depth
    params: [v, {divisor: 8}, {min_value: $divisor}]
    let:
      down: max($min_value, int($v + $divisor / 2) // $divisor * $divisor)
    value: $down + $divisor if $down < 0.9 * $v else $down
"""


@pytest.mark.parametrize(("call", "expected"), [
    # _depth(v) by hand: int(v + 4) // 8 * 8, at least 8, up by 8 if it fell below 0.9 v
    ("make_divisible(16 * 0.75)", 16),       # 12 -> int(16) // 8 * 8 = 16
    ("make_divisible(240 * 0.25)", 64),      # 60 -> 64
    ("make_divisible(72)", 72),
    ("make_divisible(3)", 8),                # min_value
    ("make_divisible(100, 32)", 96),         # int(116) // 32 * 32 = 96; 96 >= 90
    ("make_divisible(100, divisor=64)", 128),  # int(132) // 64 * 64 = 128
    ("make_divisible(100, 64, min_value=8)", 128),
    ("make_divisible(50, 64)", 64),          # int(82) // 64 * 64 = 64 (min_value 64)
])
def test_make_divisible(call: str, expected: int) -> None:
    assert filters(MAKE_DIVISIBLE + f"layers:\n  - conv2d: {{filters: '{call}', "
                   "kernel_size: 1}\n") == [expected]


def test_functions_see_variables_and_variables_see_functions() -> None:
    text = """\
variables:
  depth: 1.2
  repeats: [1, 2, 2]
  total: sum(map(round_repeats, $repeats))
functions:
  round_repeats:
    params: [n]
    value: int(ceil($depth * $n))
variants:
  deep: {depth: 2.0}
layers:
  - conv2d: {filters: $total, kernel_size: 1}
"""
    assert filters(text) == [2 + 3 + 3]           # ceil(1.2), ceil(2.4), ceil(2.4)
    assert filters(text, variant="deep") == [2 + 4 + 4]
    assert filters(text, overrides=(("depth", "1.0"),)) == [5]


def test_nested_list_variables_are_evaluated() -> None:
    # a table row holds `'72 / 16'` as the reference code writes it
    text = """\
variables:
  table: [['72 / 16', 24], [4, 40]]
layers:
  - conv2d: {filters: 'int($table[0][0] * 16)', kernel_size: 1}
"""
    assert filters(text) == [72]


def test_a_function_does_not_see_the_caller() -> None:
    d = one_error(HEAD + """\
functions:
  wide:
    params: [n]
    value: $n * $factor
blocks:
  b:
    params: [factor]
    layers:
      - conv2d: {filters: wide(2), kernel_size: 1}
layers:
  - b: {factor: 4}
""")
    assert (d.code, d.message) == ("E001", "unknown variable `$factor`")
    assert d.help is not None and "pass other values as arguments" in d.help
    assert d.span is not None and d.span.line == 7


@pytest.mark.parametrize(("body", "code", "message"), [
    ("    value: $in.channels * 2", "E006", "`$in` is only defined in layer items"),
    ("    value: rnd($n)", "E004", "unknown function `rnd` in `rnd($n)`"),
    ("    value: $n *", "E002", "cannot parse the expression `$n *`"),
    ("    value: f($n)", "N008", "function `f` calls itself: f -> f"),
    ("    let: {in: 2}\n    value: 1", "S008", "`in` is not a valid `let` name in function `f`"),
    ("    let: {n: 2}\n    value: $n", "N007", "function `f` declares `n` twice"),
])
def test_function_texts_are_checked_when_loaded(body: str, code: str, message: str) -> None:
    # never called: still checked
    d = one_error(HEAD + f"functions:\n  f:\n    params: [n]\n{body}\nlayers:\n  - flatten\n")
    assert (d.code, d.message) == (code, message)


@pytest.mark.parametrize("name", ["round", "max", "map"])
def test_a_function_cannot_take_a_builtin_name(name: str) -> None:
    d = one_error(HEAD + f"functions:\n  {name}:\n    value: 1\nlayers:\n  - flatten\n")
    assert (d.code, d.message) == ("S008", f"`{name}` is a builtin function")


@pytest.mark.parametrize(("call", "message"), [
    ("f(1, 2, 3)", "`f` takes 2 arguments; received 3"),
    ("f(1, m=2)", "`f` has no parameter `m`"),
    ("f(1, n=2)", "`f` receives `n` twice"),
    ("f()", "`f` needs the argument `n`"),
])
def test_wrong_arguments(call: str, message: str) -> None:
    d = one_error(HEAD + f"""\
functions:
  f:
    params: [n, {{k: 1}}]
    value: $n * $k
layers:
  - conv2d: {{filters: '{call}', kernel_size: 1}}
""")
    assert (d.code, d.message) == ("E005", message)


def test_an_error_inside_a_function_points_at_its_text() -> None:
    d = one_error(HEAD + """\
functions:
  per_group:
    params: [channels, groups]
    value: $channels // $groups
layers:
  - conv2d: {filters: 'per_group(64, 0)', kernel_size: 3}
""")
    assert (d.code, d.message) == ("E003", "cannot evaluate `$channels // $groups`: integer "
                                           "division or modulo by zero")
    assert d.span is not None and (d.span.line, d.span.col) == (7, 12)
    assert d.notes == ("called from spec.yaml:9:23",)


def test_calls_nest_at_most_32_deep() -> None:
    chain = "".join(f"  f{i}:\n    params: [n]\n    value: f{i + 1}($n)\n" for i in range(40))
    errors = errors_of(HEAD + "functions:\n" + chain + "  f40:\n    params: [n]\n"
                       "    value: $n\nlayers:\n  - conv2d: {filters: f0(8), kernel_size: 1}\n")
    assert [(d.code, d.message) for d in errors] == [("E003", "calls nest deeper than 32")]


def test_two_helpers_of_reference_code_give_keras_figures() -> None:
    # EfficientNet-B2's stem: round_filters(32) with width 1.1 is 32, stage 3's 40 is 48.
    compiled = compile_yaml(HEAD + """\
variables: {width: 1.1}
functions:
  round_filters:
    params: [n]
    let:
      f: $n * $width
      down: max(8, int($f + 4) // 8 * 8)
    value: $down + 8 if $down < 0.9 * $f else $down
layers:
  - conv2d: {filters: round_filters(32), kernel_size: 3}
  - conv2d: {filters: round_filters(40), kernel_size: 3}
  - conv2d: {filters: round_filters(1280), kernel_size: 1}
""")
    assert [n.attrs.filters for n in compiled.graph.nodes[1:]] == [32, 48, 1408]
