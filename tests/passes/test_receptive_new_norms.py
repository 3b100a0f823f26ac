"""Receptive fields through the two layer types added last: a group normalisation's
statistics span every position of the map, so each unit keeps its local window and also
reads a summary of the whole input (`+global`, as a squeeze-excitation gate); a spatial
dropout acts per position (at inference it is the identity)."""

from __future__ import annotations

from spec_helpers import compile_yaml

from archc.passes.receptive import AxisField, format_field

SPEC = """
    archc: 1
    name: t
    input: [9, 9, 3]
    layers:
      - conv2d: {name: conv, filters: 8, kernel_size: 3}
      - group_norm: {name: gn, groups: 2}
      - spatial_dropout2d: {name: sd, rate: 0.1}
      - conv2d: {name: after, filters: 8, kernel_size: 3}
      - spatial_dropout2d: {name: sd_local, inputs: conv, rate: 0.1}
"""


def test_group_norm_keeps_the_window_and_marks_it_global() -> None:
    analysis = compile_yaml(SPEC).analysis
    assert analysis is not None
    conv, gn = analysis.field("conv"), analysis.field("gn")
    # a 3x3 conv: r 3, j 1, first centre at 1
    assert conv.axes == (AxisField(3, 1, 1.0), AxisField(3, 1, 1.0)) and not conv.global_
    assert gn.axes == conv.axes and gn.global_
    assert format_field(gn) == "3x3 /1 +global"


def test_the_global_mark_travels_on_and_spatial_dropout_keeps_the_field() -> None:
    analysis = compile_yaml(SPEC).analysis
    assert analysis is not None
    assert analysis.field("sd") == analysis.field("gn")
    # another 3x3 after: r 3 + 2 x 1 = 5, still global
    assert format_field(analysis.field("after")) == "5x5 /1 +global"
    assert format_field(analysis.field("sd_local")) == "3x3 /1"
