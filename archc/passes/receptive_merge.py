"""The receptive field of a merge (`concat`, `add`, `multiply`, `scaled_add`): the union of
its branches' fields, unit by unit, with notes where the branches do not line up
(docs/receptive-field.md, "Merges")."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from archc.ir import Node, Shape
from archc.passes import receptive_phases as phases_
from archc.passes.receptive_types import AxisField, Field, Jump, from_phased, phased

_AXES = ("height", "width")


def merge(node: Node, fields: Sequence[Field], shapes: Sequence[Shape],
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
                shape[0] != out[0] or shape[1] != out[1] or \
                h.phases is not None or w.phases is not None:
            return None
    return (AxisField(max(a[0].size for _, a, _ in local), h0.jump, h0.start),
            AxisField(max(a[1].size for _, a, _ in local), w0.jump, w0.start))


def _branch_name(node: Node, name: str) -> str:
    """A branch's name relative to the merge's scope: `shortcut/bn`, not the full path."""
    prefix = "/".join(node.scope) + "/" if node.scope else ""
    return name[len(prefix):] if name.startswith(prefix) else name


def _grouped(values: Sequence[tuple[str, float | Fraction]]) -> str:
    """`` 0 (`a`, `b`) and 4 (`c`) ``, or "" when every branch has the same value."""
    groups: dict[float | Fraction, list[str]] = {}
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


def _union(branches: Sequence[tuple[AxisField, Jump]], units: int) -> AxisField:
    """The union of the branches along one axis; a branch's jump 0 means broadcast (every
    unit reads its unit 0). Exact when all share a jump; otherwise (contrived graphs) its
    largest size over the map's units, the largest jump and unit 0's centre, with a note."""
    if any(f.phases is not None for f, _ in branches) and \
            all(j == f.jump != 0 for f, j in branches):
        exact = phases_.union([phased(f) for f, _ in branches])
        if exact is not None:
            return from_phased(exact)
    last = max(units - 1, 0)
    # A field that moves linearly is largest at an end; a phased one may be anywhere.
    every = any(f.phases is not None for f, _ in branches)

    def span(i: int) -> tuple[float, float]:
        spans = [f.span(i if j else 0) for f, j in branches]
        return min(lo for lo, _ in spans), max(hi for _, hi in spans)

    lo0, hi0 = span(0)
    size = int(max(hi - lo for lo, hi in map(span, range(units) if every else (0, last)))) + 1
    return AxisField(size, max(j for _, j in branches), (lo0 + hi0) / 2)


def format_number(value: float | Fraction) -> str:
    """`3` or `3.5` (starts are multiples of one half); a fractional jump as `1/2`."""
    if isinstance(value, Fraction):
        return str(value)
    return str(int(value)) if float(value).is_integer() else str(value)
