"""libyaml's syntax errors (archc.spec.yaml_errors): located where the user can fix them,
with a hint."""

from __future__ import annotations

import pytest

from archc.diagnostics import SpecError
from archc.spec.loader import load_text


def test_syntax_error_is_located_with_help() -> None:
    with pytest.raises(SpecError) as info:
        load_text("layers:\n\t- dense: {units: 3}\n", "t.yaml")
    (d,) = info.value.diagnostics
    assert d.code == "Y000" and d.span is not None and (d.span.line, d.span.col) == (2, 1)
    assert d.message == "invalid YAML: found character that cannot start any token (a tab)"
    assert d.help == "indent with spaces; YAML forbids tabs for indentation"


def test_unbalanced_flow_mapping_gets_a_hint() -> None:
    with pytest.raises(SpecError) as info:
        load_text("a: {times: $stages[0]]}\n", "t.yaml")
    (d,) = info.value.diagnostics
    assert d.code == "Y000"
    assert d.help is not None and "quote values that contain brackets" in d.help


def test_an_unclosed_bracket_is_reported_at_the_bracket_not_lines_below() -> None:
    from archc.diagnostics import SpecError
    from archc.spec.loader import load_text

    text = ("archc: 1\nname: x\ninput: [8, 8, 3]\nlayers:\n"
            "  - conv2d: {filters: 8, kernel_size: 3\n  - flatten\n  - dense: {units: 2}\n")
    with pytest.raises(SpecError) as caught:
        load_text(text, "s.yaml")
    (only,) = caught.value.diagnostics
    assert only.code == "Y000" and only.span is not None
    assert (only.span.line, only.span.col) == (5, 13)  # the `{` of line 5, not line 7
    assert only.message == ("invalid YAML: this `{` is not closed (did not find expected "
                            "',' or '}')")
    assert only.help == "close it with `}` where the mapping ends, or use block style"
    unclosed_list = text.replace("{filters: 8, kernel_size: 3", "{filters: 8, kernel_size: 3}") \
        .replace("{units: 2}", "{units: 2}\noutputs: [dense_1\n")
    with pytest.raises(SpecError) as caught:
        load_text(unclosed_list + "name2: y\n", "s.yaml")
    (only,) = caught.value.diagnostics
    assert only.code == "Y000" and only.span is not None and only.span.line == 8
    assert only.message.startswith("invalid YAML: this `[` is not closed")
