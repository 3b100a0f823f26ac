"""Diagnostics that used to mislead, or mistakes that used to pass silently (issue 10).

Each test is one reported case: the message must say what is actually wrong, at the place
where it is wrong, once.
"""

from __future__ import annotations

import pytest

from archc.diagnostics import Diagnostic, SpecError
from archc.pipeline import Options, compile_text

HEAD = "archc: 1\nname: t\ninput: [8, 8, 4]\n"
_DEFAULT = Options()


def _errors(text: str, options: Options = _DEFAULT) -> list[Diagnostic]:
    with pytest.raises(SpecError) as caught:
        compile_text(HEAD + text, "spec.yaml", options)
    return caught.value.diagnostics


def _heads(text: str, options: Options = _DEFAULT) -> list[tuple[str, int, str]]:
    return [(d.code, d.span.line if d.span else 0, d.message) for d in _errors(text, options)]


@pytest.mark.parametrize("name", ["_", "__", "_1", "_a_1"])
def test_underscore_names_are_names_not_ambiguous_numbers(name: str) -> None:
    compiled = compile_text(HEAD + f"layers:\n  - flatten: {{name: {name}}}\n"
                            f"  - dense: {{units: 2, inputs: {name}}}\n", "spec.yaml")
    assert compiled.graph.nodes[1].name == name


def test_underscored_numbers_are_still_ambiguous() -> None:
    assert _heads("layers:\n  - dense: {units: 1_000}\n")[0][0] == "Y002"


def test_a_block_parameter_default_is_evaluated_and_reported_at_the_default() -> None:
    blocks = ("blocks:\n  unit:\n    params: [filters, {out: $filters * 2}, {k: $kernle}]\n"
              "    layers:\n      - conv2d: {filters: $out, kernel_size: $k}\n")
    # Line 6 is `params`; the use (line 8) is not blamed, and two calls report it once.
    assert _heads(blocks + "variables: {kernel: 3}\nlayers:\n  - unit: {filters: 4}\n"
                  "  - unit: {filters: 8}\n") == [
        ("E001", 6, "unknown variable `$kernle`")]
    compiled = compile_text(HEAD + blocks.replace("$kernle", "$kernel")
                            + "variables: {kernel: 3}\nlayers:\n  - unit: {filters: 4}\n",
                            "spec.yaml")
    assert compiled.analysis is not None
    assert compiled.analysis.nodes[-1].shape == (6, 6, 8)  # out = 4 * 2, k = 3


def test_a_variant_may_read_the_variable_it_sets() -> None:
    text = ("variables: {w: 4, d: $w + 1}\nvariants: {wide: {w: $w * 2}}\nlayers:\n"
            "  - flatten\n  - dense: {units: $d}\n")
    compiled = compile_text(HEAD + text, "spec.yaml", Options(variant="wide"))
    assert compiled.variables == {"w": 8, "d": 9}
    compiled = compile_text(HEAD + text, "spec.yaml",
                            Options(variant="wide", overrides=(("w", "$w + 1"),)))
    assert compiled.variables == {"w": 9, "d": 10}  # --set reads the variant's value


def test_an_overridden_value_is_not_evaluated() -> None:
    # `last` only makes sense for four stages; the variant replaces both.
    text = ("variables: {stages: [2, 2, 2, 2], last: '$stages[3]'}\n"
            "variants: {small: {stages: [1, 1], last: 1}}\nlayers:\n  - flatten\n")
    compiled = compile_text(HEAD + text, "spec.yaml", Options(variant="small"))
    assert compiled.variables == {"stages": [1, 1], "last": 1}


def test_one_failed_variable_does_not_cascade() -> None:
    assert _heads("variables: {l: [1, 2], a: '$l[5]', b: $a * 2, c: $b + $a}\n"
                  "layers:\n  - flatten\n") == [
        ("E003", 4, "cannot evaluate `$l[5]`: list index out of range")]


_REFS = """variables: {aux: false}
layers:
  - conv2d: {name: a, filters: 4, kernel_size: 1, when: $aux}
  - conv2d: {filters: 4, kernel_size: 1}
  - conv2d: {name: b, filters: 4, kernel_size: 1, inputs: a}
  - conv2d: {name: c, filters: 4, kernel_size: 1, inputs: conv2d_1}
  - conv2d: {name: d, filters: 4, kernel_size: 1, inputs: d}
  - conv2d: {name: e, filters: 4, kernel_size: 1, inputs: cc}
"""


def test_missing_names_say_why_they_are_missing() -> None:
    # `c` reads `conv2d_1` by its automatic name, which is fine (docs: names and scopes)
    assert _heads(_REFS) == [
        ("N001", 8, "`a` is removed by `when: false` (line 6), so nothing can read it"),
        ("G008", 10, "the layer `d` reads itself"),
        ("N001", 11, "unknown layer name `cc`"),
    ]


@pytest.mark.parametrize("version", ["true", "1.0", '"1"'])
def test_the_version_is_the_integer_one(version: str) -> None:
    with pytest.raises(SpecError) as caught:
        compile_text(f"archc: {version}\nname: t\ninput: [8]\nlayers: [flatten]\n",
                     "spec.yaml")
    (only,) = caught.value.diagnostics
    assert only.code == "S004" and "the spec language version is the integer 1" in only.message


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", "1e400", "0"])
def test_lint_settings_must_be_finite_and_positive(value: str) -> None:
    heads = _heads(f"layers: [flatten]\nlint: {{settings: {{L005: {{max_ratio: {value}}}}}}}\n")
    assert [h[0] for h in heads] == ["L104"]


def test_a_network_with_every_layer_removed_is_refused() -> None:
    text = ("variables: {x: true}\nvariants: {none: {x: false}}\nlayers:\n"
            "  - flatten: {when: $x}\n")
    compiled = compile_text(HEAD + text, "spec.yaml")
    assert len(compiled.graph.nodes) == 2
    assert _heads(text, Options(variant="none")) == [
        ("G011", 6, "the network has no layers: every item is removed by `when: false` in "
                    "variant `none`")]


@pytest.mark.parametrize(("field", "value", "message", "offset"), [
    ("kernel_size", "[3, 0]", "input should be greater than 0; received `0`", 4),
    ("kernel_size", "[3]", "list should have at least 2 items after validation, not 1; "
                           "received a list", 0),
    ("padding", "[1, -1]", "input should be greater than or equal to 0; received `-1`", 4),
    ("padding", "sme", "input should be 'valid' or 'same'; received `sme`", 0),
    ("connections", "[[0], [-1]]", "input should be greater than or equal to 0; received "
                                   "`-1`", 7),
    ("connections", "[0, 1]", "input should be a valid list; received `0`", 1),
])
def test_one_mistake_in_a_union_typed_field_is_one_error(field: str, value: str, message: str,
                                                         offset: int) -> None:
    line = f"  - conv2d: {{filters: 2, kernel_size: 3, {field}: {value}}}".replace(
        "kernel_size: 3, kernel_size", "kernel_size")
    errors = _errors(f"layers:\n{line}\n")
    assert len(errors) == 1, errors
    (only,) = errors
    assert only.code == "S004" and only.message.endswith(message)
    # The caret is on the offending part of the value, not on the whole field.
    expected_col = line.index(f"{field}: {value}") + len(f"{field}: ") + offset + 1
    assert only.span is not None and (only.span.line, only.span.col) == (5, expected_col)
