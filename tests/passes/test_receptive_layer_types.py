"""Receptive fields through the layer types added for the modern families (issue 12), by
hand, and the fields that are not defined (docs/receptive-field.md): where they start, the
note there, how they spread, and how reports and lint show them."""

from __future__ import annotations

from fractions import Fraction

from spec_helpers import compile_yaml

from archc.backends.summary import build_report, field_dict, render_csv
from archc.ir import Node
from archc.ir.ops import LayerNormAttrs, NormOp, Reach
from archc.lint import config_for, lint
from archc.passes.analysis import Analysis
from archc.passes.receptive import FIELD_RULES, AxisField, Field, format_field


def _analysis(text: str) -> Analysis:
    compiled = compile_yaml(text)
    assert compiled.analysis is not None
    return compiled.analysis


def test_per_position_layers_keep_the_field() -> None:
    # a 3x3 conv (r 3, j 1, centre 1), then layers that act per position: all keep it
    a = _analysis("""
        archc: 1
        name: t
        input: [9, 9, 3]
        layers:
          - conv2d: {name: conv, filters: 3, kernel_size: 3}
          - layer_scale: {name: ls}
          - rescaling: {name: r, scale: 0.5}
          - normalization: {name: n}
    """)
    for name in ("conv", "ls", "r", "n"):
        assert a.field(name).axes == (AxisField(3, 1, 1.0), AxisField(3, 1, 1.0)), name


RESHAPED = """
    archc: 1
    name: t
    input: [8, 8, 4]
    layers:
      - conv2d: {name: conv, filters: 4, kernel_size: 3, padding: same}
      - reshape: {name: same_shape, shape: [8, 8, -1]}
      - reshape: {name: s2d, shape: [4, 4, 16]}
      - conv2d: {name: after, filters: 8, kernel_size: 3}
      - conv2d: {name: side, inputs: conv, filters: 16, kernel_size: 2, strides: 2}
      - add: {name: joined, inputs: [s2d, side]}
      - global_avg_pool2d: {name: gap}
      - reshape: {name: gate, shape: [1, 1, -1]}
      - reshape: {name: flat, inputs: conv, shape: [-1]}
"""


def test_a_reshape_that_moves_positions_ends_the_defined_field() -> None:
    a = _analysis(RESHAPED)
    assert a.field("same_shape") == a.field("conv")  # nothing moved: r 3, j 1
    stop = a.field("s2d")
    assert (stop.defined, stop.whole, stop.axes) == (False, False, None)
    assert stop.notes == ("the receptive field is not defined from here on: `reshape` moves "
                          "the positions of the 8x8x4 map",)
    assert format_field(stop) == "not defined"
    # what reads it is not defined either, without the note; a merge with it too
    for name in ("after", "joined"):
        assert (a.field(name).defined, a.field(name).notes) == (False, ()), name
    # global pooling makes it the whole input again, and a pooled vector to 1x1xC stays whole
    assert a.field("gap").whole and a.field("gate").whole
    assert a.field("flat").whole  # to a vector: as flatten


def test_reports_show_a_field_that_is_not_defined() -> None:
    a = _analysis(RESHAPED)
    data = field_dict(a.field("s2d"))
    assert data == {"size": None, "jump": None, "start": None, "global": False,
                    "notes": list(a.field("s2d").notes), "defined": False}
    assert "defined" not in (field_dict(a.field("conv")) or {})  # only where not defined
    csv = {line.split(",")[0]: line for line in render_csv(build_report(a)).splitlines()}
    assert csv["s2d"].endswith(",,,,,,,") and csv["conv"].endswith(",3,3,1,1,0,0,0")


def test_lint_l009_skips_a_path_whose_field_is_not_defined() -> None:
    # 32x32 input: a classifier whose last window is 3x3 would be L009 (it never saw the
    # image), but after the reshape the figures are not defined, so lint says nothing
    spec = """
        archc: 1
        name: t
        input: [32, 32, 3]
        layers:
          - conv2d: {filters: 4, kernel_size: 3, padding: same}
          - reshape: {shape: [16, 16, 16], when: $moved}
          - global_avg_pool2d: {}
          - dense: {units: 10}
        variables: {moved: true}
    """
    def codes(text: str) -> list[str]:
        compiled = compile_yaml(text)
        assert compiled.analysis is not None
        config = config_for(compiled.doc, compiled.header.lint)
        return [d.code for d in lint(compiled.analysis, config)]

    assert "L009" in codes(spec.replace("moved: true", "moved: false"))
    assert "L009" not in codes(spec)


def test_bilinear_upsampling_grows_the_field_by_one_input_jump() -> None:
    a = _analysis("""
        archc: 1
        name: t
        input: [8, 8, 1]
        layers:
          - conv2d: {name: conv, filters: 1, kernel_size: 3}
          - upsampling2d: {name: same, size: 1}
          - upsampling2d: {name: up, size: [2, 3], interpolation: bilinear}
          - conv2d: {name: after, filters: 1, kernel_size: 3}
          - flatten: {name: flat}
    """)
    assert a.field("same") == a.field("conv")  # 1x1: every unit is its input unit
    # conv (3x3 valid): unit u sees pixels u .. u + 2 (r 3, j 1).
    # Height, s = 2: unit o sits at x = (2o + 1 - 2) / 4 of the conv map and mixes units
    # floor(x) and ceil(x): o = 0, x = -1/4: units -1, 0 -> pixels -1 .. 2; o = 1, x = 1/4:
    # units 0, 1 -> 0 .. 3. Size 3 + 1 (one input jump) = 4, jump 1/2, period 2.
    # Width, s = 3: x = (o - 1) / 3: o = 0: units -1, 0 -> -1 .. 2; o = 1, x = 0: unit 0
    # alone (the other weight is 0) -> 0 .. 2; o = 2: units 0, 1 -> 0 .. 3. Jump 1/3.
    up = a.field("up")
    assert up.axes == (AxisField(4, Fraction(1, 2), 0.5, ((-1, 2), (0, 3))),
                       AxisField(4, Fraction(1, 3), 0.5, ((-1, 2), (0, 2), (0, 3))))
    assert format_field(up) == "4x4 /(1/2)x(1/3)"
    # after (3x3 valid) reads up units o .. o + 2. Height: o = 0 -> up 0, 1 and 2 (= up 0
    # one period on: 0 .. 3) -> -1 .. 3; o = 1 -> up 1, 2, 3 -> 0 .. 4: size 5 at every
    # unit. Width: o = 0 -> up 0, 1, 2 -> -1 .. 3 (5); o = 1 -> up 1, 2, 3 (= 0 .. 3) ->
    # 0 .. 3 (4); o = 2 -> up 2, 3, 4 -> 0 .. 3 (4). The largest is 5.
    after = a.field("after")
    assert after.size == (5, 5) and after.jump == (Fraction(1, 2), Fraction(1, 3))
    assert [after.axes[1].span(o) for o in range(4)] == [  # type: ignore[index]
        (-1, 3), (0, 3), (0, 3), (0, 4)]
    assert format_field(after) == "5x5 /(1/2)x(1/3)" and after.notes == ()
    assert field_dict(after)["jump"] == [0.5, 1 / 3]  # type: ignore[index]
    assert a.field("flat").whole


def test_cropping_moves_the_first_centre_forward() -> None:
    # after a 3x3 conv (r 3, j 1, centre 1) and a 2x2/2 pool (r 4, j 2, centre 1.5), cutting
    # 3 rows and 1 column puts the first unit 3 and 1 jumps on: 1.5 + 3 x 2, 1.5 + 1 x 2
    a = _analysis("""
        archc: 1
        name: t
        input: [16, 16, 1]
        layers:
          - conv2d: {filters: 1, kernel_size: 3}
          - max_pool2d: {name: pool}
          - cropping2d: {name: crop, cropping: [[3, 0], [1, 2]]}
    """)
    assert a.field("pool").axes == (AxisField(4, 2, 1.5), AxisField(4, 2, 1.5))
    assert a.field("crop").axes == (AxisField(4, 2, 7.5), AxisField(4, 2, 3.5))


def test_channel_slice_keeps_the_field_of_its_input() -> None:
    a = _analysis("""
        archc: 1
        name: t
        input: [16, 16, 4]
        layers:
          - conv2d: {name: conv, filters: 8, kernel_size: 3, strides: 2, padding: same}
          - channel_slice: {name: half, start: 4, stop: 8}
    """)
    assert a.field("half") == a.field("conv")


def test_dfl_ends_the_defined_field() -> None:
    a = _analysis("""
        archc: 1
        name: t
        input: [16, 16, 64]
        layers:
          - conv2d: {name: conv, filters: 64, kernel_size: 3, padding: same}
          - dfl: {name: d, inputs: [conv, input]}
    """)
    assert not a.field("d").defined and format_field(a.field("d")) == "not defined"
    assert a.field("d").notes == ("the receptive field is not defined from here on: `dfl` "
                                  "lists the positions of its input maps one after the other",)


def test_statistics_over_the_whole_map_keep_the_window_and_mark_it_global() -> None:
    """`Reach.MAP_STATISTICS` (a group norm: mean and variance over every position) keeps
    each unit's own window and adds the whole input, as a squeeze-and-excitation gate does.

    No op uses the kind yet, so the rule is run on a hand-made field: after a 3x3 conv and a
    stride-2 3x3 conv on a valid map, r = 3 + (3 - 1) x 1 = 5, j = 1 x 2 = 2, and the first
    centre is 1 + (3 - 1) / 2 x 1 = 2.0; the normalisation keeps 5, 2 and 2.0 on both axes
    and prints `5x5 /2 +global`. A field with no window left stays whole, and one that is
    not defined stays not defined."""
    rule = FIELD_RULES[Reach.MAP_STATISTICS]
    node = Node("gn", NormOp.LAYER_NORM, ("conv",), LayerNormAttrs(), None)
    local = Field((AxisField(5, 2, 2.0), AxisField(5, 2, 2.0)), frozenset({"input"}),
                  notes=("a merge's note stays on the merge",))
    out = rule(node, [local], [(6, 6, 8)], (6, 6, 8))
    assert (out.axes, out.global_, out.defined, out.notes) == (local.axes, True, True, ())
    assert format_field(out) == "5x5 /2 +global"
    whole = rule(node, [Field(None, frozenset({"input"}), global_=True)], [(8,)], (8,))
    assert (whole.whole, format_field(whole)) == (True, "whole input")
    lost = rule(node, [Field(None, frozenset({"input"}), defined=False)], [(6, 6, 8)],
                (6, 6, 8))
    assert (lost.defined, format_field(lost)) == (False, "not defined")
    # the pointwise rule, by contrast, keeps the field local
    assert not FIELD_RULES[Reach.POINTWISE](node, [local], [(6, 6, 8)], (6, 6, 8)).global_
