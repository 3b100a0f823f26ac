"""Shape rules: one per op, Keras's formulas, and errors that name the shapes involved."""

from __future__ import annotations

from typing import Any

import pytest
from spec_helpers import one_error

from archc.diagnostics import Problem
from archc.ir import Op, Shape
from archc.ir.ops import (
    ConvOp,
    DenseOp,
    InputOp,
    MergeOp,
    NormOp,
    PoolOp,
    ShapeOp,
    infer_shape,
    make_attrs,
)
from archc.ir.shape_rules import spatial_out

CONV: dict[str, Any] = {"filters": 8, "kernel_size": (3, 3), "strides": (1, 1),
                        "padding": "valid", "dilation": (1, 1), "groups": 1,
                        "use_bias": True, "connections": None}


def infer(op: Op, fields: dict[str, Any], shapes: list[Shape]) -> Shape:
    """The op's shape rule on the record `make_attrs` builds from spec-like fields."""
    return infer_shape(op, make_attrs(op, fields, {}), shapes)


@pytest.mark.parametrize(("size", "kernel", "stride", "dilation", "pad", "out"), [
    (224, 7, 2, 1, "same", 112),       # ceil(224 / 2)
    (227, 11, 4, 1, "valid", 55),      # (227 - 11) // 4 + 1
    (224, 11, 4, 1, "valid", 54),      # (224 - 11) // 4 + 1
    (27, 5, 1, 1, (2, 2), 27),         # 27 + 4 - 5 + 1
    (10, 3, 1, 2, "valid", 6),         # effective kernel 2 * (3 - 1) + 1 = 5: 10 - 5 + 1
    (7, 3, 2, 1, "same", 4),           # ceil(7 / 2)
])
def test_spatial_out(size: int, kernel: int, stride: int, dilation: int,
                     pad: str | tuple[int, int], out: int) -> None:
    assert spatial_out(size, kernel, stride, dilation, pad) == out


def test_per_op_shapes() -> None:
    img = (32, 32, 16)
    assert infer(InputOp.INPUT, {"shape": (4, 5, 6)}, []) == (4, 5, 6)
    assert infer(ConvOp.CONV2D, CONV, [img]) == (30, 30, 8)
    assert infer(ConvOp.CONV2D, CONV | {"padding": ((1, 1), (2, 2)), "strides": (2, 2)},
                 [img]) == ((32 + 2 - 3) // 2 + 1, (32 + 4 - 3) // 2 + 1, 8)
    dw = {"kernel_size": (3, 3), "strides": (1, 1), "padding": "same", "dilation": (1, 1),
          "depth_multiplier": 2}
    assert infer(ConvOp.DEPTHWISE_CONV2D, dw, [img]) == (32, 32, 32)
    assert infer(ConvOp.SEPARABLE_CONV2D, dw | {"filters": 5}, [img]) == (32, 32, 5)
    assert infer(DenseOp.DENSE, {"units": 7}, [(100,)]) == (7,)
    assert infer(DenseOp.FLATTEN, {}, [(5, 5, 16)]) == (400,)
    pool = {"pool_size": (3, 3), "strides": (2, 2), "padding": "valid"}
    assert infer(PoolOp.MAX_POOL2D, pool, [(55, 55, 96)]) == (27, 27, 96)
    assert infer(PoolOp.AVG_POOL2D, pool | {"padding": "same"}, [(55, 55, 96)]) == (28, 28, 96)
    sub = {"pool_size": (2, 2), "strides": (2, 2), "padding": "valid"}
    assert infer(PoolOp.SUBSAMPLING2D, sub, [(28, 28, 6)]) == (14, 14, 6)
    assert infer(PoolOp.GLOBAL_AVG_POOL2D, {"keepdims": False}, [(7, 7, 2048)]) == (2048,)
    assert infer(PoolOp.GLOBAL_MAX_POOL2D, {"keepdims": True}, [(7, 7, 2048)]) == (1, 1, 2048)
    for op, fields in ((NormOp.BATCH_NORM, {}), (NormOp.LRN, {}), (NormOp.LAYER_NORM, {}),
                       (ShapeOp.ACTIVATION, {"function": "relu"}),
                       (ShapeOp.DROPOUT, {"rate": 0.5})):
        assert infer(op, fields, [img]) == img
    assert infer(ShapeOp.ZERO_PADDING2D, {"padding": ((1, 2), (3, 4))}, [img]) == (35, 39, 16)
    assert infer(MergeOp.CONCAT, {}, [(8, 8, 3), (8, 8, 5)]) == (8, 8, 8)
    assert infer(MergeOp.ADD, {}, [img, img]) == img
    assert infer(MergeOp.MULTIPLY, {}, [img, (1, 1, 16)]) == img  # SE's channel-wise scale
    assert infer(MergeOp.SCALED_ADD, {"scale": 0.2}, [img, img]) == img


def _shape_error(op: Op, attrs: dict[str, Any], shapes: list[tuple[int, ...]]) -> Problem:
    with pytest.raises(Problem) as info:
        infer(op, attrs, shapes)
    return info.value


def test_kernel_larger_than_input() -> None:
    e = _shape_error(ConvOp.CONV2D, CONV | {"kernel_size": (5, 5)}, [(3, 3, 4)])
    assert (e.code, str(e)) == ("G004", "the 5x5 window of `conv2d` is larger than its 3x3 "
                                "input")
    # `same` padding never shrinks below one pixel, so a large kernel is fine there
    assert infer(ConvOp.CONV2D, CONV | {"kernel_size": (5, 5), "padding": "same"},
                 [(3, 3, 4)]) == (3, 3, 8)


def test_merge_mismatches_name_both_shapes() -> None:
    e = _shape_error(MergeOp.CONCAT, {}, [(28, 28, 64), (14, 14, 32)])
    assert (e.code, str(e)) == ("G001", "concat needs equal shapes except the channel axis; "
                                "received 28x28x64, 14x14x32")
    e = _shape_error(MergeOp.ADD, {}, [(56, 56, 64), (56, 56, 256)])
    assert (e.code, str(e)) == ("G002", "`add` needs equal shapes; received 56x56x64, 56x56x256")
    assert e.help == "project the shortcut (shortcut: projection) or match filters and strides"
    e = _shape_error(MergeOp.MULTIPLY, {}, [(4, 4, 8), (8,)])
    assert (e.code, str(e)) == ("G002", "`multiply` needs inputs of one rank; received 4x4x8, 8")


def test_connection_table_rows_against_channels() -> None:
    table = ((0, 1), (1, 6))
    e = _shape_error(ConvOp.CONV2D, CONV | {"filters": 2, "connections": table}, [(14, 14, 6)])
    assert (e.code, str(e)) == ("G003", "row 1 of the connection table reads input map 6, but "
                                "the input has only 6 channels (maps 0..5)")
    e = _shape_error(ConvOp.CONV2D, CONV | {"filters": 3, "connections": ((0,), (1,))},
                     [(14, 14, 6)])
    assert str(e) == "the connection table has 2 rows but the layer has 3 filters"
    e = _shape_error(ConvOp.CONV2D, CONV | {"filters": 2, "connections": ((0, 0), (1,))},
                     [(14, 14, 6)])
    assert str(e) == "row 0 of the connection table repeats a map"


def test_groups_must_divide() -> None:
    e = _shape_error(ConvOp.CONV2D, CONV | {"groups": 3}, [(8, 8, 16)])
    assert (e.code, str(e)) == ("G006", "`groups: 3` must divide both the input channels (16) "
                                "and `filters` (8)")


def test_rank_errors() -> None:
    e = _shape_error(ConvOp.CONV2D, CONV, [(100,)])
    assert (e.code, str(e)) == ("G005", "`conv2d` needs an image-like H x W x C input; "
                                "received 100")


def test_shape_errors_are_located_in_the_spec() -> None:
    d = one_error("""
        archc: 1
        name: t
        input: [28, 28, 3]
        layers:
          - conv2d: {name: a, filters: 8, kernel_size: 3, strides: 2}
          - conv2d: {name: b, inputs: input, filters: 8, kernel_size: 3}
          - concat: {inputs: [a, b]}
    """)
    assert d.code == "G001" and d.span is not None and (d.span.line, d.span.col) == (8, 5)
    assert d.message.endswith("received 13x13x8, 26x26x8")
    d = one_error("""
        archc: 1
        name: t
        input: [4, 4, 3]
        layers:
          - max_pool2d: {pool_size: 2}
          - conv2d: {filters: 8, kernel_size: 3}
    """)
    assert (d.code, d.message) == ("G004", "the 3x3 window of `conv2d` is larger than its 2x2 "
                                   "input")
    assert d.span is not None and d.span.line == 7


def test_scaled_add_needs_equal_shapes_like_add() -> None:
    e = _shape_error(MergeOp.SCALED_ADD, {"scale": 0.2}, [(8, 8, 16), (8, 8, 32)])
    assert (e.code, str(e)) == ("G002", "`scaled_add` needs equal shapes; received 8x8x16, "
                                "8x8x32")
