"""Everything the docs generator knows about the catalogue, read in one place.

The renderers never import the op catalogue, the spec models or the receptive-field pass
themselves: they ask this module. When the catalogue changes shape (ops grouped by family,
each definition carrying its receptive-field kind and a one-line description), only the few
functions here change, and every generated table follows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from archc.ir.ops import ACTIVATIONS, CATALOGUE, op_named
from archc.spec.items import COMMON_FIELDS
from archc.spec.jsonschema import schema_json
from archc.spec.schema import LAYER_MODELS, LayerCommon

Trait = Literal["linear_passthrough", "width_passthrough", "pointwise"]
"""A catalogue flag that lint reads to step over an op."""

def ops() -> Sequence[str]:
    """Every op of the catalogue, by its spec name, in catalogue order."""
    return [op.value for op in CATALOGUE]


def family_of(op: str) -> str:
    """The op's family, as the catalogue words it (`convolution`, `merge`, ...)."""
    return CATALOGUE[op_named(op)].family.value


def rule_kind_of(op: str) -> str:
    """The kind of receptive-field rule the op follows (`window`, `pointwise`, `map
    statistics`, ...): its catalogue entry's `reach`, which the pass keys its rules by."""
    return CATALOGUE[op_named(op)].reach.name.lower().replace("_", " ")


def keras_layer_of(layer_type: str) -> str | None:
    """The Keras layer an op builds, as the Keras backend declares it beside its rule
    (`op_rules.KERAS_LAYERS`; that module imports no Keras); None for a non-op."""
    from archc.backends.keras.op_rules import KERAS_LAYERS

    return KERAS_LAYERS.get(op_named(layer_type)) if layer_type in ops() else None


def doc_of(layer_type: str) -> str:
    """A short description of a layer type (an op or the SE block): the first paragraph of
    its spec model's docstring, on one line. An op's model is generated with its catalogue
    entry's one-line `doc` as the docstring."""
    text = (LAYER_MODELS[layer_type].__doc__ or "").strip().split("\n\n", 1)[0]
    return " ".join(text.split())


def looks_through(trait: Trait) -> Sequence[str]:
    """The ops whose catalogue entry has `trait` set, in catalogue order."""
    return [op.value for op, d in CATALOGUE.items() if getattr(d, trait)]


def layer_types() -> Sequence[str]:
    """The types a spec's layer item may name (ops and the SE block), in schema order."""
    return list(LAYER_MODELS)


def model_of(layer_type: str) -> type[LayerCommon]:
    """The pydantic model a layer type's arguments are validated with."""
    return LAYER_MODELS[layer_type]


@dataclass(frozen=True)
class FieldDoc:
    """One field of a layer type as the docs show it: its JSON Schema (values, default,
    description) and whether a spec must give it."""

    schema: dict[str, Any]
    required: bool


def own_fields(layer_type: str) -> dict[str, FieldDoc]:
    """The fields the type adds to the common ones, in declared order."""
    schema = LAYER_MODELS[layer_type].model_json_schema()
    properties: dict[str, dict[str, Any]] = schema.get("properties", {})
    required = set(schema.get("required", ()))
    return {name: FieldDoc(prop, name in required)
            for name, prop in properties.items() if name not in COMMON_FIELDS}


def activations() -> Sequence[str]:
    """The activation names a spec may use (shown as one word in the field lists)."""
    return ACTIVATIONS


def schema_text() -> str:
    """The spec language's JSON Schema, as `archc schema` prints it."""
    return schema_json()
