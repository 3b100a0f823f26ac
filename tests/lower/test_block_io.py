"""Blocks with several named inputs and outputs, and `repeat` of cells that read two cells.

Shapes in the comments are hand arithmetic: a 3x3 `same` convolution keeps HxW, a stride-2
one halves it (ceil), a 2x2 stride-2 transposed convolution doubles it.
"""

from __future__ import annotations

from spec_helpers import compile_yaml, errors_of

from archc.diagnostics import Diagnostic, render
from archc.pipeline import Compiled


def one_error(text: str, code: str) -> Diagnostic:
    (only,) = errors_of(text)
    assert only.code == code, f"{only.code}: {only.message}"
    return only


def shape(compiled: Compiled, name: str) -> tuple[int, ...]:
    assert compiled.analysis is not None
    return next(i.shape for i in compiled.analysis.nodes if i.node.name == name)

FUSE = """
    archc: 1
    name: t
    input: [16, 16, 4]
    blocks:
      fuse:
        inputs: [x, skip]
        params: [{filters: '$x.channels + $skip.channels'}]
        layers:
          - conv2d_transpose: {name: up, filters: $skip.channels, kernel_size: 2,
                               strides: 2, inputs: x}
          - concat: {inputs: [up, skip]}
          - conv2d: {filters: $filters, kernel_size: 1}
    layers:
      - conv2d: {name: a, filters: 8, kernel_size: 3, padding: same}
      - conv2d: {name: b, filters: 16, kernel_size: 3, strides: 2, padding: same}
"""


def test_a_call_passes_inputs_in_order_and_the_body_reads_them_by_name() -> None:
    g = compile_yaml(FUSE + "      - fuse: {name: f, inputs: [b, a]}\n").graph
    assert g["f/up"].inputs == ("b",)
    assert g["f/concat_1"].inputs == ("f/up", "a")
    # $skip is a (16x16x8), $x is b (8x8x16): up makes 8 channels at 16x16, the default
    # filters are 16 + 8 = 24.
    assert g["f/conv2d_1"].attrs.filters == 24
    assert shape(compile_yaml(FUSE + "      - fuse: {name: f, inputs: [b, a]}\n"),
                 "f/conv2d_1") == (16, 16, 24)


def test_inputs_by_name_equal_inputs_in_order_and_the_first_may_be_left_out() -> None:
    ordered = compile_yaml(FUSE + "      - fuse: {name: f, inputs: [b, a]}\n").graph
    named = compile_yaml(FUSE + "      - fuse: {name: f, inputs: {skip: a, x: b}}\n").graph
    implicit = compile_yaml(FUSE + "      - fuse: {name: f, inputs: {skip: a}}\n").graph
    assert ordered.nodes == named.nodes == implicit.nodes  # b is the previous layer


def test_call_arguments_and_inputs_take_expressions() -> None:
    g = compile_yaml(FUSE.replace("input: [16, 16, 4]",
                                  "input: [16, 16, 4]\n    variables: {skips: [a, b]}")
                     + "      - fuse: {name: f, inputs: ['$skips[1]', '$skips[0]'], "
                       "filters: '$in.channels * 2'}\n").graph
    assert g["f/up"].inputs == ("b",)
    assert g["f/conv2d_1"].attrs.filters == 32  # $in: the first input, b, 16 channels


def test_wrong_count_and_unknown_input_name_are_located_with_the_declared_inputs() -> None:
    d = one_error(FUSE + "      - fuse: {inputs: [b]}\n", "S011")
    assert d.message == "block `fuse` reads 2 inputs (x, skip); received 1"
    d = one_error(FUSE + "      - fuse: {inputs: {x: b, other: a}}\n", "S012")
    assert d.help == "its inputs: x, skip"
    d = one_error(FUSE + "      - fuse: {inputs: {x: b}}\n", "S011")
    assert d.message == "block `fuse` reads 2 inputs (x, skip); `inputs` does not give `skip`"


def test_a_second_input_into_a_one_input_block_is_one_error_not_a_false_n001() -> None:
    text = """
        archc: 1
        name: t
        input: [16, 16, 8]
        blocks:
          gated:
            layers:
              - conv2d: {filters: 8, kernel_size: 3, padding: same}
              - conv2d: {filters: 8, kernel_size: 1, activation: sigmoid}
              - multiply: {inputs: [input, conv2d_2]}
        layers:
          - conv2d: {name: a, filters: 8, kernel_size: 3, padding: same}
          - gated: {inputs: [a, input]}
    """
    (only,) = errors_of(text)
    assert (only.code, only.message) == ("S011", "block `gated` reads one input; received 2")


def test_an_argument_to_a_block_without_parameters_says_so() -> None:
    d = one_error("""
        archc: 1
        name: t
        input: [8, 8, 3]
        blocks:
          unit:
            layers: [flatten]
        layers:
          - unit: {filters: 8}
    """, "S002")
    assert d.help == ("block `unit` takes no parameters; a call's own fields are `inputs`, "
                      "`name`, `output`, `when`")


def test_input_names_are_checked_where_they_are_declared() -> None:
    d = one_error("""
        archc: 1
        name: t
        input: [8, 8, 3]
        blocks:
          fuse:
            inputs: [x, x]
            layers: [flatten]
        layers:
          - fuse: {inputs: [input, input]}
    """, "N009")
    assert render(d, "").splitlines()[0].endswith(
        "block `fuse` declares the input `x` twice (first at line 7)")
    d = one_error(FUSE.replace("inputs: [x, skip]", "inputs: [x, in]")
                  + "      - fuse: {inputs: [b, a]}\n", "S008")
    assert d.message == "`in` is not a valid input name in block `fuse`"


def test_an_input_name_alone_is_a_shape_not_a_number() -> None:
    d = one_error(FUSE.replace("$x.channels + $skip.channels", "$skip")
                  + "      - fuse: {inputs: [b, a]}\n", "E002")
    assert d.message == "`$skip` is the shape of the block's input `skip`, not a number"


BACKBONE = """
    archc: 1
    name: t
    input: [32, 32, 3]
    outputs: [net.p3, net.p4, head]
    blocks:
      stages:
        outputs: {p3: s1, p4: s2}
        layers:
          - conv2d: {name: s1, filters: 8, kernel_size: 3, strides: 2, padding: same}
          - conv2d: {name: s2, filters: 16, kernel_size: 3, strides: 2, padding: same}
          - conv2d: {name: s3, filters: 32, kernel_size: 3, strides: 2, padding: same}
    layers:
      - stages: {name: net}
      - conv2d: {name: head, inputs: net.p3, filters: 4, kernel_size: 1}
"""


def test_block_outputs_are_read_as_call_dot_output() -> None:
    c = compile_yaml(BACKBONE)
    assert c.graph["head"].inputs == ("net/s1",)
    assert c.graph.outputs == ("net/s1", "net/s2", "head")
    # 32 -> 16 -> 8: p3 is 16x16x8, p4 8x8x16
    assert [shape(c, o) for o in c.graph.outputs] == [(16, 16, 8), (8, 8, 16), (16, 16, 4)]


def test_an_unknown_block_output_is_n001_at_the_block() -> None:
    d = one_error(BACKBONE.replace("p4: s2}", "p4: s22}"), "N001")
    assert d.message == "block `stages` has no layer `s22` to output"
    assert d.help == "did you mean `s2`?"


def test_reading_an_output_the_block_does_not_have_is_n001_with_did_you_mean() -> None:
    d = one_error(BACKBONE.replace("inputs: net.p3", "inputs: net.p33"), "N001")
    assert d.help == "did you mean `net.p3`?"


CELLS = """
    archc: 1
    name: t
    input: [32, 32, 3]
    blocks:
      cell:
        inputs: [prev, older]
        params: [filters]
        layers:
          # the older input is reduced when it is larger (a factorised reduction)
          - conv2d: {name: adapt, inputs: older, filters: $filters, kernel_size: 1,
                     strides: '2 if $older.height > $prev.height else 1'}
          - conv2d: {name: here, inputs: prev, filters: $filters, kernel_size: 1}
          - add: {inputs: [adapt, here]}
    layers:
      - conv2d: {name: stem0, filters: 16, kernel_size: 3, padding: same}
      - conv2d: {name: stem1, filters: 16, kernel_size: 3, strides: 2, padding: same}
      - repeat: {name: cells, times: 3, block: cell, inputs: [stem1, stem0],
                 with: {filters: 16}}
      - add: {inputs: [cells, cells.prev]}
"""


def test_each_repeated_cell_reads_the_two_cells_before() -> None:
    c = compile_yaml(CELLS)
    g = c.graph
    assert (g["cells/block1/here"].inputs, g["cells/block1/adapt"].inputs) == (
        ("stem1",), ("stem0",))
    assert (g["cells/block2/here"].inputs, g["cells/block2/adapt"].inputs) == (
        ("cells/block1/add_1",), ("stem1",))
    assert (g["cells/block3/here"].inputs, g["cells/block3/adapt"].inputs) == (
        ("cells/block2/add_1",), ("cells/block1/add_1",))
    # Only copy 1 reads a larger older input (stem0, 32x32, against 16x16): stride 2.
    assert [g[f"cells/block{i}/adapt"].attrs.strides for i in (1, 2, 3)] == [
        (2, 2), (1, 1), (1, 1)]
    # After the repeat, `cells.prev` is what the last copy read as `prev`.
    assert g["add_1"].inputs == ("cells/block3/add_1", "cells/block2/add_1")


def test_a_cell_repeat_needs_one_tensor_per_input() -> None:
    d = one_error(CELLS.replace("inputs: [stem1, stem0]", "inputs: [stem1]"), "S011")
    assert d.message == "block `cell` reads 2 inputs (prev, older); received 1"


def test_a_one_input_block_without_declared_inputs_is_unchanged() -> None:
    g = compile_yaml("""
        archc: 1
        name: t
        input: [8, 8, 4]
        blocks:
          unit:
            layers:
              - conv2d: {filters: 4, kernel_size: 1}
              - add: {inputs: [input, conv2d_1]}
        layers:
          - unit: {}
          - repeat: {times: 2, block: unit}
    """).graph
    assert g["unit_1/add_1"].inputs == ("input", "unit_1/conv2d_1")
    assert g["repeat_1/block2/add_1"].inputs == ("repeat_1/block1/add_1",
                                                  "repeat_1/block2/conv2d_1")


def test_an_automatic_call_name_exposes_the_outputs_too() -> None:
    c = compile_yaml(BACKBONE.replace("- stages: {name: net}", "- stages: {}")
                     .replace("net.p", "stages_1.p"))
    assert c.graph["head"].inputs == ("stages_1/s1",)


def test_a_layer_named_like_an_exposed_output_is_a_duplicate() -> None:
    d = one_error(BACKBONE.replace("- conv2d: {name: head,", "- conv2d: {name: net.p3,")
                  .replace("outputs: [net.p3, net.p4, head]", "outputs: [net.p4]"), "N002")
    assert d.message.startswith("duplicate layer name `net.p3`")


def test_reading_an_output_of_a_call_left_out_by_when_says_why() -> None:
    d = one_error(BACKBONE.replace("- stages: {name: net}", "- stages: {name: net, when: false}")
                  .replace("outputs: [net.p3, net.p4, head]", "outputs: [head]"), "N001")
    assert d.message.startswith("`net.p3` is removed by `when: false`")


def test_an_empty_inputs_list_is_a_wrong_count_even_for_one_input() -> None:
    d = one_error(FUSE + "      - fuse: {inputs: [b, a]}\n"
                  "      - conv2d: {filters: 4, kernel_size: 1, inputs: []}\n", "S004")
    assert d.message == "this layer reads one input; received 0"
    d = one_error(BACKBONE.replace("- stages: {name: net}", "- stages: {name: net, inputs: []}"),
                  "S011")
    assert d.message == "block `stages` reads one input; received 0"
