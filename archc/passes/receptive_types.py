"""The receptive field records (archc/passes/receptive.py computes them): per axis the
size, jump and first centre, plus the periodic `phases` an upsampling leaves behind
(archc/passes/receptive_phases.py), and per node the two axes with what marks them (whole
input, a global summary, not defined, notes)."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from archc.passes.receptive_phases import Phased

Jump = int | Fraction
"""A jump is an `int` whenever it is whole (so figures print and compare as they always
did) and a `Fraction` only after an upsampling beyond the last stride."""


@dataclass(frozen=True)
class AxisField:
    """The field of one unit along one axis: size, jump (effective stride) and first centre.

    `phases` is None when every unit's field has the same size and they lie a constant jump
    apart. After an upsampling it holds, for units 0 .. P - 1, the first and last input
    pixel each sees; unit q P + t then sees phase t's pixels q P jump further on, `size` is
    the largest of the P fields and `start` the centre of unit 0's.
    """

    size: int
    jump: Jump
    start: float
    phases: tuple[tuple[float, float], ...] | None = None

    @property
    def first(self) -> float:
        """The first input pixel the first unit sees (an integer, possibly negative)."""
        if self.phases is not None:
            return self.phases[0][0]
        return self.start - (self.size - 1) / 2

    def span(self, unit: int) -> tuple[float, float]:
        """The first and last input pixel unit `unit` sees (any integer, padding's too)."""
        lo, hi = phased(self).span(unit)
        return float(lo), float(hi)


def phased(f: AxisField) -> Phased:
    """The exact periodic form of an axis field (period 1 for a classic one)."""
    if f.phases is None:
        first = Fraction(f.first)
        return Phased(1, Fraction(f.jump), (first,), (first + f.size - 1,))
    return Phased(len(f.phases), Fraction(f.jump) * len(f.phases),
                  tuple(Fraction(lo) for lo, _ in f.phases),
                  tuple(Fraction(hi) for _, hi in f.phases))


def _whole_jump(value: Fraction) -> Jump:
    return int(value) if value.denominator == 1 else value


def from_phased(p: Phased) -> AxisField:
    """Back to an `AxisField`: the classic triple when the period is 1."""
    start = float((p.lows[0] + p.highs[0]) / 2)
    phases = None if p.period == 1 else tuple(
        (float(lo), float(hi)) for lo, hi in zip(p.lows, p.highs, strict=True))
    return AxisField(int(p.size), _whole_jump(p.jump), start, phases)


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
    def jump(self) -> tuple[Jump, Jump] | None:
        return None if self.axes is None else (self.axes[0].jump, self.axes[1].jump)

    @property
    def start(self) -> tuple[float, float] | None:
        return None if self.axes is None else (self.axes[0].start, self.axes[1].start)


