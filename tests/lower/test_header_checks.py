"""Checks of the names a header defines (`archc.lower.header_checks`): variables read as
`$name`, block parameters and inputs readable, reserved-free and unique, blocks not named
like a layer type, `defaults:` keyed by layer types."""

from __future__ import annotations

import pytest

from archc.diagnostics import Diagnostic, DiagnosticSink, SpecError
from archc.lower.header_checks import check_header_names
from archc.pipeline import Stage, compile_text
from archc.spec.items import COMMON_FIELDS
from archc.spec.validate import validate_header

HEAD = "archc: 1\nname: t\ninput: [8, 8, 4]\n"


def _heads(text: str) -> list[tuple[str, int, str]]:
    with pytest.raises(SpecError) as caught:
        compile_text(HEAD + text, "spec.yaml")
    return [(d.code, d.span.line if d.span else 0, d.message)
            for d in caught.value.diagnostics]


def _checked(text: str) -> list[Diagnostic]:
    """`check_header_names` alone, on a loaded and schema-valid header."""
    doc = compile_text(HEAD + text, "spec.yaml", stop_after=Stage.LOAD).doc
    sink = DiagnosticSink()
    header = validate_header(doc, sink)
    assert header is not None and not sink.sorted()
    check_header_names(doc, header, sink)
    return sink.sorted()


@pytest.mark.parametrize(("params", "message"), [
    ("[filters, filters]", "block `unit` declares the parameter `filters` twice (first at "
                           "line 6)"),
    ("[name]", "`name` cannot be a parameter of block `unit`: every layer item takes it as "
               "its own field"),
    ("[inputs]", "`inputs` cannot be a parameter of block `unit`: every layer item takes it "
                 "as its own field"),
    ('["a b"]', "`a b` is not a valid parameter name in block `unit`"),
    ('["$x"]', "`$x` is not a valid parameter name in block `unit`"),
    ("[a-b]", "`a-b` is not a valid parameter name in block `unit`"),
])
def test_block_parameters_are_readable_reserved_free_and_unique(params: str,
                                                               message: str) -> None:
    heads = _heads(f"blocks:\n  unit:\n    params: {params}\n    layers: [flatten]\n"
                   "layers:\n  - unit: {}\n")
    assert heads[0][2] == message and heads[0][1] == 6
    assert len(heads) == 1


@pytest.mark.parametrize(("block", "what"), [("conv2d", "a layer type"),
                                             ("repeat", "a layer type"),
                                             ("input", "the input")])
def test_a_block_named_like_a_layer_type_is_refused(block: str, what: str) -> None:
    assert _heads(f"blocks:\n  {block}:\n    layers: [flatten]\nlayers:\n  - flatten\n") == [
        ("S008", 5, f"`{block}` cannot name a block: it is {what}")]


def test_a_variable_named_so_that_dollar_cannot_read_it_is_refused() -> None:
    assert _heads("variables: {my-width: 8}\nlayers: [flatten]\n") == [
        ("S008", 4, "`my-width` is not a valid name in `variables`")]


def test_every_common_field_is_reserved_and_the_help_lists_them_in_order() -> None:
    for field in COMMON_FIELDS:
        (only,) = _checked(f"blocks:\n  unit:\n    params: [{field}]\n    layers: [flatten]\n"
                           "layers: [flatten]\n")
        assert only.code == "S008" and only.help == (
            "rename the parameter (the reserved names: name, inputs, output, when)")


def test_an_input_named_like_a_parameter_and_an_unknown_default_type() -> None:
    problems = _checked("defaults: {conv2dd: {filters: 2}}\n"
                        "blocks:\n  unit:\n    params: [skip]\n    inputs: [x, skip]\n"
                        "    layers: [flatten]\nlayers: [flatten]\n")
    assert [(d.code, d.message) for d in problems] == [
        ("S005", "`defaults` names an unknown layer type `conv2dd`"),
        ("N009", "block `unit` has an input and a parameter named `skip`")]
