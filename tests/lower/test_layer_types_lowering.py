"""The layer types added for the modern families (issue 12) lower to their records, with
the defaults the catalogue sets, `defaults:` applied, and located errors."""

from __future__ import annotations

from spec_helpers import compile_yaml, one_error

from archc.ir.ops import Conv2DAttrs, DenseAttrs, DropoutAttrs, MergeOp, NormOp, ShapeOp
from archc.ir.printer import format_graph


def test_layer_scale_lowers_with_its_init() -> None:
    g = compile_yaml("""
        archc: 1
        name: t
        input: [4, 4, 8]
        defaults:
          layer_scale: {init: 0.1}
        layers:
          - layer_scale: {name: a}
          - layer_scale: {name: b, init: 1.0e-6}
    """).graph
    assert (g["a"].op, g["a"].attrs.init, g["b"].attrs.init) == (NormOp.LAYER_SCALE, 0.1, 1e-6)


def test_normalization_needs_both_constants_or_neither() -> None:
    for given, missing in (("{mean: 0.5}", "variance"), ("{variance: [1, 2, 3]}", "mean")):
        d = one_error(f"""
            archc: 1
            name: t
            input: [4, 4, 3]
            layers:
              - normalization: {given}
        """)
        assert (d.code, d.message) == ("S003", f"`normalization` needs the field `{missing}`")
        assert (d.span.line, d.span.col) == (6, 5)  # the layer type (after a blank line)


def test_rescaling_and_normalization_records() -> None:
    g = compile_yaml("""
        archc: 1
        name: t
        input: [4, 4, 3]
        variables: {pixel: 255}
        layers:
          - rescaling: {name: r, scale: 1 / $pixel}
          - normalization: {name: adaptable}
          - normalization: {name: given, mean: [1, 2, 3], variance: 4}
    """).graph
    assert (g["r"].attrs.scale, g["r"].attrs.offset) == (1 / 255, 0.0)
    assert (g["adaptable"].attrs.mean, g["adaptable"].attrs.variance) == (None, None)
    assert (g["given"].attrs.mean, g["given"].attrs.variance) == ((1.0, 2.0, 3.0), 4.0)


def test_reshape_takes_one_unknown_and_positive_sizes() -> None:
    g = compile_yaml("""
        archc: 1
        name: t
        input: [7, 7, 32]
        layers:
          - reshape: {name: r, shape: [49, -1]}
    """)
    assert (g.graph["r"].attrs.shape, g.analysis.shape("r")) == ((49, -1), (49, 32))
    for shape, text in (("[-1, -1]", "at most one entry may be -1"),
                        ("[0, 49, 32]", "every entry is a positive size, or -1 for the one "
                                        "inferred"),
                        ("[1, 1, 7, 224]", "list should have at most 3 items after "
                                           "validation, not 4")):
        d = one_error(f"""
            archc: 1
            name: t
            input: [7, 7, 32]
            layers:
              - reshape: {{shape: {shape}}}
        """)
        assert d.code == "S004" and text in d.message, d.message


def test_upsampling_record_and_interpolations() -> None:
    g = compile_yaml("""
        archc: 1
        name: t
        input: [4, 4, 3]
        layers:
          - upsampling2d: {name: a}
          - upsampling2d: {name: b, size: [2, 3], interpolation: bilinear}
    """).graph
    assert (g["a"].attrs.size, g["a"].attrs.interpolation) == ((2, 2), "nearest")
    assert (g["b"].attrs.size, g["b"].attrs.interpolation) == ((2, 3), "bilinear")
    d = one_error("""
        archc: 1
        name: t
        input: [4, 4, 3]
        layers:
          - upsampling2d: {interpolation: bicubic}
    """)
    assert d.code == "S004" and d.help == "expected one of: 'nearest' or 'bilinear'"


def test_conv2d_transpose_record_and_named_padding_only() -> None:
    g = compile_yaml("""
        archc: 1
        name: t
        input: [28, 28, 1024]
        layers:
          - conv2d_transpose: {name: up, filters: 512, kernel_size: 2, strides: 2}
    """).graph
    a = g["up"].attrs
    assert (a.filters, a.kernel_size, a.strides, a.padding, a.use_bias, a.activation) == (
        512, (2, 2), (2, 2), "valid", True, None)
    d = one_error("""
        archc: 1
        name: t
        input: [28, 28, 64]
        layers:
          - conv2d_transpose: {filters: 8, kernel_size: 3, padding: 1}
    """)
    assert d.code == "S004" and "`padding`" in d.message


def test_cropping_spellings_become_explicit_pairs() -> None:
    g = compile_yaml("""
        archc: 1
        name: t
        input: [16, 16, 3]
        layers:
          - cropping2d: {name: none}
          - cropping2d: {name: all, cropping: 1}
          - cropping2d: {name: hw, cropping: [1, 2]}
          - cropping2d: {name: sides, cropping: [[0, 1], [2, 3]]}
    """).graph
    assert [g[n].attrs.cropping for n in ("none", "all", "hw", "sides")] == [
        ((0, 0), (0, 0)), ((1, 1), (1, 1)), ((1, 1), (2, 2)), ((0, 1), (2, 3))]


def test_hard_swish_is_an_activation_everywhere() -> None:
    g = compile_yaml("""
        archc: 1
        name: t
        input: [8, 8, 3]
        layers:
          - conv2d: {name: c, filters: 4, kernel_size: 3, activation: hard_swish}
          - activation: {name: a, function: hard_swish}
          - activation: {name: s, function: hard_sigmoid}
    """).graph
    assert (g["c"].attrs.activation, g["a"].attrs.function) == ("hard_swish", "hard_swish")
    assert g["s"].attrs.function == "hard_sigmoid"


def test_per_sample_dropout_and_its_ir_text() -> None:
    compiled = compile_yaml("""
        archc: 1
        name: t
        input: [4, 4, 8]
        layers:
          - dropout: {name: plain, rate: 0.5}
          - dropout: {name: drop_path, rate: 0.2, per_sample: true}
          - dropout: 0.1
    """)
    g = compiled.graph
    assert (g["plain"].attrs.per_sample, g["drop_path"].attrs.per_sample) == (False, True)
    assert g["dropout_1"].attrs == DropoutAttrs(0.1)
    # the IR dump names per_sample only where it is set, so older dumps read as before
    text = format_graph(g)
    assert "%plain = dropout(%input) {rate=0.5}" in text
    assert "%drop_path = dropout(%plain) {per_sample=True rate=0.2}" in text
    assert compiled.analysis is not None and compiled.analysis.total.params == 0


SE = """
    archc: 1
    name: t
    input: [14, 14, 96]
    defaults:
      squeeze_excitation: {ratio: 8}
    layers:
      - squeeze_excitation: {name: v1}
      - squeeze_excitation: {name: eff, units: 4, activation: swish, form: conv}
      - squeeze_excitation: {name: mnv3, units: 24, gate: hard_sigmoid, form: conv,
                             use_bias: false}
"""


def test_squeeze_excitation_options_lower_to_their_layers() -> None:
    compiled = compile_yaml(SE)
    g, a = compiled.graph, compiled.analysis
    assert a is not None
    # the default form: dense 96 // 8 = 12 with ReLU, dense 96 with sigmoid
    assert g["v1/reduce"].attrs == DenseAttrs(12, True, "relu")
    assert g["v1/expand"].attrs == DenseAttrs(96, True, "sigmoid")
    # units beats the default ratio; the conv form is two 1x1 convolutions
    assert g["eff/reduce"].attrs == Conv2DAttrs(4, (1, 1), use_bias=True, activation="swish")
    assert g["eff/expand"].attrs == Conv2DAttrs(96, (1, 1), use_bias=True,
                                                activation="sigmoid")
    assert g["mnv3/expand"].attrs.activation == "hard_sigmoid"
    # either form: C*s + s + s*C + C params and 2*C*s MACs; without biases 2*C*s params
    for name, s, bias in (("v1", 12, True), ("eff", 4, True), ("mnv3", 24, False)):
        reduce, expand = a.info(f"{name}/reduce").cost, a.info(f"{name}/expand").cost
        assert reduce.params + expand.params == 2 * 96 * s + (s + 96) * bias, name
        assert reduce.macs + expand.macs == 2 * 96 * s, name
    assert a.info("eff/reduce").cost.params + a.info("eff/expand").cost.params == 868


def test_ratio_and_units_together_are_s010() -> None:
    d = one_error("""
        archc: 1
        name: t
        input: [14, 14, 96]
        layers:
          - squeeze_excitation: {ratio: 4, units: 24}
    """)
    assert (d.code, d.message) == ("S010", "give `ratio` or `units`, not both")
    # from `defaults:` alone they clash as well, reported at the item
    d = one_error("""
        archc: 1
        name: t
        input: [14, 14, 96]
        defaults:
          squeeze_excitation: {ratio: 4, units: 24}
        layers:
          - squeeze_excitation: {}
    """)
    assert d.code == "S010" and d.span.line == 8
    # an item's ratio beats a default units
    g = compile_yaml("""
        archc: 1
        name: t
        input: [14, 14, 96]
        defaults:
          squeeze_excitation: {units: 24}
        layers:
          - squeeze_excitation: {name: se, ratio: 16}
    """).graph
    assert g["se/reduce"].attrs.units == 6


def test_channel_slice_record_and_required_fields() -> None:
    compiled = compile_yaml("""
        archc: 1
        name: t
        input: [8, 8, 32]
        variables:
          c: 16
        layers:
          - channel_slice: {name: last, start: $in.channels - $c, stop: $in.channels}
    """)
    assert compiled.analysis is not None
    (info,) = [i for i in compiled.analysis.nodes if i.node.name == "last"]
    a = info.node.attrs
    assert (info.node.op, a.start, a.stop, info.shape) == \
        (ShapeOp.CHANNEL_SLICE, 16, 32, (8, 8, 16))
    d = one_error("""
        archc: 1
        name: t
        input: [8, 8, 32]
        layers:
          - channel_slice: {start: 4}
    """)
    assert d.code == "S003"


def test_dfl_reads_one_or_more_layers() -> None:
    compiled = compile_yaml("""
        archc: 1
        name: t
        input: [8, 8, 64]
        layers:
          - conv2d: {name: small, filters: 32, kernel_size: 3, strides: 2, padding: same}
          - dfl: {name: one, inputs: input}
          - dfl: {name: two, inputs: [input, input], bins: 16}
          - dfl: {name: half, inputs: small, bins: 8}
    """)
    assert compiled.analysis is not None
    shapes = {i.node.name: (i.node.op, i.node.inputs, i.shape) for i in compiled.analysis.nodes}
    assert shapes["one"] == (MergeOp.DFL, ("input",), (64, 4))
    assert shapes["two"] == (MergeOp.DFL, ("input", "input"), (128, 4))
    assert shapes["half"] == (MergeOp.DFL, ("small",), (16, 4))
    d = one_error("""
        archc: 1
        name: t
        input: [8, 8, 64]
        layers:
          - dfl: {inputs: []}
    """)
    assert (d.code, d.message) == ("S004", "this layer reads one or more inputs; received 0")
