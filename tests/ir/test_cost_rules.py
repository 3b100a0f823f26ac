"""Cost rules: hand arithmetic per op, as Keras counts params and numbers.md counts MACs."""

from __future__ import annotations

from typing import Any

from archc.ir import Op, Shape
from archc.ir import ops as catalogue
from archc.ir.cost_rules import Cost
from archc.ir.ops import ConvOp, DenseOp, InputOp, MergeOp, NormOp, PoolOp, ShapeOp


def cost_of(op: Op, fields: dict[str, Any], inputs: list[Shape], out: Shape) -> Cost:
    """The op's cost rule on the record `make_attrs` builds from spec-like fields."""
    return catalogue.cost_of(op, catalogue.make_attrs(op, fields, {}), inputs, out)

CONV: dict[str, Any] = {"filters": 8, "kernel_size": (3, 3), "strides": (1, 1),
                        "padding": "valid", "dilation": (1, 1), "groups": 1,
                        "use_bias": True, "connections": None}


def test_conv2d() -> None:
    # 3*3*16 weights per filter, 8 filters, + 8 biases; MACs = 30*30*8 * 3*3*16
    assert cost_of(ConvOp.CONV2D, CONV, [(32, 32, 16)], (30, 30, 8)) == Cost(
        3 * 3 * 16 * 8 + 8, 0, 30 * 30 * 8 * 3 * 3 * 16)
    # groups divide the input channels each filter reads
    grouped = cost_of(ConvOp.CONV2D, CONV | {"groups": 2, "use_bias": False}, [(32, 32, 16)],
                      (30, 30, 8))
    assert grouped == Cost(3 * 3 * 8 * 8, 0, 30 * 30 * 8 * 3 * 3 * 8)
    # a connection table: one 3x3 kernel per link
    table = ((0,), (0, 1), (1, 2, 3))
    sparse = cost_of(ConvOp.CONV2D, CONV | {"filters": 3, "connections": table}, [(8, 8, 4)],
                     (6, 6, 3))
    assert sparse == Cost(9 * 6 + 3, 0, 6 * 6 * 9 * 6)


def test_depthwise_and_separable() -> None:
    dw = {"kernel_size": (3, 3), "depth_multiplier": 2, "use_bias": True}
    # 16 channels * 2 = 32 maps: 3*3*32 weights + 32 biases; MACs 10*10*32*9
    assert cost_of(ConvOp.DEPTHWISE_CONV2D, dw, [(10, 10, 16)], (10, 10, 32)) == Cost(
        9 * 32 + 32, 0, 10 * 10 * 32 * 9)
    sep = dw | {"filters": 5, "depth_multiplier": 1, "use_bias": False}
    # depthwise 9*16 + pointwise 16*5; MACs 10*10*16*(9 + 5)
    assert cost_of(ConvOp.SEPARABLE_CONV2D, sep, [(10, 10, 16)], (10, 10, 5)) == Cost(
        9 * 16 + 16 * 5, 0, 10 * 10 * 16 * (9 + 5))


def test_dense() -> None:
    assert cost_of(DenseOp.DENSE, {"units": 10, "use_bias": True}, [(84,)], (10,)) == Cost(
        84 * 10 + 10, 0, 840)
    # on a feature map, a dense layer is a 1x1 conv: MACs scale with the positions
    assert cost_of(DenseOp.DENSE, {"units": 3, "use_bias": False}, [(4, 4, 10)], (4, 4, 3)) == Cost(
        30, 0, 4 * 4 * 30)


def test_batch_norm_split_as_keras_does() -> None:
    bn = {"center": True, "scale": True}
    assert cost_of(NormOp.BATCH_NORM, bn, [(7, 7, 64)], (7, 7, 64)) == Cost(128, 128, 0)
    assert cost_of(NormOp.BATCH_NORM, bn | {"scale": False}, [(7, 7, 64)], (7, 7, 64)) == Cost(
        64, 128, 0)


def test_layer_norm_has_gamma_and_beta_per_channel_and_no_macs() -> None:
    # gamma and beta over 64 channels: 2 x 64 trainable, no statistics kept, 0 MACs
    assert cost_of(NormOp.LAYER_NORM, {}, [(7, 7, 64)], (7, 7, 64)) == Cost(128, 0, 0)
    assert cost_of(NormOp.LAYER_NORM, {"center": False}, [(7, 7, 64)], (7, 7, 64)) == Cost(
        64, 0, 0)
    assert cost_of(NormOp.LAYER_NORM, {"center": False, "scale": False}, [(10,)], (10,)) == Cost()


def test_subsampling_has_a_coefficient_and_a_bias_per_map() -> None:
    assert cost_of(PoolOp.SUBSAMPLING2D, {"pool_size": 2}, [(28, 28, 6)], (14, 14, 6)) == Cost(
        12, 0, 0)


def test_free_ops() -> None:
    fields: dict[Op, dict[str, Any]] = {
        InputOp.INPUT: {"shape": (4, 4, 4)}, PoolOp.MAX_POOL2D: {"pool_size": 1},
        PoolOp.AVG_POOL2D: {"pool_size": 1}, ShapeOp.ACTIVATION: {"function": "relu"},
        ShapeOp.DROPOUT: {"rate": 0.5}}
    for op in (InputOp.INPUT, DenseOp.FLATTEN, PoolOp.MAX_POOL2D, PoolOp.AVG_POOL2D,
               PoolOp.GLOBAL_AVG_POOL2D, PoolOp.GLOBAL_MAX_POOL2D, NormOp.LRN, ShapeOp.ACTIVATION,
               ShapeOp.DROPOUT, ShapeOp.ZERO_PADDING2D,
               MergeOp.CONCAT, MergeOp.ADD, MergeOp.MULTIPLY):
        assert cost_of(op, fields.get(op, {}), [(4, 4, 4)], (4, 4, 4)) == Cost(), op


def test_cost_addition() -> None:
    total = Cost(1, 2, 3) + Cost(10, 20, 30)
    assert (total.trainable, total.non_trainable, total.macs, total.params) == (11, 22, 33, 33)


def test_scaled_add_has_no_params_and_no_macs() -> None:
    # x + 0.17 * y: Keras's scale layer has no weights; numbers.md counts no elementwise MACs
    assert cost_of(MergeOp.SCALED_ADD, {"scale": 0.17}, [(8, 8, 320), (8, 8, 320)],
                   (8, 8, 320)) == Cost()
