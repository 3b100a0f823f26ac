"""The event walk (archc.spec.yaml_events): anchors, aliases, duplicate and non-name keys
refused where they are; one document; the depth and node caps; an expression split at a
comma inside `{...}` said once."""

from __future__ import annotations

import textwrap

import pytest

from archc.diagnostics import SpecError
from archc.spec import loader
from archc.spec.loader import load_text


def _errors(text: str) -> list[tuple[str, int, int, str]]:
    with pytest.raises(SpecError) as info:
        load_text(textwrap.dedent(text), "s.yaml")
    return [(d.code, d.span.line, d.span.col, d.message) for d in info.value.diagnostics
            if d.span is not None]


def test_anchors_and_aliases_are_refused() -> None:
    errors = _errors("""\
        a: &x {filters: 3}
        b: *x
    """)
    assert errors == [("Y004", 1, 4, "anchors (`&x`) are not allowed in specs"),
                      ("Y004", 2, 4, "aliases (`*x`) are not allowed in specs")]


def test_an_anchor_without_alias_is_refused_too() -> None:
    # The docs say anchors are Y004; an anchor is only there to be aliased.
    errors = _errors("""\
        s: &anchor [3]
        t: &scalar 4
    """)
    assert errors == [("Y004", 1, 4, "anchors (`&anchor`) are not allowed in specs"),
                      ("Y004", 2, 4, "anchors (`&scalar`) are not allowed in specs")]


def test_duplicate_keys() -> None:
    errors = _errors("""\
        name: a
        layers: []
        name: b
    """)
    assert errors == [("Y005", 3, 1, "duplicate key `name` (first defined at line 1)")]


def test_non_string_keys() -> None:
    errors = _errors("1: a\n? [x]\n: b\n")
    assert [(c, line) for c, line, _, _ in errors] == [("Y006", 1), ("Y006", 2)]
    assert errors[0][3] == "mapping keys must be names; found `1`"
    assert errors[1][3] == "mapping keys must be names; found a list"


def test_one_document_only() -> None:
    errors = _errors("a: 1\n---\nb: 2\n")
    assert errors == [("Y007", 2, 1, "a spec holds exactly one YAML document")]


def test_depth_cap() -> None:
    deep = "a: " + "[" * 70 + "]" * 70 + "\n"
    errors = _errors(deep)
    assert len(errors) == 1
    code, line, col, message = errors[0]
    assert (code, message) == ("Y008", "the spec nests deeper than the cap of 64 levels")
    assert (line, col) == (1, 4 + 63)  # the 64th bracket opens level 65 (the root is 1)


def test_depth_cap_costs_no_recursion() -> None:
    # The loader walks events with an explicit stack: 500 levels stop at the cap, and
    # 100,000 (past libyaml's own limit) give one located error, never a RecursionError.
    with pytest.raises(SpecError) as info:
        load_text("[" * 500 + "]" * 500)
    assert [d.code for d in info.value.diagnostics] == ["Y008"]
    with pytest.raises(SpecError) as info:
        load_text("[" * 100_000 + "]" * 100_000)
    assert [d.code for d in info.value.diagnostics] == ["Y000"]


def test_node_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_NODES", 10)
    errors = _errors("a: [" + ", ".join(str(i) for i in range(20)) + "]\n")
    assert [(c, m) for c, _, _, m in errors] == [("Y010", "the spec has more than 10 YAML nodes")]


@pytest.mark.parametrize(("line", "value", "fix"), [
    ("variables: {alpha: 0.5, w: max(8, 32 * $alpha)}", "max(8",
     "quote it: `w: 'max(8, 32 * $alpha)'`, or use block style"),
    ("variables: {sizes: [min(4, 8), 2]}", "min(4", "quote it: `'min(4, 8)'`, or use block style"),
    ("variables: {w: f(g(1, 2), 3)}", "f(g(1",
     "quote it: `w: 'f(g(1, 2), 3)'`, or use block style"),
])
def test_an_expression_split_at_a_comma_is_one_error(line: str, value: str, fix: str) -> None:
    text = f"archc: 1\nname: t\ninput: [8]\n{line}\nlayers: [flatten]\n"
    with pytest.raises(SpecError) as info:
        load_text(text, "spec.yaml")
    [d] = info.value.diagnostics
    assert (d.code, d.message, d.help) == (
        "E007", f"YAML split this expression at a comma: `{value}` has an unclosed parenthesis",
        fix)


def test_a_balanced_call_in_a_flow_mapping_loads() -> None:
    doc = load_text("a: {w: max(8), v: 'max(8, 3)'}\nb: max(8, 3)\n", "spec.yaml")
    assert doc.data == {"a": {"w": "max(8)", "v": "max(8, 3)"}, "b": "max(8, 3)"}
