"""The position-keeping loader: spans for every value, and every rejection, located."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from archc.diagnostics import SourceSpan, SpecError, render
from archc.spec import loader
from archc.spec.loader import load_file, load_text


def _errors(text: str) -> list[tuple[str, int, int, str]]:
    with pytest.raises(SpecError) as info:
        load_text(textwrap.dedent(text), "s.yaml")
    return [(d.code, d.span.line, d.span.col, d.message) for d in info.value.diagnostics
            if d.span is not None]


def test_spans_of_values_and_keys() -> None:
    doc = load_text(textwrap.dedent("""\
        name: net
        layers:
          - conv2d: {filters: 64, kernel_size: 3}
          - dense:
              units: 10
    """), "s.yaml")
    assert doc.data["layers"][0]["conv2d"]["filters"] == 64
    assert doc.span(("name",)) == SourceSpan("s.yaml", 1, 7, 1, 10)
    assert doc.span(("layers", 0, "conv2d", "filters")).line == 3
    assert doc.span(("layers", 0, "conv2d", "filters")).col == 23
    assert doc.key_span(("layers", 0, "conv2d", "kernel_size")) == SourceSpan(
        "s.yaml", 3, 27, 3, 38)
    assert doc.span(("layers", 1, "dense", "units")) == SourceSpan("s.yaml", 5, 14, 5, 16)
    # A path that does not exist falls back to its nearest located ancestor.
    assert doc.span(("layers", 1, "dense", "missing")) == doc.span(("layers", 1, "dense"))


def test_yaml_12_scalars() -> None:
    doc = load_text("a: 1.0e-4\nb: 1e-4\nc: -3\nd: true\ne: ~\nf: '010'\ng: .inf\nh: 0\n")
    assert doc.data == {"a": 1e-4, "b": 1e-4, "c": -3, "d": True, "e": None, "f": "010",
                        "g": math.inf, "h": 0}
    assert isinstance(doc.data["b"], float)  # YAML 1.1 (yaml.safe_load) reads a string


@pytest.mark.parametrize("word", ["on", "off", "yes", "no", "Yes", "ON"])
def test_yaml_11_booleans_are_refused(word: str) -> None:
    (code, line, col, message), = _errors(f"x: 1\nuse_bias: {word}\n")
    assert (code, line, col) == ("Y001", 2, 11)
    assert message == (f"`{word}` is ambiguous: YAML 1.1 reads it as a boolean, YAML 1.2 as "
                       "text")


@pytest.mark.parametrize("number", ["010", "0o17", "0x1F", "1_000", "1:30"])
def test_yaml_11_numbers_are_refused(number: str) -> None:
    (code, line, col, message), = _errors(f"filters: {number}\n")
    assert (code, line, col) == ("Y002", 1, 10)
    assert message.startswith(f"`{number}` is an ambiguous number")


def test_quoted_text_is_never_reinterpreted() -> None:
    doc = load_text("a: 'on'\nb: \"010\"\nc: !!str yes\n")
    assert doc.data == {"a": "on", "b": "010", "c": "yes"}


def test_tags_are_refused() -> None:
    errors = _errors("""\
        a: !!python/object:os.system ls
        b: !custom 3
        c: !!int 3
    """)
    assert [(c, line, col) for c, line, col, _ in errors] == [("Y003", 1, 4), ("Y003", 2, 4)]
    assert errors[0][3] == ("the tag `!!python/object:os.system` is not allowed: specs are "
                            "data, never code")


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


def test_size_cap(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("a: " + "x" * 200 + "\n")
    with pytest.raises(SpecError) as info:
        load_file(str(path), max_bytes=100)
    (d,) = info.value.diagnostics
    assert (d.code, d.span) == ("Y009", SourceSpan(str(path), 1, 1))
    assert d.message == "the file is larger than the size cap of 100 bytes"


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: caf\u00e9\n".encode("latin-1"))
    with pytest.raises(SpecError) as info:
        load_file(str(path))
    (d,) = info.value.diagnostics
    assert d.code == "Y011"
    assert d.message.startswith("the file is not UTF-8 text")


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


def test_all_errors_in_file_order() -> None:
    errors = _errors("""\
        a: on
        b: 010
        c: !!python/name:os.system x
        d: on
    """)
    assert [(c, line) for c, line, _, _ in errors] == [
        ("Y001", 1), ("Y002", 2), ("Y003", 3), ("Y001", 4)]


def test_empty_document_is_none() -> None:
    assert load_text("").data is None
    assert load_text("# only a comment\n").data is None


def test_rendered_diagnostic_has_line_and_caret(write_spec: Callable[..., Path]) -> None:
    path = write_spec("name: x\nuse_bias: yes\n")
    with pytest.raises(SpecError) as info:
        load_file(str(path))
    text = render(info.value.diagnostics[0], path.read_text())
    assert text.splitlines() == [
        f"{path}:2:11: error[Y001]: `yes` is ambiguous: YAML 1.1 reads it as a boolean, "
        "YAML 1.2 as text",
        "  |",
        "2 | use_bias: yes",
        "  |           ^^^",
        "  = help: write true/false for a boolean, or quote it: 'yes'",
    ]


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


def test_an_anchor_in_a_set_value_is_a_usage_error() -> None:
    import pytest

    from archc.pipeline import Options, UsageError, compile_text

    text = "archc: 1\nname: t\ninput: [8, 8, 1]\nvariables: {s: [3]}\nlayers: [flatten]\n"
    compile_text(text, options=Options(overrides=(("s", "[4]"),)))
    with pytest.raises(UsageError) as caught:
        compile_text(text, options=Options(overrides=(("s", "&anchor [3]"),)))
    assert "anchors (`&anchor`) are not allowed in specs" in str(caught.value)
