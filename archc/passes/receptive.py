"""Receptive fields: what one unit of every node sees of the input, one pure rule per `Op`.

Per spatial axis a field is three numbers, in input pixels (pixel i's centre is at i, the
first pixel's at 0):

- `size` r: how many input pixels one unit depends on;
- `jump` j: how far apart, in input pixels, the fields of two neighbouring units lie (the
  effective stride, the product of every stride so far);
- `start`: the centre of the first unit's field (negative or beyond the image when
  padding puts it there; a multiple of 0.5).

A window of kernel k, dilation d (k_eff = d(k - 1) + 1), stride s and `p` pixels of padding
before the first row maps (r, j, start) to

    r' = r + (k_eff - 1) j,   j' = j s,   start' = start + ((k_eff - 1) / 2 - p) j

with `p` the padding TensorFlow puts *before* the data for `same` (the smaller half of
max((out - 1) s + k_eff - n, 0): Keras pads bottom/right more when the total is odd). A
merge sees the union of its branches' fields. Global pooling and flatten see the whole
input, and so does everything after them: such a field is `whole` and carries no numbers,
because "all of it" is the honest answer, not a size (a gate computed from a global pool,
as in squeeze-and-excitation, keeps the local window and marks it `global_`). The
arithmetic is the one the Distill article "Computing receptive fields of convolutional
neural networks" (Araujo et al. 2019) writes in closed form; docs/receptive-field.md shows
it with worked figures.

The fields are the theoretical ones: every pixel that can change a unit, which may reach
beyond the image (into padding) and is larger than the region that matters in a trained
network. Rules take the node, its input fields and shapes and its output
shape, and never fail: a shape problem was reported by the shape pass already.

Some ops break the three numbers: after an upsampling (or a transposed convolution with a
stride) s neighbouring units read the same input units, so their fields lie 0 or j apart,
not a constant jump; a reshape that moves positions scatters them. There the field is
**not defined** (`defined=False`, no numbers, a note on the node where it stops), and so
is everything that reads it until a global pool or flatten makes it the whole input again.
Saying so is sound; a fractional jump with sizes from the affine rule would understate the
field of some units (a 2x2 window after a 2x upsampling reads one input unit or two).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from archc.ir import Graph, Node, Op, Shape
from archc.ir.ops import (
    Conv2DTransposeAttrs,
    Cropping2DAttrs,
    UpSampling2DAttrs,
    ZeroPadding2DAttrs,
    window_of,
)


@dataclass(frozen=True)
class AxisField:
    """The field of one unit along one axis: size, jump (effective stride) and first centre."""

    size: int
    jump: int
    start: float

    @property
    def first(self) -> float:
        """The first input pixel the first unit sees (an integer, possibly negative)."""
        return self.start - (self.size - 1) / 2


@dataclass(frozen=True)
class Field:
    """What one unit of a node sees.

    `axes` (height, width) is the local window; None once no spatial structure is left
    (after flatten or global pooling), which reports print as "whole input". `global_` says
    that the unit also depends on every input pixel through a global summary: set by
    flatten and global pooling, and kept by what reads them, so the units after a
    squeeze-and-excitation gate have a local window *and* see the whole input. `inputs`
    names the model inputs the figures are measured in (several only after a merge of
    branches from different inputs); `notes` says where a merge's branches do not line up
    (different jumps or centres), on the merge node only.
    """

    axes: tuple[AxisField, AxisField] | None
    inputs: frozenset[str]
    notes: tuple[str, ...] = ()
    global_: bool = False
    defined: bool = True
    """False after an op whose units' fields the three numbers cannot describe (see the
    module docstring); `axes` is None then, but the field is not the whole input."""

    @property
    def whole(self) -> bool:
        """No local window is left: every unit sees the whole input and nothing less."""
        return self.axes is None and self.defined

    @property
    def size(self) -> tuple[int, int] | None:
        return None if self.axes is None else (self.axes[0].size, self.axes[1].size)

    @property
    def jump(self) -> tuple[int, int] | None:
        return None if self.axes is None else (self.axes[0].jump, self.axes[1].jump)

    @property
    def start(self) -> tuple[float, float] | None:
        return None if self.axes is None else (self.axes[0].start, self.axes[1].start)


FieldRule = Callable[[Node, Sequence[Field], Sequence[Shape], Shape], Field]

_AXES = ("height", "width")


def same_padding_before(size: int, kernel: int, stride: int, dilation: int) -> int:
    """Pixels TensorFlow pads before the data for `padding: same` (the smaller half)."""
    effective = dilation * (kernel - 1) + 1
    out = -(-size // stride)
    return max((out - 1) * stride + effective - size, 0) // 2


def _window_axis(f: AxisField, kernel: int, stride: int, dilation: int,
                 before: int) -> AxisField:
    reach = dilation * (kernel - 1)  # k_eff - 1
    return AxisField(f.size + reach * f.jump, f.jump * stride,
                     f.start + (reach / 2 - before) * f.jump)


def _window(node: Node, fields: Sequence[Field], shapes: Sequence[Shape], out: Shape) -> Field:
    """Convolutions and pools: kernel, stride, dilation and padding on each axis."""
    (field,) = fields
    if field.axes is None:
        return _plain(field)
    window = window_of(node.attrs)
    assert window is not None, node.op  # the table gives this rule to windowed ops only
    kernel, strides, dilation, padding = window
    axes = []
    for axis in range(2):
        if padding == "same":
            before = same_padding_before(shapes[0][axis], kernel[axis], strides[axis],
                                         dilation[axis])
        elif isinstance(padding, str):  # valid
            before = 0
        else:
            before = padding[axis][0]
        axes.append(_window_axis(field.axes[axis], kernel[axis], strides[axis],
                                 dilation[axis], before))
    return Field((axes[0], axes[1]), field.inputs, global_=field.global_)


def _zero_padding(node: Node, fields: Sequence[Field], shapes: Sequence[Shape],
                  out: Shape) -> Field:
    (field,) = fields
    if field.axes is None:
        return _plain(field)
    assert isinstance(node.attrs, ZeroPadding2DAttrs)
    (top, _), (left, _) = node.attrs.padding
    h, w = field.axes
    # The new first row is `top` rows of zeros before the old one: same size, same jump.
    return Field((AxisField(h.size, h.jump, h.start - top * h.jump),
                  AxisField(w.size, w.jump, w.start - left * w.jump)), field.inputs,
                 global_=field.global_)


def _cropping(node: Node, fields: Sequence[Field], shapes: Sequence[Shape],
              out: Shape) -> Field:
    (field,) = fields
    if field.axes is None:
        return _plain(field)
    assert isinstance(node.attrs, Cropping2DAttrs)
    (top, _), (left, _) = node.attrs.cropping
    h, w = field.axes
    # The new first row is the old row `top`: same size, same jump, `top` jumps further on.
    return Field((AxisField(h.size, h.jump, h.start + top * h.jump),
                  AxisField(w.size, w.jump, w.start + left * w.jump)), field.inputs,
                 global_=field.global_)


def _pointwise(node: Node, fields: Sequence[Field], shapes: Sequence[Shape],
               out: Shape) -> Field:
    """Ops that map each position on its own (normalisation, activation, dropout, and a
    dense layer applied to an H x W x C map, which acts like a 1x1 convolution)."""
    return _plain(fields[0])


def _plain(field: Field) -> Field:
    """The field without a node's notes: they belong to the merge (or the op where the
    field stops being defined), not to what follows."""
    if not field.notes:
        return field
    return Field(field.axes, field.inputs, global_=field.global_, defined=field.defined)


def _not_defined(field: Field, why: str) -> Field:
    """The field after an op the three numbers cannot follow (module docstring); `why`
    becomes the node's note where a defined window ends. The whole input stays whole."""
    if field.axes is None:
        return _plain(field)
    return Field(None, field.inputs, (f"the receptive field is not defined from here on: "
                                      f"{why}",), field.global_, defined=False)


def _reshape(node: Node, fields: Sequence[Field], shapes: Sequence[Shape],
             out: Shape) -> Field:
    """Keeping the shape changes nothing; to a vector (or a rank-2 array) it is a flatten;
    from a vector it keeps the vector's field (EfficientNet's SE: a pooled vector to 1x1xC);
    one map into another moves positions, so the field is not defined."""
    (field,) = fields
    if out == shapes[0]:
        return _plain(field)
    if len(out) != 3:
        return Field(None, field.inputs, global_=True)
    return _not_defined(field, f"`reshape` moves the positions of the "
                        f"{'x'.join(map(str, shapes[0]))} map")


def _conv_transpose(node: Node, fields: Sequence[Field], shapes: Sequence[Shape],
                    out: Shape) -> Field:
    """Stride 1: output unit o reads input units o + p - k + 1 .. o + p (p the padding the
    matching forward convolution puts before the data: 0 for valid, (k - 1) // 2 for
    same), a window of k like a convolution's, so r' = r + (k - 1) j and the centre moves
    by (p - (k - 1) / 2) j. With a stride the field is not defined: output units read
    ceil(k / s) or floor(k / s) input units in turn, not a sliding window."""
    (field,) = fields
    if field.axes is None:
        return _plain(field)
    a = node.attrs
    assert isinstance(a, Conv2DTransposeAttrs)
    if a.strides != (1, 1):
        h, w = a.strides
        return _not_defined(field, f"`conv2d_transpose` with strides {h}x{w} spreads each "
                            "input unit over a stride's worth of output units, whose fields "
                            "are no longer a constant jump apart")
    axes = []
    for axis in range(2):
        f, k = field.axes[axis], a.kernel_size[axis]
        before = (k - 1) // 2 if a.padding == "same" else 0
        axes.append(AxisField(f.size + (k - 1) * f.jump, f.jump,
                              f.start + (before - (k - 1) / 2) * f.jump))
    return Field((axes[0], axes[1]), field.inputs, global_=field.global_)


def _upsampling(node: Node, fields: Sequence[Field], shapes: Sequence[Shape],
                out: Shape) -> Field:
    """Size 1x1 changes nothing. Otherwise the field is not defined: with nearest
    neighbours `s` neighbouring units read one input unit, so their fields lie 0 or j
    apart (bilinear: one or two input units each), not a constant jump."""
    (field,) = fields
    assert isinstance(node.attrs, UpSampling2DAttrs)
    h, w = node.attrs.size
    if (h, w) == (1, 1):
        return _plain(field)
    return _not_defined(field, f"`upsampling2d` spreads each input unit over {h}x{w} "
                        "output units, whose fields are no longer a constant jump apart")


def _dfl(node: Node, fields: Sequence[Field], shapes: Sequence[Shape],
         out: Shape) -> Field:
    """Each output row is one position of one input map, but the rows list the maps'
    positions one after the other, level after level: no constant jump between rows, so the
    field is not defined (noted where a defined window ends)."""
    inputs = frozenset().union(*(f.inputs for f in fields))
    global_ = any(f.global_ for f in fields)
    if all(not f.defined for f in fields):
        return Field(None, inputs, (), global_, defined=False)
    return Field(None, inputs, ("the receptive field is not defined from here on: `dfl` "
                                "lists the positions of its input maps one after the other",),
                 global_, defined=False)


def _whole(node: Node, fields: Sequence[Field], shapes: Sequence[Shape],
           out: Shape) -> Field:
    """Global pooling and flatten: one value or vector from every position."""
    return Field(None, fields[0].inputs, global_=True)


def _dense(node: Node, fields: Sequence[Field], shapes: Sequence[Shape],
           out: Shape) -> Field:
    # On a vector every unit reads all of it; the vector came from flatten or global pooling.
    field = fields[0]
    return _plain(field) if len(shapes[0]) == 3 else Field(None, field.inputs, global_=True)


def _input(node: Node, fields: Sequence[Field], shapes: Sequence[Shape],
           out: Shape) -> Field:
    raise AssertionError("inputs are seeded, not derived")  # pragma: no cover


def _merge(node: Node, fields: Sequence[Field], shapes: Sequence[Shape],
           out: Shape) -> Field:
    """The union of the branches' fields, unit by unit.

    Where the branches agree in jump and centre this is the largest of them. Where they do
    not (a `same` pool beside a 1x1 shortcut on an even-sized map puts their centres one
    jump apart) the union is the span of all of them, measured at the first and the last
    unit (it changes linearly along the axis, so one of the two is the largest), and a note
    says so. A branch broadcast from a 1x1 map reads the same position for every unit. A
    branch with no window left (a squeeze-and-excitation gate) adds no window, but makes
    the result see the whole input as well (`global_`).
    """
    inputs = frozenset().union(*(f.inputs for f in fields))
    global_ = any(f.global_ for f in fields)
    if not all(f.defined for f in fields):
        return Field(None, inputs, global_=global_, defined=False)
    local = [(_branch_name(node, name), f.axes, s)
             for name, f, s in zip(node.inputs, fields, shapes, strict=True)
             if f.axes is not None]
    if not local or len(out) != 3:
        return Field(None, inputs, global_=True)
    aligned = _aligned(local, out)
    if aligned is not None and len(inputs) == 1:  # the common case, kept cheap
        return Field(aligned, inputs, (), global_)
    notes: list[str] = []
    if len(inputs) > 1:
        notes.append("the branches start from different inputs (" + ", ".join(sorted(inputs))
                     + "); the figures are in each input's own pixels")
    axes = []
    jumps: list[str] = []
    centres: list[str] = []
    for axis in range(2):
        branch = [(name, a[axis], 0 if s[axis] == 1 and out[axis] > 1 else a[axis].jump)
                  for name, a, s in local]
        axes.append(_union([(f, j) for _, f, j in branch], out[axis]))
        jumps.append(_grouped([(name, j) for name, _, j in branch]))
        centres.append(_grouped([(name, f.start) for name, f, _ in branch]))
    for kind, per_axis in (("jump", jumps), ("centre", centres)):
        notes.extend(_disagreement(kind, per_axis, out))
    return Field((axes[0], axes[1]), inputs, tuple(notes), global_)


def _aligned(local: Sequence[tuple[str, tuple[AxisField, AxisField], Shape]],
             out: Shape) -> tuple[AxisField, AxisField] | None:
    """The largest field when every branch has the same jump and centre on both axes and
    none is broadcast; None when the general union is needed."""
    _, (h0, w0), _ = local[0]
    for _, (h, w), shape in local:
        if (h.jump, h.start, w.jump, w.start) != (h0.jump, h0.start, w0.jump, w0.start) or \
                shape[0] != out[0] or shape[1] != out[1]:
            return None
    return (AxisField(max(a[0].size for _, a, _ in local), h0.jump, h0.start),
            AxisField(max(a[1].size for _, a, _ in local), w0.jump, w0.start))


def _branch_name(node: Node, name: str) -> str:
    """A branch's name relative to the merge's scope: `shortcut/bn`, not the full path."""
    prefix = "/".join(node.scope) + "/" if node.scope else ""
    return name[len(prefix):] if name.startswith(prefix) else name


def _grouped(values: Sequence[tuple[str, float]]) -> str:
    """`` 0 (`a`, `b`) and 4 (`c`) ``, or "" when every branch has the same value."""
    groups: dict[float, list[str]] = {}
    for name, value in values:
        groups.setdefault(value, []).append(f"`{name}`")
    if len(groups) < 2:
        return ""
    parts = [f"{format_number(value)} ({', '.join(names)})"
             for value, names in sorted(groups.items())]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _disagreement(kind: str, per_axis: Sequence[str], out: Shape) -> list[str]:
    """One note per axis that disagrees, or one for both when they disagree alike."""
    found = [(axis, text) for axis, text in zip(_AXES, per_axis, strict=True) if text]
    if len(found) == 2 and found[0][1] == found[1][1]:
        found = [("height and width", found[0][1])]
    notes = []
    for axis, text in found:
        if kind == "jump":
            notes.append(f"branches disagree in jump ({axis}): {text} input pixels; the "
                         "union differs from unit to unit: shown are its largest size and the "
                         "largest jump")
        else:
            notes.append(f"branches not aligned ({axis}): first-unit centres at input pixel "
                         f"{text}; the field spans them all")
    return notes


def _union(branches: Sequence[tuple[AxisField, int]], units: int) -> AxisField:
    last = max(units - 1, 0)

    def span(i: int) -> tuple[float, float]:
        lows = [f.first + i * j for f, j in branches]
        highs = [f.first + f.size - 1 + i * j for f, j in branches]
        return min(lows), max(highs)

    lo0, hi0 = span(0)
    lo1, hi1 = span(last)
    size = int(max(hi0 - lo0, hi1 - lo1)) + 1
    return AxisField(size, max(j for _, j in branches), (lo0 + hi0) / 2)


FIELD_RULES: dict[Op, FieldRule] = {
    Op.INPUT: _input,
    Op.CONV2D: _window,
    Op.DEPTHWISE_CONV2D: _window,
    Op.SEPARABLE_CONV2D: _window,  # its pointwise half is a 1x1: no change
    Op.CONV2D_TRANSPOSE: _conv_transpose,
    Op.DENSE: _dense,
    Op.FLATTEN: _whole,
    Op.MAX_POOL2D: _window,
    Op.AVG_POOL2D: _window,
    Op.SUBSAMPLING2D: _window,
    Op.GLOBAL_AVG_POOL2D: _whole,
    Op.GLOBAL_MAX_POOL2D: _whole,
    Op.BATCH_NORM: _pointwise,
    Op.LRN: _pointwise,  # across channels only
    Op.LAYER_NORM: _pointwise,  # across channels only
    Op.LAYER_SCALE: _pointwise,
    Op.RESCALING: _pointwise,
    Op.NORMALIZATION: _pointwise,
    Op.ACTIVATION: _pointwise,
    Op.DROPOUT: _pointwise,
    Op.ZERO_PADDING2D: _zero_padding,
    Op.CROPPING2D: _cropping,
    Op.RESHAPE: _reshape,
    Op.UPSAMPLING2D: _upsampling,
    Op.CHANNEL_SLICE: _pointwise,  # a piece of the channels at each position
    Op.DFL: _dfl,
    Op.CONCAT: _merge,
    Op.ADD: _merge,
    Op.MULTIPLY: _merge,
    Op.SCALED_ADD: _merge,
}


def input_field(name: str, shape: Shape) -> Field:
    """A model input: every pixel sees itself. A vector input has no window to grow."""
    if len(shape) != 3:
        return Field(None, frozenset((name,)))
    one = AxisField(1, 1, 0.0)
    return Field((one, one), frozenset((name,)))


def receptive_fields(graph: Graph, shapes: Mapping[str, Shape]) -> dict[str, Field]:
    """Every node's field, in graph order (inputs included)."""
    fields: dict[str, Field] = {}
    for node in graph.nodes:
        if node.op is Op.INPUT:
            fields[node.name] = input_field(node.name, shapes[node.name])
            continue
        fields[node.name] = FIELD_RULES[node.op](
            node, [fields[i] for i in node.inputs], [shapes[i] for i in node.inputs],
            shapes[node.name])
    return fields


# -- text ---------------------------------------------------------------------------------------

WHOLE_INPUT = "whole input"
NOT_DEFINED = "not defined"


def format_number(value: float) -> str:
    """`3` or `3.5`: starts are multiples of one half."""
    return str(int(value)) if float(value).is_integer() else str(value)


def format_field(field: Field) -> str:
    """`212x212 /32` (size, then the jump as a stride), `+global` when the unit also reads
    a summary of the whole input, `whole input` when no window is left, or `not defined`."""
    if not field.defined:
        return NOT_DEFINED
    if field.axes is None:
        return WHOLE_INPUT
    h, w = field.axes
    jump = f"{h.jump}" if h.jump == w.jump else f"{h.jump}x{w.jump}"
    return f"{h.size}x{w.size} /{jump}" + (" +global" if field.global_ else "")
