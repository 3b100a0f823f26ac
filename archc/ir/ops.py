"""The op catalogue: one definition per primitive op.

For every `Op` this module holds, once: its typed attribute record (a frozen dataclass whose
fields are the canonical IR form of the spec's arguments, with every default), its family,
its arity, whether it merges tensors, what lint may look through, its shape rule and its
cost rule (parameters, and MACs as a `Formula` whose text `summary --costs` and lint print).
Passes and backends read typed fields (`attrs.filters`), never strings, and key their own
tables (Keras lowering, diagram style) by the same `Op`; `tests/test_op_tables.py`
sweeps every table. docs/contributing.md lists the steps to add an op.

The spec lets people write `kernel_size: 3` or `[3, 5]`, `padding: 2` or `same`; records
hold one canonical form (pairs as tuples, explicit padding as ((top, bottom), (left,
right))), made by `make_attrs` from a validated item, so no rule re-interprets shorthand.
Generated nodes (a residual's projection, the parts of an SE block) call the record
constructors directly, so their defaults are these defaults.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Generic, TypeVar

import archc.ir.cost_rules as cost
import archc.ir.shape_rules as shape

Shape = tuple[int, ...]
"""A tensor shape without the batch axis, e.g. (224, 224, 3) or (1000,)."""
Pair = tuple[int, int]
ExplicitPadding = tuple[Pair, Pair]
Padding = str | ExplicitPadding
"""'valid' | 'same' | ((top, bottom), (left, right))."""
Table = tuple[tuple[int, ...], ...]
PerChannel = float | tuple[float, ...]
"""One number for every channel, or one per channel."""

ACTIVATIONS = (
    "linear", "relu", "relu6", "leaky_relu", "elu", "selu", "gelu", "tanh", "sigmoid",
    "hard_sigmoid", "hard_swish", "softmax", "softplus", "swish", "lecun_tanh",
)
"""Activation names a spec may use; every backend maps each of them."""


class Op(enum.Enum):
    """The closed set of primitive operations; `CATALOGUE` defines each."""

    INPUT = "input"
    CONV2D = "conv2d"
    DEPTHWISE_CONV2D = "depthwise_conv2d"
    SEPARABLE_CONV2D = "separable_conv2d"
    CONV2D_TRANSPOSE = "conv2d_transpose"
    DENSE = "dense"
    FLATTEN = "flatten"
    MAX_POOL2D = "max_pool2d"
    AVG_POOL2D = "avg_pool2d"
    SUBSAMPLING2D = "subsampling2d"
    GLOBAL_AVG_POOL2D = "global_avg_pool2d"
    GLOBAL_MAX_POOL2D = "global_max_pool2d"
    BATCH_NORM = "batch_norm"
    LRN = "lrn"
    LAYER_NORM = "layer_norm"
    LAYER_SCALE = "layer_scale"
    RESCALING = "rescaling"
    NORMALIZATION = "normalization"
    ACTIVATION = "activation"
    DROPOUT = "dropout"
    ZERO_PADDING2D = "zero_padding2d"
    CROPPING2D = "cropping2d"
    RESHAPE = "reshape"
    UPSAMPLING2D = "upsampling2d"
    CHANNEL_SLICE = "channel_slice"
    DFL = "dfl"
    CONCAT = "concat"
    ADD = "add"
    MULTIPLY = "multiply"
    SCALED_ADD = "scaled_add"


class Family(enum.Enum):
    """What kind of op it is: a diagram colours by family, a report could group by it."""

    INPUT = "input"
    CONV = "convolution"
    POOL = "pooling"
    DENSE = "dense"
    NORM = "normalisation"
    SHAPE = "activation, dropout, reshaping"
    MERGE = "merge"


# -- typed attributes ---------------------------------------------------------------------------


_SHOWN_AT_DEFAULT = "shown_at_default"


def added(default: Any) -> Any:
    """A field added to a record that existing specs already use (dropout's `per_sample`):
    `items()` leaves it out while it holds its default, so the IR dump and the report of a
    spec that does not use it stay byte for byte what they were."""
    return field(default=default, metadata={_SHOWN_AT_DEFAULT: False})


@dataclass(frozen=True)
class Attrs:
    """Base of every attribute record; `items()` is the printer's (and tests') view."""

    def items(self) -> Iterator[tuple[str, Any]]:
        for f in fields(self):
            value = getattr(self, f.name)
            if f.metadata.get(_SHOWN_AT_DEFAULT, True) or value != f.default:
                yield f.name, value


@dataclass(frozen=True)
class NoAttrs(Attrs):
    """flatten and the merges take no arguments."""


@dataclass(frozen=True)
class InputAttrs(Attrs):
    shape: Shape


@dataclass(frozen=True)
class Conv2DAttrs(Attrs):
    filters: int
    kernel_size: Pair
    strides: Pair = (1, 1)
    padding: Padding = "valid"
    dilation: Pair = (1, 1)
    groups: int = 1
    use_bias: bool = True
    activation: str | None = None
    connections: Table | None = None
    """For each output map, the input maps it reads (LeNet-5's C3)."""


@dataclass(frozen=True)
class DepthwiseConv2DAttrs(Attrs):
    kernel_size: Pair
    strides: Pair = (1, 1)
    padding: Padding = "valid"
    dilation: Pair = (1, 1)
    depth_multiplier: int = 1
    use_bias: bool = True
    activation: str | None = None


@dataclass(frozen=True)
class SeparableConv2DAttrs(Attrs):
    filters: int
    kernel_size: Pair
    strides: Pair = (1, 1)
    padding: Padding = "valid"
    dilation: Pair = (1, 1)
    depth_multiplier: int = 1
    use_bias: bool = True
    activation: str | None = None


@dataclass(frozen=True)
class Conv2DTransposeAttrs(Attrs):
    """Keras `Conv2DTranspose` without `output_padding` or dilation (an up-convolution)."""

    filters: int
    kernel_size: Pair
    strides: Pair = (1, 1)
    padding: str = "valid"
    """'valid' or 'same' only: Keras has no explicit padding for a transposed conv."""
    use_bias: bool = True
    activation: str | None = None


@dataclass(frozen=True)
class DenseAttrs(Attrs):
    units: int
    use_bias: bool = True
    activation: str | None = None


@dataclass(frozen=True)
class Pool2DAttrs(Attrs):
    pool_size: Pair
    strides: Pair
    """The spec's default (the pool size) is filled in by `make_attrs`."""
    padding: Padding = "valid"


@dataclass(frozen=True)
class Subsampling2DAttrs(Attrs):
    pool_size: Pair
    strides: Pair
    activation: str | None = None
    padding: Padding = "valid"
    """Always valid: LeNet's windows never overhang the input."""


@dataclass(frozen=True)
class GlobalPool2DAttrs(Attrs):
    keepdims: bool = False


@dataclass(frozen=True)
class BatchNormAttrs(Attrs):
    epsilon: float = 0.001
    momentum: float = 0.99
    center: bool = True
    scale: bool = True


@dataclass(frozen=True)
class LRNAttrs(Attrs):
    k: float = 2.0
    n: int = 5
    alpha: float = 1e-4
    beta: float = 0.75


@dataclass(frozen=True)
class LayerNormAttrs(Attrs):
    """Keras `LayerNormalization` over the channel axis; epsilon is Keras's default."""

    epsilon: float = 0.001
    center: bool = True
    scale: bool = True


@dataclass(frozen=True)
class LayerScaleAttrs(Attrs):
    """A trainable gamma per channel, `x * gamma` (ConvNeXt, CaiT); gamma starts at `init`,
    Keras ConvNeXt's `layer_scale_init_value`."""

    init: float = 1e-6


@dataclass(frozen=True)
class RescalingAttrs(Attrs):
    """`x * scale + offset` (Keras `Rescaling`), as keras.applications' preprocessing."""

    scale: PerChannel
    offset: PerChannel = 0.0


@dataclass(frozen=True)
class NormalizationAttrs(Attrs):
    """`(x - mean) / max(sqrt(variance), 1e-7)` per channel (Keras `Normalization(axis=-1)`).

    Given, mean and variance are constants (no weights); left out (None), they are Keras's
    adaptable state: mean, variance and a sample count, stored as non-trainable weights.
    """

    mean: PerChannel | None = None
    variance: PerChannel | None = None


@dataclass(frozen=True)
class ActivationAttrs(Attrs):
    function: str


@dataclass(frozen=True)
class DropoutAttrs(Attrs):
    rate: float
    per_sample: bool = added(False)
    """One draw per sample drops the whole tensor (stochastic depth, drop-connect)."""


@dataclass(frozen=True)
class ScaledAddAttrs(Attrs):
    """`x + scale * y` of two inputs (InceptionResNetV2's residual scaling)."""

    scale: float = 1.0


@dataclass(frozen=True)
class ZeroPadding2DAttrs(Attrs):
    padding: ExplicitPadding = ((1, 1), (1, 1))


@dataclass(frozen=True)
class Cropping2DAttrs(Attrs):
    """Rows and columns removed from each side: ((top, bottom), (left, right))."""

    cropping: ExplicitPadding = ((0, 0), (0, 0))


@dataclass(frozen=True)
class ReshapeAttrs(Attrs):
    """The target shape without the batch axis; one entry may be -1 (inferred)."""

    shape: Shape


@dataclass(frozen=True)
class UpSampling2DAttrs(Attrs):
    """Keras `UpSampling2D`: each row repeated `size[0]` times, each column `size[1]` times
    (nearest), or interpolated between neighbours (bilinear)."""

    size: Pair = (2, 2)
    interpolation: str = "nearest"


@dataclass(frozen=True)
class ChannelSliceAttrs(Attrs):
    """Channels `start` (included) to `stop` (excluded), counted from 0: one piece of a
    tensor split on the channel axis (YOLOv8's C2f splits its first convolution's output in
    two halves; PyTorch's `chunk`)."""

    start: int
    stop: int


@dataclass(frozen=True)
class DFLAttrs(Attrs):
    """Distribution focal loss decoding (Li et al. 2020; YOLOv8's `DFL`): each of the 4 box
    sides is a distribution over `bins` distances; the output is its expectation."""

    bins: int = 16


# -- the catalogue ------------------------------------------------------------------------------

A = TypeVar("A", bound=Attrs)


@dataclass(frozen=True)
class OpDef(Generic[A]):
    """Everything archc knows about one op, independent of any backend."""

    op: Op
    attrs: type[A]
    family: Family
    shape: Callable[[A, Sequence[Shape]], Shape]
    params: Callable[[A, Sequence[Shape], Shape], tuple[int, int]] = cost.no_params
    """(trainable, non-trainable) parameters, as Keras counts them."""
    macs: Callable[[A, Sequence[Shape], Shape], cost.Formula] | None = None
    """The MAC formula (value and text); None for ops that count 0 MACs."""
    min_inputs: int = 1
    max_inputs: int | None = 1
    """None: any number (a merge; a one-branch `parallel` merges one tensor). An op that
    takes more than one input is a merge."""
    linear_passthrough: bool = False
    """Lint (L007) may look through it: one input, output linear in that input."""
    width_passthrough: bool = False
    """Lint (L008) may look through it between a 1x1 reduction and the conv it feeds."""
    pointwise: bool = False
    """Each output position reads only the same input position (channels may mix): the
    receptive field passes through unchanged, and lint (L009) steps back over it."""

    @property
    def merge(self) -> bool:
        return self.max_inputs is None or self.max_inputs > 1

    def cost(self, attrs: A, inputs: Sequence[Shape], out: Shape) -> cost.Cost:
        """Parameters and MACs of one node; MACs are the formula's value, so the printed
        formula and the counted MACs cannot disagree."""
        trainable, frozen = self.params(attrs, inputs, out)
        macs = self.macs(attrs, inputs, out).value if self.macs is not None else 0
        return cost.Cost(trainable, frozen, macs)


def _defs(*defs: OpDef[Any]) -> dict[Op, OpDef[Any]]:
    table: dict[Op, OpDef[Any]] = {}
    for d in defs:
        if d.op in table:  # a registry refuses duplicates at import time
            raise RuntimeError(f"op {d.op.value} is defined twice")
        table[d.op] = d
    return table


CATALOGUE: Mapping[Op, OpDef[Any]] = _defs(
    OpDef(Op.INPUT, InputAttrs, Family.INPUT, shape.input_shape, min_inputs=0, max_inputs=0),
    OpDef(Op.CONV2D, Conv2DAttrs, Family.CONV, shape.conv2d, cost.conv2d_params,
          cost.conv2d_macs),
    OpDef(Op.DEPTHWISE_CONV2D, DepthwiseConv2DAttrs, Family.CONV, shape.depthwise,
          cost.depthwise_params, cost.depthwise_macs),
    OpDef(Op.SEPARABLE_CONV2D, SeparableConv2DAttrs, Family.CONV, shape.separable,
          cost.separable_params, cost.separable_macs),
    OpDef(Op.CONV2D_TRANSPOSE, Conv2DTransposeAttrs, Family.CONV, shape.conv2d_transpose,
          cost.conv2d_transpose_params, cost.conv2d_transpose_macs),
    OpDef(Op.DENSE, DenseAttrs, Family.DENSE, shape.dense, cost.dense_params, cost.dense_macs),
    OpDef(Op.FLATTEN, NoAttrs, Family.SHAPE, shape.flatten),
    OpDef(Op.MAX_POOL2D, Pool2DAttrs, Family.POOL, shape.pool("max_pool2d")),
    OpDef(Op.AVG_POOL2D, Pool2DAttrs, Family.POOL, shape.pool("avg_pool2d"),
          linear_passthrough=True),
    OpDef(Op.SUBSAMPLING2D, Subsampling2DAttrs, Family.POOL, shape.pool("subsampling2d"),
          cost.per_channel(2)),
    OpDef(Op.GLOBAL_AVG_POOL2D, GlobalPool2DAttrs, Family.POOL, shape.global_pool),
    OpDef(Op.GLOBAL_MAX_POOL2D, GlobalPool2DAttrs, Family.POOL, shape.global_pool),
    OpDef(Op.BATCH_NORM, BatchNormAttrs, Family.NORM, shape.same, cost.channel_affine(2),
          linear_passthrough=True, width_passthrough=True, pointwise=True),
    OpDef(Op.LRN, LRNAttrs, Family.NORM, shape.same, pointwise=True),
    OpDef(Op.LAYER_NORM, LayerNormAttrs, Family.NORM, shape.same, cost.channel_affine(0),
          width_passthrough=True, pointwise=True),
    OpDef(Op.LAYER_SCALE, LayerScaleAttrs, Family.NORM, shape.same, cost.per_channel(1),
          linear_passthrough=True, width_passthrough=True, pointwise=True),
    OpDef(Op.RESCALING, RescalingAttrs, Family.NORM,
          shape.channel_constants("rescaling", "scale", "offset"),
          linear_passthrough=True, width_passthrough=True, pointwise=True),
    OpDef(Op.NORMALIZATION, NormalizationAttrs, Family.NORM,
          shape.channel_constants("normalization", "mean", "variance"),
          cost.normalization_params, linear_passthrough=True, width_passthrough=True,
          pointwise=True),
    OpDef(Op.ACTIVATION, ActivationAttrs, Family.SHAPE, shape.same, width_passthrough=True,
          pointwise=True),
    OpDef(Op.DROPOUT, DropoutAttrs, Family.SHAPE, shape.same, linear_passthrough=True,
          width_passthrough=True, pointwise=True),
    OpDef(Op.ZERO_PADDING2D, ZeroPadding2DAttrs, Family.SHAPE, shape.zero_padding,
          linear_passthrough=True),
    OpDef(Op.CROPPING2D, Cropping2DAttrs, Family.SHAPE, shape.cropping,
          linear_passthrough=True),
    OpDef(Op.RESHAPE, ReshapeAttrs, Family.SHAPE, shape.reshape),
    OpDef(Op.UPSAMPLING2D, UpSampling2DAttrs, Family.SHAPE, shape.upsampling,
          linear_passthrough=True),
    # Linear in its input and per position; it changes the width, so L008 stops at it.
    OpDef(Op.CHANNEL_SLICE, ChannelSliceAttrs, Family.SHAPE, shape.channel_slice,
          linear_passthrough=True, pointwise=True),
    # Reads every level's box map and joins their positions (a merge by arity); `bins`
    # fixed weights 0..bins-1, non-trainable, as Ultralytics' DFL convolution.
    OpDef(Op.DFL, DFLAttrs, Family.MERGE, shape.dfl, cost.dfl_params, cost.dfl_macs,
          max_inputs=None),
    OpDef(Op.CONCAT, NoAttrs, Family.MERGE, shape.concat, max_inputs=None),
    OpDef(Op.ADD, NoAttrs, Family.MERGE, shape.elementwise("add"), max_inputs=None),
    OpDef(Op.MULTIPLY, NoAttrs, Family.MERGE, shape.elementwise("multiply"), max_inputs=None),
    # 0 MACs: numbers.md counts no elementwise products (Keras's scale layer has no weights).
    OpDef(Op.SCALED_ADD, ScaledAddAttrs, Family.MERGE, shape.elementwise("scaled_add"),
          min_inputs=2, max_inputs=2),
)
"""One entry per `Op`, in `Op` order."""

MERGE_OPS = frozenset(op for op, d in CATALOGUE.items() if d.merge)
CONV_OPS = frozenset(op for op, d in CATALOGUE.items() if d.family is Family.CONV)


def infer_shape(op: Op, attrs: Attrs, inputs: Sequence[Shape]) -> Shape:
    """The output shape of one node; raises `Problem` (G0xx) for user-facing problems."""
    return CATALOGUE[op].shape(attrs, inputs)


def cost_of(op: Op, attrs: Attrs, inputs: Sequence[Shape], out: Shape) -> cost.Cost:
    return CATALOGUE[op].cost(attrs, inputs, out)


def mac_formula(op: Op, attrs: Attrs, inputs: Sequence[Shape],
                out: Shape) -> cost.Formula | None:
    """The formula behind a node's MACs (None for ops that count none)."""
    rule = CATALOGUE[op].macs
    return rule(attrs, inputs, out) if rule is not None else None


def window_of(a: Attrs) -> tuple[Pair, Pair, Pair, Padding] | None:
    """Kernel, strides, dilation and padding of a windowed op's record (a convolution or a
    pool); None for every other op."""
    if isinstance(a, Conv2DAttrs | DepthwiseConv2DAttrs | SeparableConv2DAttrs):
        return a.kernel_size, a.strides, a.dilation, a.padding
    if isinstance(a, Pool2DAttrs | Subsampling2DAttrs):
        return a.pool_size, a.strides, (1, 1), a.padding
    return None


# -- from a validated spec item -----------------------------------------------------------------

_COMMON = frozenset({"name", "inputs", "when", "output"})
_PAIRS = ("kernel_size", "strides", "dilation", "pool_size", "size")


def pair(value: Any) -> Pair:
    if isinstance(value, int):
        return (value, value)
    return (int(value[0]), int(value[1]))


def padding(value: Any) -> Padding:
    """'valid' | 'same' | ((top, bottom), (left, right)) from any of the spec's spellings."""
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return ((value, value), (value, value))
    if isinstance(value[0], int):
        return ((value[0], value[0]), (value[1], value[1]))
    return (pair(value[0]), pair(value[1]))


def make_attrs(op: Op, item: Mapping[str, Any],
               tables: Mapping[str, Sequence[Sequence[int]]]) -> Attrs:
    """The record for `op` from a validated item's fields (common fields are dropped).

    `tables` resolves a connection table given by name; the caller checked the name exists.
    """
    values = {k: v for k, v in item.items() if k not in _COMMON}
    for key in _PAIRS:
        if values.get(key) is not None:
            values[key] = pair(values[key])
    if "pool_size" in values and values.get("strides") is None:
        values["strides"] = values["pool_size"]
    for key in ("padding", "cropping"):
        if key in values:
            values[key] = padding(values[key])
    table = values.get("connections")
    if isinstance(table, str):
        table = tables[table]
    if table is not None:
        values["connections"] = tuple(tuple(row) for row in table)
    for key, value in values.items():  # per-channel constants: records hold tuples
        if isinstance(value, list):
            values[key] = tuple(value)
    record: Attrs = CATALOGUE[op].attrs(**values)
    return record
