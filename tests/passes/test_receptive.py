"""Receptive fields: hand arithmetic per op and merge, and the zoo's figures derived by hand.

Every expected figure below is written out with the arithmetic that gives it: per layer,
r' = r + (k_eff - 1) j, j' = j s, start' = start + ((k_eff - 1) / 2 - p) j, with p the
padding before the first row (for `same`, the smaller half of
max((out - 1) s + k_eff - n, 0)). Pixel i of the input has its centre at i.
"""

from __future__ import annotations

import pytest
from spec_helpers import SPECS, compile_yaml

from archc.passes.analysis import Analysis
from archc.passes.receptive import (
    AxisField,
    Field,
    format_field,
    same_padding_before,
)
from archc.pipeline import Options, compile_file


def _analysis(text: str) -> Analysis:
    compiled = compile_yaml(text)
    assert compiled.analysis is not None
    return compiled.analysis


def _zoo(name: str, variant: str | None = None) -> Analysis:
    compiled = compile_file(str(SPECS / f"{name}.yaml"), Options(variant=variant))
    assert compiled.analysis is not None
    return compiled.analysis


def _square(field: Field) -> tuple[int, int, float]:
    """(size, jump, start) of a field whose two axes agree."""
    assert field.axes is not None
    h, w = field.axes
    assert h == w, field
    return h.size, h.jump, h.start


def _one_layer(layer: str, shape: str = "[9, 9, 1]") -> Field:
    a = _analysis(f"archc: 1\nname: t\ninput: {shape}\nlayers:\n  - {layer}\n")
    return a.field(a.graph.nodes[1].name)


# -- one window ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("layer", "expected"), [
    # k 3, valid: r = 1 + 2 x 1 = 3, centred on pixel 1
    ("conv2d: {filters: 1, kernel_size: 3}", (3, 1, 1.0)),
    # stride 2 moves nothing but the jump
    ("conv2d: {filters: 1, kernel_size: 3, strides: 2}", (3, 2, 1.0)),
    # dilation 2: k_eff = 2 x (3 - 1) + 1 = 5, centre (5 - 1) / 2 = 2
    ("conv2d: {filters: 1, kernel_size: 3, dilation: 2}", (5, 1, 2.0)),
    # explicit padding 1 puts the first centre on pixel 1 - 1 = 0
    ("conv2d: {filters: 1, kernel_size: 3, padding: 1}", (3, 1, 0.0)),
    # same, stride 1, odd kernel: (8 x 1 + 3 - 9) = 2 padding, 1 before: centre 0
    ("conv2d: {filters: 1, kernel_size: 3, padding: same}", (3, 1, 0.0)),
    # a 2x2 pool: r 2, centre between pixels 0 and 1
    ("max_pool2d: {pool_size: 2}", (2, 2, 0.5)),
    ("avg_pool2d: {pool_size: 3, strides: 1}", (3, 1, 1.0)),
    ("subsampling2d: {pool_size: 2}", (2, 2, 0.5)),
    # depthwise and separable: the window of their depthwise half (the pointwise is 1x1)
    ("depthwise_conv2d: {kernel_size: 5}", (5, 1, 2.0)),
    ("separable_conv2d: {filters: 2, kernel_size: 3, dilation: 2}", (5, 1, 2.0)),
])
def test_one_window(layer: str, expected: tuple[int, int, float]) -> None:
    assert _square(_one_layer(layer)) == expected


def test_same_padding_is_asymmetric_on_even_inputs_with_stride_2() -> None:
    # 8 pixels, 3x3 stride 2 same: out 4, total padding (4 - 1) x 2 + 3 - 8 = 1, all of it
    # after the data (TensorFlow pads bottom/right first): the first window is pixels 0..2,
    # centred on 1, not on 0 as a symmetric padding would put it.
    assert same_padding_before(8, 3, 2, 1) == 0
    assert same_padding_before(9, 3, 2, 1) == 1  # out 5: 8 + 3 - 9 = 2, one before
    assert same_padding_before(7, 7, 2, 1) == 3  # out 4: 6 + 7 - 7 = 6, three before
    field = _one_layer("conv2d: {filters: 1, kernel_size: 3, strides: 2, padding: same}",
                       "[8, 8, 1]")
    assert _square(field) == (3, 2, 1.0)
    odd = _one_layer("conv2d: {filters: 1, kernel_size: 3, strides: 2, padding: same}",
                     "[9, 9, 1]")
    assert _square(odd) == (3, 2, 0.0)


def test_axes_are_separate() -> None:
    # 3x1 kernel, strides (2, 1), padding same on 9x9: height r 3 j 2, width r 1 j 1;
    # height padding: out 5, (5 - 1) x 2 + 3 - 9 = 2, 1 before -> centre 1 - 1 = 0
    field = _one_layer("conv2d: {filters: 1, kernel_size: [3, 1], strides: [2, 1], "
                       "padding: same}")
    assert field.axes == (AxisField(3, 2, 0.0), AxisField(1, 1, 0.0))
    assert format_field(field) == "3x1 /2x1"


def test_zero_padding_moves_the_first_centre() -> None:
    # 2 zero rows before the data: the first unit is centred on pixel -2; a valid 3x3 after
    # it is centred on -2 + 1 = -1 and reads rows -2..0 (two of them padding).
    a = _analysis("""
        archc: 1
        name: t
        input: [8, 8, 1]
        layers:
          - zero_padding2d: {name: pad, padding: 2}
          - conv2d: {name: conv, filters: 1, kernel_size: 3}
        """)
    assert _square(a.field("pad")) == (1, 1, -2.0)
    assert _square(a.field("conv")) == (3, 1, -1.0)
    assert a.field("conv").axes[0].first == -2  # type: ignore[index]


def test_two_stacked_3x3_see_what_one_5x5_sees() -> None:
    # 3 + (3 - 1) x 1 = 5: the study notes' argument for stacking small kernels
    stacked = _analysis("""
        archc: 1
        name: t
        input: [32, 32, 3]
        layers:
          - conv2d: {name: a, filters: 8, kernel_size: 3, padding: same}
          - conv2d: {name: b, filters: 8, kernel_size: 3, padding: same}
        """)
    single = _analysis("""
        archc: 1
        name: t
        input: [32, 32, 3]
        layers:
          - conv2d: {name: c, filters: 8, kernel_size: 5, padding: same}
        """)
    assert _square(stacked.field("b")) == _square(single.field("c")) == (5, 1, 0.0)


def test_flatten_global_pooling_and_dense() -> None:
    a = _analysis("""
        archc: 1
        name: t
        input: [8, 8, 3]
        layers:
          - conv2d: {name: conv, filters: 4, kernel_size: 3}
          - dense: {name: pointwise, units: 5}
          - global_avg_pool2d: {name: gap}
          - dense: {name: fc, units: 2}
        """)
    # a dense layer on an H x W x C map acts per position (a 1x1 convolution): field kept
    assert a.field("pointwise") == a.field("conv")
    for name in ("gap", "fc"):
        assert a.field(name).whole and a.field(name).global_
        assert format_field(a.field(name)) == "whole input"


# -- merges -------------------------------------------------------------------------------------


def test_aligned_branches_give_the_largest_field() -> None:
    # Inception-like: 1x1, 3x3 same and 5x5 same, all centred on pixel 0; union = 5
    a = _analysis("""
        archc: 1
        name: t
        input: [16, 16, 8]
        layers:
          - conv2d: {name: a, filters: 4, kernel_size: 1}
          - conv2d: {name: b, inputs: input, filters: 4, kernel_size: 3, padding: same}
          - conv2d: {name: c, inputs: input, filters: 4, kernel_size: 5, padding: same}
          - concat: {name: joined, inputs: [a, b, c]}
        """)
    assert _square(a.field("joined")) == (5, 1, 0.0)
    assert a.field("joined").notes == ()


def test_misaligned_branches_span_both_and_say_so() -> None:
    # On 8 pixels a 3x3/2 same window is centred on 1 (no padding before, see above); the
    # 1x1/2 projection beside it on 0. Union at unit 0: [0, 2] u [0, 0] = [0, 2], size 3,
    # centre 1; the centres disagree, so the add carries a note naming both branches.
    a = _analysis("""
        archc: 1
        name: t
        input: [8, 8, 4]
        layers:
          - conv2d: {name: body, filters: 4, kernel_size: 3, strides: 2, padding: same}
          - conv2d: {name: proj, inputs: input, filters: 4, kernel_size: 1, strides: 2}
          - add: {name: sum, inputs: [body, proj]}
          - activation: {name: relu, function: relu}
        """)
    assert _square(a.field("sum")) == (3, 2, 1.0)
    assert a.field("sum").notes == (
        "branches not aligned (height and width): first-unit centres at input pixel 0 "
        "(`proj`) and 1 (`body`); the field spans them all",)
    assert a.field("relu").notes == ()  # the note stays on the merge


def test_branches_with_different_jumps() -> None:
    # On 9 pixels: `s` is 3x3/2 valid (r 3, j 2, centre 1; 4 units), `w` a 6x6/1 valid
    # (r 6, j 1, centre 2.5; 4 units). Unit 0 sees [0, 2] u [0, 5] = [0, 5]; unit 3 sees
    # [6, 8] u [3, 8] = [3, 8]: size 6 both times, centre of unit 0 at 2.5, jump the larger.
    a = _analysis("""
        archc: 1
        name: t
        input: [9, 9, 1]
        layers:
          - conv2d: {name: s, filters: 2, kernel_size: 3, strides: 2}
          - conv2d: {name: w, inputs: input, filters: 2, kernel_size: 6}
          - concat: {name: joined, inputs: [s, w]}
        """)
    assert _square(a.field("joined")) == (6, 2, 2.5)
    notes = a.field("joined").notes
    assert notes[0].startswith("branches disagree in jump (height and width): "
                               "1 (`w`) and 2 (`s`) input pixels")
    assert "1 (`s`) and 2.5 (`w`)" in notes[1]


def test_a_global_gate_keeps_the_window_and_adds_the_whole_input() -> None:
    # squeeze-and-excitation: the gate comes from a global pool, so every unit after the
    # multiply depends on every pixel, while its local window stays the map's
    a = _analysis("""
        archc: 1
        name: t
        input: [16, 16, 32]
        layers:
          - conv2d: {name: conv, filters: 32, kernel_size: 3, padding: same}
          - squeeze_excitation: {name: se, ratio: 4}
          - conv2d: {name: after, filters: 32, kernel_size: 3, padding: same}
        """)
    gated = a.field("se/scale")
    assert _square(gated) == (3, 1, 0.0) and gated.global_
    assert format_field(gated) == "3x3 /1 +global"
    assert _square(a.field("after")) == (5, 1, 0.0) and a.field("after").global_
    assert not a.field("conv").global_


def test_branches_from_two_inputs_are_noted() -> None:
    a = _analysis("""
        archc: 1
        name: t
        inputs:
          left: [8, 8, 1]
          right: [8, 8, 1]
        layers:
          - conv2d: {name: l, inputs: left, filters: 1, kernel_size: 3, padding: same}
          - conv2d: {name: r, inputs: right, filters: 1, kernel_size: 3, padding: same}
          - add: {name: both, inputs: [l, r]}
        """)
    assert a.field("both").inputs == frozenset({"left", "right"})
    assert a.field("both").notes == ("the branches start from different inputs (left, right); "
                                     "the figures are in each input's own pixels",)


# -- the zoo ------------------------------------------------------------------------------------


def test_vgg16_after_pool5_is_212() -> None:
    # Each stage: its 3x3s add 2j each, its 2x2/2 pool adds j and doubles j.
    # block1 (j 1): 1 + 2 + 2 = 5, pool 6 (j 2); block2: 6 + 4 + 4 = 14, pool 16 (j 4);
    # block3: 16 + 3 x 8 = 40, pool 44 (j 8); block4: 44 + 3 x 16 = 92, pool 100 (j 16);
    # block5: 100 + 3 x 32 = 196, pool 212 (j 32). Centre: 15.5, the middle of 0..31.
    a = _zoo("vgg16")
    assert _square(a.field("block5/convs/block3/conv2d_1")) == (196, 16, 7.5)
    assert _square(a.field("block5/pool")) == (212, 32, 15.5)


@pytest.mark.parametrize("variant", ["one_tower", "two_gpu"])
def test_alexnet_after_pool5_is_195(variant: str) -> None:
    # conv1 11/4: 11 (j 4); pool1 3/2: 11 + 2 x 4 = 19 (j 8); conv2 5: 19 + 4 x 8 = 51;
    # pool2: 51 + 2 x 8 = 67 (j 16); conv3..5: 67 + 3 x 2 x 16 = 163; pool5: 163 + 32 = 195
    a = _zoo("alexnet", variant)
    assert [_square(a.field(n))[:2] for n in ("conv1", "pool1", "conv2", "pool2", "conv5",
                                               "pool5")] == \
        [(11, 4), (19, 8), (51, 8), (67, 16), (163, 16), (195, 32)]


def test_lenet5_c5_sees_the_whole_32x32_input() -> None:
    # c1 5; s2 2x2/2: 6 (j 2); c3 5x5: 6 + 4 x 2 = 14; s4: 14 + 2 = 16 (j 4);
    # c5 5x5: 16 + 4 x 4 = 32, centred on 15.5: pixels 0..31, all of the input.
    a = _zoo("lenet5")
    c5 = a.field("c5")
    assert _square(c5) == (32, 4, 15.5)
    assert c5.axes is not None and c5.axes[0].first == 0
    assert a.field("flatten_1").whole


def test_googlenet() -> None:
    # conv1 7/2: 7 (j 2); pool1 3/2: 11 (j 4); conv2 3x3: 19; pool2: 27 (j 8).
    # Each Inception module's widest branch is its 5x5: + 4j. 3a 59, 3b 91, pool3 107 (j 16);
    # 4a..4e: 107 + 5 x 64 = 427, pool4 459 (j 32); 5a, 5b: 459 + 2 x 128 = 715;
    # pool5 (7x7/1): 715 + 6 x 32 = 907.
    a = _zoo("googlenet")
    expected = {"pool2": (27, 8), "inception_3a/branches/concat": (59, 8), "pool3": (107, 16),
                "inception_4e/branches/concat": (427, 16), "pool4": (459, 32),
                "inception_5b/branches/concat": (715, 32), "pool5": (907, 32)}
    assert {name: _square(a.field(name))[:2] for name in expected} == expected
    # 'same' on even maps: conv1 7/2 on 224 pads 5, 2 before (centre 3 - 2 = 1); pool1 3/2
    # on 112 pads 1, none before (centre 1 + 1 x 2 = 3)
    assert _square(a.field("conv1"))[2] == 1.0 and _square(a.field("pool1"))[2] == 3.0


def test_googlenet_auxiliary_heads() -> None:
    # aux1 on 4a (171, j 16): avg pool 5x5/3: 171 + 4 x 16 = 235 (j 48);
    # aux2 on 4d (363): 363 + 64 = 427
    a = _zoo("googlenet", "with_aux")
    assert _square(a.field("aux1/conv2d_1"))[:2] == (235, 48)
    assert _square(a.field("aux2/conv2d_1"))[:2] == (427, 48)


# ResNet, Keras v1 (the stride on the first 1x1 of a bottleneck, on the first 3x3 of a basic
# block). Stem: 7x7/2 -> 7 (j 2), pool 3x3/2 -> 11 (j 4). Every 3x3 adds 2j.
# ResNet-50 [3, 4, 6, 3] bottlenecks, one 3x3 each:
#   conv2 (j 4): 11 + 3 x 8 = 35; conv3 (j 8): 35 + 4 x 16 = 99;
#   conv4 (j 16): 99 + 6 x 32 = 291; conv5 (j 32): 291 + 3 x 64 = 483.
# ResNet-101 [3, 4, 23, 3]: 99 + 23 x 32 = 835, + 192 = 1027.
# ResNet-152 [3, 8, 36, 3]: 35 + 8 x 16 = 163, + 36 x 32 = 1315, + 192 = 1507.
# Basic blocks [2, 2, 2, 2] (two 3x3 each; a stage's first 3x3 strides, adding 2 x the old j):
#   conv2: 11 + 4 x 8 = 43; conv3: 43 + 2 x 4 + 3 x 16 = 99; conv4: 99 + 2 x 8 + 3 x 32 =
#   211; conv5: 211 + 2 x 16 + 3 x 64 = 435 (ResNet-18).
# ResNet-34 [3, 4, 6, 3]: 11 + 6 x 8 = 59; 59 + 8 + 7 x 16 = 179; 179 + 16 + 11 x 32 = 547;
#   547 + 32 + 5 x 64 = 899.
_RESNET = {"resnet18": 435, "resnet34": 899, "resnet50": 483, "resnet101": 1027,
           "resnet152": 1507}


@pytest.mark.parametrize("variant", list(_RESNET))
def test_resnet_before_the_head(variant: str) -> None:
    a = _zoo("resnet", variant)
    assert _square(a.field("conv5/block3/activation_1" if variant != "resnet18"
                           else "conv5/block2/activation_1"))[:2] == (_RESNET[variant], 32)
    assert a.field("avg_pool").whole


def test_resnet18_strided_3x3_is_one_jump_off_its_shortcut() -> None:
    # conv3's first block: the 3x3/2 `same` on 56 pixels pads nothing before, so its centre
    # moves 1 x j = 4 pixels; the 1x1/2 projection stays at 0. The add notes it.
    a = _zoo("resnet", "resnet18")
    add = a.field("conv3/block1/residual_1/add")
    assert _square(add) == (67, 8, 4.0)
    assert add.notes == ("branches not aligned (height and width): first-unit centres at "
                         "input pixel 0 (`shortcut/bn`) and 4 (`batch_norm_2`); the field "
                         "spans them all",)


def test_xception() -> None:
    # entry: 3x3/2 valid 3 (j 2), 3x3 7; block2: two separable 3x3 + 4 + 4 = 15, pool 3/2
    # 19 (j 4); block3: 19 + 8 + 8 + 8 = 43 (j 8); block4: 43 + 3 x 16 = 91 (j 16);
    # middle: 8 x 3 separable x 32 = 768 -> 859; block13: 859 + 32 + 32 + 32 = 955 (j 32);
    # block14: 955 + 64 + 64 = 1083.
    a = _zoo("xception")
    assert _square(a.field("block4/residual_1/add"))[:2] == (91, 16)
    assert _square(a.field("middle/block8/residual_1/add"))[:2] == (859, 16)
    assert _square(a.field("block14_sepconv2_bn"))[:2] == (1083, 32)
    # block3's `same` pool on 74 pixels pads nothing before: one jump (4) off its 1x1/2
    # shortcut; blocks 2, 4 and 13 pool odd maps and stay aligned
    noted = [i.node.name for i in a.nodes if a.field(i.node.name).notes]
    assert noted == ["block3/residual_1/add"]


def test_se_resnet50_is_resnet50_plus_the_whole_input() -> None:
    a = _zoo("se_resnet50")
    last = a.field("conv5/block3/activation_1")
    assert _square(last)[:2] == (483, 32) and last.global_
    assert not a.field("conv2/block1/residual_1/batch_norm_3").global_  # before the first gate


def test_preact_resnet1001() -> None:
    # 32x32 input, stem 3x3: 3. 111 bottlenecks per stage, one 3x3 each (the stride sits on
    # the 1x1): stage1 (j 1) 3 + 111 x 2 = 225; stage2 (j 2) + 111 x 4 = 669; stage3 (j 4)
    # + 111 x 8 = 1557, 48.7 times the input.
    a = _zoo("preact_resnet1001")
    assert _square(a.field("final_relu"))[:2] == (1557, 4)


def test_layer_norm_keeps_the_field_of_its_input() -> None:
    a = _analysis("archc: 1\nname: t\ninput: [9, 9, 1]\nlayers:\n"
                  "  - conv2d: {name: c, filters: 4, kernel_size: 3, strides: 2}\n"
                  "  - layer_norm: {name: ln}\n")
    assert format_field(a.field("ln")) == format_field(a.field("c")) == "3x3 /2"
