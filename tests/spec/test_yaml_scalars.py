"""YAML scalars (archc.spec.yaml_scalars): the 1.2 core types, and what YAML 1.1 would read
differently or a tag would construct refused at its place."""

from __future__ import annotations

import math
import textwrap

import pytest

from archc.diagnostics import SpecError
from archc.spec.loader import load_text


def _errors(text: str) -> list[tuple[str, int, int, str]]:
    with pytest.raises(SpecError) as info:
        load_text(textwrap.dedent(text), "s.yaml")
    return [(d.code, d.span.line, d.span.col, d.message) for d in info.value.diagnostics
            if d.span is not None]


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
