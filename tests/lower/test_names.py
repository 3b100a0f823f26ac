"""Names that `inputs:` reads: automatic names and a block's own input (issue 12, item 6)."""

from __future__ import annotations

from spec_helpers import compile_yaml, one_error


def test_automatic_names_are_read_like_given_ones() -> None:
    g = compile_yaml("""
        archc: 1
        name: t
        input: [8, 8, 4]
        layers:
          - conv2d: {filters: 4, kernel_size: 1}
          - residual: {body: [{conv2d: {filters: 4, kernel_size: 1}}]}
          - parallel: {branches: [[], [{conv2d: {filters: 4, kernel_size: 1}}]], merge: add}
          - squeeze_excitation: {ratio: 2}
          - concat: {inputs: [conv2d_1, residual_1, parallel_1, se_1]}
    """).graph
    assert g["concat_1"].inputs == ("conv2d_1", "residual_1/add", "parallel_1/add",
                                    "se_1/scale")


def test_an_automatic_name_is_per_scope() -> None:
    g = compile_yaml("""
        archc: 1
        name: t
        input: [8, 8, 4]
        layers:
          - conv2d: {filters: 4, kernel_size: 1}
          - repeat:
              times: 2
              layers:
                - conv2d: {filters: 4, kernel_size: 1}
                - add: {inputs: [conv2d_1, input]}
    """).graph
    # inside a copy, conv2d_1 is the copy's own and `input` is the copy's input: the
    # layer before the repeat for copy 1, copy 1's output for copy 2
    assert g["repeat_1/block1/add_1"].inputs == ("repeat_1/block1/conv2d_1", "conv2d_1")
    assert g["repeat_1/block2/add_1"].inputs == ("repeat_1/block2/conv2d_1",
                                                  "repeat_1/block1/add_1")


def test_a_block_reads_its_own_input() -> None:
    g = compile_yaml("""
        archc: 1
        name: t
        input: [8, 8, 4]
        blocks:
          gated:
            layers:
              - conv2d: {filters: 4, kernel_size: 1, activation: sigmoid}
              - multiply: {inputs: [input, conv2d_1]}
        layers:
          - conv2d: {name: stem, filters: 4, kernel_size: 1}
          - gated: {name: g}
    """).graph
    assert g["g/multiply_1"].inputs == ("stem", "g/conv2d_1")


def test_a_block_layer_cannot_be_named_input() -> None:
    d = one_error("""
        archc: 1
        name: t
        input: [8, 8, 4]
        blocks:
          b:
            layers:
              - conv2d: {name: input, filters: 4, kernel_size: 1}
        layers:
          - b: {}
    """)
    assert (d.code, d.message) == ("N002", "duplicate layer name `input`: in a block, `input` "
                                           "is the block's input")


def test_a_given_name_equal_to_an_automatic_one_is_a_duplicate() -> None:
    d = one_error("""
        archc: 1
        name: t
        input: [8, 8, 4]
        layers:
          - conv2d: {filters: 4, kernel_size: 1}
          - conv2d: {name: conv2d_1, filters: 4, kernel_size: 1}
    """)
    assert d.code == "N002" and "`conv2d_1`" in d.message


def test_unknown_later_and_cyclic_references_stay_distinct() -> None:
    for refs, code, message in [
            ("conv2d_9", "N001", "unknown layer name `conv2d_9`"),
            ("b", "N001", "`b` is defined later (item 2 of this list); a layer can only read "
                          "layers above it")]:
        d = one_error(f"""
            archc: 1
            name: t
            input: [8, 8, 4]
            layers:
              - conv2d: {{name: a, inputs: {refs}, filters: 4, kernel_size: 1}}
              - conv2d: {{name: b, inputs: input, filters: 4, kernel_size: 1}}
        """)
        assert (d.code, d.message) == (code, message)


def test_two_items_may_share_a_name_when_when_keeps_one() -> None:
    text = """
        archc: 1
        name: t
        input: [8, 8, 4]
        variables: {wide: true}
        layers:
          - conv2d: {name: a, filters: 16, kernel_size: 1, when: $wide}
          - conv2d: {name: a, filters: 4, kernel_size: 1, when: not $wide}
          - conv2d: {name: b, filters: 4, kernel_size: 1, inputs: a}
    """
    assert compile_yaml(text).graph["a"].attrs.filters == 16
    assert compile_yaml(text, overrides=(("wide", "false"),)).graph["a"].attrs.filters == 4
    d = one_error(text.replace("when: not $wide", "when: $wide"))
    assert d.code == "N002"
