"""Schema validation: one precise, located diagnostic per mistake, all of them in one run."""

from __future__ import annotations

import pytest
from spec_helpers import errors_of, one_error

from archc.diagnostics import render
from archc.spec.schema import LAYER_MODELS, STRUCTURE_MODELS

HEAD = """
archc: 1
name: t
input: [32, 32, 3]
layers:
"""


def test_five_independent_mistakes_five_diagnostics_in_file_order() -> None:
    diagnostics = errors_of(HEAD + """\
  - conv2d: {filters: 8, kernal_size: 3}
  - conv2d: {filters: true, kernel_size: 3}
  - maxpool2d: {pool_size: 2}
  - dense: {units: 10, activation: relux}
  - dense: {units: 10, inputs: conv_1}
""")
    got = [(d.code, d.span.line, d.span.col) for d in diagnostics if d.span]
    assert got == [("S002", 6, 26), ("S004", 7, 23), ("S005", 8, 5), ("S004", 9, 36),
                   ("N001", 10, 32)]
    assert [d.help for d in diagnostics][:4] == [
        "did you mean `kernel_size`?", None, "did you mean `max_pool2d`?",
        "did you mean `relu`?"]
    assert diagnostics[0].message == "unknown field `kernal_size` in `conv2d`"
    assert diagnostics[1].message == ("invalid value for `filters` in `conv2d`: input should be "
                                      "a valid integer; received `true`")
    assert diagnostics[2].message == "unknown layer type `maxpool2d`"
    assert diagnostics[4].message == "unknown layer name `conv_1`"


def test_misspelt_required_field_is_one_diagnostic() -> None:
    d = one_error(HEAD + "  - conv2d: {filters: 8, kernal_size: 3}\n")
    assert (d.code, d.help) == ("S002", "did you mean `kernel_size`?")


def test_missing_field() -> None:
    d = one_error(HEAD + "  - dense: {}\n")
    assert d.code == "S003"
    assert d.message == "`dense` needs the field `units`"
    assert d.help == "add `units: ...`"


def test_unknown_top_level_field() -> None:
    d = one_error("archc: 1\nnme: x\ninput: [8, 8, 1]\nlayers: [flatten]\n")
    assert (d.code, d.message, d.help) == ("S002", "unknown field `nme` in the spec",
                                           "did you mean `name`?")
    assert d.span is not None and (d.span.line, d.span.col) == (2, 1)


def test_wrong_version() -> None:
    d = one_error("archc: 2\nname: x\ninput: [8, 8, 1]\nlayers: [flatten]\n")
    assert d.code == "S004" and d.message.startswith("invalid value for `archc` in the spec")


@pytest.mark.parametrize("text", ["", "- a\n- b\n", "just text\n"])
def test_spec_must_be_a_mapping(text: str) -> None:
    d = one_error(text)
    assert d.code == "S001"
    assert d.message.endswith("it must be a mapping with `archc`, `name`, `input` and `layers`")


def test_strict_types_no_coercion() -> None:
    for bad, shown in (("'8'", "`8`"), ("8.5", "`8.5`"), ("-1", "`-1`"), ("true", "`true`")):
        d = one_error(HEAD + f"  - dense: {{units: {bad}}}\n")
        assert d.code == "S004" and d.message.endswith(f"received {shown}"), d.message


def test_a_whole_number_with_a_fraction_is_that_integer() -> None:
    # JSON (and so the JSON Schema) has one number type: 8.0 is 8 there, and in archc.
    from spec_helpers import compile_yaml

    c = compile_yaml(HEAD + "  - conv2d: {filters: 8.0, kernel_size: [3.0, 1]}\n")
    attrs = c.graph.nodes[1].attrs
    assert attrs.filters == 8 and type(attrs.filters) is int
    assert c.analysis is not None and c.analysis.info(c.graph.nodes[1].name).shape == (30, 32, 8)


def test_a_type_without_arguments_of_its_own() -> None:
    # Bare, null and `{}` are one form; required fields come from defaults.
    from spec_helpers import compile_yaml

    c = compile_yaml("archc: 1\nname: t\ninput: [8, 8, 2]\n"
                     "defaults:\n  conv2d: {filters: 4, kernel_size: 1}\n"
                     "  concat: {inputs: [a, b]}\n"
                     "layers:\n  - conv2d: {name: a}\n  - conv2d:\n      name: b\n"
                     "  - concat\n  - batch_norm:\n  - conv2d\n")
    assert [n.op.value for n in c.graph.nodes] == ["input", "conv2d", "conv2d", "concat",
                                                   "batch_norm", "conv2d"]
    missing = errors_of(HEAD + "  - conv2d\n")
    assert [(d.code, d.message) for d in missing] == [
        ("S003", "`conv2d` needs the field `filters`"),
        ("S003", "`conv2d` needs the field `kernel_size`")]
    d = one_error(HEAD + "  - residual\n")  # structures always need their own fields
    assert (d.code, d.message) == ("S003", "`residual` needs the field `body`")


def test_layer_item_shapes() -> None:
    d = one_error(HEAD + "  - {dense: {units: 3}, flatten: {}}\n")
    assert d.code == "S001" and "a mapping with several keys" in d.message
    d = one_error(HEAD + "  - dense: 3\n")
    assert (d.code, d.message) == ("S006", "`dense` takes a mapping of arguments; received `3`")


def test_shorthands() -> None:
    from spec_helpers import compile_yaml

    c = compile_yaml(HEAD + "  - activation: relu\n  - dropout: 0.5\n  - flatten\n")
    ops = [(n.op.value, dict(n.attrs.items())) for n in c.graph.nodes[1:]]
    assert ops == [("activation", {"function": "relu"}), ("dropout", {"rate": 0.5}),
                   ("flatten", {})]


def test_unknown_defaults_type() -> None:
    d = one_error("archc: 1\nname: x\ninput: [8, 8, 1]\ndefaults:\n  conv2: {}\n"
                  "layers: [flatten]\n")
    assert (d.code, d.help) == ("S005", "did you mean `conv2d`?")


def test_every_layer_type_has_a_model() -> None:
    assert set(STRUCTURE_MODELS) == {"parallel", "residual", "repeat"}
    for model in (*LAYER_MODELS.values(), *STRUCTURE_MODELS.values()):
        assert model.model_config.get("extra") == "forbid"


def test_rendered_text_is_pinned() -> None:
    text = HEAD + "  - conv2d: {filters: 8, kernal_size: 3}\n"
    (d,) = errors_of(text)
    assert render(d, text).splitlines() == [
        "spec.yaml:6:26: error[S002]: unknown field `kernal_size` in `conv2d`",
        "  |",
        "6 |   - conv2d: {filters: 8, kernal_size: 3}",
        "  |                          ^^^^^^^^^^^",
        "  = help: did you mean `kernel_size`?",
    ]
