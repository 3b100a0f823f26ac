"""specs/yolov8.yaml reproduces docs/numbers.md, "Detection: YOLOv8", exactly.

Issue 20's acceptance test: `archc summary specs/yolov8.yaml --variant V --format json`
gives numbers.md's "Keras total, raw head", "Keras non-trainable, raw head" and "MACs, raw
head" for n, s, m, l and x, and the three raw head maps (64 box + 80 class channels at
strides 8, 16, 32). With `--set dfl=true` the spec adds the decoder's DFL (a fourth
output, 4 distances at each of the 8,400 positions) and gives numbers.md's "with DFL"
columns. Every figure below is typed from numbers.md; none is read back from archc's output.
"""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout

import pytest
from spec_helpers import SPECS

from archc.cli import main
from archc.pipeline import compile_file

# variant -> (Ultralytics params, trainable, Keras total raw head, Keras non-trainable raw
# head, MACs raw head, Keras total with DFL, non-trainable with DFL, MACs with DFL)
YOLOV8: dict[str, tuple[int, int, int, int, int, int, int, int]] = {
    "n": (3_157_200, 3_157_184, 3_167_776, 10_592, 4_371_456_000,
          3_167_792, 10_608, 4_371_993_600),
    "s": (11_166_560, 11_166_544, 11_186_576, 20_032, 14_300_774_400,
          11_186_592, 20_048, 14_301_312_000),
    "m": (25_902_640, 25_902_624, 25_935_744, 33_120, 39_467_827_200,
          25_935_760, 33_136, 39_468_364_800),
    "l": (43_691_520, 43_691_504, 43_737_968, 46_464, 82_573_721_600,
          43_737_984, 46_480, 82_574_259_200),
    "x": (68_229_648, 68_229_632, 68_287_712, 58_080, 128_901_632_000,
          68_287_728, 58_096, 128_902_169_600),
}

DFL_WEIGHTS = 16  # the fixed 1x1 convolution over the 16 bins of a box side
ANCHORS = 80 * 80 + 40 * 40 + 20 * 20  # 8,400 positions over the three levels
DFL_MACS = ANCHORS * 4 * 16  # 4 box sides x 16 bins at each position: 537,600

# numbers.md's YOLOv8n per-module table: (Ultralytics index, archc block, Ultralytics params,
# output H x W x C, MACs). Ultralytics counts batch-norm gamma and beta as parameters and
# the running statistics as buffers, so its params are the block's trainable params.
YOLOV8N_MODULES: list[tuple[int, str, int, list[int], int]] = [
    (0, "backbone/conv0", 464, [320, 320, 16], 44_236_800),
    (1, "backbone/conv1", 4_672, [160, 160, 32], 117_964_800),
    (2, "backbone/c2f2", 7_360, [160, 160, 32], 183_500_800),
    (3, "backbone/conv3", 18_560, [80, 80, 64], 117_964_800),
    (4, "backbone/c2f4", 49_664, [80, 80, 64], 314_572_800),
    (5, "backbone/conv5", 73_984, [40, 40, 128], 117_964_800),
    (6, "backbone/c2f6", 197_632, [40, 40, 128], 314_572_800),
    (7, "backbone/conv7", 295_424, [20, 20, 256], 117_964_800),
    (8, "backbone/c2f8", 460_288, [20, 20, 256], 183_500_800),
    (9, "backbone/sppf9", 164_608, [20, 20, 256], 65_536_000),
    (12, "top4/c2f", 148_224, [40, 40, 128], 235_929_600),
    (15, "top3/c2f", 37_248, [80, 80, 64], 235_929_600),
    (16, "bottom4/conv", 36_992, [40, 40, 64], 58_982_400),
    (18, "bottom4/c2f", 123_648, [40, 40, 128], 196_608_000),
    (19, "bottom5/conv", 147_712, [20, 20, 128], 58_982_400),
    (21, "bottom5/c2f", 493_056, [20, 20, 256], 196_608_000),
]
# Layers 10, 11, 13, 14, 17 and 20 (upsampling, concat): 0 params, 0 MACs, these maps.
YOLOV8N_PLAIN: dict[str, list[int]] = {
    "top4/up": [40, 40, 256], "top4/cat": [40, 40, 384], "top3/up": [80, 80, 128],
    "top3/cat": [80, 80, 192], "bottom4/cat": [40, 40, 192], "bottom5/cat": [20, 20, 384],
}
DETECT_PARAMS_N = 897_664  # layer 22, 16 of it the DFL weight
DETECT_MACS_N_WITH_DFL = 1_811_174_400


def summary_json(variant: str, *more: str) -> dict[str, object]:
    """What the command line prints, parsed: the issue asks for the CLI's figures."""
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["summary", str(SPECS / "yolov8.yaml"), "--variant", variant,
                     "--format", "json", *more])
    assert code == 0
    result: dict[str, object] = json.loads(out.getvalue())
    return result


@pytest.mark.parametrize("variant", list(YOLOV8))
def test_yolov8_equals_numbers_md(variant: str) -> None:
    ultra, trainable, total, frozen, macs, total_dfl, frozen_dfl, macs_dfl = YOLOV8[variant]
    # the row's own arithmetic: Keras's total is its trainable part plus the BN statistics;
    # Ultralytics's count adds the DFL weight to the trainable part; DFL adds 16 fixed
    # weights and 8,400 x 64 MACs
    assert total == trainable + frozen
    assert ultra == trainable + DFL_WEIGHTS
    assert (total_dfl, frozen_dfl, macs_dfl) == (total + DFL_WEIGHTS, frozen + DFL_WEIGHTS,
                                                 macs + DFL_MACS)
    report = summary_json(variant)
    assert report["variant"] == variant
    assert report["inputs"] == [{"name": "input", "shape": [640, 640, 3]}]
    assert report["outputs"] == [
        {"name": f"head/p{level}/branches/concat", "shape": [size, size, 4 * 16 + 80]}
        for level, size in ((3, 80), (4, 40), (5, 20))]
    assert (report["total_params"], report["trainable_params"],
            report["non_trainable_params"], report["total_macs"]) == \
        (total, trainable, frozen, macs)


@pytest.mark.parametrize("variant", list(YOLOV8))
def test_yolov8_with_dfl_equals_numbers_md(variant: str) -> None:
    *_, total_dfl, frozen_dfl, macs_dfl = YOLOV8[variant]
    report = summary_json(variant, "--set", "dfl=true")
    assert report["outputs"][-1] == {"name": "dfl", "shape": [ANCHORS, 4]}  # type: ignore[index]
    assert len(report["outputs"]) == 4  # type: ignore[arg-type]
    assert (report["total_params"], report["non_trainable_params"], report["total_macs"]) == \
        (total_dfl, frozen_dfl, macs_dfl)


def test_every_variant_of_yolov8_is_checked() -> None:
    header = compile_file(str(SPECS / "yolov8.yaml")).header
    assert header is not None
    assert set(header.variants) == set(YOLOV8)
    assert header.default_variant == "n"


def test_yolov8n_per_module_equals_ultralytics_layer_table() -> None:
    report = summary_json("n")
    blocks = {b["name"]: b for b in report["blocks"]}  # type: ignore[union-attr,index]
    for _, name, params, shape, macs in YOLOV8N_MODULES:
        block = blocks[name]
        assert (block["trainable_params"], block["output_shape"], block["macs"]) == \
            (params, shape, macs), name
    layers = {item["name"]: item for item in report["layers"]}  # type: ignore[union-attr,index]
    for name, shape in YOLOV8N_PLAIN.items():
        assert (layers[name]["params"], layers[name]["macs"], layers[name]["output_shape"]) \
            == (0, 0, shape), name
    heads = [blocks[f"head/p{level}"] for level in (3, 4, 5)]
    assert sum(h["trainable_params"] for h in heads) == blocks["head"]["trainable_params"]
    assert sum(h["trainable_params"] for h in heads) + DFL_WEIGHTS == DETECT_PARAMS_N
    assert sum(h["macs"] for h in heads) + DFL_MACS == DETECT_MACS_N_WITH_DFL
    # and the modules add up to the network: every layer of Ultralytics' table is covered
    assert sum(m[2] for m in YOLOV8N_MODULES) + DETECT_PARAMS_N == YOLOV8["n"][0]
    assert sum(m[4] for m in YOLOV8N_MODULES) + DETECT_MACS_N_WITH_DFL == YOLOV8["n"][7]


def test_zoo_md_gives_the_spec_lines_it_has() -> None:
    text = (SPECS.parent / "docs" / "zoo.md").read_text(encoding="utf-8")
    lines = (SPECS / "yolov8.yaml").read_text(encoding="utf-8").splitlines()
    code = [line for line in lines if line.strip() and not line.lstrip().startswith("#")]
    assert f"| `specs/yolov8.yaml` | {len(lines)} ({len(code)}) |" in text
