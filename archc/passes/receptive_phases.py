"""Per-axis receptive fields that repeat every few units: what upsampling makes.

After a 2x nearest upsampling, output units 2q and 2q + 1 both read input unit q: their
fields coincide, and the next pair's lie one input jump further on. The fields are not a
constant jump apart, but they are *periodic*: a period of P units after which the pattern
repeats, D input pixels further on. So an axis is described exactly by P, D and, for each
phase t < P, the first and last input pixel of unit t's field; unit qP + t sees
[low_t + qD, high_t + qD]. The jump (the average distance between neighbouring fields) is
D / P, a fraction when the map is finer than the input.

Every rule of archc/passes/receptive.py has an exact form on this representation, because
each output unit reads a run of input units fixed by its index alone: a window reads units
o s - p .. o s - p + d (k - 1), nearest upsampling reads floor(o / s), bilinear the one or
two units around (o + 1/2) / s - 1/2, a transposed convolution the units whose kernel taps
land on o. The field of the output unit is the span of those units' fields. A field with
P = 1 is the classic (size, jump, start) triple; receptive.py keeps that form there, so
nothing changes for networks without upsampling.

All arithmetic is on `Fraction`s: positions are whole or half pixels, and jumps may be any
fraction, so results are exact and print the same on every machine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import gcd, lcm


@dataclass(frozen=True)
class Phased:
    """An axis field as `period` phases: unit q period + t sees [lows[t] + q shift,
    highs[t] + q shift] (input pixels, first and last)."""

    period: int
    shift: Fraction
    lows: tuple[Fraction, ...]
    highs: tuple[Fraction, ...]

    def span(self, unit: int) -> tuple[Fraction, Fraction]:
        """The first and last input pixel that unit `unit` sees (any integer: units before
        0 or past the map are the ones padding stands in for)."""
        q, t = divmod(unit, self.period)
        return self.lows[t] + q * self.shift, self.highs[t] + q * self.shift

    @property
    def jump(self) -> Fraction:
        return self.shift / self.period

    @property
    def size(self) -> Fraction:
        """The largest field over all phases, in pixels."""
        return max(h - lo for lo, h in zip(self.lows, self.highs, strict=True)) + 1

    def reduced(self) -> Phased:
        """The same fields with the shortest period that describes them (so a pattern that
        has become regular again prints as the classic triple)."""
        for p in range(1, self.period):
            if self.period % p or (self.shift * p) % self.period:
                continue
            step = self.shift * p / self.period
            if all(self.lows[t + p] == self.lows[t] + step and
                   self.highs[t + p] == self.highs[t] + step
                   for t in range(self.period - p)):
                return Phased(p, step, self.lows[:p], self.highs[:p])
        return self


def _build(period: int, shift: Fraction, reads: Sequence[tuple[int, int]],
           source: Phased) -> Phased:
    """Unit t (t < period) reads source units reads[t] = (first, last): its field is the
    span of theirs."""
    lows = tuple(min(source.span(u)[0] for u in range(a, b + 1)) for a, b in reads)
    highs = tuple(max(source.span(u)[1] for u in range(a, b + 1)) for a, b in reads)
    return Phased(period, shift, lows, highs).reduced()


def window(f: Phased, kernel: int, stride: int, dilation: int, before: int) -> Phased:
    """Unit o reads units o s - p .. o s - p + d (k - 1). Moving on by P / gcd(P, s) units
    moves the read units on by a whole number of periods, s / gcd(P, s) of them."""
    g = gcd(f.period, stride)
    period = f.period // g
    reads = [(o * stride - before, o * stride - before + dilation * (kernel - 1))
             for o in range(period)]
    return _build(period, f.shift * (stride // g), reads, f)


def shifted(f: Phased, units: int) -> Phased:
    """Unit o is unit o + `units` of the input (cropping: positive; padding: negative)."""
    return _build(f.period, f.shift, [(o + units, o + units) for o in range(f.period)], f)


def nearest(f: Phased, s: int) -> Phased:
    """Nearest upsampling by s: unit o reads unit floor(o / s) alone."""
    period = f.period * s
    return _build(period, f.shift, [(o // s, o // s) for o in range(period)], f)


def bilinear(f: Phased, s: int) -> Phased:
    """Bilinear upsampling by s with half-pixel centres (Keras, TF's `resize`, PyTorch's
    `align_corners=False`): unit o sits at x = (o + 1/2) / s - 1/2 = (2o + 1 - s) / 2s of
    the input and mixes units floor(x) and ceil(x), one unit when x is whole (odd s, the
    middle unit of each run: the other weight is 0). Clamping at the borders only drops
    units that lie outside the map, which the theoretical field keeps, as with padding."""
    period = f.period * s
    reads = [((2 * o + 1 - s) // (2 * s), -((s - 1 - 2 * o) // (2 * s)))
             for o in range(period)]
    return _build(period, f.shift, reads, f)


def transposed(f: Phased, kernel: int, stride: int, before: int) -> Phased | None:
    """A transposed convolution: output o receives input unit i through tap o + p - i s
    (p the padding the matching forward convolution puts before the data), so it reads
    i = ceil((o + p - k + 1) / s) .. floor((o + p) / s). With k < s some units read no
    input at all (only the bias): None, no field."""
    if kernel < stride:
        return None
    period = f.period * stride
    reads = [(-((kernel - 1 - o - before) // stride), (o + before) // stride)
             for o in range(period)]
    return _build(period, f.shift, reads, f)


def union(branches: Sequence[Phased]) -> Phased | None:
    """Unit o of a merge sees the union of its branches' unit o: exact when they share a
    jump (a common period, the lcm of theirs); None when they do not."""
    jump = branches[0].jump
    if any(b.jump != jump for b in branches):
        return None
    period = lcm(*(b.period for b in branches))
    spans = [[b.span(o) for b in branches] for o in range(period)]
    return Phased(period, jump * period, tuple(min(lo for lo, _ in s) for s in spans),
                  tuple(max(h for _, h in s) for s in spans)).reduced()
