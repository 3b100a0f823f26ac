"""`$in`: the shape of the tensor an item reads, wherever docs/spec-language.md says."""

from __future__ import annotations

from spec_helpers import compile_yaml, errors_of, one_error

from archc.ir import Graph


def shapes(text: str) -> dict[str, tuple[int, ...]]:
    compiled = compile_yaml(text)
    assert compiled.lowered is not None
    return {k: v for k, v in compiled.lowered.shapes.items() if v is not None}


def widths(graph: Graph) -> dict[str, int]:
    return {n.name: getattr(n.attrs, "filters", getattr(n.attrs, "units", 0))
            for n in graph.nodes[1:]}


def test_layer_fields_when_and_defaults_read_the_layer_input() -> None:
    out = shapes("""\
        archc: 1
        name: t
        input: [28, 28, 16]
        defaults:
          dense: {units: $in.channels + 1}
        layers:
          - conv2d: {filters: $in.channels * 2, kernel_size: 3, strides: 2}   # 13x13x32
          - conv2d: {filters: $in.height, kernel_size: 1}                      # 13
          - conv2d: {filters: 99, kernel_size: 1, when: $in.channels == 32}    # left out
          - conv2d: {name: w, filters: '$in.shape[1] + 1', kernel_size: 1}     # 14
          - flatten
          - dense: {}                                                          # 13*13*14 + 1
    """)
    assert out["conv2d_1"] == (13, 13, 32)
    assert out["conv2d_2"] == (13, 13, 13)
    assert "conv2d_3" not in out
    assert out["w"] == (13, 13, 14)
    assert out["dense_1"] == (13 * 13 * 14 + 1,)


def test_a_merge_reads_its_first_input_and_inputs_names_the_input() -> None:
    out = shapes("""\
        archc: 1
        name: t
        input: [8, 8, 4]
        layers:
          - conv2d: {name: a, filters: 6, kernel_size: 1}
          - conv2d: {name: b, inputs: input, filters: '$in.channels + 1', kernel_size: 1}
          - concat: {inputs: [b, a]}
          - conv2d: {filters: $in.channels, kernel_size: 1}    # 5 + 6
          - add: {name: sum, inputs: [a, a]}
          - conv2d: {inputs: b, filters: $in.channels * 10, kernel_size: 1}
    """)
    assert out["b"] == (8, 8, 5)
    assert out["conv2d_1"] == (8, 8, 11)
    assert out["conv2d_2"] == (8, 8, 50)


def test_block_arguments_and_defaults_read_the_block_input() -> None:
    compiled = compile_yaml("""\
        archc: 1
        name: t
        input: [56, 56, 24]
        blocks:
          expand_project:
            params: [ratio, {cin: $in.channels}, {mid: $cin * $ratio}]
            layers:
              - conv2d: {filters: $mid, kernel_size: 1}
              - conv2d: {filters: $cin, kernel_size: 1}
        layers:
          - conv2d: {name: stem, filters: 40, kernel_size: 1}
          - expand_project: {ratio: 6}
          - expand_project: {ratio: 2, inputs: input, name: side}
          - expand_project: {ratio: '$in.channels // 10'}
    """)
    assert widths(compiled.graph) == {
        "stem": 40,
        "expand_project_1/conv2d_1": 240, "expand_project_1/conv2d_2": 40,
        "side/conv2d_1": 48, "side/conv2d_2": 24,
        "expand_project_2/conv2d_1": 24 * 2, "expand_project_2/conv2d_2": 24,
    }


def test_structure_fields_and_repeat_copies_read_their_own_input() -> None:
    compiled = compile_yaml("""\
        archc: 1
        name: t
        input: [16, 16, 8]
        blocks:
          widen:
            params: [filters]
            layers:
              - conv2d: {filters: $filters, kernel_size: 1}
        layers:
          - repeat:
              name: grow
              times: '$in.channels // 4'                  # 2 copies
              block: widen
              with: {filters: $in.channels * 2}           # 16, then 32
          - repeat:
              name: copies
              times: 2
              layers:
                - conv2d: {filters: $in.channels + $index, kernel_size: 1}   # 33, 35
    """)
    assert widths(compiled.graph) == {
        "grow/block1/conv2d_1": 16, "grow/block2/conv2d_1": 32,
        "copies/block1/conv2d_1": 33, "copies/block2/conv2d_1": 35,
    }


def test_a_vector_has_channels_but_no_height() -> None:
    d = one_error("""\
        archc: 1
        name: t
        input: [10]
        layers:
          - dense: {units: $in.channels * 2}
          - dense: {units: $in.height}
    """)
    assert (d.code, d.message) == ("E003", "`$in` is a vector of 20 features; it has no height")
    assert d.help == "use `$in.channels` for its length"


def test_an_unknown_input_is_reported_once_and_nothing_else() -> None:
    errors = errors_of("""\
        archc: 1
        name: t
        input: [8, 8, 3]
        layers:
          - conv2d: {inputs: stme, filters: $in.channels, kernel_size: 1}
          - conv2d: {inputs: nothing, filters: 4, kernel_size: 1, when: false}
    """)
    assert [(d.code, d.message) for d in errors] == [("N001", "unknown layer name `stme`")]


def test_an_earlier_error_is_not_reported_again_through_in() -> None:
    errors = errors_of("""\
        archc: 1
        name: t
        input: [8, 8, 3]
        layers:
          - conv2d: {filters: 4, kernel_size: 9}            # G004: larger than the input
          - conv2d: {filters: $in.channels, kernel_size: 1}
    """)
    assert [d.code for d in errors] == ["G004"]


def test_in_cannot_name_a_variable_or_a_parameter() -> None:
    errors = errors_of("""\
        archc: 1
        name: t
        input: [8, 8, 3]
        variables: {in: 3}
        blocks:
          b:
            params: [in]
            layers: [flatten]
        layers: [flatten]
    """)
    assert [(d.code, d.message) for d in errors] == [
        ("S008", "`in` cannot name a variable: `$in` is the input's shape"),
        ("S008", "`in` cannot name a parameter of block `b`: `$in` is the input's shape")]


def test_input_sizes_may_be_expressions_of_the_variables() -> None:
    text = """\
        archc: 1
        name: t
        input: [$resolution, '$resolution // 2', 3]
        variables: {resolution: 224}
        variants:
          b1: {resolution: 240}
        layers:
          - conv2d: {filters: 8, kernel_size: 3}
    """
    assert shapes(text)["input"] == (224, 112, 3)
    compiled = compile_yaml(text, variant="b1")
    assert compiled.lowered is not None and compiled.lowered.shapes["input"] == (240, 120, 3)
    for size, message in [("'$resolution / 448'", "`$resolution / 448` is 0.5"),
                          ("$in.channels", "`$in` is only defined in layer items"),
                          ("abc", "received `abc`")]:
        d = one_error(f"""\
            archc: 1
            name: t
            input: [{size}, 8, 3]
            variables: {{resolution: 224}}
            layers: [flatten]
        """)
        assert message in d.message and d.code in ("S004", "E006")
