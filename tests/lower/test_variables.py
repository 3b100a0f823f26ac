"""Variable resolution (`archc.lower.variables`): the spec's variables, then the chosen
variant's, then `--set`'s, each evaluated once against those above it; unknown variants
and overrides are usage errors, a variant's typo is N006 in every variant."""

from __future__ import annotations

from typing import Any

import pytest
from spec_helpers import compile_yaml, one_error

from archc.diagnostics import Diagnostic, DiagnosticSink, UsageError
from archc.lower.variables import resolve_variables
from archc.pipeline import Options, Stage, compile_text
from archc.spec.validate import validate_header

HEAD = "archc: 1\nname: t\ninput: [8, 8, 4]\nlayers: [flatten]\n"

NET = HEAD + "variables: {n: 2}\nvariants:\n  wide: {n: 3}\n"


def _resolve(header_text: str, variant: str | None = None,
             overrides: tuple[tuple[str, str], ...] = ()
             ) -> tuple[str | None, dict[str, Any], list[Diagnostic]]:
    """Resolve directly, on a loaded and validated header (no functions)."""
    doc = compile_text(HEAD + header_text, "spec.yaml", stop_after=Stage.LOAD).doc
    sink = DiagnosticSink()
    header = validate_header(doc, sink)
    assert header is not None and not sink.sorted()
    chosen, values = resolve_variables(doc, header, variant, overrides, sink)
    return chosen, values, sink.sorted()


def test_spec_then_variant_then_set_each_reading_the_value_before_it() -> None:
    # w = 2; variant big: 2 * 3 = 6; --set: 6 + 1 = 7
    chosen, values, problems = _resolve(
        "variables: {w: 2}\nvariants:\n  big: {w: '$w * 3'}\n", "big", (("w", "$w + 1"),))
    assert (chosen, values, problems) == ("big", {"w": 7}, [])


def test_a_later_variable_sees_an_overridden_earlier_one() -> None:
    # b = a * 2: 4 * 2 = 8 as written, 5 * 2 = 10 with --set a=5
    assert _resolve("variables: {a: 4, b: '$a * 2'}\n")[1] == {"a": 4, "b": 8}
    assert _resolve("variables: {a: 4, b: '$a * 2'}\n", None, (("a", "5"),))[1] == {
        "a": 5, "b": 10}


def test_expressions_inside_a_list_are_evaluated() -> None:
    # 72 / 16 = 4.5, as a table row in the reference code writes it
    assert _resolve("variables: {row: ['72 / 16', 2]}\n")[1] == {"row": [4.5, 2]}


def test_an_overridden_spec_value_is_not_evaluated() -> None:
    # `$nope` would be E001, but `--set x=3` replaces it without reading it
    assert _resolve("variables: {x: $nope}\n", None, (("x", "3"),))[1:] == ({"x": 3}, [])


def test_a_failed_variable_is_reported_once_and_its_readers_are_left_out() -> None:
    _, values, problems = _resolve("variables: {a: $nope, b: '$a + 1'}\n")
    assert [(d.code, d.message) for d in problems] == [("E001", "unknown variable `$nope`")]
    assert values == {}


def test_an_empty_variant_name_is_not_the_default_variant() -> None:
    with pytest.raises(UsageError, match="unknown variant ``"):
        compile_text(HEAD + "variables: {x: 1}\nvariants: {a: {x: 2}}\ndefault_variant: a\n",
                     "spec.yaml", Options(variant=""))


def test_unknown_variant_and_set_are_usage_errors() -> None:
    with pytest.raises(UsageError, match=r"unknown variant `wid` \(variants: wide\); did you "
                                         r"mean `wide`\?"):
        compile_yaml(NET, variant="wid")
    with pytest.raises(UsageError, match=r"--set m: the spec has no variable `m`"):
        compile_yaml(NET, overrides=(("m", "1"),))


def test_variant_setting_an_undeclared_variable() -> None:
    d = one_error("""
        archc: 1
        name: t
        input: [8, 8, 1]
        variables: {width: 1}
        variants:
          big: {widht: 2}
        layers: [flatten]
    """)
    assert d.code == "N006"
    assert d.message == "variant `big` sets `widht`, which is not a variable"
    assert d.help == "did you mean `width`?"
