"""DOT style as a rule table keyed by `Op`: each op's family (colour) and its label text.

One table per concern, like the shape and cost rules: a new op needs an entry here, and a
test checks that every op has one, so no op is ever drawn with a guessed style.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from archc.ir import Op
from archc.passes.analysis import NodeInfo


@dataclass(frozen=True)
class Family:
    """A group of ops that share a colour in the drawing and a row in the legend."""

    name: str
    fill: str


INPUT = Family("input / output", "#ffffff")
CONV = Family("convolution", "#cfe2f3")
POOL = Family("pooling", "#d9ead3")
DENSE = Family("dense", "#fce5cd")
NORM = Family("normalisation", "#fff2cc")
SHAPE = Family("activation, dropout, reshaping", "#eeeeee")
MERGE = Family("merge", "#f4cccc")
BLOCK = Family("collapsed block", "#d9d2e9")

FAMILY_ORDER = (INPUT, CONV, POOL, DENSE, NORM, SHAPE, MERGE, BLOCK)

LabelRule = Callable[[NodeInfo], str]


def _pair(value: Any) -> str:
    h, w = value
    return f"{h}x{w}"


def _stride(attrs: Any) -> str:
    strides = attrs.get("strides")
    if strides is None or tuple(strides) == (1, 1):
        return ""
    h, w = strides
    return f" /{h}" if h == w else f" /{h}x{w}"


def _padding(attrs: Any) -> str:
    pad = attrs.get("padding")
    if pad is None or pad == "valid":
        return ""
    if isinstance(pad, str):
        return f" {pad}"
    (top, bottom), (left, right) = pad
    if top == bottom == left == right:
        return f" pad {top}"
    return f" pad {top},{bottom},{left},{right}"


def _extras(attrs: Any) -> str:
    parts = []
    dilation = attrs.get("dilation")
    if dilation is not None and tuple(dilation) != (1, 1):
        parts.append(f"dilation {_pair(dilation)}")
    groups = attrs.get("groups")
    if groups is not None and groups != 1:
        parts.append(f"groups {groups}")
    if attrs.get("activation"):
        parts.append(str(attrs["activation"]))
    return "".join(", " + p for p in parts)


def _window(info: NodeInfo, what: str) -> str:
    a = info.node.attrs
    return f"{what}{_stride(a)}{_padding(a)}{_extras(a)}"


def _conv(info: NodeInfo) -> str:
    a = info.node.attrs
    text = _window(info, f"conv2d {a['filters']}@{_pair(a['kernel_size'])}")
    table = a.get("connections")
    if table:
        links = sum(len(row) for row in table)
        possible = info.input_shapes[0][-1] * a["filters"] if info.input_shapes else 0
        text += f", {links} of {possible} links"
    return text


def _depthwise(info: NodeInfo) -> str:
    a = info.node.attrs
    multiplier = a.get("depth_multiplier", 1)
    extra = f" x{multiplier}" if multiplier != 1 else ""
    return _window(info, f"depthwise {_pair(a['kernel_size'])}{extra}")


def _separable(info: NodeInfo) -> str:
    a = info.node.attrs
    return _window(info, f"separable {a['filters']}@{_pair(a['kernel_size'])}")


def _pool(info: NodeInfo) -> str:
    return _window(info, f"{info.node.op.value} {_pair(info.node.attrs['pool_size'])}")


def _dense(info: NodeInfo) -> str:
    a = info.node.attrs
    return f"dense {a['units']}{_extras(a)}"


def _lrn(info: NodeInfo) -> str:
    return f"lrn n={info.node.attrs.get('n')}"


def _activation(info: NodeInfo) -> str:
    return str(info.node.attrs.get("function", "activation"))


def _dropout(info: NodeInfo) -> str:
    return f"dropout {info.node.attrs.get('rate')}"


def _zero_padding(info: NodeInfo) -> str:
    return "zero_padding2d" + _padding(info.node.attrs)


def _plain(info: NodeInfo) -> str:
    return info.node.op.value


@dataclass(frozen=True)
class OpStyle:
    family: Family
    label: LabelRule


OP_STYLES: Mapping[Op, OpStyle] = {
    Op.INPUT: OpStyle(INPUT, _plain),
    Op.CONV2D: OpStyle(CONV, _conv),
    Op.DEPTHWISE_CONV2D: OpStyle(CONV, _depthwise),
    Op.SEPARABLE_CONV2D: OpStyle(CONV, _separable),
    Op.DENSE: OpStyle(DENSE, _dense),
    Op.FLATTEN: OpStyle(SHAPE, _plain),
    Op.MAX_POOL2D: OpStyle(POOL, _pool),
    Op.AVG_POOL2D: OpStyle(POOL, _pool),
    Op.SUBSAMPLING2D: OpStyle(POOL, _pool),
    Op.GLOBAL_AVG_POOL2D: OpStyle(POOL, _plain),
    Op.GLOBAL_MAX_POOL2D: OpStyle(POOL, _plain),
    Op.BATCH_NORM: OpStyle(NORM, _plain),
    Op.LRN: OpStyle(NORM, _lrn),
    Op.ACTIVATION: OpStyle(SHAPE, _activation),
    Op.DROPOUT: OpStyle(SHAPE, _dropout),
    Op.ZERO_PADDING2D: OpStyle(SHAPE, _zero_padding),
    Op.CONCAT: OpStyle(MERGE, _plain),
    Op.ADD: OpStyle(MERGE, _plain),
    Op.MULTIPLY: OpStyle(MERGE, _plain),
}
