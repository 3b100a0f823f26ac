"""Shape rules shared by several ops: the window arithmetic of convolutions and pools, rank
checks, shape formatting. Pure functions of plain values and base records.

Each op's own shape rule sits with its definition (archc/ir/ops/<family>.py) and builds on
these. A rule raises `Problem` with a message that names the shapes involved; the lowerer
locates it. The formulas are Keras's (`compute_conv_output_shape`), so a built model agrees
by construction, and the Keras backend re-checks it anyway.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from archc.diagnostics import Problem
from archc.ir.ops.base import Attrs, Padding
from archc.ir.ops.base import Shape as Shape


def format_shape(shape: Shape | None) -> str:
    """`224x224x3`; `?` for a shape an earlier error left unknown."""
    if shape is None:
        return "?"
    return "x".join(str(d) for d in shape)


def need_rank(op: str, shape: Shape, rank: int) -> None:
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
    need_rank(op, shape, 3)
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


def format_pair(values: tuple[int, int]) -> str:
    """`3` for (3, 3), `1x2` for (1, 2): how messages print a pair."""
    return str(values[0]) if values[0] == values[1] else f"{values[0]}x{values[1]}"


def _too_large(op: str, kernel: tuple[int, int], dilation: tuple[int, int], shape: Shape,
               padding: Padding) -> str:
    what = f"the {kernel[0]}x{kernel[1]} window of `{op}`"
    if max(dilation) > 1:
        spans = [dilated_extent(k, d) for k, d in zip(kernel, dilation, strict=True)]
        what = (f"the {kernel[0]}x{kernel[1]} kernel of `{op}` with dilation "
                f"{format_pair(dilation)} spans {spans[0]}x{spans[1]} and")
    where = f"{shape[0]}x{shape[1]} input"
    if not isinstance(padding, str):
        (top, bottom), (left, right) = padding
        where += f" ({shape[0] + top + bottom}x{shape[1] + left + right} padded)"
    return f"{what} is larger than its {where}"



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


def transposed_out(size: int, kernel: int, stride: int, padding: str) -> int:
    """Output length of one axis of Keras 3's `Conv2DTranspose` (no `output_padding`):
    `same` gives size x stride; `valid` gives (size - 1) x stride + max(kernel, stride), not
    the textbook (size - 1) x stride + kernel, which differs when the kernel is smaller than
    the stride (Keras pads the output up to whole strides)."""
    if padding == "same":
        return size * stride
    return (size - 1) * stride + max(kernel, stride)


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
