"""The op catalogue: one definition per primitive op, one module per family.

Each family module (`conv`, `dense`, `pool`, `norm`, `shape`, `merge`, `input`) holds, for
its ops and nowhere else: the op's identity (a member of the module's own enum, valued by
the spec's name), its typed attribute record with the spec's spelling, constraints,
defaults and descriptions (`base.arg`), and its `OpDef`: family, arity, receptive-field
kind (`Reach`), lint traits, shape rule and cost rule (parameters, and MACs as a `Formula`
whose text `summary --costs` and lint print). This package assembles them: `Op` (the type
of any op), `ALL_OPS`, `op_named` and `CATALOGUE`. The spec's pydantic models
(archc/spec/schema.py) are generated from the records; passes read typed fields
(`attrs.filters`), never strings; backends key their own tables (Keras lowering, diagram
style) by the same ops, and `tests/test_op_tables.py` sweeps every table.

The spec lets people write `kernel_size: 3` or `[3, 5]`, `padding: 2` or `same`; records
hold one canonical form (pairs as tuples, explicit padding as ((top, bottom), (left,
right))), made by `make_attrs` from a validated item, so no rule re-interprets shorthand.
Generated nodes (a residual's projection, the parts of an SE block) call the record
constructors directly, so their defaults are these defaults.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import fields
from typing import Any, TypeAlias, cast

import archc.ir.cost_rules as cost
from archc.ir.ops import conv, dense, input, merge, norm, pool, shape
from archc.ir.ops.base import ACTIVATIONS as ACTIVATIONS
from archc.ir.ops.base import Attrs as Attrs
from archc.ir.ops.base import ExplicitPadding as ExplicitPadding
from archc.ir.ops.base import Family as Family
from archc.ir.ops.base import NoAttrs as NoAttrs
from archc.ir.ops.base import OpDef as OpDef
from archc.ir.ops.base import Padding as Padding
from archc.ir.ops.base import Pair as Pair
from archc.ir.ops.base import PerChannel as PerChannel
from archc.ir.ops.base import Reach as Reach
from archc.ir.ops.base import Shape as Shape
from archc.ir.ops.base import SpecArg, Windowed, spec_of, to_record
from archc.ir.ops.base import Table as Table
from archc.ir.ops.base import added as added
from archc.ir.ops.base import padding as padding
from archc.ir.ops.base import pair as pair
from archc.ir.ops.conv import Conv2DAttrs as Conv2DAttrs
from archc.ir.ops.conv import Conv2DTransposeAttrs as Conv2DTransposeAttrs
from archc.ir.ops.conv import ConvOp as ConvOp
from archc.ir.ops.conv import DepthwiseConv2DAttrs as DepthwiseConv2DAttrs
from archc.ir.ops.conv import SeparableConv2DAttrs as SeparableConv2DAttrs
from archc.ir.ops.dense import DenseAttrs as DenseAttrs
from archc.ir.ops.dense import DenseOp as DenseOp
from archc.ir.ops.input import InputAttrs as InputAttrs
from archc.ir.ops.input import InputOp as InputOp
from archc.ir.ops.merge import DFLAttrs as DFLAttrs
from archc.ir.ops.merge import MergeOp as MergeOp
from archc.ir.ops.merge import ScaledAddAttrs as ScaledAddAttrs
from archc.ir.ops.norm import BatchNormAttrs as BatchNormAttrs
from archc.ir.ops.norm import LayerNormAttrs as LayerNormAttrs
from archc.ir.ops.norm import LayerScaleAttrs as LayerScaleAttrs
from archc.ir.ops.norm import LRNAttrs as LRNAttrs
from archc.ir.ops.norm import NormalizationAttrs as NormalizationAttrs
from archc.ir.ops.norm import NormOp as NormOp
from archc.ir.ops.norm import RescalingAttrs as RescalingAttrs
from archc.ir.ops.pool import GlobalPool2DAttrs as GlobalPool2DAttrs
from archc.ir.ops.pool import Pool2DAttrs as Pool2DAttrs
from archc.ir.ops.pool import PoolOp as PoolOp
from archc.ir.ops.pool import Subsampling2DAttrs as Subsampling2DAttrs
from archc.ir.ops.shape import ActivationAttrs as ActivationAttrs
from archc.ir.ops.shape import ChannelSliceAttrs as ChannelSliceAttrs
from archc.ir.ops.shape import Cropping2DAttrs as Cropping2DAttrs
from archc.ir.ops.shape import DropoutAttrs as DropoutAttrs
from archc.ir.ops.shape import ReshapeAttrs as ReshapeAttrs
from archc.ir.ops.shape import ShapeOp as ShapeOp
from archc.ir.ops.shape import UpSampling2DAttrs as UpSampling2DAttrs
from archc.ir.ops.shape import ZeroPadding2DAttrs as ZeroPadding2DAttrs

Op: TypeAlias = InputOp | ConvOp | DenseOp | PoolOp | NormOp | ShapeOp | MergeOp
"""Any op: a member of one family's enum. A new op is one member (and one `OpDef`) in its
family module; a new family adds its enum here and its module to `_FAMILIES`."""

_FAMILIES = (input, conv, dense, pool, norm, shape, merge)
"""In this order the ops come out in the catalogue's historical order, which every listing
(the JSON Schema, the LSP's completions) keeps."""


def _catalogue() -> dict[Op, OpDef[Any]]:
    table: dict[Op, OpDef[Any]] = {}
    for module in _FAMILIES:
        defs = cast("tuple[OpDef[Any], ...]", module.DEFS)
        if {d.op for d in defs} != set(type(defs[0].op)):
            raise RuntimeError(f"{module.__name__}: every op of its enum needs one OpDef")
        for d in defs:
            if d.op in table:  # a registry refuses duplicates at import time
                raise RuntimeError(f"op {d.op.value} is defined twice")
            table[cast(Op, d.op)] = d
    return table


CATALOGUE: Mapping[Op, OpDef[Any]] = _catalogue()
"""One entry per op, family by family."""

ALL_OPS: tuple[Op, ...] = tuple(CATALOGUE)
"""Every op, in the catalogue's order (input first)."""

_BY_NAME: dict[str, Op] = {op.value: op for op in ALL_OPS}

_SPEC_FIELDS: Mapping[Op, tuple[tuple[str, SpecArg | None], ...]] = {
    op: tuple((f.name, spec_of(f)) for f in fields(d.attrs)) for op, d in CATALOGUE.items()}
"""Each record's fields with their spec metadata, read once: a compile makes a record per
layer (ResNet-152: 500), and `dataclasses.fields` is not free."""

MERGE_OPS = frozenset(op for op, d in CATALOGUE.items() if d.merge)
CONV_OPS = frozenset(op for op, d in CATALOGUE.items() if d.family is Family.CONV)


def op_named(name: str) -> Op:
    """The op a spec's layer key names (`conv2d`); ValueError for any other word."""
    try:
        return _BY_NAME[name]
    except KeyError:
        raise ValueError(f"{name!r} is not an op") from None


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
    return a.window() if isinstance(a, Windowed) else None


def make_attrs(op: Op, item: Mapping[str, Any],
               tables: Mapping[str, Sequence[Sequence[int]]]) -> Attrs:
    """The record for `op` from a validated item: the record's fields, each the spec writes
    in its canonical form (`base.to_record`); other keys (the common fields) are dropped.

    `tables` resolves a connection table given by name; the caller checked the name exists.
    """
    record = CATALOGUE[op].attrs
    plan = _SPEC_FIELDS[op]
    values: dict[str, Any] = {}
    for name, spec in plan:
        if name in item:
            value = item[name]
            values[name] = to_record(spec, value, tables) if spec is not None else value
    for name, spec in plan:
        if spec is not None and spec.default_from and values.get(name) is None and \
                spec.default_from in values:
            values[name] = values[spec.default_from]
    made: Attrs = record(**values)
    return made
