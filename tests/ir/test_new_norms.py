"""`group_norm` and `spatial_dropout2d`, the two layer types added by following
docs/contributing.md: shapes, parameters as Keras's `count_params()` counts them (worked by
hand below), defaults as Keras's, and the G006/G005 problems."""

from __future__ import annotations

from typing import Any

import pytest
from spec_helpers import compile_yaml, one_error

from archc.diagnostics import Problem
from archc.ir import Shape
from archc.ir import ops as catalogue
from archc.ir.cost_rules import Cost


def _cost(op_name: str, fields: dict[str, Any], inputs: list[Shape]) -> tuple[Shape, Cost]:
    op = catalogue.op_named(op_name)
    attrs = catalogue.make_attrs(op, fields, {})
    out = catalogue.infer_shape(op, attrs, inputs)
    return out, catalogue.cost_of(op, attrs, inputs, out)


def test_group_norm_holds_a_gamma_and_a_beta_per_channel() -> None:
    # 56x56x64 in 32 groups: gamma (64,) + beta (64,) = 128 trainable, no moving statistics
    assert _cost("group_norm", {"groups": 32}, [(56, 56, 64)]) == ((56, 56, 64), Cost(128, 0, 0))
    assert _cost("group_norm", {"groups": 8, "center": False}, [(7, 7, 16)])[1] == Cost(16, 0, 0)
    assert _cost("group_norm", {"groups": 1, "center": False, "scale": False},
                 [(7, 7, 16)])[1] == Cost(0, 0, 0)


def test_group_norm_defaults_are_keras_defaults() -> None:
    record = catalogue.make_attrs(catalogue.op_named("group_norm"), {}, {})
    # keras.layers.GroupNormalization(groups=32, epsilon=1e-3, center=True, scale=True)
    assert (record.groups, record.epsilon, record.center, record.scale) == (32, 1e-3, True, True)


@pytest.mark.parametrize("channels", [6, 20])
def test_group_norm_groups_must_divide_the_channels(channels: int) -> None:
    # 6 % 4 = 2 and 20 % 8 = 4: the groups would not have equal sizes (G006)
    groups = 4 if channels == 6 else 8
    with pytest.raises(Problem) as caught:
        _cost("group_norm", {"groups": groups}, [(8, 8, channels)])
    assert caught.value.code == "G006"
    assert f"`groups: {groups}`" in str(caught.value) and f"({channels})" in str(caught.value)


def test_group_norm_error_is_located() -> None:
    error = one_error("""
        archc: 1
        name: t
        input: [8, 8, 3]
        layers:
          - conv2d: {filters: 6, kernel_size: 3}
          - group_norm: {groups: 4}
    """)
    # the text starts with a newline: line 7 is the group_norm item
    assert (error.code, error.span.line if error.span else None) == ("G006", 7)


def test_spatial_dropout_keeps_the_map_and_holds_nothing() -> None:
    assert _cost("spatial_dropout2d", {"rate": 0.2}, [(28, 28, 32)]) == ((28, 28, 32),
                                                                         Cost(0, 0, 0))


def test_spatial_dropout_needs_a_map() -> None:
    # Keras's SpatialDropout2D drops whole channels of an H x W x C map; a vector has none
    with pytest.raises(Problem) as caught:
        _cost("spatial_dropout2d", {"rate": 0.2}, [(10,)])
    assert caught.value.code == "G005"


def test_both_compile_in_a_spec_with_their_figures() -> None:
    compiled = compile_yaml("""
        archc: 1
        name: t
        input: [8, 8, 3]
        layers:
          - conv2d: {filters: 16, kernel_size: 3}
          - group_norm: {name: gn, groups: 4}
          - spatial_dropout2d: {name: sd, rate: 0.25}
    """)
    analysis = compiled.analysis
    assert analysis is not None
    # conv 3*3*3*16 + 16 = 448; gn 16 + 16 = 32; sd 0
    assert analysis.shape("gn") == analysis.shape("sd") == (6, 6, 16)
    assert analysis.total.params == 448 + 32
