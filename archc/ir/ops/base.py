"""What every op definition is made of: attribute records, their spec metadata, `OpDef`.

A family module (`conv.py`, `norm.py`, ...) declares, for each of its ops, once: the typed
attribute record (a frozen dataclass whose fields are the canonical IR form of the spec's
arguments, with every default), how the spec spells each field and what it allows (`arg`),
and the `OpDef` that ties the op to its record, family, shape and cost rules, receptive
field kind (`Reach`) and lint traits. The spec's pydantic models (archc/spec/schema.py),
the JSON Schema and `make_attrs` are generated from that metadata, so a field exists once.

This module imports only the standard library: the shape and cost rule modules and every
family module build on it without importing one another in a circle.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import MISSING, Field, dataclass, field, fields
from typing import Any, Generic, TypeVar

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


class OpKind(enum.Enum):
    """Base of each family's enum of ops (`ConvOp`, `NormOp`, ...): a member is one op, its
    value the spec's name for it."""

    _value_: str


class Family(enum.Enum):
    """What kind of op it is: a diagram colours by family, a report could group by it."""

    INPUT = "input"
    CONV = "convolution"
    POOL = "pooling"
    DENSE = "dense"
    NORM = "normalisation"
    SHAPE = "activation, dropout, reshaping"
    MERGE = "merge"


class Reach(enum.Enum):
    """Which input positions one output unit reads: the receptive-field pass
    (archc/passes/receptive.py) keeps one rule per kind, and lint's L009 steps back over
    `POINTWISE` ops. The value is what docs tables print."""

    INPUT = "a model input: each pixel sees itself"
    WINDOW = "a window: kernel, strides, dilation, padding"
    POINTWISE = "the same position only (channels may mix)"
    MAP_STATISTICS = ("the same position, plus statistics over every position (marked "
                      "global)")
    """A normalisation whose statistics span the whole map (GroupNormalization): the local
    window passes through, and the unit also depends on every position, as after a
    squeeze-and-excitation gate."""
    WHOLE = "the whole input (global pooling, flatten)"
    DENSE = "one position on a map (a 1x1 convolution); the whole input on a vector"
    PADDING = "shifted by the padding before the data"
    CROPPING = "shifted by the rows and columns cropped"
    RESHAPE = "unchanged, the whole input, or not defined, by the shapes"
    TRANSPOSED = "a transposed window (periodic with a stride)"
    UPSAMPLING = "repeated or interpolated positions (periodic)"
    LISTED = "positions listed one after the other: not defined"
    MERGE = "the union of the branches' fields"


class Spelling(enum.Enum):
    """How the spec writes a field; archc/spec/schema.py turns each into a pydantic type
    and `to_record` turns the validated value into the record's canonical form."""

    INT = "an integer"
    FLOAT = "a number"
    BOOL = "true or false"
    CHOICE = "one of the listed words"
    ACTIVATION = "an activation name"
    INT_OR_PAIR = "a positive integer, or [height, width]"
    PADDING = "valid, same, p, [ph, pw] or [[top, bottom], [left, right]]"
    SIDES = "p, [ph, pw] or [[top, bottom], [left, right]]"
    PER_CHANNEL = "a number for every channel, or a list with one per channel"
    TARGET_SHAPE = "a list of 1 to 3 sizes, one of which may be -1"
    CONNECTIONS = "a table's name, or for each output map the input maps it reads"


_UNSET: Any = object()
"""`SpecArg.spec_default` when the spec's default is the record's."""


@dataclass(frozen=True)
class SpecArg:
    """A record field's spec metadata (see `arg`)."""

    spelling: Spelling
    description: str | None = None
    ge: float | None = None
    gt: float | None = None
    lt: float | None = None
    le: float | None = None
    choices: tuple[str, ...] = ()
    spec_default: Any = _UNSET
    """The spec's default when it is not the record's (pool `strides: None`)."""
    default_from: str | None = None
    """None in the spec means this other field's value (pool strides: the pool size)."""
    check: Callable[[Any], Any] | None = None
    """A check of the validated value; raises ValueError with the message a person reads."""


@dataclass(frozen=True)
class SpecError:
    """One problem a whole-item check found: `kind` is pydantic's error type ("missing" or
    "value_error"), so the diagnostic reads like every other."""

    field: str
    kind: str
    message: str = ""


_SPEC = "spec"
_SHOWN_AT_DEFAULT = "shown_at_default"


def arg(default: Any = MISSING, spelling: Spelling = Spelling.INT, *,
        description: str | None = None, ge: float | None = None, gt: float | None = None,
        lt: float | None = None, le: float | None = None, choices: tuple[str, ...] = (),
        spec_default: Any = MISSING, default_from: str | None = None,
        check: Callable[[Any], Any] | None = None, added: bool = False) -> Any:
    """A record field the spec may write, with its spelling, constraints and description.

    `added=True` marks a field added to a record that existing specs already use (dropout's
    `per_sample`): `items()` leaves it out while it holds its default, so the IR dump and
    the report of a spec that does not use it stay byte for byte what they were.
    """
    spec = SpecArg(spelling, description, ge, gt, lt, le, choices,
                   _UNSET if spec_default is MISSING else spec_default, default_from, check)
    metadata = {_SPEC: spec, _SHOWN_AT_DEFAULT: not added}
    if default is MISSING:
        return field(metadata=metadata)
    return field(default=default, metadata=metadata)


def added(default: Any) -> Any:
    """A field added later that the spec does not write (see `arg(added=True)`)."""
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


class Windowed:
    """A record of a windowed op (a convolution or a pool): lint and the receptive-field
    pass read its window through `window()`."""

    def window(self) -> tuple[Pair, Pair, Pair, Padding]:
        """Kernel, strides, dilation and padding."""
        raise NotImplementedError


class ConvWindowed(Windowed):
    """A convolution's record: its window is its own `kernel_size`, `strides`, `dilation`
    and `padding` (the annotations name the fields the record declares)."""

    kernel_size: Pair
    strides: Pair
    dilation: Pair
    padding: Padding

    def window(self) -> tuple[Pair, Pair, Pair, Padding]:
        return self.kernel_size, self.strides, self.dilation, self.padding


class PoolWindowed(Windowed):
    """A pool's record: `pool_size` is the kernel, and a pool is never dilated."""

    pool_size: Pair
    strides: Pair
    padding: Padding

    def window(self) -> tuple[Pair, Pair, Pair, Padding]:
        return self.pool_size, self.strides, (1, 1), self.padding


def spec_of(f: Field[Any]) -> SpecArg | None:
    """A record field's spec metadata; None for a field the spec does not write."""
    spec = f.metadata.get(_SPEC)
    return spec if isinstance(spec, SpecArg) else None


def spec_default(f: Field[Any]) -> Any:
    """The field's default as the spec spells it (`strides: 1`, not (1, 1)); MISSING for a
    required field."""
    spec = spec_of(f)
    if spec is not None and spec.spec_default is not _UNSET:
        return spec.spec_default
    if f.default is MISSING:
        return MISSING
    return spelt(f.default)


def spelt(value: Any) -> Any:
    """The shortest spec spelling of a canonical value: (1, 1) -> 1, ((1, 1), (1, 1)) -> 1."""
    if isinstance(value, tuple):
        parts = [spelt(v) for v in value]
        if len(parts) == 2 and parts[0] == parts[1] and isinstance(parts[0], int):
            return parts[0]
        return parts
    return value


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


def to_record(spec: SpecArg, value: Any, tables: Mapping[str, Sequence[Sequence[int]]]) -> Any:
    """A validated spec value in the record's canonical form (pairs as tuples, explicit
    padding as ((top, bottom), (left, right)), lists as tuples, a table by name looked up);
    the caller checked that a named table exists."""
    if value is None:
        return None
    if spec.spelling is Spelling.INT_OR_PAIR:
        return pair(value)
    if spec.spelling in (Spelling.PADDING, Spelling.SIDES):
        return padding(value)
    if spec.spelling is Spelling.CONNECTIONS:
        rows = tables[value] if isinstance(value, str) else value
        return tuple(tuple(row) for row in rows)
    if isinstance(value, list):  # per-channel constants, a target shape
        return tuple(value)
    return value


@dataclass(frozen=True)
class Cost:
    """What one node costs: parameters (split as Keras splits them) and MACs."""

    trainable: int = 0
    non_trainable: int = 0
    macs: int = 0

    @property
    def params(self) -> int:
        return self.trainable + self.non_trainable

    def __add__(self, other: Cost) -> Cost:
        return Cost(self.trainable + other.trainable,
                    self.non_trainable + other.non_trainable, self.macs + other.macs)


@dataclass(frozen=True)
class Formula:
    """`symbols` with `numbers` filled in equals `value`; `parts` split a separable conv."""

    symbols: str
    numbers: str
    value: int
    parts: tuple[Formula, ...] = ()


A = TypeVar("A", bound=Attrs)


def no_params(a: Attrs, inputs: Sequence[Shape], out: Shape) -> tuple[int, int]:
    return (0, 0)


@dataclass(frozen=True)
class OpDef(Generic[A]):
    """Everything archc knows about one op, independent of any backend."""

    op: OpKind
    """The op's identity, a member of its family module's enum (`archc.ir.ops.Op`)."""
    attrs: type[A]
    family: Family
    shape: Callable[[A, Sequence[Shape]], Shape]
    params: Callable[[A, Sequence[Shape], Shape], tuple[int, int]] = no_params
    """(trainable, non-trainable) parameters, as Keras counts them."""
    macs: Callable[[A, Sequence[Shape], Shape], Formula] | None = None
    """The MAC formula (value and text); None for ops that count 0 MACs."""
    min_inputs: int = 1
    max_inputs: int | None = 1
    """None: any number (a merge; a one-branch `parallel` merges one tensor). An op that
    takes more than one input is a merge."""
    linear_passthrough: bool = False
    """Lint (L007) may look through it: one input, output linear in that input."""
    width_passthrough: bool = False
    """Lint (L008) may look through it between a 1x1 reduction and the conv it feeds."""
    reach: Reach = field(kw_only=True)
    """Which input positions a unit reads: the receptive-field rule's kind. Required, so
    that a new op states it rather than inheriting one by default."""
    doc: str = field(kw_only=True)
    """What the layer is, in one line: the schema's description, LSP hover, docs tables."""
    spec_check: Callable[[Mapping[str, Any]], Sequence[SpecError]] | None = None
    """A check across the validated item's fields (normalization's mean with variance)."""

    @property
    def merge(self) -> bool:
        return self.max_inputs is None or self.max_inputs > 1

    @property
    def pointwise(self) -> bool:
        """Each output position reads only the same input position (channels may mix): the
        receptive field passes through unchanged, and lint (L009) steps back over it."""
        return self.reach is Reach.POINTWISE

    def cost(self, attrs: A, inputs: Sequence[Shape], out: Shape) -> Cost:
        """Parameters and MACs of one node; MACs are the formula's value, so the printed
        formula and the counted MACs cannot disagree."""
        trainable, frozen = self.params(attrs, inputs, out)
        macs = self.macs(attrs, inputs, out).value if self.macs is not None else 0
        return Cost(trainable, frozen, macs)
