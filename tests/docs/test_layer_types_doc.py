"""The figures docs/spec-language.md states for the examples of the layer types added for
the modern families (issue 12) are what archc computes: each example is found by its
`name:` and its totals are worked out by hand here."""

from __future__ import annotations

from archc.passes.analysis import Analysis
from archc.pipeline import compile_text

from .markdown_blocks import DOCS, fenced_blocks

_BLOCKS = {b.text.split("name: ", 1)[1].split("\n", 1)[0]: b
           for b in fenced_blocks(DOCS / "spec-language.md")
           if b.info == "yaml" and "name: " in b.text}


def example(name: str) -> Analysis:
    block = _BLOCKS[name]
    analysis = compile_text(block.text, block.where).analysis
    assert analysis is not None
    return analysis


def test_layer_scale_example() -> None:
    # a ConvNeXt block at C = 96: depthwise-form conv 7*7*96 + 96, layer norm 2 * 96,
    # dense 96*384 + 384, dense 384*96 + 96, layer scale 96 = 8C^2 + 58C (families.md)
    a = example("layer_scale_example")
    c = 96
    assert a.total.params == 7 * 7 * c + c + 2 * c + (c * 4 * c + 4 * c) + (4 * c * c + c) + c
    assert a.total.params == 8 * c * c + 58 * c == 79_296
    [scale] = [i for i in a.nodes if i.node.op.value == "layer_scale"]
    assert scale.cost.trainable == 96




def test_preprocessing_example() -> None:
    # EfficientNet's adaptable normalization keeps mean 3 + variance 3 + count 1, frozen;
    # rescaling and ConvNeXt's given constants hold nothing
    a = example("preprocessing_example")
    assert (a.total.trainable, a.total.non_trainable) == (0, 2 * 3 + 1)
    assert a.info("efficientnet_rescaling").node.attrs.scale == 1 / 255


def test_reshape_example() -> None:
    a = example("reshape_example")
    assert a.shape("to_map") == (1, 1, 32)
    assert a.shape("rows") == (49, 32)  # 7 * 7 = 49 rows of 32 channels
    assert a.total.params == 0


def test_upsampling_example() -> None:
    # 28 x 2 = 56; conv 3*3*64*32 + 32 = 18,464 params at 56x56; then width x 2 = 112
    a = example("upsampling_example")
    assert a.total.params == 3 * 3 * 64 * 32 + 32 == 18_464
    assert a.total.macs == 56 * 56 * 32 * 3 * 3 * 64
    assert a.shape(a.graph.outputs[0]) == (56, 112, 32)


def test_conv2d_transpose_example() -> None:
    a = example("conv2d_transpose_example")
    up = a.info("upconv")
    assert up.shape == (56, 56, 512)  # (28 - 1) x 2 + max(2, 2)
    assert up.cost.params == 2 * 2 * 1024 * 512 + 512 == 2_097_664
    assert up.cost.macs == 28 * 28 * 1024 * 2 * 2 * 512 == 1_644_167_168
    assert a.shape("odd") == (112, 112, 8)  # same: 56 x 2


def test_cropping_example() -> None:
    # 64 - 4 - 4 = 56; the 2x2 /1 up-conv gives 64 + 1 = 65, cut to 65 - 4 - 5 = 56
    a = example("cropping_example")
    assert a.shape("skip") == (56, 56, 512) and a.shape("up") == (65, 65, 512)
    assert a.shape(a.graph.outputs[0]) == (56, 56, 1024)


def test_se_options_example() -> None:
    # EfficientNet-B0 block 2a: cin 16, 96 expanded, squeeze 16 // 4 = 4:
    # 96*4 + 4 + 4*96 + 96 = 868 (families.md's filters*se + se + se*filters + filters)
    a = example("se_options")
    se = [i for i in a.nodes if i.node.name.startswith("efficientnet_2a/se/")]
    assert sum(i.cost.params for i in se) == 96 * 4 + 4 + 4 * 96 + 96 == 868
    mobile = [i for i in a.nodes if i.node.name.startswith("mobilenetv3_3/")]
    assert sum(i.cost.params for i in mobile) == 96 * 24 + 24 + 24 * 96 + 96
    assert a.info("mobilenetv3_3/expand").node.attrs.activation == "hard_sigmoid"
