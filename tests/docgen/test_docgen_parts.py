"""The pieces of the docs generator: markers spliced without touching the prose around
them, and schemas said in words."""

from __future__ import annotations

import pytest

from archc.docgen.splice import parts, splice
from archc.docgen.values import describe, literal

_DOC = """# Title

Prose before.
<!-- generated: one (python -m archc.docgen) -->
old
<!-- end generated -->
Prose between.

<!-- generated: two (python -m archc.docgen) -->

<!-- end generated -->
"""


def test_splice_replaces_only_the_bodies() -> None:
    out = splice(_DOC, {"one": "| a |\n", "two": "text"})
    assert out == _DOC.replace("\nold\n", "\n\n| a |\n\n").replace(
        "-->\n\n<!-- end", "-->\n\ntext\n\n<!-- end")
    assert parts(out) == {"one": "\n| a |\n\n", "two": "\ntext\n\n"}
    assert splice(out, {"one": "| a |\n", "two": "text"}) == out  # a fixed point


def test_a_marker_without_renderer_or_renderer_without_marker_is_an_error() -> None:
    with pytest.raises(ValueError, match=r"markers missing for \['three'\]"):
        splice(_DOC, {"one": "", "two": "", "three": ""})
    with pytest.raises(ValueError, match=r"no renderer for \['two'\]"):
        splice(_DOC, {"one": ""})


def test_a_part_twice_is_an_error() -> None:
    with pytest.raises(ValueError, match="`one` appears twice"):
        parts(_DOC + _DOC)


def test_values_in_words() -> None:
    pos = {"type": "integer", "exclusiveMinimum": 0}
    pair = {"type": "array", "items": pos, "minItems": 2, "maxItems": 2}
    assert describe({"anyOf": [pos, pair]}) == "integer > 0 or list of 2 (integer > 0)"
    assert describe({"type": "number", "minimum": 0, "exclusiveMaximum": 1}) == \
        "number >= 0 and < 1"
    assert describe({"anyOf": [{"enum": ["valid", "same"]}, {"type": "null"}]}) == \
        "`valid` or `same`"
    assert describe({"enum": ["relu", "tanh"]}, ["relu", "tanh"]) == "an activation"
    assert describe({"type": "array", "items": {"type": "number"}, "minItems": 1}) == \
        "list of 1 or more numbers"


def test_literals_as_yaml_writes_them() -> None:
    assert [literal(v) for v in (None, True, 1e-6, 0.001, 16, "valid", [1, 1])] == \
        ["null", "true", "1e-6", "0.001", "16", "valid", "[1, 1]"]
