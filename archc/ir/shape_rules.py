"""Shape rules: pure functions from typed attributes and input shapes to the output shape.

The op catalogue (`archc.ir.ops`) names one rule per op. A rule raises `Problem` with a
message that names the shapes involved; the lowerer locates it. The formulas are Keras's
(`compute_conv_output_shape`), so a built model agrees by construction, and the Keras
backend re-checks it anyway.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from archc.diagnostics import Problem

if TYPE_CHECKING:  # the records are defined with the catalogue, which imports these rules
    from archc.ir.ops import (
        Attrs,
        ChannelSliceAttrs,
        Conv2DAttrs,
        Conv2DTransposeAttrs,
        Cropping2DAttrs,
        DenseAttrs,
        DepthwiseConv2DAttrs,
        DFLAttrs,
        GlobalPool2DAttrs,
        InputAttrs,
        Padding,
        Pool2DAttrs,
        ReshapeAttrs,
        SeparableConv2DAttrs,
        Subsampling2DAttrs,
        UpSampling2DAttrs,
        ZeroPadding2DAttrs,
    )

Shape = tuple[int, ...]


def format_shape(shape: Shape | None) -> str:
    """`224x224x3`; `?` for a shape an earlier error left unknown."""
    if shape is None:
        return "?"
    return "x".join(str(d) for d in shape)


def _need_rank(op: str, shape: Shape, rank: int) -> None:
    if len(shape) != rank:
        what = "an image-like H x W x C" if rank == 3 else f"rank {rank}"
        raise Problem("G005", f"`{op}` needs {what} input; received {format_shape(shape)}",
                      "add a `flatten` or a global pooling layer before dense layers, or "
                      "remove it before spatial ones" if rank == 3 else None)


def spatial_out(size: int, kernel: int, stride: int, dilation: int,
                pad: str | tuple[int, int]) -> int:
    """Output length of one spatial axis (Keras / TensorFlow conventions)."""
    if pad == "same":
        return math.ceil(size / stride)
    before, after = (0, 0) if isinstance(pad, str) else pad
    return (size + before + after - dilated_extent(kernel, dilation)) // stride + 1


def window(op: str, shape: Shape, kernel: tuple[int, int], strides: tuple[int, int],
           dilation: tuple[int, int], padding: Padding, channels: int) -> Shape:
    """The output of a windowed op (conv or pool) on an H x W x C input."""
    _need_rank(op, shape, 3)
    if max(strides) > 1 and max(dilation) > 1:
        # Keras refuses the pair when the model is built; say so at check time instead.
        raise Problem(
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
            raise Problem("G004", _too_large(op, kernel, dilation, shape, padding),
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
               padding: Padding) -> str:
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


def conv2d(a: Conv2DAttrs, shapes: Sequence[Shape]) -> Shape:
    (shape,) = shapes
    _need_rank("conv2d", shape, 3)
    cin = shape[2]
    if a.connections is not None:
        problem = table_problem(a.connections, a.filters, cin)
        if problem is not None:
            raise Problem("G003", *problem)
        if a.groups != 1:
            raise Problem("G007", "a conv2d cannot have both `groups` and `connections`")
        if max(a.dilation) > 1:
            raise Problem("G007", "a conv2d with `connections` cannot be dilated: the Keras "
                          "backend has no dilated connection-table convolution",
                          "drop `dilation`, or drop `connections` and use a dense "
                          "convolution")
    elif cin % a.groups or a.filters % a.groups:
        raise Problem(
            "G006",
            f"`groups: {a.groups}` must divide both the input channels ({cin}) and `filters` "
            f"({a.filters})",
            "choose a number of groups that divides both",
        )
    return window("conv2d", shape, a.kernel_size, a.strides, a.dilation, a.padding, a.filters)


def table_problem(table: Sequence[Sequence[int]], filters: int,
                  cin: int | None) -> tuple[str, str | None] | None:
    """What is wrong with a connection table (message, help), or None.

    Shared by the shape rule and the Keras layer, which checks the table it is given.
    `cin` None skips the check against the input's channels (not known yet).
    """
    if len(table) != filters:
        return (f"the connection table has {len(table)} rows but the layer has {filters} "
                "filters", "give one row per output map")
    for row_index, row in enumerate(table):
        if not row:
            return (f"row {row_index} of the connection table is empty", None)
        if len(set(row)) != len(row):
            return (f"row {row_index} of the connection table repeats a map", None)
        if min(row) < 0:
            return (f"row {row_index} of the connection table has a negative map index", None)
        bad = [i for i in row if cin is not None and i >= cin]
        if bad:
            return (f"row {row_index} of the connection table reads input map {bad[0]}, but "
                    f"the input has only {cin} channels (maps 0..{(cin or 0) - 1})",
                    "the table's indices are 0-based input channels")
    return None


def depthwise(a: DepthwiseConv2DAttrs, shapes: Sequence[Shape]) -> Shape:
    (shape,) = shapes
    _need_rank("depthwise_conv2d", shape, 3)
    return window("depthwise_conv2d", shape, a.kernel_size, a.strides, a.dilation, a.padding,
                  shape[2] * a.depth_multiplier)


def separable(a: SeparableConv2DAttrs, shapes: Sequence[Shape]) -> Shape:
    (shape,) = shapes
    return window("separable_conv2d", shape, a.kernel_size, a.strides, a.dilation, a.padding,
                  a.filters)


def transposed_out(size: int, kernel: int, stride: int, padding: str) -> int:
    """Output length of one axis of Keras 3's `Conv2DTranspose` (no `output_padding`):
    `same` gives size x stride; `valid` gives (size - 1) x stride + max(kernel, stride), not
    the textbook (size - 1) x stride + kernel, which differs when the kernel is smaller than
    the stride (Keras pads the output up to whole strides)."""
    if padding == "same":
        return size * stride
    return (size - 1) * stride + max(kernel, stride)


def conv2d_transpose(a: Conv2DTransposeAttrs, shapes: Sequence[Shape]) -> Shape:
    (shape,) = shapes
    _need_rank("conv2d_transpose", shape, 3)
    return (transposed_out(shape[0], a.kernel_size[0], a.strides[0], a.padding),
            transposed_out(shape[1], a.kernel_size[1], a.strides[1], a.padding), a.filters)


def pool(op: str) -> Callable[[Pool2DAttrs | Subsampling2DAttrs, Sequence[Shape]], Shape]:
    def rule(a: Pool2DAttrs | Subsampling2DAttrs, shapes: Sequence[Shape]) -> Shape:
        (shape,) = shapes
        _need_rank(op, shape, 3)
        return window(op, shape, a.pool_size, a.strides, (1, 1), a.padding, shape[2])

    return rule


def dense(a: DenseAttrs, shapes: Sequence[Shape]) -> Shape:
    (shape,) = shapes
    return (*shape[:-1], a.units)


def flatten(a: Attrs, shapes: Sequence[Shape]) -> Shape:
    (shape,) = shapes
    return (math.prod(shape),)


def global_pool(a: GlobalPool2DAttrs, shapes: Sequence[Shape]) -> Shape:
    (shape,) = shapes
    _need_rank("global pooling", shape, 3)
    return (1, 1, shape[2]) if a.keepdims else (shape[2],)


def same(a: Attrs, shapes: Sequence[Shape]) -> Shape:
    return shapes[0]


def channel_constants(op: str, *names: str) -> Callable[[Attrs, Sequence[Shape]], Shape]:
    """An op that keeps its input's shape and holds constants per channel (`rescaling`'s
    scale, `normalization`'s mean): each is one number, or one per channel (G013)."""
    def rule(a: Attrs, shapes: Sequence[Shape]) -> Shape:
        (shape,) = shapes
        channels = shape[-1]
        for name in names:
            value = getattr(a, name)
            if isinstance(value, tuple) and len(value) != channels:
                raise Problem(
                    "G013",
                    f"`{name}` of `{op}` has {len(value)} values, but its input "
                    f"{format_shape(shape)} has {channels} channel{'s' * (channels != 1)}",
                    f"give one number for all channels, or a list of {channels}",
                )
        return shape

    return rule


def zero_padding(a: ZeroPadding2DAttrs, shapes: Sequence[Shape]) -> Shape:
    (shape,) = shapes
    _need_rank("zero_padding2d", shape, 3)
    (top, bottom), (left, right) = a.padding
    return (shape[0] + top + bottom, shape[1] + left + right, shape[2])


def reshape(a: ReshapeAttrs, shapes: Sequence[Shape]) -> Shape:
    """Keras `Reshape`: the same elements in a new shape; one -1 takes what is left."""
    (shape,) = shapes
    total = math.prod(shape)
    known = math.prod(d for d in a.shape if d != -1)
    target = "[" + ", ".join(str(d) for d in a.shape) + "]"
    if -1 in a.shape:
        if total % known:
            raise Problem("G014", f"cannot reshape {format_shape(shape)} ({total:,} values) "
                          f"to {target}: {total:,} is not a multiple of {known:,}",
                          "the known entries must multiply to a divisor of the input's size")
        return tuple(total // known if d == -1 else d for d in a.shape)
    if known != total:
        raise Problem("G014", f"cannot reshape {format_shape(shape)} ({total:,} values) to "
                      f"{target} ({known:,} values)",
                      "the entries must multiply to the input's size; one may be -1")
    return tuple(a.shape)


def upsampling(a: UpSampling2DAttrs, shapes: Sequence[Shape]) -> Shape:
    (shape,) = shapes
    _need_rank("upsampling2d", shape, 3)
    return (shape[0] * a.size[0], shape[1] * a.size[1], shape[2])


def cropping(a: Cropping2DAttrs, shapes: Sequence[Shape]) -> Shape:
    (shape,) = shapes
    _need_rank("cropping2d", shape, 3)
    (top, bottom), (left, right) = a.cropping
    height, width = shape[0] - top - bottom, shape[1] - left - right
    if height < 1 or width < 1:
        raise Problem("G012", f"`cropping2d` removes {top + bottom} rows and {left + right} "
                      f"columns, but its input is {format_shape(shape)}",
                      f"crop fewer than {shape[0]} rows and {shape[1]} columns")
    return (height, width, shape[2])


def channel_slice(a: ChannelSliceAttrs, shapes: Sequence[Shape]) -> Shape:
    """The input with channels `start` to `stop` (excluded); any rank, channels last."""
    (shape,) = shapes
    channels = shape[-1]
    if a.stop <= a.start or a.stop > channels:
        raise Problem("G019", f"`channel_slice` takes channels {a.start} to {a.stop} "
                      f"(excluded), but its input is {format_shape(shape)} ({channels} "
                      "channels)",
                      f"`start` < `stop` <= {channels}; channels count from 0 and `stop` "
                      "is excluded, as in Python's x[start:stop]")
    return (*shape[:-1], a.stop - a.start)


def dfl(a: DFLAttrs, shapes: Sequence[Shape]) -> Shape:
    """(positions of every input, 4): each input is an H x W x (4 x bins) box map, its
    positions row by row, the inputs one after the other (YOLOv8's order of anchors)."""
    for shape in shapes:
        if len(shape) != 3 or shape[-1] != 4 * a.bins:
            raise Problem("G020", f"`dfl` reads H x W x {4 * a.bins} box maps (4 sides x "
                          f"{a.bins} bins); received {format_shape(shape)}",
                          f"give it the box branch of each level, {4 * a.bins} channels "
                          "(`channel_slice` them off a map that holds more), or set `bins`")
    return (sum(s[0] * s[1] for s in shapes), 4)


def concat(a: Attrs, shapes: Sequence[Shape]) -> Shape:
    first = shapes[0]
    for other in shapes[1:]:
        if len(other) != len(first) or other[:-1] != first[:-1]:
            raise Problem(
                "G001",
                "concat needs equal shapes except the channel axis; received "
                + ", ".join(format_shape(s) for s in shapes),
                "give every branch the same spatial size (padding: same, equal strides)",
            )
    return (*first[:-1], sum(s[-1] for s in shapes))


def elementwise(op: str) -> Callable[[Attrs, Sequence[Shape]], Shape]:
    def rule(a: Attrs, shapes: Sequence[Shape]) -> Shape:
        out = list(shapes[0])
        for other in shapes[1:]:
            out = _broadcast(op, out, list(other), shapes)
        return tuple(out)

    return rule


def _broadcast(op: str, a: list[int], b: list[int], shapes: Sequence[Shape]) -> list[int]:
    if len(a) != len(b):
        raise Problem("G002", f"`{op}` needs inputs of one rank; received "
                      + ", ".join(format_shape(s) for s in shapes))
    out = []
    for x, y in zip(a, b, strict=True):
        if x != y and 1 not in (x, y):
            raise Problem(
                "G002",
                f"`{op}` needs equal shapes; received "
                + ", ".join(format_shape(s) for s in shapes),
                "project the shortcut (shortcut: projection) or match filters and strides"
                if op in ("add", "scaled_add") else None,
            )
        out.append(max(x, y))
    return out


def input_shape(a: InputAttrs, shapes: Sequence[Shape]) -> Shape:
    return tuple(a.shape)
