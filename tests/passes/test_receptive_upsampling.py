"""Receptive fields through upsampling and strided transposed convolutions, by hand and by
brute force (docs/receptive-field.md#upsampling).

The brute force (tests/passes/dependency_sets.py) composes, unit by unit through the whole
graph, the set of input pixels each unit depends on. Where a unit's field lies inside the
image, its first and last pixel must be exactly the span the pass gives that unit; at the
border the set must lie within it (padding holds no pixels); and the pass's size must be the
largest of the spans inside the image.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from dependency_sets import dependency_masks, extent
from spec_helpers import compile_yaml

import archc
from archc.passes.analysis import Analysis
from archc.passes.receptive import AxisField, format_field

ROOT = Path(__file__).resolve().parents[2]


def _analysis(text: str) -> Analysis:
    compiled = compile_yaml(text)
    assert compiled.analysis is not None
    return compiled.analysis


SMALL = """
    archc: 1
    name: small
    input: [16, 16, 1]
    layers:
      - conv2d: {name: c1, filters: 1, kernel_size: 3}
      - max_pool2d: {name: pool}
      - upsampling2d: {name: up}
      - conv2d: {name: c2, filters: 1, kernel_size: 3}
"""


def test_nearest_upsampling_keeps_the_size_and_halves_the_jump() -> None:
    a = _analysis(SMALL)
    # c1 (3x3 valid): unit u sees pixels u .. u + 2: r 3, j 1, centre 1.
    # pool (2x2/2): unit v reads c1 units 2v, 2v + 1 -> pixels 2v .. 2v + 3: r 4, j 2.
    # up (x2 nearest): unit o reads pool unit floor(o / 2) -> 2 floor(o / 2) .. + 3: every
    # unit sees 4 pixels, units 2q and 2q + 1 the same ones; the jump is 2 / 2 = 1 on
    # average, the pattern repeats every 2 units, 2 pixels on.
    assert a.field("up").axes == (AxisField(4, 1, 1.5, ((0, 3), (0, 3))),) * 2
    assert format_field(a.field("up")) == "4x4 /1"
    # c2 (3x3 valid) reads up units o .. o + 2: o = 0 -> up 0, 1, 2 -> pool 0, 0, 1 ->
    # pixels 0 .. 5; o = 1 -> up 1, 2, 3 -> pool 0, 1, 1 -> 0 .. 5 again; o = 2 -> 2 .. 7.
    # Size 4 + 2 = 6 at every unit, but units 0 and 1 are centred on 2.5 both, where a
    # jump-1 field would put unit 1 on 3.5: the phases carry that.
    c2 = a.field("c2").axes
    assert c2 is not None
    assert [c2[0].span(o) for o in range(4)] == [(0, 5), (0, 5), (2, 7), (2, 7)]
    assert (c2[0].size, c2[0].jump, c2[0].start) == (6, 1, 2.5)
    assert format_field(a.field("c2")) == "6x6 /1"


def test_upsampling_beyond_the_input_gives_a_fractional_jump() -> None:
    a = _analysis("""
        archc: 1
        name: t
        input: [8, 8, 1]
        layers:
          - upsampling2d: {name: up, size: [2, 4]}
          - conv2d: {name: c, filters: 1, kernel_size: 3, padding: same}
    """)
    # Each unit reads one pixel (size 1); 2 (4) neighbouring units read the same pixel.
    up = a.field("up")
    assert up.size == (1, 1) and up.jump == (Fraction(1, 2), Fraction(1, 4))
    assert format_field(up) == "1x1 /(1/2)x(1/4)"
    # c (3x3 same, one unit padded before): unit o reads up o - 1 .. o + 1, i.e. pixels
    # floor((o - 1) / 2) .. floor((o + 1) / 2): 2 pixels for every o (height); across,
    # floor((o - 1) / 4) .. floor((o + 1) / 4): 2 pixels when o = 0 or 3 mod 4, else 1.
    assert a.field("c").size == (2, 2)
    width = a.field("c").axes[1]  # type: ignore[index]
    assert [width.span(o)[1] - width.span(o)[0] + 1 for o in range(8)] == [2, 1, 1, 2] * 2


def test_a_transposed_convolution_with_a_stride_divides_the_jump() -> None:
    a = _analysis("""
        archc: 1
        name: t
        input: [8, 8, 1]
        layers:
          - conv2d: {name: c, filters: 1, kernel_size: 3, strides: 2}
          - conv2d_transpose: {name: up, filters: 1, kernel_size: 2, strides: 2}
          - conv2d_transpose: {name: wide, inputs: c, filters: 1, kernel_size: 3, strides: 2}
          - conv2d_transpose: {name: sparse, inputs: c, filters: 1, kernel_size: 1,
                               strides: 2}
    """)
    # c: unit u sees 2u .. 2u + 2 (r 3, j 2). up (k 2 = s 2, U-Net's): output o receives
    # input i through tap o - 2i in 0..1, so i = floor(o / 2): like nearest, r 3, j 1.
    assert a.field("up").axes == (AxisField(3, 1, 1.0, ((0, 2), (0, 2))),) * 2
    # wide (k 3, s 2, valid): i from ceil((o - 2) / 2) to floor(o / 2): o even reads
    # units o / 2 - 1 and o / 2 (r 3 + 2 = 5), o odd one unit: size 5, jump 1.
    assert a.field("wide").size == (5, 5) and a.field("wide").jump == (1, 1)
    # k 1 < s 2: odd output units read no input at all (only the bias): not defined
    assert not a.field("sparse").defined


NECK = """
    archc: 1
    name: neck
    input: [320, 320, 3]
    outputs: [o3, o4, o5]
    defaults:
      conv2d: {filters: 4, kernel_size: 3, padding: same}
    layers:
      - conv2d: {strides: 2}
      - conv2d: {name: p3, strides: 2}
      - conv2d: {name: p4, strides: 2}
      - conv2d: {name: p5, strides: 2}
      - max_pool2d: {pool_size: 5, strides: 1, padding: same}
      - upsampling2d: {name: up1}
      - concat: {name: cat1, inputs: [up1, p4]}
      - conv2d: {name: n4}
      - upsampling2d: {name: up2}
      - concat: {name: cat2, inputs: [up2, p3]}
      - conv2d: {name: o3}
      - conv2d: {name: down3, strides: 2}
      - concat: {name: cat3, inputs: [down3, n4]}
      - conv2d: {name: o4}
      - conv2d: {name: down4, strides: 2}
      - concat: {name: cat4, inputs: [down4, p5]}
      - conv2d: {name: o5, kernel_size: 1}
"""

UNET_LIKE = """
    archc: 1
    name: unet_like
    input: [60, 60, 1]
    defaults:
      conv2d: {filters: 2, kernel_size: 3}
    layers:
      - conv2d: {name: e1}
      - conv2d: {name: e1b}
      - max_pool2d: {name: d1}
      - conv2d: {}
      - conv2d: {name: bottom}
      - conv2d_transpose: {name: upc, filters: 2, kernel_size: 2, strides: 2}
      - cropping2d: {name: skip, inputs: e1b, cropping: 4}
      - concat: {inputs: [skip, upc]}
      - conv2d: {}
      - upsampling2d: {size: 3, interpolation: bilinear}
      - conv2d: {kernel_size: 5, strides: 2, padding: same}
      - zero_padding2d: {padding: [[1, 2], [3, 0]]}
      - conv2d_transpose: {filters: 2, kernel_size: [4, 5], strides: [2, 3], padding: same}
      - conv2d: {dilation: 2}
"""


def _brute_force_agrees(analysis: Analysis) -> set[str]:
    """Compare every unit of every node with the brute force; the nodes whose size was
    compared too on both axes (enough units inside the image)."""
    height, width, _ = analysis.shape(analysis.graph.inputs[0])
    sized: dict[str, int] = {}
    for name, masks in dependency_masks(analysis).items():
        field = analysis.field(name)
        assert field.defined and field.axes is not None, name
        for axis, pixels in enumerate((height, width)):
            f = field.axes[axis]
            inside = []
            for unit, mask in enumerate(masks[axis]):
                lo, hi = f.span(unit)
                if not mask:  # a padded unit: reads no pixel
                    continue
                first, last = extent(mask)
                assert lo <= first and last <= hi, (name, axis, unit)
                if lo >= 0 and hi < pixels:
                    assert (first, last) == (lo, hi), (name, axis, unit)
                    inside.append(last - first + 1)
            if len(inside) >= len(f.phases or ((0, 0),)):  # every phase has a unit inside
                assert max(inside) == f.size, (name, axis)
                sized[name] = sized.get(name, 0) + 1
    return {name for name, axes in sized.items() if axes == 2}


@pytest.mark.parametrize("text", [SMALL, NECK, UNET_LIKE], ids=["small", "neck", "unet_like"])
def test_the_pass_matches_the_brute_force(text: str) -> None:
    analysis = _analysis(text)
    assert set(analysis.graph.outputs) <= _brute_force_agrees(analysis)


def test_unet_output_field() -> None:
    # The main path alone, as if the fields were a constant jump apart: the encoder's
    # levels give 5, 6 (pool) | 14, 16 | 32, 36 | 68, 76 (j 16), the bottom 76 + 2 x 2 x 16
    # = 140; each up-convolution keeps the size and halves the jump, and its two 3x3 convs
    # add 2 x 2 x j: 140 + 32 (j 8) + 16 (j 4) + 8 (j 2) + 4 (j 1) = 200. That average
    # is nobody's field: each up-convolved unit copies one input unit, so the fields come
    # in runs of 16 output units that all start at the same pixel; 4 of each 16 see 188
    # pixels and 12 see 204, the largest, which the summary shows. The brute force
    # confirms every unit.
    analysis = archc.load(str(ROOT / "specs" / "unet.yaml")).analysis
    assert format_field(analysis.field("classes")) == "204x204 /1"
    height = analysis.field("classes").axes[0]  # type: ignore[index]
    sizes = [height.span(o)[1] - height.span(o)[0] + 1 for o in range(32)]
    assert sizes == ([188] * 4 + [204] * 12) * 2
    assert [height.span(o)[0] for o in (0, 15, 16, 31)] == [0, 0, 16, 16]
    assert "classes" in _brute_force_agrees(analysis)


def test_yolov8n_heads() -> None:
    # Jumps 8, 16, 32 at the three heads: the neck's upsampled paths halve /32 to /16 and
    # /16 to /8, which meet the backbone's /16 and /8 maps (concatenated) exactly.
    heads = tuple(f"head/{p}/branches/concat" for p in ("p3", "p4", "p5"))
    zoo = archc.load(str(ROOT / "specs" / "yolov8.yaml"), variant="n").analysis
    assert [format_field(zoo.field(h)) for h in heads] == [
        "911x911 /8", "1039x1039 /16", "1263x1263 /32"]
    # The fields are larger than the 640x640 input, so no unit's field lies inside it and
    # the brute force could not pin the sizes there; at 1600x1600 (a multiple of 32, so
    # every `same` padding is the one at 640) the fields are the same and fit inside.
    large = archc.load(str(ROOT / "specs" / "yolov8.yaml"), variant="n",
                       overrides={"size": 1600}).analysis
    assert [large.field(h) for h in heads] == [zoo.field(h) for h in heads]
    assert set(heads) <= _brute_force_agrees(large)
