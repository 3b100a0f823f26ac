"""DOT style: a colour per op family and a label rule per op.

The colour comes from the op's family in the catalogue (`archc.ir.ops`), so every
convolution shares one swatch and the legend has one row per family. The label text is
this backend's own table keyed by `Op`, like the Keras lowering table; tests/test_op_tables.py
checks that every op has an entry, so no op is ever drawn with a guessed label.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from archc.ir.ops import (
    CATALOGUE,
    ActivationAttrs,
    ChannelSliceAttrs,
    Conv2DAttrs,
    Conv2DTransposeAttrs,
    ConvOp,
    Cropping2DAttrs,
    DenseAttrs,
    DenseOp,
    DepthwiseConv2DAttrs,
    DFLAttrs,
    DropoutAttrs,
    Family,
    InputOp,
    LayerScaleAttrs,
    LRNAttrs,
    MergeOp,
    NormalizationAttrs,
    NormOp,
    Op,
    Padding,
    PerChannel,
    Pool2DAttrs,
    PoolOp,
    RescalingAttrs,
    ReshapeAttrs,
    ScaledAddAttrs,
    SeparableConv2DAttrs,
    ShapeOp,
    Subsampling2DAttrs,
    UpSampling2DAttrs,
    ZeroPadding2DAttrs,
)
from archc.ir.ops.norm import GroupNormAttrs
from archc.ir.ops.shape import SpatialDropout2DAttrs
from archc.passes.analysis import NodeInfo


@dataclass(frozen=True)
class Swatch:
    """A colour in the drawing and its row in the legend."""

    name: str
    fill: str


INPUT = Swatch("input / output", "#ffffff")
CONV = Swatch("convolution", "#cfe2f3")
POOL = Swatch("pooling", "#d9ead3")
DENSE = Swatch("dense", "#fce5cd")
NORM = Swatch("normalisation", "#fff2cc")
SHAPE = Swatch("activation, dropout, reshaping", "#eeeeee")
MERGE = Swatch("merge", "#f4cccc")
BLOCK = Swatch("collapsed block", "#d9d2e9")

SWATCH_ORDER = (INPUT, CONV, POOL, DENSE, NORM, SHAPE, MERGE, BLOCK)

FAMILY_SWATCHES: Mapping[Family, Swatch] = {
    Family.INPUT: INPUT,
    Family.CONV: CONV,
    Family.POOL: POOL,
    Family.DENSE: DENSE,
    Family.NORM: NORM,
    Family.SHAPE: SHAPE,
    Family.MERGE: MERGE,
}


def swatch(op: Op) -> Swatch:
    return FAMILY_SWATCHES[CATALOGUE[op].family]


LabelRule = Callable[[NodeInfo], str]


def _pair(value: tuple[int, int]) -> str:
    h, w = value
    return f"{h}x{w}"


def _stride(strides: tuple[int, int]) -> str:
    if strides == (1, 1):
        return ""
    h, w = strides
    return f" /{h}" if h == w else f" /{h}x{w}"


def _padding(pad: Padding) -> str:
    if pad == "valid":
        return ""
    if isinstance(pad, str):
        return f" {pad}"
    (top, bottom), (left, right) = pad
    if top == bottom == left == right:
        return f" pad {top}"
    return f" pad {top},{bottom},{left},{right}"


def _extras(activation: str | None, dilation: tuple[int, int] = (1, 1), groups: int = 1) -> str:
    parts = []
    if dilation != (1, 1):
        parts.append(f"dilation {_pair(dilation)}")
    if groups != 1:
        parts.append(f"groups {groups}")
    if activation:
        parts.append(activation)
    return "".join(", " + p for p in parts)


def _conv(info: NodeInfo) -> str:
    a = info.node.attrs
    assert isinstance(a, Conv2DAttrs)
    text = (f"conv2d {a.filters}@{_pair(a.kernel_size)}{_stride(a.strides)}"
            f"{_padding(a.padding)}{_extras(a.activation, a.dilation, a.groups)}")
    if a.connections:
        links = sum(len(row) for row in a.connections)
        possible = info.input_shapes[0][-1] * a.filters if info.input_shapes else 0
        text += f", {links} of {possible} links"
    return text


def _conv_transpose(info: NodeInfo) -> str:
    a = info.node.attrs
    assert isinstance(a, Conv2DTransposeAttrs)
    return (f"up-conv {a.filters}@{_pair(a.kernel_size)}{_stride(a.strides)}"
            f"{_padding(a.padding)}{_extras(a.activation)}")


def _depthwise(info: NodeInfo) -> str:
    a = info.node.attrs
    assert isinstance(a, DepthwiseConv2DAttrs)
    extra = f" x{a.depth_multiplier}" if a.depth_multiplier != 1 else ""
    return (f"depthwise {_pair(a.kernel_size)}{extra}{_stride(a.strides)}{_padding(a.padding)}"
            f"{_extras(a.activation, a.dilation)}")


def _separable(info: NodeInfo) -> str:
    a = info.node.attrs
    assert isinstance(a, SeparableConv2DAttrs)
    return (f"separable {a.filters}@{_pair(a.kernel_size)}{_stride(a.strides)}"
            f"{_padding(a.padding)}{_extras(a.activation, a.dilation)}")


def _pool(info: NodeInfo) -> str:
    a = info.node.attrs
    assert isinstance(a, Pool2DAttrs | Subsampling2DAttrs)
    activation = a.activation if isinstance(a, Subsampling2DAttrs) else None
    return (f"{info.node.op.value} {_pair(a.pool_size)}{_stride(a.strides)}"
            f"{_padding(a.padding)}{_extras(activation)}")


def _dense(info: NodeInfo) -> str:
    a = info.node.attrs
    assert isinstance(a, DenseAttrs)
    return f"dense {a.units}{_extras(a.activation)}"


def _lrn(info: NodeInfo) -> str:
    a = info.node.attrs
    assert isinstance(a, LRNAttrs)
    return f"lrn n={a.n}"


def _layer_scale(info: NodeInfo) -> str:
    a = info.node.attrs
    assert isinstance(a, LayerScaleAttrs)
    return f"layer_scale x{a.init:g}"


def _number(value: PerChannel) -> str:
    """`0.00392` for one number, `per channel` for a list."""
    return f"{value:.3g}" if isinstance(value, float) else "per channel"


def _rescaling(info: NodeInfo) -> str:
    a = info.node.attrs
    assert isinstance(a, RescalingAttrs)
    offset = "" if a.offset == 0 else f" + {_number(a.offset)}"
    return f"rescaling x {_number(a.scale)}{offset}"


def _normalization(info: NodeInfo) -> str:
    a = info.node.attrs
    assert isinstance(a, NormalizationAttrs)
    return "normalization" + (" (adaptable)" if a.mean is None else " (constants)")


def _activation(info: NodeInfo) -> str:
    a = info.node.attrs
    assert isinstance(a, ActivationAttrs)
    return a.function


def _dropout(info: NodeInfo) -> str:
    a = info.node.attrs
    assert isinstance(a, DropoutAttrs)
    return f"dropout {a.rate}" + (" per sample" if a.per_sample else "")


def _zero_padding(info: NodeInfo) -> str:
    a = info.node.attrs
    assert isinstance(a, ZeroPadding2DAttrs)
    return "zero_padding2d" + _padding(a.padding)


def _cropping(info: NodeInfo) -> str:
    a = info.node.attrs
    assert isinstance(a, Cropping2DAttrs)
    return "cropping2d" + _padding(a.cropping).replace(" pad", "")


def _reshape(info: NodeInfo) -> str:
    a = info.node.attrs
    assert isinstance(a, ReshapeAttrs)
    return "reshape " + "x".join("?" if d == -1 else str(d) for d in a.shape)


def _upsampling(info: NodeInfo) -> str:
    a = info.node.attrs
    assert isinstance(a, UpSampling2DAttrs)
    h, w = a.size
    factor = f"x{h}" if h == w else f"x{h}x{w}"
    return f"upsampling2d {factor}" + ("" if a.interpolation == "nearest" else
                                        f" {a.interpolation}")


def _channel_slice(info: NodeInfo) -> str:
    a = info.node.attrs
    assert isinstance(a, ChannelSliceAttrs)
    return f"channel_slice [{a.start}:{a.stop}]"


def _dfl(info: NodeInfo) -> str:
    a = info.node.attrs
    assert isinstance(a, DFLAttrs)
    return f"dfl, 4 sides x {a.bins} bins"


def _group_norm(info: NodeInfo) -> str:
    a = info.node.attrs
    assert isinstance(a, GroupNormAttrs)
    return f"group_norm {a.groups} groups"


def _spatial_dropout(info: NodeInfo) -> str:
    a = info.node.attrs
    assert isinstance(a, SpatialDropout2DAttrs)
    return f"spatial_dropout2d {a.rate}"


def _plain(info: NodeInfo) -> str:
    return str(info.node.op.value)  # a union of enums: mypy reads `.value` as Any


def _scaled_add(info: NodeInfo) -> str:
    a = info.node.attrs
    assert isinstance(a, ScaledAddAttrs)
    return f"add, x{a.scale:g} on the 2nd input"


OP_LABELS: Mapping[Op, LabelRule] = {
    InputOp.INPUT: _plain,
    ConvOp.CONV2D: _conv,
    ConvOp.DEPTHWISE_CONV2D: _depthwise,
    ConvOp.SEPARABLE_CONV2D: _separable,
    ConvOp.CONV2D_TRANSPOSE: _conv_transpose,
    DenseOp.DENSE: _dense,
    DenseOp.FLATTEN: _plain,
    PoolOp.MAX_POOL2D: _pool,
    PoolOp.AVG_POOL2D: _pool,
    PoolOp.SUBSAMPLING2D: _pool,
    PoolOp.GLOBAL_AVG_POOL2D: _plain,
    PoolOp.GLOBAL_MAX_POOL2D: _plain,
    NormOp.BATCH_NORM: _plain,
    NormOp.LRN: _lrn,
    NormOp.LAYER_NORM: _plain,
    NormOp.GROUP_NORM: _group_norm,
    NormOp.LAYER_SCALE: _layer_scale,
    NormOp.RESCALING: _rescaling,
    NormOp.NORMALIZATION: _normalization,
    ShapeOp.ACTIVATION: _activation,
    ShapeOp.DROPOUT: _dropout,
    ShapeOp.SPATIAL_DROPOUT2D: _spatial_dropout,
    ShapeOp.ZERO_PADDING2D: _zero_padding,
    ShapeOp.CROPPING2D: _cropping,
    ShapeOp.RESHAPE: _reshape,
    ShapeOp.UPSAMPLING2D: _upsampling,
    ShapeOp.CHANNEL_SLICE: _channel_slice,
    MergeOp.DFL: _dfl,
    MergeOp.CONCAT: _plain,
    MergeOp.ADD: _plain,
    MergeOp.MULTIPLY: _plain,
    MergeOp.SCALED_ADD: _scaled_add,
}
"""The label text of each op's box (after its name)."""
