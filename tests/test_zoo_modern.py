"""The modern families of the zoo reproduce docs/numbers.md exactly.

Issue 12's acceptance test: `archc summary SPEC --variant V --format json` equals the
sections "Modern families" and "U-Net" of numbers.md in all four figures. Every number
below is typed from numbers.md; none is read back from archc's output. U-Net's row there
gives params and MACs only: it has no batch norm, so every weight is trainable and the
non-trainable count is 0.
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout

import pytest
from spec_helpers import SPECS

from archc.cli import main

# (spec, variant) -> (input, params, trainable, non-trainable, MACs)
MODERN: dict[tuple[str, str | None], tuple[list[int], int, int, int, int]] = {
    ("convnext", "tiny"): ([224, 224, 3], 28_589_128, 28_589_128, 0, 4_455_531_264),
    ("convnext", "small"): ([224, 224, 3], 50_223_688, 50_223_688, 0, 8_683_712_256),
    ("convnext", "base"): ([224, 224, 3], 88_591_464, 88_591_464, 0, 15_354_729_472),
    ("convnext", "large"): ([224, 224, 3], 197_767_336, 197_767_336, 0, 34_361_433_600),
    ("convnext", "xlarge"): ([224, 224, 3], 350_196_968, 350_196_968, 0, 60_921_030_656),
    ("efficientnet", "b0"): ([224, 224, 3], 5_330_571, 5_288_548, 42_023, 385_814_752),
    ("efficientnet", "b1"): ([240, 240, 3], 7_856_239, 7_794_184, 62_055, 686_802_832),
    ("efficientnet", "b2"): ([260, 260, 3], 9_177_569, 9_109_994, 67_575, 993_561_872),
    ("efficientnet", "b3"): ([300, 300, 3], 12_320_535, 12_233_232, 87_303, 1_827_141_392),
    ("efficientnet", "b4"): ([380, 380, 3], 19_466_823, 19_341_616, 125_207, 4_393_771_024),
    ("efficientnet", "b5"): ([456, 456, 3], 30_562_527, 30_389_784, 172_743,
                             10_266_384_752),
    ("efficientnet", "b6"): ([528, 528, 3], 43_265_143, 43_040_704, 224_439,
                             19_067_593_536),
    ("efficientnet", "b7"): ([600, 600, 3], 66_658_687, 66_347_960, 310_727,
                             37_745_884_192),
    ("mobilenetv3", "small"): ([224, 224, 3], 2_554_968, 2_542_856, 12_112, 56_510_400),
    ("mobilenetv3", "large"): ([224, 224, 3], 5_507_432, 5_483_032, 24_400, 216_589_760),
    ("mobilenetv3", "small_minimalistic"): (
        [224, 224, 3], 2_056_848, 2_044_736, 12_112, 52_288_448),
    ("mobilenetv3", "large_minimalistic"): (
        [224, 224, 3], 3_948_688, 3_924_288, 24_400, 209_136_704),
    ("inception_resnet_v2", None): (
        [299, 299, 3], 55_873_736, 55_813_192, 60_544, 13_155_794_016),
    ("unet", None): ([572, 572, 1], 31_030_658, 31_030_658, 0, 150_428_424_448),
}


def summary_json(spec: str, variant: str | None) -> dict[str, object]:
    """What the command line prints, parsed: the issue asks for the CLI's figures."""
    args = ["summary", str(SPECS / f"{spec}.yaml"), "--format", "json"]
    if variant is not None:
        args += ["--variant", variant]
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(args)
    assert code == 0
    result: dict[str, object] = json.loads(out.getvalue())
    return result


@pytest.mark.parametrize(("spec", "variant"), sorted(MODERN, key=str),
                         ids=[f"{s}-{v}" if v else s for s, v in sorted(MODERN, key=str)])
def test_modern_family_equals_numbers_md(spec: str, variant: str | None) -> None:
    shape, params, trainable, frozen, macs = MODERN[(spec, variant)]
    assert params == trainable + frozen  # the row's own arithmetic
    report = summary_json(spec, variant)
    assert report["inputs"] == [{"name": "input", "shape": shape}]
    if spec == "unet":  # the paper's output: 388x388, one map per class
        assert report["outputs"] == [{"name": "classes", "shape": [388, 388, 2]}]
    assert (report["total_params"], report["trainable_params"],
            report["non_trainable_params"], report["total_macs"]) == \
        (params, trainable, frozen, macs)


@pytest.mark.parametrize("spec", sorted({s for s, _ in MODERN}))
def test_every_variant_of_a_modern_family_is_checked(spec: str) -> None:
    from archc.pipeline import compile_file

    header = compile_file(str(SPECS / f"{spec}.yaml")).header
    assert header is not None
    declared: set[str | None] = set(header.variants) or {None}
    assert declared == {v for s, v in MODERN if s == spec}


def test_efficientnet_non_trainable_is_batch_norm_statistics_plus_normalization() -> None:
    # B0's 42,023 = 2 x 21,008 batch-norm channels + 7 (Normalization: mean 3, variance 3,
    # count 1). The BN channels by hand: stem 32; block1a 32 + 16; per MBConv with expansion
    # 6 and input c, output o: 6c + 6c + o; top 1280.
    blocks = [(16, 24), (24, 24), (24, 40), (40, 40), (40, 80), (80, 80), (80, 80),
              (80, 112), (112, 112), (112, 112), (112, 192), (192, 192), (192, 192),
              (192, 192), (192, 320)]
    channels = 32 + (32 + 16) + sum(12 * c + o for c, o in blocks) + 1280
    assert 2 * channels + 7 == MODERN[("efficientnet", "b0")][3]
