"""The computed receptive fields against the built Keras model: perturb one input pixel at a
time and see which output units change.

The probe network is linear with positive weights (every kernel 0.5, no bias, no
activation) and reads an all-zero image, so a unit changes exactly when the perturbed pixel
can reach it: no path cancels another, and max pooling passes the one positive value on.
Along each axis, unit i of a node has the theoretical span [first + i j, first + i j + r - 1]
with r, j and `first` (from the first unit's centre) as archc computes them. Where that span
lies inside the image, the pixels that change the unit must span exactly it. At the border
the theoretical field is an upper bound (padding holds no pixels, and a strided valid window
may leave the last pixels unread), so there the changed pixels must lie within the span
clipped to the image, and a unit made only of padding changes for no pixel. The probe has
strides, a dilation, `same`
padding that is asymmetric on the even axis, a max pool, an average pool, explicit zero
padding, a separable convolution with a non-square kernel, and a merge of two branches one
jump apart (the ResNet shortcut case).
"""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.tf

keras = pytest.importorskip("keras")
np = pytest.importorskip("numpy")

import archc  # noqa: E402
from archc.backends.keras.names import keras_name  # noqa: E402

PROBE = """\
archc: 1
name: rf_probe
input: [45, 48, 1]
defaults:
  conv2d: {filters: 2, use_bias: false, activation: linear}
layers:
  - conv2d: {name: body, kernel_size: 3, strides: 2, padding: same}
  - conv2d: {name: proj, inputs: input, kernel_size: 1, strides: 2}
  - add: {name: merged, inputs: [body, proj]}
  - conv2d: {name: dilated, kernel_size: 3, dilation: 2, padding: same}
  - max_pool2d: {name: maxpool, pool_size: 3, strides: 2, padding: same}
  - zero_padding2d: {name: pad, padding: 1}
  - separable_conv2d: {name: sep, filters: 2, kernel_size: [3, 5], use_bias: false}
  - avg_pool2d: {name: avgpool, pool_size: 2}
"""

CHECKED = ("body", "proj", "merged", "dilated", "maxpool", "pad", "sep", "avgpool")


def _spans_seen(model: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """Per node, an array [unit_h, unit_w, 4] of the changed input pixels' bounding box
    (row_lo, row_hi, col_lo, col_hi), from one batched forward pass."""
    for weight in model.weights:
        weight.assign(np.full(weight.shape, 0.5, dtype="float32"))
    _, height, width, _ = model.inputs[0].shape
    pixels = height * width
    batch = np.zeros((pixels, height, width, 1), dtype="float32")
    batch[np.arange(pixels), np.arange(pixels) // width, np.arange(pixels) % width, 0] = 1.0
    probe = keras.Model(model.inputs,
                        [model.get_layer(keras_name(n)).output for n in names])
    outputs = probe.predict(batch, verbose=0)
    seen = {}
    for name, out in zip(names, outputs, strict=True):
        changed = np.abs(out).sum(axis=-1) > 0  # [pixel, unit_h, unit_w]
        _, units_h, units_w = changed.shape
        box = np.full((units_h, units_w, 4), -1, dtype=int)  # -1: no pixel changes it
        for i in range(units_h):
            for j in range(units_w):
                hit = np.flatnonzero(changed[:, i, j])
                if hit.size:
                    rows, cols = hit // width, hit % width
                    box[i, j] = (rows.min(), rows.max(), cols.min(), cols.max())
        seen[name] = box
    return seen


def _span(f: Any, unit: int) -> tuple[int, int]:
    """Unit `unit`'s first and last input pixel as archc computes them (`AxisField.span`)."""
    lo, hi = f.span(unit)
    return int(lo), int(hi)


def test_perturbing_one_pixel_changes_exactly_the_units_whose_field_holds_it() -> None:
    summary = archc.load(PROBE)
    model = archc.build(PROBE)
    seen = _spans_seen(model, CHECKED)
    image = (45, 48)
    exact: dict[str, int] = {}
    for name in CHECKED:
        field = summary.analysis.field(name)
        assert field.axes is not None
        box = seen[name]
        for i in range(box.shape[0]):
            for j in range(box.shape[1]):
                if box[i, j, 0] < 0:
                    # nothing reaches it: only a unit of pure padding may be like that
                    assert name == "pad" and (i in (0, box.shape[0] - 1)
                                              or j in (0, box.shape[1] - 1)), (name, i, j)
                    continue
                for axis, unit in ((0, i), (1, j)):
                    f = field.axes[axis]
                    lo, hi = _span(f, unit)
                    got = tuple(box[i, j, 2 * axis: 2 * axis + 2])
                    if lo >= 0 and hi <= image[axis] - 1:
                        assert got == (lo, hi), (name, i, j, axis)
                        exact[name] = exact.get(name, 0) + 1
                    else:
                        assert max(lo, 0) <= got[0] <= got[1] <= min(hi, image[axis] - 1), \
                            (name, i, j, axis)
    # every checked node has interior units whose span is compared exactly
    assert set(exact) == set(CHECKED) and min(exact.values()) >= 8, exact


def test_the_probe_exercises_what_it_claims() -> None:
    # The figures the empirical test confirms, by hand (pixel i centred at i):
    a = archc.load(PROBE).analysis
    # body: 3x3/2 same. Height 45: out 23, padding 22 x 2 + 3 - 45 = 2, 1 before -> centre 0;
    # width 48: out 24, padding 23 x 2 + 3 - 48 = 1, none before -> centre 1.
    assert a.field("body").start == (0, 1)
    # merged: proj (1x1/2) is centred on 0 in both axes: aligned in height, one pixel off in
    # width, where the union spans [0, 2]: size 3, centre 1, and a note says so.
    assert a.field("merged").size == (3, 3) and a.field("merged").start == (0, 1)
    assert len(a.field("merged").notes) == 1 and "(width)" in a.field("merged").notes[0]
    # dilated: k_eff 5 at jump 2: 3 + 4 x 2 = 11
    assert a.field("dilated").size == (11, 11)
    # maxpool 3x3/2 same: 11 + 2 x 2 = 15, jump 4; pad: centre moves back one jump (4)
    assert a.field("maxpool").size == (15, 15) and a.field("maxpool").jump == (4, 4)
    assert a.field("pad").start[0] == a.field("maxpool").start[0] - 4  # type: ignore[index]
    # sep 3x5 valid at jump 4: 15 + 2 x 4 = 23 high, 15 + 4 x 4 = 31 wide
    assert a.field("sep").size == (23, 31)
    # avgpool 2x2/2: + 4 -> 27 x 35, jump 8
    assert a.field("avgpool").size == (27, 35) and a.field("avgpool").jump == (8, 8)


TRANSPOSED = """\
archc: 1
name: rf_transposed
input: [17, 18, 1]
defaults:
  conv2d: {filters: 2, use_bias: false, activation: linear}
  conv2d_transpose: {filters: 2, use_bias: false, activation: linear}
layers:
  - conv2d: {name: strided, kernel_size: 3, strides: 2, padding: same}
  - conv2d_transpose: {name: valid3, kernel_size: 3}
  - conv2d_transpose: {name: same4, kernel_size: 4, padding: same}
  - conv2d_transpose: {name: up, kernel_size: 3, strides: 2}
"""


def test_transposed_convolutions_with_and_without_a_stride() -> None:
    # The computed spans are exactly the pixels that change each interior unit.
    summary = archc.load(TRANSPOSED)
    seen = _spans_seen(archc.build(TRANSPOSED), ("valid3", "same4", "up"))
    image = (17, 18)
    exact = 0
    for name in ("valid3", "same4", "up"):
        field = summary.analysis.field(name)
        assert field.axes is not None
        box = seen[name]
        for i in range(box.shape[0]):
            for j in range(box.shape[1]):
                for axis, unit in ((0, i), (1, j)):
                    f = field.axes[axis]
                    lo, hi = _span(f, unit)
                    if lo >= 0 and hi <= image[axis] - 1:
                        assert tuple(box[i, j, 2 * axis: 2 * axis + 2]) == (lo, hi), (name, i, j)
                        exact += 1
    assert exact >= 150
    # by hand: strided r 3 j 2; valid3 + 2 x 2 = 7, centre moves back 1 jump; same4 + 3 x 2
    assert summary.analysis.field("valid3").size == (7, 7)
    assert summary.analysis.field("same4").size == (13, 13)
    # Stride 2 (k 3): unit o reads units ceil((o - 2) / 2) .. floor(o / 2), two for even o
    # (13 + 2 = 15 pixels at jump 2), one for odd o: the jump halves to 1, and neighbouring
    # units' fields do not advance by a constant step, which the phases carry.
    up = summary.analysis.field("up")
    assert up.size == (15, 15) and up.jump == (1, 1)
    assert up.axes is not None and up.axes[0].phases is not None
    firsts = seen["up"][:, 8, 0]  # the first changed row of each unit in one column
    steps = set(np.diff(firsts[(firsts >= 0)]).tolist())
    assert len(steps) > 1, steps


UPSAMPLED = """\
archc: 1
name: rf_upsampled
input: [13, 14, 1]
outputs: [c2, bil2, c3, c4]
defaults:
  conv2d: {filters: 2, use_bias: false, activation: linear}
  conv2d_transpose: {filters: 2, use_bias: false, activation: linear}
layers:
  - conv2d: {name: c1, kernel_size: 3, strides: 2, padding: same}
  - upsampling2d: {name: near, size: [2, 3]}
  - conv2d: {name: c2, kernel_size: 3, padding: same}
  - upsampling2d: {name: bil2, inputs: c1, size: 2, interpolation: bilinear}
  - upsampling2d: {name: bil3, inputs: c1, size: 3, interpolation: bilinear}
  - conv2d: {name: c3, inputs: bil3, kernel_size: 2, strides: 2}
  - conv2d_transpose: {name: t4, inputs: c1, kernel_size: 4, strides: 2, padding: same}
  - upsampling2d: {name: near2, inputs: c1}
  - cropping2d: {name: crop, inputs: near2, cropping: [[1, 0], [0, 1]]}
  - zero_padding2d: {name: pad, padding: [[0, 1], [1, 0]]}
  - concat: {name: cat, inputs: [pad, t4]}
  - upsampling2d: {name: fine, inputs: cat, size: 2}
  - conv2d: {name: c4, kernel_size: 3, padding: same}
"""

UP_CHECKED = ("near", "c2", "bil2", "bil3", "c3", "t4", "pad", "cat", "fine", "c4")


def test_upsampling_fields_are_the_pixels_that_change_each_unit() -> None:
    # Nearest, bilinear (by 2, and by 3 where the middle unit reads one input unit), a
    # 4x4 /2 `same` transposed convolution, a merge of two of them and an upsampling past
    # the input (jump 1/2): every interior unit's span, as AxisField.span gives it, is
    # exactly the box of the pixels that change it; at the border it holds them.
    summary = archc.load(UPSAMPLED)
    checked = UP_CHECKED
    if keras.backend.backend() == "torch":
        # Keras's PyTorch backend resizes by 3 with a wider bilinear kernel than TensorFlow
        # and JAX (unit 1 of `bil3` changes with input units 0..4, not 0..2); the pass follows
        # TensorFlow's half-pixel rule (docs/receptive-field.md), so `bil3` and `c3`, which
        # reads it, are checked under TensorFlow and JAX only.
        checked = tuple(n for n in UP_CHECKED if n not in ("bil3", "c3"))
    seen = _spans_seen(archc.build(UPSAMPLED), checked)
    image = (13, 14)
    exact: dict[str, int] = {}
    for name in checked:
        field = summary.analysis.field(name)
        assert field.defined and field.axes is not None, name
        box = seen[name]
        for i in range(box.shape[0]):
            for j in range(box.shape[1]):
                if box[i, j, 0] < 0:  # only `pad`'s added bottom row and left column
                    assert name == "pad" and (i == box.shape[0] - 1 or j == 0), (name, i, j)
                    continue
                for axis, unit in ((0, i), (1, j)):
                    lo, hi = _span(field.axes[axis], unit)
                    got = tuple(box[i, j, 2 * axis: 2 * axis + 2])
                    if lo >= 0 and hi <= image[axis] - 1:
                        assert got == (lo, hi), (name, i, j, axis)
                        exact[name] = exact.get(name, 0) + 1
                    else:
                        assert max(lo, 0) <= got[0] <= got[1] <= min(hi, image[axis] - 1), \
                            (name, i, j, axis)
    assert set(exact) == set(checked), exact
    # by hand: c1 r 3 j 2; nearest keeps 3 (jump 1 high, 2/3 wide); bilinear by 2 adds
    # one input jump (3 + 2 = 5) and halves it; past the input, `fine` halves jump 1 to 1/2
    a = summary.analysis
    assert a.field("near").size == (3, 3) and a.field("bil2").size == (5, 5)
    assert str(a.field("fine").jump[0]) == "1/2"  # type: ignore[index]
