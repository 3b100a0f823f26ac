"""The zoo reproduces docs/numbers.md exactly.

Every figure below is typed from numbers.md (or derived from it by the arithmetic shown);
none is read back from archc's own output.
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from spec_helpers import SPECS, compile_yaml

import archc
from archc.cli import main
from archc.passes.analysis import Analysis

# network -> (spec file, variant, params, trainable, MACs): the totals table of numbers.md.
TOTALS = {
    "lenet5": ("lenet5.yaml", None, 60_850, 60_850, 326_520),
    "alexnet_one_tower": ("alexnet.yaml", "one_tower", 62_378_344, 62_378_344, 1_135_256_096),
    "alexnet_two_gpu": ("alexnet.yaml", "two_gpu", 60_965_224, 60_965_224, 724_406_816),
    "vgg16": ("vgg16.yaml", None, 138_357_544, 138_357_544, 15_470_264_320),
    "googlenet": ("googlenet.yaml", "default", 6_998_552, 6_998_552, 1_582_671_872),
    "googlenet_aux": ("googlenet.yaml", "with_aux", 13_378_280, 13_378_280, 1_591_044_096),
    "resnet18": ("resnet.yaml", "resnet18", 11_699_112, 11_689_512, 1_814_073_344),
    "resnet34": ("resnet.yaml", "resnet34", 21_814_696, 21_797_672, 3_663_761_408),
    "resnet50": ("resnet.yaml", "resnet50", 25_636_712, 25_583_592, 3_857_973_248),
    "resnet101": ("resnet.yaml", "resnet101", 44_707_176, 44_601_832, 7_570_194_432),
    "resnet152": ("resnet.yaml", "resnet152", 60_419_944, 60_268_520, 11_282_415_616),
    "xception": ("xception.yaml", None, 22_910_480, 22_855_952, 8_357_403_496),
    "se_resnet50": ("se_resnet50.yaml", None, 28_167_704, 28_114_584, 3_860_488_192),
}


def _load(spec: str, variant: str | None = None) -> archc.Summary:
    return archc.load(SPECS / spec, variant=variant)


@pytest.mark.parametrize("network", sorted(TOTALS))
def test_totals_match_numbers_md(network: str) -> None:
    spec, variant, params, trainable, macs = TOTALS[network]
    s = _load(spec, variant)
    assert (s.total_params, s.trainable_params, s.total_macs) == (params, trainable, macs)
    assert s.non_trainable_params == params - trainable
    assert s.total_flops == 2 * macs


def test_every_variant_of_the_numbers_md_zoo_is_checked() -> None:
    checked: dict[str, set[str | None]] = {}
    for spec, variant, *_ in TOTALS.values():
        checked.setdefault(spec, set()).add(variant)
    assert len(checked) == 7  # the seven networks of numbers.md's totals table
    for name, variants in sorted(checked.items()):
        header = _load(name).compiled.header
        assert header is not None
        declared: set[str | None] = set(header.variants) or {None}
        assert declared <= variants | {None}, (name, declared)


def test_resnet_default_variant_is_resnet50() -> None:
    assert _load("resnet.yaml").total_params == TOTALS["resnet50"][2]


@pytest.mark.parametrize("path", sorted(SPECS.glob("*.yaml")), ids=lambda p: p.name)
def test_spec_starts_with_schema_line_and_source_comment(path: Path) -> None:
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# yaml-language-server: $schema=")
    schema = lines[0].split("$schema=", 1)[1]
    assert (path.parent / schema).resolve() == (SPECS.parent / "docs" / "archc.schema.json")
    assert (SPECS.parent / "docs" / "archc.schema.json").is_file()
    comments = [line for line in lines[1:] if line.startswith("#") and line.strip("# ")]
    assert comments, "the spec needs a comment naming its source"
    header = _load(path.name).compiled.header
    assert header is not None and header.source, "the spec needs a `source:` field"


def test_resnet50_summary_json_in_process() -> None:
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["summary", str(SPECS / "resnet.yaml"), "--variant", "resnet50",
                     "--format", "json"])
    assert code == 0
    data = json.loads(out.getvalue())
    assert data["total_params"] == 25636712
    assert data["trainable_params"] == 25583592
    assert data["total_macs"] == 3857973248
    assert data["total_flops"] == 2 * 3857973248
    assert data["variant"] == "resnet50"


# -- LeNet-5, row by row -------------------------------------------------------------------

# layer -> (output shape, params, MACs), numbers.md's LeNet-5 table.
LENET5 = [
    ("c1", (28, 28, 6), 156, 117_600),
    ("s2", (14, 14, 6), 12, 0),
    ("c3", (10, 10, 16), 1_516, 150_000),
    ("s4", (5, 5, 16), 32, 0),
    ("c5", (1, 1, 120), 48_120, 48_000),
    ("f6", (84,), 10_164, 10_080),
    ("output", (10,), 850, 840),
]


def test_lenet5_per_layer_table() -> None:
    s = _load("lenet5.yaml")
    rows = {layer.name: layer for layer in s.layers}
    for name, shape, params, macs in LENET5:
        assert (rows[name].output_shape, rows[name].params, rows[name].macs) == (
            shape, params, macs), name
    # Every other layer (flatten) is free; the table's rows add up to the total.
    others = [r for r in s.layers if r.name not in {n for n, *_ in LENET5}]
    assert all(r.params == 0 and r.macs == 0 for r in others)
    assert [r.type for r in others] == ["flatten"]


def test_lenet5_c3_table_is_the_point() -> None:
    # 60 links * 25 weights + 16 biases = 1,516; a dense 6 -> 16 conv would have
    # 6 * 16 * 25 + 16 = 2,416 (numbers.md).
    s = _load("lenet5.yaml")
    c3 = s.graph["c3"]
    assert sum(len(row) for row in c3.attrs.connections) == 60
    assert 25 * 60 + 16 == 1_516
    plain = compile_yaml("""
        archc: 1
        name: plain_c3
        input: [14, 14, 6]
        layers:
          - conv2d: {filters: 16, kernel_size: 5}
    """)
    assert plain.analysis is not None and plain.analysis.total.params == 2_416


# -- AlexNet per layer -----------------------------------------------------------------------

ALEXNET_CONV = {  # one tower: (params, MACs), numbers.md
    "conv1": (34_944, 105_415_200),
    "conv2": (614_656, 447_897_600),
    "conv3": (885_120, 149_520_384),
    "conv4": (1_327_488, 224_280_576),
    "conv5": (884_992, 149_520_384),
}
ALEXNET_DENSE = {"fc6": (37_752_832, 4096), "fc7": (16_781_312, 4096), "fc8": (4_097_000, 1000)}


def test_alexnet_per_layer() -> None:
    s = _load("alexnet.yaml", "one_tower")
    rows = {layer.name: layer for layer in s.layers}
    for name, (params, macs) in ALEXNET_CONV.items():
        assert (rows[name].params, rows[name].macs) == (params, macs), name
    for name, (params, units) in ALEXNET_DENSE.items():
        # A dense layer's MACs are its weights: params minus one bias per unit.
        assert (rows[name].params, rows[name].macs) == (params, params - units), name
    assert rows["conv1"].output_shape == (55, 55, 96)  # (227 - 11) / 4 + 1 = 55
    assert all(r.params == 0 for r in s.layers if r.type == "lrn")


# -- GoogLeNet per module --------------------------------------------------------------------

# module -> (six hyperparameters, output shape, weights = params minus biases), numbers.md
GOOGLENET = {
    "inception_3a": ((64, 96, 128, 16, 32, 32), (28, 28, 256), 163_328),
    "inception_3b": ((128, 128, 192, 32, 96, 64), (28, 28, 480), 388_096),
    "inception_4a": ((192, 96, 208, 16, 48, 64), (14, 14, 512), 375_552),
    "inception_4b": ((160, 112, 224, 24, 64, 64), (14, 14, 512), 448_512),
    "inception_4c": ((128, 128, 256, 24, 64, 64), (14, 14, 512), 509_440),
    "inception_4d": ((112, 144, 288, 32, 64, 64), (14, 14, 528), 604_672),
    "inception_4e": ((256, 160, 320, 32, 128, 128), (14, 14, 832), 867_328),
    "inception_5a": ((256, 160, 320, 32, 128, 128), (7, 7, 832), 1_042_432),
    "inception_5b": ((384, 192, 384, 48, 128, 128), (7, 7, 1024), 1_442_816),
}


def test_googlenet_modules() -> None:
    s = _load("googlenet.yaml")
    blocks = {b["name"]: b for b in s.to_dict()["blocks"]}
    for name, (hyper, shape, weights) in GOOGLENET.items():
        biases = sum(hyper)  # one bias per filter of the module's six convolutions
        assert blocks[name]["params"] - biases == weights, name
        assert tuple(blocks[name]["output_shape"]) == shape, name
        n1, _, n3, _, n5, proj = hyper
        assert shape[2] == n1 + n3 + n5 + proj


def test_googlenet_aux_heads() -> None:
    plain = _load("googlenet.yaml", "default")
    aux = _load("googlenet.yaml", "with_aux")
    assert len(plain.outputs) == 1 and len(aux.outputs) == 3
    # numbers.md: 3,188,840 params on 4a, 3,190,888 on 4d.
    assert aux.total_params - plain.total_params == 3_188_840 + 3_190_888
    assert aux.analysis.scope_total(("aux1",)).params == 3_188_840
    assert aux.analysis.scope_total(("aux2",)).params == 3_190_888


# -- SE and separable costs ------------------------------------------------------------------


def _se_cost(analysis: Analysis) -> tuple[int, int]:
    params = macs = 0
    for info in analysis.nodes:
        if "se" in info.node.scope:
            params += info.cost.params
            macs += info.cost.macs
    return params, macs


def test_se_extra_params_and_macs() -> None:
    se = _load("se_resnet50.yaml")
    plain = _load("resnet.yaml", "resnet50")
    # numbers.md: 2,514,944 weights + 16,048 biases = 2,530,992 params; MACs = the weights.
    assert 2_514_944 + 16_048 == 2_530_992
    assert se.total_params - plain.total_params == 2_530_992
    assert se.total_macs - plain.total_macs == 2_514_944
    assert _se_cost(se.analysis) == (2_530_992, 2_514_944)


def test_separable_cost_example_from_the_seed() -> None:
    spec = """
        archc: 1
        name: separable_vs_standard
        input: [14, 14, 512]
        layers:
          - separable_conv2d: {name: sep, filters: 512, kernel_size: 3, padding: same,
                               use_bias: false}
          - conv2d: {name: std, inputs: input, filters: 512, kernel_size: 3, padding: same,
                     use_bias: false}
    """
    analysis = compile_yaml(spec).analysis
    assert analysis is not None
    m, n, dp, dk = 512, 512, 14, 3
    assert m * dp**2 * (dk**2 + n) == 52_283_392
    assert n * dp**2 * dk**2 * m == 462_422_016
    assert analysis.info("sep").cost.macs == 52_283_392
    assert analysis.info("std").cost.macs == 462_422_016
    # ratio separable / standard = 1/N + 1/Dk^2
    ratio = analysis.info("sep").cost.macs / analysis.info("std").cost.macs
    assert ratio == pytest.approx(1 / n + 1 / dk**2)
