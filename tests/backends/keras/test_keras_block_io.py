"""Keras builds of blocks with several inputs and outputs and of repeated two-input cells:
`build_model` checks every layer's shape and parameters against the analysis (as `archc
build` does), and the model's outputs are the ones the spec lists, in order."""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.tf

keras = pytest.importorskip("keras")

from keras_helpers import weight_count  # noqa: E402

import archc  # noqa: E402
from archc.backends.keras import build_model  # noqa: E402

WriteSpec = Callable[..., Path]

SPEC = """
    archc: 1
    name: block_io
    input: [32, 32, 3]
    outputs: [head.p3, head.p4, cells]
    defaults:
      conv2d: {kernel_size: 3, padding: same, activation: relu}
    blocks:
      backbone:                      # one input, two named outputs
        outputs: [p3, p4]
        layers:
          - conv2d: {name: p3, filters: 8, strides: 2}     # 16x16x8
          - conv2d: {name: p4, filters: 16, strides: 2}    # 8x8x16
      up_fuse:                       # two inputs: upsample the deep one, crop-free concat
        inputs: [deep, lateral]
        layers:
          - conv2d_transpose: {name: up, filters: $lateral.channels, kernel_size: 2,
                               strides: 2}
          - concat: {inputs: [up, lateral]}
          - conv2d: {filters: $lateral.channels}
      head:                          # two inputs, two outputs
        inputs: [p3, p4]
        outputs: {p3: o3, p4: o4}
        layers:
          - conv2d: {name: o3, inputs: p3, filters: 5, kernel_size: 1, activation: null}
          - conv2d: {name: o4, inputs: p4, filters: 5, kernel_size: 1, activation: null}
      cell:                          # reads the previous cell and the one before
        inputs: [prev, older]
        layers:
          - conv2d: {name: a, inputs: older, filters: 8, kernel_size: 1,
                     strides: '2 if $older.height > $prev.height else 1'}
          - conv2d: {name: b, inputs: prev, filters: 8, kernel_size: 1}
          - add: {inputs: [a, b]}
    layers:
      - backbone: {name: net}
      - up_fuse: {name: top3, inputs: [net.p4, net.p3]}            # 16x16x8
      - head: {name: head, inputs: [top3, net.p4]}
      - repeat: {name: cells, times: 3, block: cell, inputs: [net.p4, net.p3]}
"""


def test_blocks_with_several_inputs_and_outputs_build_as_analysed(
        write_spec: WriteSpec) -> None:
    import numpy as np

    summary = archc.load(str(write_spec(SPEC)))
    model = build_model(summary.analysis)  # BuildMismatch if any layer disagrees
    assert model.count_params() == summary.total_params
    assert weight_count(model.trainable_weights) == summary.trainable_params
    shapes = [tuple(t.shape[1:]) for t in model.outputs]
    assert shapes == list(summary.outputs.values()) == [(16, 16, 5), (8, 8, 5), (8, 8, 8)]
    results = model(np.zeros((1, 32, 32, 3), dtype="float32"))
    assert [tuple(r.shape) for r in results] == [(1, *s) for s in shapes]
    # The cell's older input is 16x16 in copy 1 only: its 1x1 convolution strides there.
    assert model.get_layer("cells__block1__a").strides == (2, 2)
    assert model.get_layer("cells__block2__a").strides == (1, 1)
    del model, results
    keras.backend.clear_session()
    gc.collect()
