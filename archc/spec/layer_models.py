"""The pydantic models of layer items, generated from the op catalogue.

Every op's attribute record says, field by field, how the spec spells it, what it allows,
its default and description (`archc.ir.ops.base.arg`); `layer_model` turns that into the
pydantic model the spec is validated with (and the JSON Schema is generated from), so a
field is declared once. The value types here are the spec's spellings, and
`allow_inf_nan=False` is the limit every layer item shares. What a backend cannot run (the
Keras backend's 32-bit sizes) is not part of the language: the backend declares it
(archc/backends/keras/limits.py) and the lowerer checks it after validation.
"""

from __future__ import annotations

from dataclasses import MISSING, fields
from typing import Annotated, Any, Literal, cast

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    model_validator,
)
from pydantic_core import InitErrorDetails

from archc.ir.ops import OpDef
from archc.ir.ops.base import SpecArg, Spelling, spec_default, spec_of
from archc.spec.value_rules import NAME_PATTERN, plain_name, whole_number

NAME_SCHEMA_PATTERN = f"^{NAME_PATTERN.pattern}$"
"""`NAME_PATTERN` anchored, for the JSON Schema (whose `pattern` matches anywhere)."""

PosInt = Annotated[int, Field(strict=True, gt=0),
                   BeforeValidator(whole_number)]
NonNegInt = Annotated[int, Field(strict=True, ge=0),
                      BeforeValidator(whole_number)]
Pair = Annotated[list[PosInt], Field(min_length=2, max_length=2)]
IntOrPair = PosInt | Pair
Padding = Literal["valid", "same"] | NonNegInt | Annotated[
    list[NonNegInt], Field(min_length=2, max_length=2)
]
_NonNegPair = Annotated[list[NonNegInt], Field(min_length=2, max_length=2)]
Sides = NonNegInt | _NonNegPair | Annotated[list[_NonNegPair], Field(min_length=2,
                                                                      max_length=2)]
"""Zero padding or cropping: `p`, `[ph, pw]` or `[[top, bottom], [left, right]]`."""
Shape3 = Annotated[
    list[Annotated[int, Field(strict=True), BeforeValidator(whole_number)] | str],
    Field(min_length=1, max_length=3,
          # Two numbers are refused when the graph is lowered (S004, with a hint); the
          # schema says so too.
          json_schema_extra={"not": {"minItems": 2, "maxItems": 2}})]
"""An input shape: integers or expressions of the variables (`$resolution`); the lowerer
evaluates them and checks that each size is positive."""

# The literal spelling of `archc.ir.ops.ACTIVATIONS` (mypy needs literals); the catalogue test
# checks that the two agree.
Activation = Literal[
    "linear", "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "tanh", "sigmoid",
    "hard_sigmoid", "hard_swish", "softmax", "softplus", "swish", "lecun_tanh",
]


class Strict(BaseModel):
    """Every spec mapping: no unknown fields, no coercion, no infinities."""

    model_config = ConfigDict(
        extra="forbid", strict=True, allow_inf_nan=False, frozen=True, defer_build=True
    )


class LayerCommon(Strict):
    """Fields every layer item accepts."""

    name: Annotated[str | None, AfterValidator(plain_name)] = Field(
        None, description="Name to reference this layer by.",
        json_schema_extra={"pattern": NAME_SCHEMA_PATTERN})
    inputs: str | list[str] | None = Field(
        None, description="Layer name(s) feeding this one; default: the previous layer."
    )
    when: bool = Field(True, description="Include the layer only if this is true.")
    output: bool = Field(False, description="Also make this layer a model output.")


def _number(base: type, spec: SpecArg) -> Any:
    """An int or float with the field's bounds; whole floats read as ints
    (`whole_number`), as `PosInt` and `NonNegInt` are."""
    given = {"ge": spec.ge, "gt": spec.gt, "lt": spec.lt, "le": spec.le}
    bounds: dict[str, Any] = {k: v for k, v in given.items() if v is not None}
    if base is int:
        return Annotated[int, Field(strict=True, **bounds), BeforeValidator(whole_number)]
    return Annotated[float, Field(**bounds)] if bounds else float


def _annotation(spec: SpecArg) -> Any:
    """The pydantic type of a field from its spelling."""
    match spec.spelling:
        case Spelling.INT:
            return _number(int, spec)
        case Spelling.FLOAT:
            return _number(float, spec)
        case Spelling.BOOL:
            return bool
        case Spelling.ACTIVATION:
            return Activation
        case Spelling.CHOICE:
            return Literal[spec.choices]
        case Spelling.INT_OR_PAIR:
            return IntOrPair
        case Spelling.PADDING:
            return Padding
        case Spelling.SIDES:
            return Sides
        case Spelling.PER_CHANNEL:
            number = _number(float, spec)
            return number | Annotated[list[number], Field(min_length=1)]  # type: ignore[valid-type]
        case Spelling.TARGET_SHAPE:
            bound = {} if spec.ge is None else {"ge": spec.ge}
            item = Annotated[int, Field(strict=True, **bound)]
            return Annotated[list[item], Field(min_length=1, max_length=3)]
        case Spelling.CONNECTIONS:
            return str | list[list[NonNegInt]]
    raise AssertionError(spec.spelling)  # pragma: no cover


def layer_model(d: OpDef[Any]) -> type[LayerCommon]:
    """The pydantic model of op `d`'s layer item: the common fields, then each record field
    the spec writes, with its type, constraints, default and description."""
    definitions: dict[str, Any] = {}
    for f in fields(d.attrs):
        spec = spec_of(f)
        if spec is None:
            continue  # fixed by the record (subsampling's padding)
        annotation = _annotation(spec)
        if spec.check is not None:
            annotation = Annotated[annotation, AfterValidator(spec.check)]
        default = spec_default(f)
        if default is None:
            annotation = annotation | None
        info = Field(... if default is MISSING else default, description=spec.description)
        definitions[f.name] = (annotation, info)
    validators: dict[str, Any] = {}
    if d.spec_check is not None:
        validators["_spec_check"] = model_validator(mode="after")(_item_check(d))
    name = d.attrs.__name__.removesuffix("Attrs") if d.attrs.__dataclass_fields__ else \
        d.op.value.title().replace("_", "")
    model: type[LayerCommon] = create_model(name, __base__=LayerCommon, __doc__=d.doc,
                                            __validators__=validators, **definitions)
    return model


def _item_check(d: OpDef[Any]) -> Any:
    """A validator running the op's check across fields; a problem reads as pydantic's own
    (a missing field is S003 like any other)."""
    check = d.spec_check
    assert check is not None

    def run(self: LayerCommon) -> LayerCommon:
        values = self.model_dump()
        problems = check(values)
        if problems:
            details: list[InitErrorDetails] = []
            for p in problems:
                detail: dict[str, Any] = {"type": p.kind, "loc": (p.field,), "input": values}
                if p.message:
                    detail["ctx"] = {"error": p.message}
                details.append(cast(InitErrorDetails, detail))
            raise ValidationError.from_exception_data(type(self).__name__, details)
        return self

    ITEM_CHECKS[run] = d.op.value
    return run


ITEM_CHECKS: dict[Any, str] = {}
"""Each generated whole-item validator, to the op whose `spec_check` it runs: how the
compiled schema (archc/docgen/compiled.py) names it for the pydantic-free checker."""
