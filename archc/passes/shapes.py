"""Shape inference: one pure rule per op, keyed by `Op`.

A rule takes a node's attributes and its input shapes (batch axis omitted) and returns the
output shape, or raises `ShapeError` with a message that names the shapes involved. The
formulas are Keras's (`compute_conv_output_shape`), so a built model agrees by construction
and the Keras backend re-checks it anyway.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from archc.ir import Op, Shape
from archc.ir.printer import format_shape

Attrs = Mapping[str, Any]
ShapeRule = Callable[[Attrs, Sequence[Shape]], Shape]


class ShapeError(Exception):
    """A shape problem at one node; the lowerer turns it into a located diagnostic."""

    def __init__(self, code: str, message: str, help: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.help = help


def _fmt(shape: Shape) -> str:
    return format_shape(shape)


def _need_rank(op: str, shape: Shape, rank: int) -> None:
    if len(shape) != rank:
        what = "an image-like H x W x C" if rank == 3 else f"rank {rank}"
        raise ShapeError("G005", f"`{op}` needs {what} input; received {_fmt(shape)}",
                         "add a `flatten` or a global pooling layer before dense layers, or "
                         "remove it before spatial ones" if rank == 3 else None)


def spatial_out(size: int, kernel: int, stride: int, dilation: int,
                pad: str | tuple[int, int]) -> int:
    """Output length of one spatial axis (Keras / TensorFlow conventions)."""
    if pad == "same":
        return math.ceil(size / stride)
    before, after = (0, 0) if isinstance(pad, str) else pad
    return (size + before + after - dilated_extent(kernel, dilation)) // stride + 1


def _window(op: str, attrs: Attrs, shape: Shape, kernel: tuple[int, int],
            channels: int) -> Shape:
    _need_rank(op, shape, 3)
    strides = attrs["strides"]
    dilation = attrs.get("dilation", (1, 1))
    padding = attrs["padding"]
    if max(strides) > 1 and max(dilation) > 1:
        # Keras refuses the pair when the model is built; say so at check time instead.
        raise ShapeError(
            "G010",
            f"`{op}` has both strides {_pair(strides)} and dilation {_pair(dilation)}; the "
            "Keras backend supports strides above 1 or dilation above 1, not both",
            "downsample in a separate layer (a pool or a strided 1x1 conv), or drop the "
            "dilation",
        )
    out = []
    for axis in range(2):
        pad: str | tuple[int, int] = padding if isinstance(padding, str) else padding[axis]
        padded = shape[axis] + (0 if isinstance(pad, str) else pad[0] + pad[1])
        if pad != "same" and dilated_extent(kernel[axis], dilation[axis]) > padded:
            raise ShapeError("G004", _too_large(op, kernel, dilation, shape, padding),
                             "use a smaller kernel or dilation, padding: same, or a larger "
                             "input")
        out.append(spatial_out(shape[axis], kernel[axis], strides[axis], dilation[axis], pad))
    return (out[0], out[1], channels)


def dilated_extent(kernel: int, dilation: int) -> int:
    """The input span of a dilated kernel, as Keras computes it: (k - 1) * d + 1."""
    return (kernel - 1) * dilation + 1


def _pair(values: tuple[int, int]) -> str:
    return str(values[0]) if values[0] == values[1] else f"{values[0]}x{values[1]}"


def _too_large(op: str, kernel: tuple[int, int], dilation: tuple[int, int], shape: Shape,
               padding: Any) -> str:
    what = f"the {kernel[0]}x{kernel[1]} window of `{op}`"
    if max(dilation) > 1:
        spans = [dilated_extent(k, d) for k, d in zip(kernel, dilation, strict=True)]
        what = (f"the {kernel[0]}x{kernel[1]} kernel of `{op}` with dilation "
                f"{_pair(dilation)} spans {spans[0]}x{spans[1]} and")
    where = f"{shape[0]}x{shape[1]} input"
    if not isinstance(padding, str):
        (top, bottom), (left, right) = padding
        where += f" ({shape[0] + top + bottom}x{shape[1] + left + right} padded)"
    return f"{what} is larger than its {where}"


def _conv2d(attrs: Attrs, shapes: Sequence[Shape]) -> Shape:
    (shape,) = shapes
    _need_rank("conv2d", shape, 3)
    cin = shape[2]
    groups = attrs["groups"]
    filters = attrs["filters"]
    table = attrs.get("connections")
    if table is not None:
        _check_table(table, filters, cin)
        if groups != 1:
            raise ShapeError("G007", "a conv2d cannot have both `groups` and `connections`")
        if max(attrs.get("dilation", (1, 1))) > 1:
            raise ShapeError("G007", "a conv2d with `connections` cannot be dilated: the Keras "
                             "backend has no dilated connection-table convolution",
                             "drop `dilation`, or drop `connections` and use a dense "
                             "convolution")
    elif cin % groups or filters % groups:
        raise ShapeError(
            "G006",
            f"`groups: {groups}` must divide both the input channels ({cin}) and `filters` "
            f"({filters})",
            "choose a number of groups that divides both",
        )
    return _window("conv2d", attrs, shape, attrs["kernel_size"], filters)


def _check_table(table: Sequence[Sequence[int]], filters: int, cin: int) -> None:
    if len(table) != filters:
        raise ShapeError(
            "G003",
            f"the connection table has {len(table)} rows but the layer has {filters} filters",
            "give one row per output map",
        )
    for row_index, row in enumerate(table):
        if not row:
            raise ShapeError("G003", f"row {row_index} of the connection table is empty")
        if len(set(row)) != len(row):
            raise ShapeError("G003", f"row {row_index} of the connection table repeats a map")
        bad = [i for i in row if i >= cin]
        if bad:
            raise ShapeError(
                "G003",
                f"row {row_index} of the connection table reads input map {bad[0]}, but the "
                f"input has only {cin} channels (maps 0..{cin - 1})",
                "the table's indices are 0-based input channels",
            )


def _depthwise(attrs: Attrs, shapes: Sequence[Shape]) -> Shape:
    (shape,) = shapes
    _need_rank("depthwise_conv2d", shape, 3)
    return _window("depthwise_conv2d", attrs, shape, attrs["kernel_size"],
                   shape[2] * attrs["depth_multiplier"])


def _separable(attrs: Attrs, shapes: Sequence[Shape]) -> Shape:
    (shape,) = shapes
    return _window("separable_conv2d", attrs, shape, attrs["kernel_size"], attrs["filters"])


def _pool(op: str) -> ShapeRule:
    def rule(attrs: Attrs, shapes: Sequence[Shape]) -> Shape:
        (shape,) = shapes
        _need_rank(op, shape, 3)
        return _window(op, attrs, shape, attrs["pool_size"], shape[2])

    return rule


def _dense(attrs: Attrs, shapes: Sequence[Shape]) -> Shape:
    (shape,) = shapes
    return (*shape[:-1], attrs["units"])


def _flatten(attrs: Attrs, shapes: Sequence[Shape]) -> Shape:
    (shape,) = shapes
    return (math.prod(shape),)


def _global_pool(attrs: Attrs, shapes: Sequence[Shape]) -> Shape:
    (shape,) = shapes
    _need_rank("global pooling", shape, 3)
    return (1, 1, shape[2]) if attrs["keepdims"] else (shape[2],)


def _same(attrs: Attrs, shapes: Sequence[Shape]) -> Shape:
    return shapes[0]


def _zero_padding(attrs: Attrs, shapes: Sequence[Shape]) -> Shape:
    (shape,) = shapes
    _need_rank("zero_padding2d", shape, 3)
    (top, bottom), (left, right) = attrs["padding"]
    return (shape[0] + top + bottom, shape[1] + left + right, shape[2])


def _concat(attrs: Attrs, shapes: Sequence[Shape]) -> Shape:
    first = shapes[0]
    for other in shapes[1:]:
        if len(other) != len(first) or other[:-1] != first[:-1]:
            raise ShapeError(
                "G001",
                "concat needs equal shapes except the channel axis; received "
                + ", ".join(_fmt(s) for s in shapes),
                "give every branch the same spatial size (padding: same, equal strides)",
            )
    return (*first[:-1], sum(s[-1] for s in shapes))


def _elementwise(op: str) -> ShapeRule:
    def rule(attrs: Attrs, shapes: Sequence[Shape]) -> Shape:
        out = list(shapes[0])
        for other in shapes[1:]:
            out = _broadcast(op, out, list(other), shapes)
        return tuple(out)

    return rule


def _broadcast(op: str, a: list[int], b: list[int], shapes: Sequence[Shape]) -> list[int]:
    if len(a) != len(b):
        raise ShapeError("G002", f"`{op}` needs inputs of one rank; received "
                         + ", ".join(_fmt(s) for s in shapes))
    out = []
    for x, y in zip(a, b, strict=True):
        if x != y and 1 not in (x, y):
            raise ShapeError(
                "G002",
                f"`{op}` needs equal shapes; received " + ", ".join(_fmt(s) for s in shapes),
                "project the shortcut (shortcut: projection) or match filters and strides"
                if op == "add" else None,
            )
        out.append(max(x, y))
    return out


def _input(attrs: Attrs, shapes: Sequence[Shape]) -> Shape:
    return tuple(attrs["shape"])


SHAPE_RULES: dict[Op, ShapeRule] = {
    Op.INPUT: _input,
    Op.CONV2D: _conv2d,
    Op.DEPTHWISE_CONV2D: _depthwise,
    Op.SEPARABLE_CONV2D: _separable,
    Op.DENSE: _dense,
    Op.FLATTEN: _flatten,
    Op.MAX_POOL2D: _pool("max_pool2d"),
    Op.AVG_POOL2D: _pool("avg_pool2d"),
    Op.SUBSAMPLING2D: _pool("subsampling2d"),
    Op.GLOBAL_AVG_POOL2D: _global_pool,
    Op.GLOBAL_MAX_POOL2D: _global_pool,
    Op.BATCH_NORM: _same,
    Op.LRN: _same,
    Op.ACTIVATION: _same,
    Op.DROPOUT: _same,
    Op.ZERO_PADDING2D: _zero_padding,
    Op.CONCAT: _concat,
    Op.ADD: _elementwise("add"),
    Op.MULTIPLY: _elementwise("multiply"),
}


def infer(op: Op, attrs: Attrs, input_shapes: Sequence[Shape]) -> Shape:
    """The output shape of one node; raises ShapeError for user-facing problems."""
    return SHAPE_RULES[op](attrs, input_shapes)
