"""Shape and cost rules of the layer types added for the modern families (issue 12):
hand arithmetic per type, as Keras's `count_params()` counts parameters and numbers.md
counts MACs (convolutions and dense layers only; everything else 0)."""

from __future__ import annotations

from typing import Any

from archc.ir import Op, Shape
from archc.ir import ops as catalogue
from archc.ir.cost_rules import Cost


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
    assert infer(Op.LAYER_SCALE, {}, [(56, 56, 96)]) == (56, 56, 96)
    assert cost_of(Op.LAYER_SCALE, {}, [(56, 56, 96)]) == Cost(96, 0, 0)
    assert cost_of(Op.LAYER_SCALE, {"init": 0.5}, [(10,)]) == Cost(10, 0, 0)
    assert catalogue.make_attrs(Op.LAYER_SCALE, {}, {}).init == 1e-6  # Keras ConvNeXt's
