"""ONNX rules for the layers YOLOv8 brought (specs/yolov8.yaml): the channel slice of its
C2f blocks and the DFL of its box decoder. Both are plain ONNX operators: a `Slice`, and
reshapes, a `Softmax` and a `MatMul` with the DFL's fixed projection 0..bins-1.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from archc.backends.keras.export.onnx_graph import KERAS, NCHW, OnnxGraph, Value


def channel_slice(g: OnnxGraph, layer: Any, xs: Sequence[Value], hint: str) -> Value:
    """Channels start..stop: axis 1 of a channels-first map, else the last axis."""
    x = g.nchw(xs[0]) if xs[0].rank == 4 else g.keras(xs[0])
    axis = 1 if x.layout == NCHW else -1
    starts = g.const(f"{hint}_start", [layer.start], np.int64)
    ends = g.const(f"{hint}_end", [layer.stop], np.int64)
    axes = g.const(f"{hint}_axes", [axis], np.int64)
    return Value(g.op("Slice", [x.name, starts, ends, axes], hint), x.layout, x.rank)


def distribution_focal_decode(g: OnnxGraph, layer: Any, xs: Sequence[Value],
                              hint: str) -> Value:
    """Each (H, W, 4 x bins) map, channels-last, to (H x W x 4, bins) rows; the levels
    joined; softmax over the bins; `MatMul` with the projection 0..bins-1; (positions, 4)."""
    bins = layer.bins
    rows = []
    for i, v in enumerate(xs):
        x = g.keras(v)
        shape = g.const(f"{hint}_rows{i}", [0, -1, bins], np.int64)
        rows.append(g.op("Reshape", [x.name, shape], f"{hint}_reshape{i}"))
    joined = rows[0] if len(rows) == 1 else g.op("Concat", rows, f"{hint}_concat", axis=1)
    weights = g.op("Softmax", [joined], f"{hint}_softmax", axis=-1)
    fixed = np.asarray(layer.project.numpy(), dtype=np.float32).reshape(bins, 1)
    project = g.const(f"{hint}_project", fixed)
    distances = g.op("MatMul", [weights, project], f"{hint}_matmul")
    out_shape = g.const(f"{hint}_shape", [0, -1, 4], np.int64)
    return Value(g.op("Reshape", [distances, out_shape], hint), KERAS, 3)
