"""Shape and cost rules of the layer types added for the modern families (issue 12):
hand arithmetic per type, as Keras's `count_params()` counts parameters and numbers.md
counts MACs (convolutions and dense layers only; everything else 0)."""

from __future__ import annotations

from typing import Any

import pytest

from archc.diagnostics import Problem
from archc.ir import Op, Shape
from archc.ir import ops as catalogue
from archc.ir.cost_rules import Cost
from archc.ir.ops import ConvOp, MergeOp, NormOp, ShapeOp


def cost_of(op: Op, fields: dict[str, Any], inputs: list[Shape]) -> Cost:
    """The op's cost rule on the record `make_attrs` builds, at the shape its rule infers."""
    attrs = catalogue.make_attrs(op, fields, {})
    out = catalogue.infer_shape(op, attrs, inputs)
    return catalogue.cost_of(op, attrs, inputs, out)


def infer(op: Op, fields: dict[str, Any], inputs: list[Shape]) -> Shape:
    return catalogue.infer_shape(op, catalogue.make_attrs(op, fields, {}), inputs)


# -- layer_scale -------------------------------------------------------------------------------


def test_layer_scale_holds_one_trainable_gamma_per_channel() -> None:
    # ConvNeXt-T stage 1: a 56x56x96 map, gamma (96,): 96 trainable, 0 MACs
    assert infer(NormOp.LAYER_SCALE, {}, [(56, 56, 96)]) == (56, 56, 96)
    assert cost_of(NormOp.LAYER_SCALE, {}, [(56, 56, 96)]) == Cost(96, 0, 0)
    assert cost_of(NormOp.LAYER_SCALE, {"init": 0.5}, [(10,)]) == Cost(10, 0, 0)
    assert catalogue.make_attrs(NormOp.LAYER_SCALE, {}, {}).init == 1e-6  # Keras ConvNeXt's


# -- rescaling and normalization -----------------------------------------------------------------


def test_rescaling_keeps_the_shape_and_holds_nothing() -> None:
    # MobileNetV3's x / 127.5 - 1 and a per-channel scale: constants, never weights
    for fields in ({"scale": 1 / 127.5, "offset": -1.0}, {"scale": [1.0, 2.0, 3.0]}):
        assert infer(NormOp.RESCALING, fields, [(224, 224, 3)]) == (224, 224, 3)
        assert cost_of(NormOp.RESCALING, fields, [(224, 224, 3)]) == Cost(0, 0, 0)
    record = catalogue.make_attrs(NormOp.RESCALING, {"scale": [1.0, 2.0, 3.0]}, {})
    assert (record.scale, record.offset) == ((1.0, 2.0, 3.0), 0.0)  # lists become tuples


def test_normalization_counts_as_keras_counts() -> None:
    # adaptable (EfficientNet): mean 3 + variance 3 + count 1 = 7, all non-trainable
    assert cost_of(NormOp.NORMALIZATION, {}, [(224, 224, 3)]) == Cost(0, 2 * 3 + 1, 0)
    assert cost_of(NormOp.NORMALIZATION, {}, [(10,)]) == Cost(0, 2 * 10 + 1, 0)
    # given constants (ConvNeXt's ImageNet mean and variance): no weights at all
    given = {"mean": [123.675, 116.28, 103.53],
             "variance": [3409.9760250000004, 3262.6944000000003, 3291.890625]}
    assert cost_of(NormOp.NORMALIZATION, given, [(224, 224, 3)]) == Cost(0, 0, 0)
    assert cost_of(NormOp.NORMALIZATION, {"mean": 0.5, "variance": 0.25}, [(8, 8, 3)]) == Cost()


@pytest.mark.parametrize(("op", "fields"), [
    (NormOp.RESCALING, {"scale": [1.0, 2.0]}),
    (NormOp.RESCALING, {"scale": 1.0, "offset": [0.0, 0.0, 0.0, 0.0]}),
    (NormOp.NORMALIZATION, {"mean": [1.0, 2.0], "variance": 1.0}),
    (NormOp.NORMALIZATION, {"mean": 1.0, "variance": [1.0]}),
])
def test_a_per_channel_list_must_match_the_channels(op: Op, fields: dict[str, Any]) -> None:
    with pytest.raises(Problem) as caught:
        infer(op, fields, [(8, 8, 3)])
    assert caught.value.code == "G013"
    assert "but its input 8x8x3 has 3 channels" in caught.value.message


# -- reshape -----------------------------------------------------------------------------------


def test_reshape_keeps_the_values_in_a_new_shape() -> None:
    # EfficientNet's SE: a pooled vector of 96 to 1x1x96; -1 takes what is left: 7*7*32 / 49
    assert infer(ShapeOp.RESHAPE, {"shape": [1, 1, 96]}, [(96,)]) == (1, 1, 96)
    assert infer(ShapeOp.RESHAPE, {"shape": [49, -1]}, [(7, 7, 32)]) == (49, 32)
    assert infer(ShapeOp.RESHAPE, {"shape": [-1]}, [(7, 7, 32)]) == (7 * 7 * 32,)
    assert cost_of(ShapeOp.RESHAPE, {"shape": [4, 4, 16]}, [(8, 8, 4)]) == Cost()


@pytest.mark.parametrize(("target", "message"), [
    ([1, 1, 1000], "cannot reshape 7x7x32 (1,568 values) to [1, 1, 1000] (1,000 values)"),
    ([-1, 3], "cannot reshape 7x7x32 (1,568 values) to [-1, 3]: 1,568 is not a multiple of 3"),
])
def test_reshape_must_keep_the_element_count(target: list[int], message: str) -> None:
    with pytest.raises(Problem) as caught:
        infer(ShapeOp.RESHAPE, {"shape": target}, [(7, 7, 32)])
    assert (caught.value.code, caught.value.message) == ("G014", message)


# -- upsampling2d ------------------------------------------------------------------------------


def test_upsampling_multiplies_height_and_width() -> None:
    # 2 x 28 = 56 (the default 2x2); [1, 3]: 28 x 1, 28 x 3 = 84; no weights, 0 MACs
    assert infer(ShapeOp.UPSAMPLING2D, {}, [(28, 28, 64)]) == (56, 56, 64)
    assert infer(ShapeOp.UPSAMPLING2D, {"size": [1, 3]}, [(28, 28, 64)]) == (28, 84, 64)
    assert infer(ShapeOp.UPSAMPLING2D, {"size": 3, "interpolation": "bilinear"},
                 [(5, 7, 1)]) == (15, 21, 1)
    assert cost_of(ShapeOp.UPSAMPLING2D, {"size": 2}, [(28, 28, 64)]) == Cost()


def test_upsampling_needs_a_map() -> None:
    with pytest.raises(Problem) as caught:
        infer(ShapeOp.UPSAMPLING2D, {}, [(10,)])
    assert caught.value.code == "G005"


# -- conv2d_transpose --------------------------------------------------------------------------


@pytest.mark.parametrize(("fields", "size_in", "size_out"), [
    # U-Net's up-convolution, 2x2 /2 valid: (28 - 1) x 2 + max(2, 2) = 56
    ({"kernel_size": 2, "strides": 2}, 28, 56),
    # kernel smaller than the stride: (28 - 1) x 2 + max(1, 2) = 56, not (28 - 1) x 2 + 1 = 55
    ({"kernel_size": 1, "strides": 2}, 28, 56),
    # 3x3 /2 valid: (28 - 1) x 2 + 3 = 57
    ({"kernel_size": 3, "strides": 2}, 28, 57),
    # same: 28 x 2 = 56, whatever the kernel
    ({"kernel_size": 3, "strides": 2, "padding": "same"}, 28, 56),
    # stride 1 valid: 28 + 3 - 1 = 30; same: 28
    ({"kernel_size": 3}, 28, 30),
    ({"kernel_size": 5, "padding": "same"}, 28, 28),
])
def test_conv2d_transpose_output_size_is_keras_3s(fields: dict[str, Any], size_in: int,
                                                  size_out: int) -> None:
    out = infer(ConvOp.CONV2D_TRANSPOSE, {"filters": 8} | fields, [(size_in, size_in, 4)])
    assert out == (size_out, size_out, 8)


def test_conv2d_transpose_costs_as_numbers_md() -> None:
    # U-Net's deepest up-conv, 28x28x1024 -> 56x56x512 with a 2x2 kernel:
    # params 2*2*1024*512 + 512 = 2,097,664 (numbers.md); MACs Hin*Win*Cin*Kh*Kw*Cout
    up = {"filters": 512, "kernel_size": 2, "strides": 2}
    assert cost_of(ConvOp.CONV2D_TRANSPOSE, up, [(28, 28, 1024)]) == Cost(
        2 * 2 * 1024 * 512 + 512, 0, 28 * 28 * 1024 * 2 * 2 * 512)
    assert cost_of(ConvOp.CONV2D_TRANSPOSE, up, [(28, 28, 1024)]).params == 2_097_664
    # the other three: 524,544, 131,200 and 32,832 (numbers.md)
    for cin, n, params in ((512, 256, 524_544), (256, 128, 131_200), (128, 64, 32_832)):
        got = cost_of(ConvOp.CONV2D_TRANSPOSE, {"filters": n, "kernel_size": 2, "strides": 2},
                      [(8, 8, cin)])
        assert got.params == params
    # no bias, non-square kernel: 3*1*4*6 weights
    assert cost_of(ConvOp.CONV2D_TRANSPOSE, {"filters": 6, "kernel_size": [3, 1],
                                         "use_bias": False}, [(5, 5, 4)]) == Cost(
        3 * 1 * 4 * 6, 0, 5 * 5 * 4 * 3 * 1 * 6)
    formula = catalogue.mac_formula(
        ConvOp.CONV2D_TRANSPOSE, catalogue.make_attrs(ConvOp.CONV2D_TRANSPOSE, up, {}),
        [(28, 28, 1024)], (56, 56, 512))
    assert formula is not None
    assert (formula.symbols, formula.numbers) == ("N x Di^2 x Dk^2 x M",
                                                  "512 x 28^2 x 2^2 x 1024")


# -- cropping2d --------------------------------------------------------------------------------


def test_cropping_cuts_each_side() -> None:
    # U-Net's level-4 skip: 64 - 4 - 4 = 56; asymmetric: 64 - 1 - 0 = 63 rows, 64 - 2 - 3 = 59
    assert infer(ShapeOp.CROPPING2D, {"cropping": 4}, [(64, 64, 512)]) == (56, 56, 512)
    assert infer(ShapeOp.CROPPING2D, {"cropping": [4, 0]}, [(64, 64, 512)]) == (56, 64, 512)
    assert infer(ShapeOp.CROPPING2D, {"cropping": [[1, 0], [2, 3]]}, [(64, 64, 8)]) == (63, 59, 8)
    assert cost_of(ShapeOp.CROPPING2D, {"cropping": 88}, [(568, 568, 64)]) == Cost()
    assert infer(ShapeOp.CROPPING2D, {"cropping": 88}, [(568, 568, 64)]) == (392, 392, 64)


def test_cropping_must_leave_something() -> None:
    with pytest.raises(Problem) as caught:
        infer(ShapeOp.CROPPING2D, {"cropping": [[2, 2], [0, 0]]}, [(4, 9, 1)])
    assert (caught.value.code, caught.value.message) == (
        "G012", "`cropping2d` removes 4 rows and 0 columns, but its input is 4x9x1")


# -- channel_slice -----------------------------------------------------------------------------


def test_channel_slice_keeps_the_positions_and_takes_stop_minus_start_channels() -> None:
    # YOLOv8n's first C2f: cv1 makes 2 x 16 = 32 channels, the bottleneck reads 16 to 32
    assert infer(ShapeOp.CHANNEL_SLICE, {"start": 16, "stop": 32},
                 [(160, 160, 32)]) == (160, 160, 16)
    assert infer(ShapeOp.CHANNEL_SLICE, {"start": 0, "stop": 1}, [(10,)]) == (1,)
    assert cost_of(ShapeOp.CHANNEL_SLICE, {"start": 0, "stop": 8}, [(4, 4, 8)]) == Cost()


@pytest.mark.parametrize(("start", "stop"), [(0, 33), (16, 16), (20, 10)])
def test_channel_slice_must_take_channels_the_input_has(start: int, stop: int) -> None:
    with pytest.raises(Problem) as caught:
        infer(ShapeOp.CHANNEL_SLICE, {"start": start, "stop": stop}, [(8, 8, 32)])
    assert caught.value.code == "G019"
    assert caught.value.message == (f"`channel_slice` takes channels {start} to {stop} "
                                    "(excluded), but its input is 8x8x32 (32 channels)")


# -- dfl ---------------------------------------------------------------------------------------


def test_dfl_lists_every_position_of_every_level_with_four_distances() -> None:
    # YOLOv8's three box maps (64 = 4 sides x 16 bins): 6,400 + 1,600 + 400 = 8,400 rows
    levels = [(80, 80, 64), (40, 40, 64), (20, 20, 64)]
    assert infer(MergeOp.DFL, {}, levels) == (8400, 4)
    # 16 fixed weights (0..15), shared; MACs: a 1x1 conv from 16 bins to 1 over 8,400 x 4
    assert cost_of(MergeOp.DFL, {}, levels) == Cost(0, 16, 8400 * 4 * 16)
    assert cost_of(MergeOp.DFL, {"bins": 8}, [(5, 7, 32)]) == Cost(0, 8, 35 * 4 * 8)


@pytest.mark.parametrize("shape", [(80, 80, 144), (64,), (10, 64)])
def test_dfl_reads_box_maps_of_four_sides_by_bins(shape: Shape) -> None:
    with pytest.raises(Problem) as caught:
        infer(MergeOp.DFL, {}, [(20, 20, 64), shape])
    assert caught.value.code == "G020"
    assert caught.value.message == ("`dfl` reads H x W x 64 box maps (4 sides x 16 bins); "
                                    f"received {'x'.join(map(str, shape))}")
