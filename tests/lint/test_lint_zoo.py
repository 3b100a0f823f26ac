"""Lint over the zoo: exactly the expected findings, no noise.

The full set is pinned for every spec and variant. Why each finding is right:
- AlexNet: conv2's 5x5 (96 -> 256) as two 3x3 (96 -> 96 -> 256) needs about half the params;
  both LRNs; pool2 (27 -> 13) is followed by 384 channels, not 2 x 256; fc6..fc8 hold 94%.
- VGG16: block5 stays at 512 after block4's pool; fc1 holds 74% of all params.
- GoogLeNet: all nine 5x5 branch convolutions; both LRNs; 4x and 5x modules widen by less
  than 2x after pool3 and pool4; with the auxiliary heads, dense layers hold over half the
  params.
- Xception: the middle flow stays at 728 (the widest map at 19x19 is 1024 < 2 x 728).
- Pre-activation ResNet-1001 (L009): on its 32x32 input the field reaches 4 x 32 = 128 at
  stage1's 63rd unit (stem 3x3: 3, then + 2 per unit: 3 + 63 x 2 = 129), with 270 of its
  334 3x3 convolutions still to come (3 x 111 + 1 - 64).
- InceptionResNetV2: mixed_5b's 5x5 branch (48 -> 64) as in GoogLeNet; the stem's two
  pools (147 -> 73 to 80 channels, 71 -> 35 to 320) and mixed_7a's pool (17 -> 8, 1088 ->
  2080) widen by less than 2x. Not dozens: the 40 residual blocks are quiet.
- ConvNeXt S/B/L/XL (L009): 27 blocks of 7x7 depthwise convolutions in stage 3 reach 4 x
  224 at its 7th block with 65% of the MACs to go; T (9 blocks in stage 3) stays under it.
  The 7x7 depthwise kernels (L001), the dense pointwise layers on maps (L006) and the
  downsampling conv feeding a shortcut (L007) are deliberate and not reported.
- EfficientNet: stages widen by less than 2x after their stride-2 blocks (L002, the stages
  where the widest map stays under 2x); one L005 for the whole network (block1a squeezes 32
  to 8; later blocks are within range because the width comes from the block's input).
- MobileNetV3: L002 where 64 -> 72 (Large) or 72 -> 88 (Small) expanded channels follow a
  stride 2, and Large's block 13 (672 -> 960); one L005 for its 4x squeezes. The linear
  bottlenecks between blocks (L007) are deliberate and not reported.
- U-Net is clean (no classifier: L009 does not apply).
- YOLOv8 (all five scales) is clean. Its outputs are maps, not a classifier, so L009 does
  not apply; it has no convolution larger than 3x3 (SPPF's 5x5 windows are max pools: no
  L001); every stride-2 convolution lands at a size whose widest map has at least twice its
  input channels (the neck's concats: bottom4/conv reads 64 channels at 80x80 and
  bottom4/cat has 192 at 40x40; no L002); each head's 1x1 output convolution follows a
  SiLU (no L007).
- LeNet-5, ResNet-18..152 and SE-ResNet-50 are clean: LeNet's 5x5s read 1 channel (c1),
  use a connection table (c3) or cover the whole map (c5); ResNet's stem pool may feed a
  stage of 64 (ResNet-18/34) because the 7x7/2 stem is a transition, not a stage. No zoo
  classifier pools features smaller than its input (L009): AlexNet's 195 and VGG16's 212
  feed flatten heads, which keep a weight per position.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from archc.diagnostics import Diagnostic
from archc.lint import config_for, lint
from archc.pipeline import Compiled, Options, compile_file

SPECS = Path(__file__).resolve().parents[2] / "specs"

_GOOGLENET_5X5 = [("L001", f"inception_{m}/branches/branch3/conv5x5")
                  for m in ("3a", "3b", "4a", "4b", "4c", "4d", "4e", "5a", "5b")]
_GOOGLENET = [*_GOOGLENET_5X5, ("L003", "norm1"), ("L003", "norm2"), ("L002", "pool3"),
              ("L002", "pool4")]
_ALEXNET = [("L003", "norm1"), ("L001", "conv2"), ("L003", "norm2"), ("L002", "pool2"),
            ("L006", "fc6")]

EXPECTED: dict[tuple[str, str | None], list[tuple[str, str]]] = {
    ("lenet5", None): [],
    ("alexnet", "one_tower"): _ALEXNET,
    ("alexnet", "two_gpu"): _ALEXNET,
    ("vgg16", None): [("L002", "block4/pool"), ("L006", "fc1")],
    ("googlenet", "default"): _GOOGLENET,
    ("googlenet", "with_aux"): [*_GOOGLENET_5X5, ("L006", "aux1/dense_1"), *_GOOGLENET[9:]],
    ("resnet", "resnet18"): [],
    ("resnet", "resnet34"): [],
    ("resnet", "resnet50"): [],
    ("resnet", "resnet101"): [],
    ("resnet", "resnet152"): [],
    ("xception", None): [("L002", "block4/residual_1/pool")],
    ("se_resnet50", None): [],
    ("preact_resnet1001", None): [("L009", "stage1/block63/unit/conv2")],
    ("inception_resnet_v2", None): [("L001", "mixed_5b/branch2/cbn_2/conv2d_1"),
                                    ("L002", "max_pool2d_1"), ("L002", "max_pool2d_2"),
                                    ("L002", "mixed_7a/branch4/max_pool2d_1")],
    ("convnext", "tiny"): [],
    **{("convnext", v): [("L009", "stages/block3/blocks/block7/residual_1/depthwise_conv")]
       for v in ("small", "base", "large", "xlarge")},
    **{("efficientnet", v): [*[("L002", f"stages/block{i}/blocks/block1/residual_1/dwconv")
                               for i in stages], ("L005", "se")]
       for v, stages in (("b0", (2, 3, 6)), ("b1", (2, 3)), ("b2", (2,)), ("b3", (2, 3)),
                         ("b4", (2, 3)), ("b5", (2, 3)), ("b6", (2, 3)), ("b7", (2, 3)))},
    ("mobilenetv3", "small"): [("L002", "blocks/block2/residual_1/depthwise"),
                               ("L005", "squeeze_excite")],
    ("mobilenetv3", "large"): [("L002", "blocks/block2/residual_1/depthwise"),
                               ("L002", "blocks/block13/residual_1/depthwise"),
                               ("L005", "squeeze_excite")],
    ("mobilenetv3", "small_minimalistic"): [("L002", "blocks/block2/residual_1/depthwise")],
    ("mobilenetv3", "large_minimalistic"): [("L002", "blocks/block2/residual_1/depthwise"),
                                            ("L002", "blocks/block13/residual_1/depthwise")],
    ("unet", None): [],
    **{("yolov8", v): [] for v in ("n", "s", "m", "l", "x")},
}


def _lint(compiled: Compiled) -> list[Diagnostic]:
    assert compiled.header is not None and compiled.analysis is not None
    return lint(compiled.analysis, config_for(compiled.doc, compiled.header.lint))


def _findings(name: str, variant: str | None) -> list[tuple[str, str]]:
    compiled = compile_file(str(SPECS / f"{name}.yaml"), Options(variant=variant))
    found = []
    for d in _lint(compiled):
        # every message names its layer in backticks first: `conv2`, `inception_3a/...`
        found.append((d.code, d.message.split("`")[1]))
    return found


@pytest.mark.parametrize(("name", "variant"), list(EXPECTED))
def test_zoo_findings(name: str, variant: str | None) -> None:
    assert _findings(name, variant) == EXPECTED[(name, variant)]


def test_every_zoo_spec_is_pinned() -> None:
    assert {p.stem for p in SPECS.glob("*.yaml")} <= {n for n, _ in EXPECTED}


def test_alexnet_conv2_saving_by_hand() -> None:
    # conv2: 27x27 output, 96 -> 256, 5x5, pad 2 (one pixel per 3x3), with biases.
    compiled = compile_file(str(SPECS / "alexnet.yaml"))
    [d] = [d for d in _lint(compiled) if d.code == "L001"]
    five = 25 * 96 * 256 + 256
    stack = 9 * 96 * 96 + 96 + 9 * 96 * 256 + 256
    assert five == 614_656  # numbers.md, conv2 params
    macs_five = 27 * 27 * 25 * 96 * 256
    assert macs_five == 447_897_600  # numbers.md, conv2 MACs
    macs_stack = 27 * 27 * (9 * 96 * 96 + 9 * 96 * 256)
    assert f"{stack:,} instead of {five:,} params" in d.message
    assert f"{macs_stack:,} instead of {macs_five:,} MACs" in d.message


def test_preact_resnet1001_field_outgrows_the_input() -> None:
    compiled = compile_file(str(SPECS / "preact_resnet1001.yaml"))
    [d] = _lint(compiled)
    windows = 1 + 3 * 111  # the stem and one 3x3 per unit in each of three stages
    crossing = 1 + 63  # 3 + 63 x 2 = 129 >= 4 x 32
    assert f"already sees {3 + 63 * 2}x{3 + 63 * 2} input pixels, 4.0 times the 32x32 " \
        f"input, yet {windows - crossing} of the {windows} layers with a window" in d.message
    # the message in docs/lint-rules.md is this one
    doc = (SPECS.parent / "docs" / "lint-rules.md").read_text(encoding="utf-8")
    assert f"specs/preact_resnet1001.yaml:{d.span.line}:{d.span.col}: warning[L009]: " \
        f"{d.message}\n" in doc  # type: ignore[union-attr]


def test_vgg16_fc1_share_by_hand() -> None:
    compiled = compile_file(str(SPECS / "vgg16.yaml"))
    [d] = [d for d in _lint(compiled) if d.code == "L006"]
    fc1 = 7 * 7 * 512 * 4096 + 4096
    total = 138_357_544  # numbers.md
    assert f"`fc1` alone holds {fc1:,} ({fc1 / total:.1%})" in d.message
    assert f"{fc1 / total:.1%}" == "74.3%"
