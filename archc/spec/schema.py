"""Pydantic models of the spec language, version 1.

Schema checks vocabulary; passes check meaning. These models know which fields each layer
type takes and what values are legal there (strictly: `filters: true` is not 1); whether a
concat's inputs agree or a kernel fits its input is for the graph passes.

A layer item in YAML is a one-key mapping, `{conv2d: {filters: 64, ...}}`; the validator
looks the key up in `LAYER_MODELS` and validates the arguments with that model, so an
unknown field gets one precise error instead of one per union member.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails

from archc.ir.ops import LayerNormAttrs, LayerScaleAttrs, Op, ScaledAddAttrs

NAME_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
"""Layer, block, variable, variant, table and input names."""

INT32_MAX = 2**31 - 1
"""The largest size the Keras backend runs: TensorFlow holds strides, kernel sizes, filter
counts and dilations as 32-bit integers (`strides: 9223372036854775807` passed `check` and
`build`, then failed in predict)."""

NAME_SCHEMA_PATTERN = f"^{NAME_PATTERN.pattern}$"
"""`NAME_PATTERN` anchored, for the JSON Schema (whose `pattern` matches anywhere)."""


def _whole_number(value: Any) -> Any:
    """`3.0` counts as the integer 3; `3.5` and `true` stay what they are (and fail).

    JSON, and so the JSON Schema editors check specs with, has one number type: 3.0 *is*
    the integer 3 there, and no schema can refuse it. archc reads numbers the same way, so
    the schema and archc agree; a fraction or a boolean is still an error.
    """
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)  # within the loader's integer limit (Y020); beyond: still a float
    return value


PosInt = Annotated[int, Field(strict=True, gt=0, le=INT32_MAX),
                   BeforeValidator(_whole_number)]
NonNegInt = Annotated[int, Field(strict=True, ge=0, le=INT32_MAX),
                      BeforeValidator(_whole_number)]
Pair = Annotated[list[PosInt], Field(min_length=2, max_length=2)]
IntOrPair = PosInt | Pair
Padding = Literal["valid", "same"] | NonNegInt | Annotated[
    list[NonNegInt], Field(min_length=2, max_length=2)
]
PerChannel = float | Annotated[list[float], Field(min_length=1)]
"""One number for every channel, or a list with one per channel."""
NonNegFloat = Annotated[float, Field(ge=0)]
PerChannelNonNeg = NonNegFloat | Annotated[list[NonNegFloat], Field(min_length=1)]
Shape3 = Annotated[
    list[Annotated[int, Field(strict=True), BeforeValidator(_whole_number)] | str],
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


class _Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid", strict=True, allow_inf_nan=False, frozen=True, defer_build=True
    )


class LayerCommon(_Strict):
    """Fields every layer item accepts."""

    name: str | None = Field(None, description="Name to reference this layer by.",
                             json_schema_extra={"pattern": NAME_SCHEMA_PATTERN})
    inputs: str | list[str] | None = Field(
        None, description="Layer name(s) feeding this one; default: the previous layer."
    )
    when: bool = Field(True, description="Include the layer only if this is true.")
    output: bool = Field(False, description="Also make this layer a model output.")

    @field_validator("name")
    @classmethod
    def _plain_name(cls, value: str | None) -> str | None:
        # `/` separates scopes in IR names (`inception_3a/branch1/conv`) and Keras and DOT
        # names derive from them, so a name is a plain identifier.
        if value is not None and not NAME_PATTERN.fullmatch(value):
            raise ValueError("a layer name is letters, digits, `_`, `.` and `-`, starting with "
                             "a letter or `_`")
        return value


class Conv2D(LayerCommon):
    """A 2-D convolution, optionally grouped or with a sparse connection table."""

    filters: PosInt
    kernel_size: IntOrPair
    strides: IntOrPair = 1
    padding: Padding = "valid"
    dilation: IntOrPair = 1
    groups: PosInt = 1
    use_bias: bool = True
    activation: Activation | None = None
    connections: str | list[list[NonNegInt]] | None = Field(
        None, description="Connection table: for each output map, the input maps it reads."
    )


class DepthwiseConv2D(LayerCommon):
    kernel_size: IntOrPair
    strides: IntOrPair = 1
    padding: Padding = "valid"
    dilation: IntOrPair = 1
    depth_multiplier: PosInt = 1
    use_bias: bool = True
    activation: Activation | None = None


class SeparableConv2D(LayerCommon):
    filters: PosInt
    kernel_size: IntOrPair
    strides: IntOrPair = 1
    padding: Padding = "valid"
    dilation: IntOrPair = 1
    depth_multiplier: PosInt = 1
    use_bias: bool = True
    activation: Activation | None = None


class Conv2DTranspose(LayerCommon):
    """A transposed convolution (up-convolution), as Keras 3's `Conv2DTranspose`."""

    filters: PosInt
    kernel_size: IntOrPair
    strides: IntOrPair = 1
    padding: Literal["valid", "same"] = "valid"
    use_bias: bool = True
    activation: Activation | None = None


class Dense(LayerCommon):
    units: PosInt
    use_bias: bool = True
    activation: Activation | None = None


class Flatten(LayerCommon):
    pass


class Pool2D(LayerCommon):
    pool_size: IntOrPair = 2
    strides: IntOrPair | None = Field(None, description="Default: the pool size.")
    padding: Padding = "valid"


class Subsampling2D(LayerCommon):
    """LeNet-5's S2/S4: window mean, times a trainable coefficient, plus a bias, per map."""

    pool_size: IntOrPair = 2
    strides: IntOrPair | None = None
    activation: Activation | None = None


class GlobalPool2D(LayerCommon):
    keepdims: bool = False


class BatchNorm(LayerCommon):
    epsilon: Annotated[float, Field(gt=0)] = 0.001
    momentum: Annotated[float, Field(gt=0, lt=1)] = 0.99
    center: bool = True
    scale: bool = True


class LRN(LayerCommon):
    """Local response normalisation with the paper's k, n, alpha, beta (AlexNet)."""

    k: Annotated[float, Field(ge=0)] = 2.0
    n: PosInt = 5
    alpha: Annotated[float, Field(ge=0)] = 1e-4
    beta: Annotated[float, Field(ge=0)] = 0.75


class LayerNorm(LayerCommon):
    """Layer normalisation over the channel axis (Keras `LayerNormalization(axis=-1)`)."""

    epsilon: Annotated[float, Field(gt=0)] = LayerNormAttrs.epsilon
    center: bool = LayerNormAttrs.center
    scale: bool = LayerNormAttrs.scale


class LayerScale(LayerCommon):
    """A trainable per-channel gamma, `x * gamma`, starting at `init` (ConvNeXt)."""

    init: float = Field(LayerScaleAttrs.init, description="The starting value of every gamma.")


class Rescaling(LayerCommon):
    """`x * scale + offset` (keras.applications' preprocessing, e.g. `scale: 1 / 255`)."""

    scale: PerChannel
    offset: PerChannel = 0.0


class Normalization(LayerCommon):
    """`(x - mean) / sqrt(variance)` per channel; without both, Keras's adaptable state."""

    mean: PerChannel | None = Field(None, description="Given with `variance`: constants.")
    variance: PerChannelNonNeg | None = Field(None, description="Given with `mean`.")

    @model_validator(mode="after")
    def _both_or_neither(self) -> Normalization:
        # One without the other is a missing field (S003), reported as pydantic reports one.
        if (self.mean is None) != (self.variance is None):
            missing = "variance" if self.variance is None else "mean"
            raise ValidationError.from_exception_data(type(self).__name__, [InitErrorDetails(
                type="missing", loc=(missing,), input={"mean": self.mean})])
        return self


class ActivationLayer(LayerCommon):
    function: Activation


class Dropout(LayerCommon):
    rate: Annotated[float, Field(ge=0, lt=1)]
    per_sample: bool = Field(False, description="Drop whole samples (stochastic depth).")


class ZeroPadding2D(LayerCommon):
    padding: NonNegInt | Annotated[list[NonNegInt], Field(min_length=2, max_length=2)] | Annotated[
        list[Annotated[list[NonNegInt], Field(min_length=2, max_length=2)]],
        Field(min_length=2, max_length=2),
    ] = 1


class Cropping2D(LayerCommon):
    """Rows and columns cut from the sides: `c`, `[ch, cw]` or `[[top, bottom], [left, right]]`."""

    cropping: NonNegInt | Annotated[list[NonNegInt], Field(min_length=2, max_length=2)] | \
        Annotated[list[Annotated[list[NonNegInt], Field(min_length=2, max_length=2)]],
                  Field(min_length=2, max_length=2)] = 0


class Reshape(LayerCommon):
    """The same values in a new shape (without the batch axis); one entry may be -1."""

    shape: Annotated[list[Annotated[int, Field(strict=True, ge=-1)]],
                     Field(min_length=1, max_length=3)]

    @field_validator("shape")
    @classmethod
    def _one_unknown(cls, value: list[int]) -> list[int]:
        if 0 in value:
            raise ValueError("every entry is a positive size, or -1 for the one inferred")
        if value.count(-1) > 1:
            raise ValueError("at most one entry may be -1")
        return value


class UpSampling2D(LayerCommon):
    """Rows and columns repeated `size` times (nearest) or interpolated (bilinear)."""

    size: IntOrPair = 2
    interpolation: Literal["nearest", "bilinear"] = "nearest"


class ChannelSlice(LayerCommon):
    """Channels `start` to `stop` (excluded), counted from 0: one piece of a channel split."""

    start: NonNegInt
    stop: PosInt


class DFL(LayerCommon):
    """Distribution focal loss decoding of box maps (YOLOv8): 4 sides x `bins` channels in,
    the expected distance of each side out, every input's positions in one list."""

    bins: PosInt = 16


class Merge(LayerCommon):
    """concat / add / multiply of the named inputs (at least two)."""


class ScaledAdd(LayerCommon):
    """`x + scale * y` of its two inputs [x, y] (InceptionResNetV2's scaled residual)."""

    scale: float = ScaledAddAttrs.scale


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


class Projection(_Strict):
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
    index: str = Field("index", description="The name of the copy number: `$index` by "
                       "default; name it to see an outer repeat's copy number.")

    @field_validator("index")
    @classmethod
    def _readable(cls, value: str) -> str:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value) or value in ("in", "count"):
            raise ValueError("the copy number is read as `$name`: letters, digits and `_`, "
                             "not `in` or `count`")
        return value


LAYER_MODELS: dict[str, type[LayerCommon]] = {
    Op.CONV2D.value: Conv2D,
    Op.DEPTHWISE_CONV2D.value: DepthwiseConv2D,
    Op.SEPARABLE_CONV2D.value: SeparableConv2D,
    Op.CONV2D_TRANSPOSE.value: Conv2DTranspose,
    Op.DENSE.value: Dense,
    Op.FLATTEN.value: Flatten,
    Op.MAX_POOL2D.value: Pool2D,
    Op.AVG_POOL2D.value: Pool2D,
    Op.SUBSAMPLING2D.value: Subsampling2D,
    Op.GLOBAL_AVG_POOL2D.value: GlobalPool2D,
    Op.GLOBAL_MAX_POOL2D.value: GlobalPool2D,
    Op.BATCH_NORM.value: BatchNorm,
    Op.LRN.value: LRN,
    Op.LAYER_NORM.value: LayerNorm,
    Op.LAYER_SCALE.value: LayerScale,
    Op.RESCALING.value: Rescaling,
    Op.NORMALIZATION.value: Normalization,
    Op.ACTIVATION.value: ActivationLayer,
    Op.DROPOUT.value: Dropout,
    Op.ZERO_PADDING2D.value: ZeroPadding2D,
    Op.CROPPING2D.value: Cropping2D,
    Op.RESHAPE.value: Reshape,
    Op.UPSAMPLING2D.value: UpSampling2D,
    Op.CHANNEL_SLICE.value: ChannelSlice,
    Op.DFL.value: DFL,
    Op.CONCAT.value: Merge,
    Op.ADD.value: Merge,
    Op.MULTIPLY.value: Merge,
    Op.SCALED_ADD.value: ScaledAdd,
    "squeeze_excitation": SqueezeExcitation,
}
"""Layer types a spec may use directly, by their YAML key."""

STRUCTURE_MODELS: dict[str, type[LayerCommon]] = {
    "parallel": Parallel,
    "residual": Residual,
    "repeat": Repeat,
}
"""Structural items that contain other layers."""

SHORTHAND_FIELD: dict[str, str] = {"activation": "function", "dropout": "rate"}
"""`- activation: relu` means `{activation: {function: relu}}`; likewise `dropout: 0.5`."""


class BlockDef(_Strict):
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


class FunctionDef(_Strict):
    """A named, parameterised expression: `make_divisible(v, divisor=8)`."""

    description: str | None = None
    params: list[str | dict[str, Any]] = Field(default_factory=list)
    let: dict[str, Any] = Field(
        default_factory=dict, description="Local names, in order, each an expression.")
    value: Any = Field(description="The result, an expression of the parameters and lets.")


class SpecHeader(_Strict):
    """The top level of a spec file."""

    archc: Literal[1] = Field(description="Spec language version.")

    @field_validator("archc", mode="before")
    @classmethod
    def _integer_version(cls, value: Any) -> Any:
        # Literal[1] compares with ==, so `true` and `1.0` passed; the version is the integer.
        if type(value) is not int:
            raise ValueError("the spec language version is the integer 1")
        return value
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
