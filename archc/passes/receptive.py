"""Receptive fields: what one unit of every node sees of the input, one pure rule per kind
of reach (`archc.ir.ops.Reach`; each op names its kind in the catalogue).

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

Upsampling (and a transposed convolution with a stride) makes neighbouring units read the
same input units, so their fields are no longer a constant jump apart; they are periodic,
though, and archc/passes/receptive_phases.py follows them exactly: an axis then carries its
`phases` (the first and last input pixel of each unit of one period), its `size` is the
largest field of any unit, and its `jump` the average distance between neighbouring fields,
a `Fraction` when the map is finer than the input. Where a unit's inputs move with its
position in no regular way (a reshape of one map into another, `dfl`'s listed positions, a
transposed convolution whose kernel is smaller than its stride) the field is **not
defined** (`defined=False`, no numbers, a note on the node where it stops), and so is
everything that reads it until a global pool or flatten makes it the whole input again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from archc.ir import Graph, Node, Shape
from archc.ir.ops import (
    CATALOGUE,
    Conv2DTransposeAttrs,
    Cropping2DAttrs,
    InputOp,
    Reach,
    UpSampling2DAttrs,
    ZeroPadding2DAttrs,
    window_of,
)
from archc.ir.printer import format_shape
from archc.passes import receptive_phases as phases_
from archc.passes.receptive_merge import format_number as format_number
from archc.passes.receptive_merge import merge
from archc.passes.receptive_types import AxisField as AxisField
from archc.passes.receptive_types import Field as Field
from archc.passes.receptive_types import Jump as Jump
from archc.passes.receptive_types import from_phased as from_phased
from archc.passes.receptive_types import phased as phased

FieldRule = Callable[[Node, Sequence[Field], Sequence[Shape], Shape], Field]

def same_padding_before(size: int, kernel: int, stride: int, dilation: int) -> int:
    """Pixels TensorFlow pads before the data for `padding: same` (the smaller half)."""
    effective = dilation * (kernel - 1) + 1
    out = -(-size // stride)
    return max((out - 1) * stride + effective - size, 0) // 2


def _window_axis(f: AxisField, kernel: int, stride: int, dilation: int,
                 before: int) -> AxisField:
    if f.phases is not None or not isinstance(f.jump, int):
        return from_phased(phases_.window(phased(f), kernel, stride, dilation, before))
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
    # The new first row is `top` rows of zeros before the old one: same size, same jump.
    return _shift(field, -top, -left)


def _cropping(node: Node, fields: Sequence[Field], shapes: Sequence[Shape],
              out: Shape) -> Field:
    (field,) = fields
    if field.axes is None:
        return _plain(field)
    assert isinstance(node.attrs, Cropping2DAttrs)
    (top, _), (left, _) = node.attrs.cropping
    # The new first row is the old row `top`: same size, same jump, `top` jumps further on.
    return _shift(field, top, left)


def _shift(field: Field, rows: int, columns: int) -> Field:
    """Unit o becomes the input's unit o + rows (o + columns across)."""
    assert field.axes is not None
    axes = tuple(AxisField(f.size, f.jump, f.start + units * f.jump) if f.phases is None
                 else from_phased(phases_.shifted(phased(f), units))
                 for f, units in zip(field.axes, (rows, columns), strict=True))
    return Field((axes[0], axes[1]), field.inputs, global_=field.global_)


def _pointwise(node: Node, fields: Sequence[Field], shapes: Sequence[Shape],
               out: Shape) -> Field:
    """Ops that map each position on its own (normalisation, activation, dropout, and a
    dense layer applied to an H x W x C map, which acts like a 1x1 convolution)."""
    return _plain(fields[0])


def _map_statistics(node: Node, fields: Sequence[Field], shapes: Sequence[Shape],
                    out: Shape) -> Field:
    """A normalisation whose statistics span every position (group norm): each unit keeps
    its own position's window, and also reads a summary of the whole map, so the field is
    marked `global_` as after a squeeze-and-excitation gate. A field with no window left,
    or one no longer defined, stays what it was."""
    field = fields[0]
    return Field(field.axes, field.inputs, global_=True, defined=field.defined)


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
                        f"{format_shape(shapes[0])} map")


def _conv_transpose(node: Node, fields: Sequence[Field], shapes: Sequence[Shape],
                    out: Shape) -> Field:
    """Output unit o reads input units ceil((o + p - k + 1) / s) .. floor((o + p) / s), p the
    padding the matching forward convolution puts before the data (0 for valid, the smaller
    half of max(k - s, 0) for same). Stride 1: a window of k like a convolution's, so
    r' = r + (k - 1) j and the centre moves by (p - (k - 1) / 2) j. A stride s divides the
    jump by s (receptive_phases.transposed); with k < s some units read no input at all,
    and the field is not defined."""
    (field,) = fields
    if field.axes is None:
        return _plain(field)
    a = node.attrs
    assert isinstance(a, Conv2DTransposeAttrs)
    if any(k < s for k, s in zip(a.kernel_size, a.strides, strict=True)):
        h, w = a.strides
        return _not_defined(field, f"`conv2d_transpose` with strides {h}x{w} and a smaller "
                            "kernel leaves some output units reading no input unit")
    axes = []
    for axis in range(2):
        f, k, s = field.axes[axis], a.kernel_size[axis], a.strides[axis]
        before = max(k - s, 0) // 2 if a.padding == "same" else 0
        if s == 1 and f.phases is None and isinstance(f.jump, int):
            axes.append(AxisField(f.size + (k - 1) * f.jump, f.jump,
                                  f.start + (before - (k - 1) / 2) * f.jump))
            continue
        spread = phases_.transposed(phased(f), k, s, before)
        assert spread is not None  # k >= s checked above
        axes.append(from_phased(spread))
    return Field((axes[0], axes[1]), field.inputs, global_=field.global_)


def _upsampling(node: Node, fields: Sequence[Field], shapes: Sequence[Shape],
                out: Shape) -> Field:
    """Nearest: unit o reads input unit floor(o / s), so the size stays and the jump is
    divided by s; bilinear: it mixes the one or two units around it, so the largest field
    grows by one input jump (receptive_phases.nearest and .bilinear)."""
    (field,) = fields
    if field.axes is None:
        return _plain(field)
    assert isinstance(node.attrs, UpSampling2DAttrs)
    rule = phases_.bilinear if node.attrs.interpolation == "bilinear" else phases_.nearest
    axes = tuple(from_phased(rule(phased(f), s))
                 for f, s in zip(field.axes, node.attrs.size, strict=True))
    return Field((axes[0], axes[1]), field.inputs, global_=field.global_)


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


FIELD_RULES: dict[Reach, FieldRule] = {
    Reach.INPUT: _input,
    Reach.WINDOW: _window,
    Reach.POINTWISE: _pointwise,
    Reach.MAP_STATISTICS: _map_statistics,
    Reach.WHOLE: _whole,
    Reach.DENSE: _dense,
    Reach.PADDING: _zero_padding,
    Reach.CROPPING: _cropping,
    Reach.RESHAPE: _reshape,
    Reach.TRANSPOSED: _conv_transpose,
    Reach.UPSAMPLING: _upsampling,
    Reach.LISTED: _dfl,
    Reach.MERGE: merge,
}
"""One rule per kind of reach; an op names its kind in its catalogue entry (`OpDef.reach`)."""


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
        if node.op is InputOp.INPUT:
            fields[node.name] = input_field(node.name, shapes[node.name])
            continue
        fields[node.name] = FIELD_RULES[CATALOGUE[node.op].reach](
            node, [fields[i] for i in node.inputs], [shapes[i] for i in node.inputs],
            shapes[node.name])
    return fields


# -- text ---------------------------------------------------------------------------------------

WHOLE_INPUT = "whole input"
NOT_DEFINED = "not defined"


def format_jump(jump: Jump) -> str:
    """`32`, or a fraction in parentheses, `(1/2)`, so that `/(1/2)` reads as one stride."""
    return str(jump) if isinstance(jump, int) else f"({jump})"


def format_field(field: Field) -> str:
    """`212x212 /32` (size, then the jump as a stride), `+global` when the unit also reads
    a summary of the whole input, `whole input` when no window is left, or `not defined`."""
    if not field.defined:
        return NOT_DEFINED
    if field.axes is None:
        return WHOLE_INPUT
    h, w = field.axes
    jump = format_jump(h.jump) if h.jump == w.jump else \
        f"{format_jump(h.jump)}x{format_jump(w.jump)}"
    return f"{h.size}x{w.size} /{jump}" + (" +global" if field.global_ else "")
