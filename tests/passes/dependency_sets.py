"""A brute-force receptive field, independent of archc/passes/receptive.py.

For each node and each spatial axis, every output unit gets the set of input pixels it
depends on, as a bit mask (bit i: input pixel i), built from what the op reads for that one
unit, written from Keras's definition of the op: the input units under a window's taps after
TensorFlow's `same` padding, the unit `floor(o / s)` of a nearest upsampling, the clamped
`floor`/`ceil` neighbours of a bilinear one, the input units whose kernel taps land on a
transposed convolution's output unit. Padding reads no pixel. No field arithmetic is
shared with the pass: it composes sets, unit by unit, through the whole graph.

Every op archc has acts on the two axes separately, and a merge unites its branches at
each position, so the set of pixels a unit (y, x) depends on is a union of products of
per-axis sets, whose extent along each axis is the union of the per-axis sets computed
here: the per-axis masks give exactly the first and last pixel of the field, axis by axis.
"""

from __future__ import annotations

import math

from archc.ir.ops import (
    Conv2DTransposeAttrs,
    Cropping2DAttrs,
    DenseOp,
    InputOp,
    MergeOp,
    NormOp,
    PoolOp,
    ShapeOp,
    UpSampling2DAttrs,
    ZeroPadding2DAttrs,
    window_of,
)
from archc.passes.analysis import Analysis

Masks = list[int]
"""One bit mask of input pixels per unit along one axis."""

_SAME_UNITS = {NormOp.BATCH_NORM, NormOp.LRN, NormOp.LAYER_NORM, NormOp.LAYER_SCALE,
               NormOp.RESCALING, NormOp.NORMALIZATION, ShapeOp.ACTIVATION, ShapeOp.DROPOUT,
               ShapeOp.CHANNEL_SLICE}
_MERGES = {MergeOp.CONCAT, MergeOp.ADD, MergeOp.MULTIPLY, MergeOp.SCALED_ADD}


def _gather(source: Masks, reads: list[list[int]]) -> Masks:
    """Unit o depends on the union of the source units in reads[o] that exist."""
    out = []
    for units in reads:
        mask = 0
        for u in units:
            if 0 <= u < len(source):
                mask |= source[u]
        out.append(mask)
    return out


def _reads(analysis: Analysis, name: str, axis: int, n: int, m: int) -> list[list[int]]:
    """For each of the m output units, the indices of the n input units it reads."""
    node = analysis.graph[name]
    a = node.attrs
    window = window_of(a)
    if window is not None:
        kernel, strides, dilation, padding = window
        k, s, d = kernel[axis], strides[axis], dilation[axis]
        if padding == "same":
            before = max((m - 1) * s + d * (k - 1) + 1 - n, 0) // 2
        elif isinstance(padding, str):
            before = 0
        else:
            before = padding[axis][0]
        return [[o * s - before + d * t for t in range(k)] for o in range(m)]
    if isinstance(a, ZeroPadding2DAttrs):
        return [[o - a.padding[axis][0]] for o in range(m)]
    if isinstance(a, Cropping2DAttrs):
        return [[o + a.cropping[axis][0]] for o in range(m)]
    if isinstance(a, UpSampling2DAttrs):
        s = a.size[axis]
        if a.interpolation == "nearest":
            return [[o // s] for o in range(m)]
        reads = []
        for o in range(m):  # half-pixel centres, clamped to the map (TF's resize)
            x = (o + 0.5) / s - 0.5
            reads.append(sorted({min(max(math.floor(x), 0), n - 1),
                                 min(max(math.ceil(x), 0), n - 1)}))
        return reads
    if isinstance(a, Conv2DTransposeAttrs):
        k, s = a.kernel_size[axis], a.strides[axis]
        # the forward convolution this one is the gradient of pads the smaller half before
        before = max(k - s, 0) // 2 if a.padding == "same" else 0
        reads = [[] for _ in range(m)]
        for i in range(n):
            for t in range(k):
                o = i * s + t - before
                if 0 <= o < m:
                    reads[o].append(i)
        return reads
    raise AssertionError(f"no brute-force rule for {node.op}")


def dependency_masks(analysis: Analysis) -> dict[str, tuple[Masks, Masks]]:
    """Per node (with a spatial map and a local window so far), the masks of both axes."""
    graph = analysis.graph
    masks: dict[str, tuple[Masks, Masks]] = {}
    for node in graph.nodes:
        shape = analysis.shape(node.name)
        if len(shape) != 3:
            continue
        if node.op is InputOp.INPUT:
            masks[node.name] = ([1 << i for i in range(shape[0])],
                                [1 << i for i in range(shape[1])])
            continue
        if any(i not in masks for i in node.inputs):
            continue
        ins = [masks[i] for i in node.inputs]
        axes: list[Masks] = []
        for axis in range(2):
            m = shape[axis]
            if node.op in _MERGES:
                merged = [0] * m
                for branch in ins:
                    src = branch[axis]
                    for o in range(m):
                        merged[o] |= src[0] if len(src) == 1 else src[o]
                axes.append(merged)
            elif node.op in _SAME_UNITS or (node.op is DenseOp.DENSE):
                axes.append(list(ins[0][axis]))
            elif node.op in (PoolOp.GLOBAL_AVG_POOL2D, PoolOp.GLOBAL_MAX_POOL2D, DenseOp.FLATTEN,
                             ShapeOp.RESHAPE, MergeOp.DFL):
                break
            else:
                n = len(ins[0][axis])
                axes.append(_gather(ins[0][axis], _reads(analysis, node.name, axis, n, m)))
        if len(axes) == 2:
            masks[node.name] = (axes[0], axes[1])
    return masks


def extent(mask: int) -> tuple[int, int]:
    """The first and last pixel of a non-empty mask."""
    return (mask & -mask).bit_length() - 1, mask.bit_length() - 1
