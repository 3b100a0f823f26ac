"""Pydantic models of the spec language, version 1.

Schema checks vocabulary; passes check meaning. These models know which fields each layer
type takes and what values are legal there (strictly: `filters: true` is not 1); whether a
concat's inputs agree or a kernel fits its input is for the graph passes.

A layer item in YAML is a one-key mapping, `{conv2d: {filters: 64, ...}}`; the validator
looks the key up in `LAYER_MODELS` and validates the arguments with that model, so an
unknown field gets one precise error instead of one per union member.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BeforeValidator, Field

from archc.ir.ops import CATALOGUE, Family, MergeOp
from archc.spec.items import LAYER_KINDS, STRUCTURE_KINDS
from archc.spec.items import SHORTHAND_FIELD as SHORTHAND_FIELD
from archc.spec.layer_models import NAME_SCHEMA_PATTERN as NAME_SCHEMA_PATTERN
from archc.spec.layer_models import Activation as Activation
from archc.spec.layer_models import LayerCommon as LayerCommon
from archc.spec.layer_models import NonNegInt, PosInt, Shape3, Strict, layer_model
from archc.spec.value_rules import NAME_PATTERN as NAME_PATTERN
from archc.spec.value_rules import integer_version, readable_index


class SqueezeExcitation(LayerCommon):
    """SE block: global pool, a reduction to `C // ratio` (or `units`) with `activation`, an
    expansion back to C with `gate`, and a channel-wise scale; dense layers, or 1x1
    convolutions (`form: conv`, as keras.applications writes SE)."""

    ratio: PosInt = Field(16, description="Squeeze to C // ratio (C: the input's channels).")
    units: PosInt | None = Field(None, description="The squeeze width itself (not with ratio).")
    activation: Activation = Field("relu", description="Of the reduction.")
    gate: Activation = Field("sigmoid", description="Of the expansion: the gate.")
    form: Literal["dense", "conv"] = "dense"
    use_bias: bool = True


class Parallel(LayerCommon):
    """Branches that all read the same input, merged at the end (an Inception module)."""

    branches: Annotated[list[list[Any]], Field(min_length=1)]
    merge: Literal["concat", "add", "multiply"] = "concat"


class Projection(Strict):
    use_bias: bool | None = Field(None, description="Default: the conv2d default, else true.")
    batch_norm: bool = True


class Residual(LayerCommon):
    """A body added to a shortcut: identity, a 1x1 projection, layers of your own, or none
    (the body alone); `scale` weights the body: `shortcut + scale * body`."""

    body: Annotated[list[Any], Field(min_length=1)]
    shortcut: Literal["auto", "identity", "projection", "none"] | list[Any] = "auto"
    shortcut_when: bool = Field(
        True, description="False: no shortcut and no addition; the body stays.")
    scale: float = Field(
        1.0, description="The body's weight in the sum: shortcut + scale * body.")
    projection: Projection = Field(default_factory=Projection)


class Repeat(LayerCommon):
    """A block (or a list of layers) repeated `times` times; `first` overrides the first
    copy's arguments, `last` the last copy's."""

    times: NonNegInt
    block: str | None = None
    layers: list[Any] | None = None
    with_: dict[str, Any] = Field(default_factory=dict, alias="with")
    first: dict[str, Any] = Field(default_factory=dict)
    last: dict[str, Any] = Field(default_factory=dict)
    index: Annotated[str, AfterValidator(readable_index)] = Field(
        "index", description="The name of the copy number: `$index` by default; name it "
        "to see an outer repeat's copy number.")


class _LayerModels(Mapping[str, type[LayerCommon]]):
    """The layer models by YAML key, each generated from its catalogue entry when first
    asked for: a spec of five layer types makes five models, not thirty (start-up time)."""

    def __init__(self) -> None:
        self._defs = {op.value: d for op, d in CATALOGUE.items()
                      if d.family is not Family.INPUT}
        self._made: dict[str, type[LayerCommon]] = {"squeeze_excitation": SqueezeExcitation}
        self._keys = LAYER_KINDS

    def __getitem__(self, kind: str) -> type[LayerCommon]:
        model = self._made.get(kind)
        if model is None:
            model = self._made[kind] = layer_model(self._defs[kind])  # KeyError: not a type
        return model

    def __contains__(self, kind: object) -> bool:
        return kind in self._defs or kind == "squeeze_excitation"

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


LAYER_MODELS: Mapping[str, type[LayerCommon]] = _LayerModels()
"""Layer types a spec may use directly, by their YAML key: every op of the catalogue but the
input, in its order, then the squeeze-and-excitation block."""

ScaledAdd = LAYER_MODELS[MergeOp.SCALED_ADD.value]
"""The lowerer tells a scaled add's item by its model."""

STRUCTURE_MODELS: dict[str, type[LayerCommon]] = dict(
    zip(STRUCTURE_KINDS, (Parallel, Residual, Repeat), strict=True))
"""Structural items that contain other layers, by `items.STRUCTURE_KINDS`."""



class BlockDef(Strict):
    """A reusable, parameterised sequence of layers, used like a layer type."""

    description: str | None = None
    inputs: Annotated[list[str], Field(min_length=1)] | None = Field(
        None, description="The names of the block's inputs, in the order a call passes them; "
        "default: one input, read as `input`.")
    params: list[str | dict[str, Any]] = Field(default_factory=list)
    outputs: Annotated[list[str], Field(min_length=1)] | dict[str, str] | None = Field(
        None, description="Layers of the block that later layers read as `<call>.<output>`; "
        "a mapping renames them (`{p3: stage2}`).")
    layers: Annotated[list[Any], Field(min_length=1)]


class BlockCall(LayerCommon):
    """A block call's own fields; `inputs` may also name the block's inputs
    (`{x: up, skip: enc3}`)."""

    inputs: str | list[str] | dict[str, str] | None = Field(  # type: ignore[assignment]
        None, description="The block's inputs: a name, a list in the block's order, or a "
        "mapping by input name; default: the previous layer.")


class FunctionDef(Strict):
    """A named, parameterised expression: `make_divisible(v, divisor=8)`."""

    description: str | None = None
    params: list[str | dict[str, Any]] = Field(default_factory=list)
    let: dict[str, Any] = Field(
        default_factory=dict, description="Local names, in order, each an expression.")
    value: Any = Field(description="The result, an expression of the parameters and lets.")


class SpecHeader(Strict):
    """The top level of a spec file."""

    archc: Annotated[Literal[1], BeforeValidator(integer_version)] = Field(
        description="Spec language version.")
    name: Annotated[str, Field(min_length=1)]
    description: str | None = None
    source: str | None = Field(None, description="Where the architecture comes from.")
    input: Shape3 | None = None
    inputs: dict[str, Shape3] | None = None
    outputs: Annotated[list[str], Field(min_length=1)] | None = None
    variables: dict[str, Any] = Field(default_factory=dict)
    variants: dict[str, dict[str, Any]] = Field(default_factory=dict)
    functions: dict[str, FunctionDef] = Field(default_factory=dict)
    default_variant: str | None = None
    defaults: dict[str, dict[str, Any]] = Field(default_factory=dict)
    tables: dict[str, list[list[NonNegInt]]] = Field(default_factory=dict)
    blocks: dict[str, BlockDef] = Field(default_factory=dict)
    layers: Annotated[list[Any], Field(min_length=1)]
    lint: dict[str, Any] = Field(default_factory=dict, description="Lint rule settings.")


NAMED_MODELS: dict[str, type[Strict]] = {
    model.__name__: model
    for model in (BlockCall, BlockDef, FunctionDef, Projection, SpecHeader)
}
"""The models validated by class name rather than a YAML key."""


def model_named(name: str) -> type[Strict]:
    """The model a name stands for in `archc.spec.validate.validate_model`: a layer type or
    structure by its YAML key, else the class name (`SpecHeader`, `BlockCall`)."""
    if name in STRUCTURE_MODELS:
        return STRUCTURE_MODELS[name]
    if name in LAYER_MODELS:
        return LAYER_MODELS[name]
    return NAMED_MODELS[name]
