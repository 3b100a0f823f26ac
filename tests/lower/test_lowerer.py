"""Lowering: names and scopes, blocks, repeat, parallel, residual, when/output, variants,
and the name errors (duplicates, unknown names, forward references, cycles)."""

from __future__ import annotations

import pytest
from spec_helpers import compile_yaml, errors_of, one_error

from archc.ir.ops import MergeOp, NormOp

NET = """
archc: 1
name: t
input: [8, 8, 4]
variables: {n: 2, extra: false}
variants:
  wide: {n: 3, extra: true}
defaults:
  conv2d: {kernel_size: 3, padding: same}
blocks:
  unit:
    params: [filters, {strides: 1}]
    layers:
      - residual:
          body:
            - conv2d: {filters: $filters, strides: $strides}
            - batch_norm: {}
      - activation: relu
layers:
  - conv2d: {filters: 4}
  - conv2d: {filters: 4}
  - repeat: {name: stage, times: $n, block: unit, with: {filters: 8}, first: {strides: 2}}
  - parallel:
      name: mix
      branches:
        - - conv2d: {filters: 2}
        - - max_pool2d: {pool_size: 3, strides: 1, padding: same}
      merge: concat
  - dense: {units: 3, name: side, when: $extra, output: true}
  - flatten: {inputs: mix}
"""


def _names(text: str, variant: str | None = None) -> list[str]:
    return [n.name for n in compile_yaml(text, variant).graph.nodes]


def test_auto_names_scopes_and_order() -> None:
    g = compile_yaml(NET).graph
    assert [n.name for n in g.nodes] == [
        "input", "conv2d_1", "conv2d_2",
        "stage/block1/residual_1/shortcut/conv", "stage/block1/residual_1/shortcut/bn",
        "stage/block1/residual_1/conv2d_1", "stage/block1/residual_1/batch_norm_1",
        "stage/block1/residual_1/add", "stage/block1/activation_1",
        "stage/block2/residual_1/conv2d_1", "stage/block2/residual_1/batch_norm_1",
        "stage/block2/residual_1/add", "stage/block2/activation_1",
        "mix/branch1/conv2d_1", "mix/branch2/max_pool2d_1", "mix/concat", "flatten_1",
    ]
    assert g["stage/block2/residual_1/add"].scope == ("stage", "block2", "residual_1")
    assert [(s.name, s.kind) for s in g.scopes][:4] == [
        ("stage", "repeat"), ("stage/block1", "unit"), ("stage/block1/residual_1", "residual"),
        ("stage/block1/residual_1/shortcut", "shortcut")]
    assert g.inputs == ("input",) and g.outputs == ("flatten_1",)
    assert g.lint() == []


def test_repeat_first_overrides_only_the_first_repetition() -> None:
    c = compile_yaml(NET)
    g, shapes = c.graph, c.lowered.shapes  # type: ignore[union-attr]
    assert g["stage/block1/residual_1/conv2d_1"].attrs.strides == (2, 2)
    assert g["stage/block2/residual_1/conv2d_1"].attrs.strides == (1, 1)
    assert shapes["stage/block2/activation_1"] == (4, 4, 8)


def test_residual_auto_projection_is_hoisted_and_identity_elsewhere() -> None:
    g = compile_yaml(NET).graph
    first = g["stage/block1/residual_1/add"]
    # projection: 1x1 conv with the body's stride and filters, + BN, before the body
    assert first.inputs == ("stage/block1/residual_1/shortcut/bn",
                            "stage/block1/residual_1/batch_norm_1")
    conv = g["stage/block1/residual_1/shortcut/conv"]
    assert (conv.attrs.kernel_size, conv.attrs.strides, conv.attrs.filters) == (
        (1, 1), (2, 2), 8)
    names = [n.name for n in g.nodes]
    assert names.index("stage/block1/residual_1/shortcut/bn") < names.index(
        "stage/block1/residual_1/conv2d_1")
    # identity: the add reads the block's input directly
    assert g["stage/block2/residual_1/add"].inputs[0] == "stage/block1/activation_1"


def test_parallel_merges_branches() -> None:
    c = compile_yaml(NET)
    g = c.graph
    assert g["mix/concat"].op is MergeOp.CONCAT
    assert g["mix/concat"].inputs == ("mix/branch1/conv2d_1", "mix/branch2/max_pool2d_1")
    assert c.lowered is not None and c.lowered.shapes["mix/concat"] == (4, 4, 2 + 8)


def test_variant_when_and_output() -> None:
    c = compile_yaml(NET, variant="wide")
    names = [n.name for n in c.graph.nodes]
    assert "stage/block3/activation_1" in names and "side" in names
    assert c.graph.outputs == ("flatten_1", "side")
    assert c.variant == "wide" and c.variables == {"n": 3, "extra": True}


def test_set_overrides_a_variable() -> None:
    c = compile_yaml(NET, overrides=(("n", "1"),))
    assert not any(n.name.startswith("stage/block2") for n in c.graph.nodes)
    c = compile_yaml(NET, variant="wide", overrides=(("n", "4"),))
    assert "stage/block4/activation_1" in [n.name for n in c.graph.nodes]


def test_block_parameters_defaults_and_errors() -> None:
    spec = """
        archc: 1
        name: t
        input: [8, 8, 1]
        blocks:
          b:
            params: [filters, {kernel: 3}]
            layers:
              - conv2d: {filters: $filters, kernel_size: $kernel}
        layers:
          - b: {filters: 2}
          - b: {name: five, filters: 2, kernel: 5}
    """
    g = compile_yaml(spec).graph
    assert g["b_1/conv2d_1"].attrs.kernel_size == (3, 3)
    assert g["five/conv2d_1"].attrs.kernel_size == (5, 5)
    d = one_error(spec.replace("- b: {filters: 2}", "- b: {filtres: 2}"))
    assert (d.code, d.message, d.help) == ("S002", "block `b` has no parameter `filtres`",
                                           "did you mean `filters`?")
    d = one_error(spec.replace("- b: {filters: 2}", "- b: {}"))
    assert (d.code, d.message) == ("S003", "block `b` needs the parameter `filters`")


def test_recursive_block() -> None:
    d = one_error("""
        archc: 1
        name: t
        input: [8, 8, 1]
        blocks:
          a: {layers: [{b: {}}]}
          b: {layers: [{a: {}}]}
        layers:
          - a: {}
    """)
    assert (d.code, d.message) == ("N004", "block `a` uses itself: a -> b -> a")


def test_repeat_of_layers_with_index() -> None:
    g = compile_yaml("""
        archc: 1
        name: t
        input: [8, 8, 1]
        layers:
          - repeat:
              times: 3
              layers:
                - conv2d: {filters: $index * 2, kernel_size: 1}
    """).graph
    assert [n.attrs.filters for n in g.nodes[1:]] == [2, 4, 6]
    assert [n.name for n in g.nodes[1:]] == [
        "repeat_1/block1/conv2d_1", "repeat_1/block2/conv2d_1", "repeat_1/block3/conv2d_1"]


def test_explicit_shortcut_and_identity_errors() -> None:
    spec = """
        archc: 1
        name: t
        input: [8, 8, 4]
        layers:
          - residual:
              name: r
              body:
                - conv2d: {filters: 8, kernel_size: 3, padding: same}
              shortcut:
                - conv2d: {name: proj, filters: 8, kernel_size: 1}
    """
    g = compile_yaml(spec).graph
    assert [n.name for n in g.nodes] == ["input", "r/shortcut/proj", "r/conv2d_1", "r/add"]
    d = one_error(spec.replace("""shortcut:
                - conv2d: {name: proj, filters: 8, kernel_size: 1}""", "shortcut: identity"))
    assert d.code == "G002"
    assert d.message == "`add` needs equal shapes; received 8x8x4, 8x8x8"


def test_projection_without_batch_norm_and_bias_default() -> None:
    g = compile_yaml("""
        archc: 1
        name: t
        input: [8, 8, 4]
        defaults:
          conv2d: {use_bias: false}
        layers:
          - residual:
              name: r
              body: [{conv2d: {filters: 8, kernel_size: 1, strides: 2}}]
              projection: {batch_norm: false}
    """).graph
    assert [n.name for n in g.nodes] == ["input", "r/shortcut/conv", "r/conv2d_1", "r/add"]
    assert g["r/shortcut/conv"].attrs.use_bias is False


def test_duplicate_names() -> None:
    d = one_error("""
        archc: 1
        name: t
        input: [8, 8, 1]
        layers:
          - conv2d: {name: a, filters: 2, kernel_size: 1}
          - conv2d: {name: a, filters: 2, kernel_size: 1}
    """)
    assert (d.code, d.message) == ("N002", "duplicate layer name `a` (first used at line 6)")
    assert d.span is not None and d.span.line == 7


def test_unknown_name_with_did_you_mean() -> None:
    d = one_error("""
        archc: 1
        name: t
        input: [8, 8, 1]
        layers:
          - conv2d: {name: stem, filters: 2, kernel_size: 1}
          - flatten: {inputs: stme}
    """)
    assert (d.code, d.message, d.help) == ("N001", "unknown layer name `stme`",
                                           "did you mean `stem`?")
    assert d.span is not None and (d.span.line, d.span.col) == (7, 23)


def test_unknown_output() -> None:
    d = one_error("""
        archc: 1
        name: t
        input: [8, 8, 1]
        outputs: [hed]
        layers:
          - flatten: {name: head}
    """)
    assert (d.code, d.message, d.help) == ("N001", "unknown output `hed`", "did you mean `head`?")


def test_forward_reference() -> None:
    d = one_error("""
        archc: 1
        name: t
        input: [8, 8, 1]
        layers:
          - flatten: {name: a, inputs: b}
          - conv2d: {name: b, inputs: input, filters: 2, kernel_size: 1}
    """)
    assert d.code == "N001"
    assert d.message == ("`b` is defined later (item 2 of this list); a layer can only read "
                         "layers above it")


def test_cycle_with_its_path() -> None:
    d = one_error("""
        archc: 1
        name: t
        input: [8, 8, 1]
        layers:
          - conv2d: {name: a, filters: 2, kernel_size: 1, inputs: c}
          - conv2d: {name: b, filters: 2, kernel_size: 1}
          - conv2d: {name: c, filters: 2, kernel_size: 1}
    """)
    assert (d.code, d.message) == ("G008", "the layers form a cycle: a -> c -> b -> a")
    assert d.span is not None and d.span.line == 6


def test_unknown_layer_type_and_block() -> None:
    codes = errors_of("""
        archc: 1
        name: t
        input: [8, 8, 1]
        layers:
          - conv: {filters: 2}
          - repeat: {times: 2, block: unt}
    """)
    assert [(d.code, d.message, d.help) for d in codes] == [
        ("S005", "unknown layer type `conv`", "did you mean `conv2d`?"),
        ("S005", "unknown block `unt`", None),
    ]


def test_squeeze_excitation_lowers_to_four_nodes() -> None:
    g = compile_yaml("""
        archc: 1
        name: t
        input: [4, 4, 32]
        layers:
          - squeeze_excitation: {name: se, ratio: 8}
    """).graph
    assert [(n.name, n.op.value) for n in g.nodes[1:]] == [
        ("se/squeeze", "global_avg_pool2d"), ("se/reduce", "dense"), ("se/expand", "dense"),
        ("se/scale", "multiply")]
    assert g["se/reduce"].attrs.units == 4 and g["se/expand"].attrs.units == 32
    assert g["se/scale"].inputs == ("input", "se/expand")


def test_repeat_cap() -> None:
    d = one_error("""
        archc: 1
        name: t
        input: [8, 8, 1]
        layers:
          - repeat: {times: 20000, layers: [flatten]}
    """)
    assert (d.code, d.message) == ("C002", "`times: 20,000` exceeds the repeat cap of 10,000")


def test_merge_needs_two_inputs() -> None:
    d = one_error("""
        archc: 1
        name: t
        input: [8, 8, 1]
        layers:
          - add: {inputs: [input]}
    """)
    assert (d.code, d.message) == ("S004", "a merge needs at least two inputs; received 1")


def test_layer_norm_lowers_to_its_record_with_keras_defaults() -> None:
    g = compile_yaml("""
        archc: 1
        name: t
        input: [4, 4, 8]
        defaults:
          layer_norm: {center: false}
        layers:
          - layer_norm: {name: a}
          - layer_norm: {name: b, epsilon: 1.0e-6, center: true}
    """).graph
    assert g["a"].op is NormOp.LAYER_NORM
    assert (g["a"].attrs.epsilon, g["a"].attrs.center, g["a"].attrs.scale) == (0.001, False, True)
    assert (g["b"].attrs.epsilon, g["b"].attrs.center) == (1e-6, True)


# -- residual: shortcut none, shortcut_when, scale (issue 12) ---------------------------------

MBCONV = """
    archc: 1
    name: t
    input: [28, 28, 16]
    blocks:
      mbconv:
        params: [filters, {strides: 1}]
        layers:
          - residual:
              name: res
              shortcut: identity
              shortcut_when: $strides == 1 and $in.channels == $filters
              body:
                - conv2d: {name: expand, filters: $in.channels * 6, kernel_size: 1}
                - depthwise_conv2d: {kernel_size: 3, strides: $strides, padding: same}
                - conv2d: {name: project, filters: $filters, kernel_size: 1}
    layers:
      - mbconv: {name: down, filters: 24, strides: 2}
      - mbconv: {name: keep, filters: 24}
      - mbconv: {name: widen, filters: 32}
"""


def test_shortcut_when_adds_only_where_stride_and_channels_allow() -> None:
    g = compile_yaml(MBCONV).graph
    adds = [n.name for n in g.nodes if n.op is MergeOp.ADD]
    assert adds == ["keep/res/add"]
    assert g["keep/res/add"].inputs == ("down/res/project", "keep/res/project")
    # the switched-off body keeps its names, and the next block reads its output
    assert g["keep/res/expand"].inputs == ("down/res/project",)
    assert g["widen/res/expand"].inputs == ("keep/res/add",)
    assert g.outputs == ("widen/res/project",)


@pytest.mark.parametrize("field", ["shortcut: none", "shortcut_when: false",
                                   "shortcut_when: $in.channels == 3"])
def test_a_residual_without_shortcut_is_its_body(field: str) -> None:
    g = compile_yaml(f"""
        archc: 1
        name: t
        input: [8, 8, 4]
        layers:
          - residual:
              name: r
              {field}
              body:
                - conv2d: {{name: c, filters: 6, kernel_size: 3}}
          - flatten
    """).graph
    assert [n.name for n in g.nodes] == ["input", "r/c", "flatten_1"]
    assert g["flatten_1"].inputs == ("r/c",)


def test_a_scaled_residual_is_one_scaled_add() -> None:
    g = compile_yaml("""
        archc: 1
        name: t
        input: [8, 8, 4]
        layers:
          - residual:
              name: r
              scale: 0.17
              body:
                - conv2d: {name: c, filters: 4, kernel_size: 3, padding: same}
    """).graph
    add = g["r/add"]
    assert add.op is MergeOp.SCALED_ADD and add.attrs.scale == 0.17
    assert add.inputs == ("input", "r/c")   # x + 0.17 * body: the shortcut first


def test_scale_needs_a_shortcut() -> None:
    d = one_error("""
        archc: 1
        name: t
        input: [8, 8, 4]
        layers:
          - residual: {scale: 0.5, shortcut: none, body: [{conv2d: {filters: 4, kernel_size: 1}}]}
    """)
    assert (d.code, d.message) == ("S004", "`scale: 0.5` weights the body in the addition, "
                                           "but this residual has no shortcut")


def test_scaled_add_is_a_layer_type_of_two_inputs() -> None:
    g = compile_yaml("""
        archc: 1
        name: t
        input: [8, 8, 4]
        layers:
          - conv2d: {name: up, filters: 4, kernel_size: 1}
          - scaled_add: {name: s, inputs: [input, up], scale: 0.2}
    """).graph
    assert (g["s"].op, g["s"].inputs, g["s"].attrs.scale) == (MergeOp.SCALED_ADD, ("input", "up"),
                                                              0.2)
    d = one_error("""
        archc: 1
        name: t
        input: [8, 8, 4]
        layers:
          - conv2d: {name: up, filters: 4, kernel_size: 1}
          - scaled_add: {inputs: [input, up, up], scale: 0.2}
    """)
    assert (d.code, d.message) == ("S004", "`scaled_add` reads exactly two inputs, [x, y] for "
                                           "x + scale * y; received 3")


def test_an_empty_parallel_branch_is_the_identity() -> None:
    compiled = compile_yaml("""
        archc: 1
        name: t
        input: [8, 8, 16]
        layers:
          - parallel:
              name: grow
              branches: [[], [{conv2d: {name: c, filters: 12, kernel_size: 3, padding: same}}]]
    """)
    g = compiled.graph
    assert g["grow/concat"].inputs == ("input", "grow/branch2/c")
    assert compiled.lowered is not None and compiled.lowered.shapes["grow/concat"] == (8, 8, 28)


def test_dense_on_a_map_is_per_position() -> None:
    compiled = compile_yaml("""
        archc: 1
        name: t
        input: [7, 7, 96]
        layers:
          - dense: {name: d, units: 384}
    """)
    assert compiled.analysis is not None
    info = compiled.analysis.info("d")
    # ConvNeXt-T's first pointwise layer: 96*384 + 384 params, 7*7*96*384 MACs
    assert (info.shape, info.cost.trainable, info.cost.macs) == (
        (7, 7, 384), 96 * 384 + 384, 7 * 7 * 96 * 384)
