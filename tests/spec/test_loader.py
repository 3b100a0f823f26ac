"""The loader's entry points: reading within the size cap and as UTF-8, spans for every value,
every error located and in file order (scalars, the event walk and syntax errors: test_yaml_*)."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from archc.diagnostics import SourceSpan, SpecError, render
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


def test_an_anchor_in_a_set_value_is_a_usage_error() -> None:
    import pytest

    from archc.pipeline import Options, UsageError, compile_text

    text = "archc: 1\nname: t\ninput: [8, 8, 1]\nvariables: {s: [3]}\nlayers: [flatten]\n"
    compile_text(text, options=Options(overrides=(("s", "[4]"),)))
    with pytest.raises(UsageError) as caught:
        compile_text(text, options=Options(overrides=(("s", "&anchor [3]"),)))
    assert "anchors (`&anchor`) are not allowed in specs" in str(caught.value)
