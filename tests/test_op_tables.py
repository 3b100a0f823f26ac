"""Every table keyed by op covers every op: the one sweep over the op catalogue.

An op is defined once, in its family module under `archc/ir/ops/`; `CATALOGUE` collects
them. The spec's pydantic layer models are generated from the records (so they agree by
construction: the tests below check the generation on a few properties), the
receptive-field pass keys its rules by `Reach` kind, and each backend keeps its own table
(Keras lowering, diagram labels and family colours), which must cover every op. Adding an
op without one of its entries fails here, by name, not later in a user's build
(docs/contributing.md lists the steps).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from typing import get_args

import pytest

from archc.backends.graphviz.style import FAMILY_SWATCHES, OP_LABELS
from archc.backends.keras.op_rules import LOWERINGS
from archc.ir.ops import (
    ACTIVATIONS,
    ALL_OPS,
    CATALOGUE,
    ConvOp,
    Family,
    InputOp,
    MergeOp,
    NormOp,
    Op,
    PoolOp,
    Reach,
    ShapeOp,
    op_named,
)
from archc.ir.ops.base import spec_default, spec_of
from archc.passes.receptive import FIELD_RULES
from archc.spec.schema import LAYER_MODELS, Activation, LayerCommon

LAYER_OPS = [op for op in ALL_OPS if op is not InputOp.INPUT]

# Every table keyed by op, family or reach, and the keys it must have.
TABLES: dict[str, tuple[Collection[object], Collection[object]]] = {
    "ir.ops.CATALOGUE": (CATALOGUE, set(ALL_OPS)),
    "passes.receptive.FIELD_RULES": (FIELD_RULES, set(Reach)),
    "backends.keras.op_rules.LOWERINGS": (LOWERINGS, set(ALL_OPS)),
    "backends.graphviz.style.OP_LABELS": (OP_LABELS, set(ALL_OPS)),
    "backends.graphviz.style.FAMILY_SWATCHES": (FAMILY_SWATCHES, set(Family)),
    # Every op but the input is a layer type a spec can write, under the op's own name.
    "spec.schema.LAYER_MODELS": ({k for k in LAYER_MODELS if k != "squeeze_excitation"},
                                 {op.value for op in LAYER_OPS}),
}


@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_table_covers_every_op(table: str) -> None:
    keys, expected = TABLES[table]
    missing = sorted(str(k) for k in set(expected) - set(keys))
    extra = sorted(str(k) for k in set(keys) - set(expected))
    assert (missing, extra) == ([], []), f"{table}: missing {missing}, unexpected {extra}"


def test_ops_keep_their_historical_order_and_names() -> None:
    """Listings (the JSON Schema, LSP completions) iterate the catalogue: its order is the
    order the single `Op` enum had, family modules concatenated."""
    assert [op.value for op in ALL_OPS][:8] == [
        "input", "conv2d", "depthwise_conv2d", "separable_conv2d", "conv2d_transpose",
        "dense", "flatten", "max_pool2d"]
    assert [op.value for op in ALL_OPS][-5:] == ["dfl", "concat", "add", "multiply",
                                                 "scaled_add"]
    assert all(op_named(op.value) is op and CATALOGUE[op].op is op for op in ALL_OPS)
    with pytest.raises(ValueError, match="'conv3d' is not an op"):
        op_named("conv3d")


@pytest.mark.parametrize("op", LAYER_OPS, ids=lambda op: op.value)
def test_generated_models_carry_every_spec_field_with_its_default(op: Op) -> None:
    """Each record field with spec metadata is a field of the generated model, with the
    spec's spelling of the record's default; a record field without metadata has a default
    (the record fixes it: subsampling's padding is always valid)."""
    definition = CATALOGUE[op]
    model = LAYER_MODELS[op.value]
    spec_fields = set(model.model_fields) - set(LayerCommon.model_fields)
    written = {f.name for f in dataclasses.fields(definition.attrs) if spec_of(f)}
    assert spec_fields == written, op.value
    for f in dataclasses.fields(definition.attrs):
        if f.name in written:
            info = model.model_fields[f.name]
            expected = spec_default(f)
            assert info.is_required() == (expected is dataclasses.MISSING), (op.value, f.name)
            if not info.is_required():
                assert info.default == expected, (op.value, f.name)
        else:
            assert f.default is not dataclasses.MISSING, (op.value, f.name)
    assert model.__doc__ == definition.doc and definition.doc, op.value


def test_spellings_give_the_spec_form_of_record_defaults() -> None:
    """conv2d's strides default (1, 1) is spelt `1`; zero padding's ((1, 1), (1, 1)) is `1`;
    a pool's strides default to None (the pool size) and its pool size to 2."""
    conv = LAYER_MODELS["conv2d"].model_fields
    assert (conv["strides"].default, conv["padding"].default) == (1, "valid")
    assert LAYER_MODELS["zero_padding2d"].model_fields["padding"].default == 1
    assert LAYER_MODELS["cropping2d"].model_fields["cropping"].default == 0
    pool = LAYER_MODELS["max_pool2d"].model_fields
    assert (pool["pool_size"].default, pool["strides"].default) == (2, None)
    assert LAYER_MODELS["batch_norm"].model_fields["momentum"].default == 0.99


def test_activation_names_agree() -> None:
    assert get_args(Activation) == ACTIVATIONS


def test_pointwise_is_one_fact() -> None:
    """`pointwise` (lint L009 steps back over such ops) is derived from the reach kind, so
    the trait and the receptive-field rule cannot disagree."""
    pointwise = {op for op in ALL_OPS if CATALOGUE[op].pointwise}
    assert pointwise == {op for op in ALL_OPS if CATALOGUE[op].reach is Reach.POINTWISE}
    assert {NormOp.BATCH_NORM, ShapeOp.CHANNEL_SLICE} <= pointwise
    assert not pointwise & {ConvOp.CONV2D, PoolOp.GLOBAL_AVG_POOL2D, MergeOp.ADD}
