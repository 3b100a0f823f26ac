"""Every table keyed by op covers every op: the one sweep over the op catalogue.

An op is defined once, in `archc.ir.ops.CATALOGUE`; the spec's pydantic layer models, the
receptive-field pass's rules and each backend's own table (Keras lowering, diagram labels
and family colours) must cover the same set. Adding an op without one of its entries fails
here, by name, not later in a user's build (docs/contributing.md lists the steps).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection
from typing import get_args

import pytest

from archc.backends.graphviz.style import FAMILY_SWATCHES, OP_LABELS
from archc.backends.keras.op_rules import LOWERINGS
from archc.ir.ops import ACTIVATIONS, CATALOGUE, Family, Op
from archc.passes.receptive import FIELD_RULES, _pointwise
from archc.spec.schema import LAYER_MODELS, Activation, LayerCommon

# Every table keyed by op or family, and the keys it must have.
TABLES: dict[str, tuple[Collection[object], Collection[object]]] = {
    "ir.ops.CATALOGUE": (CATALOGUE, set(Op)),
    "passes.receptive.FIELD_RULES": (FIELD_RULES, set(Op)),
    "backends.keras.op_rules.LOWERINGS": (LOWERINGS, set(Op)),
    "backends.graphviz.style.OP_LABELS": (OP_LABELS, set(Op)),
    "backends.graphviz.style.FAMILY_SWATCHES": (FAMILY_SWATCHES, set(Family)),
    # Every op but the input is a layer type a spec can write, under the op's own name.
    "spec.schema.LAYER_MODELS": ({k for k in LAYER_MODELS if k != "squeeze_excitation"},
                                 {op.value for op in Op if op is not Op.INPUT}),
}


@pytest.mark.parametrize("table", sorted(TABLES))
def test_every_table_covers_every_op(table: str) -> None:
    keys, expected = TABLES[table]
    missing = sorted(str(k) for k in set(expected) - set(keys))
    extra = sorted(str(k) for k in set(keys) - set(expected))
    assert (missing, extra) == ([], []), f"{table}: missing {missing}, unexpected {extra}"


@pytest.mark.parametrize("op", [op for op in Op if op is not Op.INPUT], ids=lambda op: op.value)
def test_layer_models_and_attribute_records_agree(op: Op) -> None:
    """The spec's fields for a layer type are the record's fields (the record may fix more,
    with a default: subsampling's padding is always valid)."""
    definition = CATALOGUE[op]
    assert definition.op is op
    model = LAYER_MODELS[op.value]
    spec_fields = set(model.model_fields) - set(LayerCommon.model_fields)
    record = {f.name: f for f in dataclasses.fields(definition.attrs)}
    assert spec_fields <= set(record), f"{op.value}: the record lacks {spec_fields - set(record)}"
    for name in set(record) - spec_fields:
        assert record[name].default is not dataclasses.MISSING, (op.value, name)


def test_activation_names_agree() -> None:
    assert get_args(Activation) == ACTIVATIONS


@pytest.mark.parametrize("op", list(Op), ids=lambda op: op.value)
def test_pointwise_ops_keep_their_field(op: Op) -> None:
    """The catalogue's `pointwise` trait (lint L009 steps back over such ops) and the
    receptive-field pass agree on which ops map each position on its own. Dense is the
    exception the pass knows: on a map it is a 1x1 convolution, on a vector it reads all."""
    if op is not Op.DENSE:
        assert (FIELD_RULES[op] is _pointwise) == CATALOGUE[op].pointwise
