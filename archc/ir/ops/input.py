"""The model input: a placeholder node with a shape, no spec arguments of its own (the
header's `input:` / `inputs:` give it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from archc.ir.ops.base import Attrs, Family, OpDef, OpKind, Reach, Shape


class InputOp(OpKind):
    INPUT = "input"


@dataclass(frozen=True)
class InputAttrs(Attrs):
    shape: Shape


def input_shape(a: InputAttrs, shapes: Sequence[Shape]) -> Shape:
    return tuple(a.shape)


DEFS: tuple[OpDef[InputAttrs], ...] = (
    OpDef(InputOp.INPUT, InputAttrs, Family.INPUT, input_shape, min_inputs=0, max_inputs=0,
          reach=Reach.INPUT, doc="A model input: the header's `input` or one of `inputs`."),
)
