"""The table in docs/zoo.md is what archc computes, and what numbers.md says.

Each row is recomputed with `archc.load(spec, variant=...)` and compared with the reference
figures in docs/numbers.md (in the repository, so every clone runs every row), matched by
the network labels below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

import archc
from archc.pipeline import compile_file

from .markdown_blocks import ROOT

DOC = ROOT / "docs" / "zoo.md"
NUMBERS = ROOT / "docs" / "numbers.md"

_ROW = re.compile(
    r"^\| `(specs/[a-z0-9_]+\.yaml)` \| (?:`([a-z0-9_]+)`|-) \| (\d+(?:x\d+)*) \| "
    r"([\d,]+) \| ([\d,]+) \| ([\d,]+) \|", re.MULTILINE)


@dataclass(frozen=True)
class Row:
    spec: str
    variant: str | None
    input: str
    params: int
    trainable: int
    macs: int


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def _rows() -> list[Row]:
    text = DOC.read_text(encoding="utf-8")
    return [Row(m[1], m[2] or None, m[3], _int(m[4]), _int(m[5]), _int(m[6]))
            for m in _ROW.finditer(text)]


ROWS = _rows()


def test_the_table_is_parsed() -> None:
    # 1 + 2 + 1 + 2 + 5 + 1 + 1 networks of the reference table, then the modern families
    # (issue 12): ConvNeXt 5, EfficientNet 8, MobileNetV3 4, InceptionResNetV2 1, U-Net 1;
    # then YOLOv8 n, s, m, l, x (issue 20).
    assert len(ROWS) == 13 + len(MODERN_LABELS) + len(YOLO_LABELS)


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.spec}:{r.variant}")
def test_row_equals_the_analysis(row: Row) -> None:
    summary = archc.load(str(ROOT / row.spec), variant=row.variant)
    (shape,) = summary.inputs.values()
    assert "x".join(map(str, shape)) == row.input
    assert (summary.total_params, summary.trainable_params, summary.total_macs) == \
        (row.params, row.trainable, row.macs)


def test_every_variant_and_spec_is_covered() -> None:
    listed = {(r.spec, r.variant) for r in ROWS}
    text = DOC.read_text(encoding="utf-8")
    for path in sorted((ROOT / "specs").glob("*.yaml")):
        name = f"specs/{path.name}"
        assert f"`{name}`" in text, f"{name} is not mentioned in docs/zoo.md"
        header = compile_file(str(path)).header
        assert header is not None
        if any(spec == name for spec, _ in listed):
            expected: set[str | None] = set(header.variants) or {None}
            assert {v for spec, v in listed if spec == name} == expected


# The row of numbers.md's totals table for each zoo row, by the start of its label.
LABELS = {
    ("specs/lenet5.yaml", None): "LeNet-5",
    ("specs/alexnet.yaml", "one_tower"): "AlexNet, one tower",
    ("specs/alexnet.yaml", "two_gpu"): "AlexNet, two-GPU",
    ("specs/vgg16.yaml", None): "VGG16",
    ("specs/googlenet.yaml", "default"): "GoogLeNet, Table 1",
    ("specs/googlenet.yaml", "with_aux"): "GoogLeNet with both",
    ("specs/resnet.yaml", "resnet18"): "ResNet-18",
    ("specs/resnet.yaml", "resnet34"): "ResNet-34",
    ("specs/resnet.yaml", "resnet50"): "ResNet-50",
    ("specs/resnet.yaml", "resnet101"): "ResNet-101",
    ("specs/resnet.yaml", "resnet152"): "ResNet-152",
    ("specs/xception.yaml", None): "Xception",
    ("specs/se_resnet50.yaml", None): "SE-ResNet-50",
}
# numbers.md's "Modern families" and "U-Net" tables (labels end with " |": the
# minimalistic MobileNetV3 rows start like the plain ones).
MODERN_LABELS = {
    ("specs/inception_resnet_v2.yaml", None): "InceptionResNetV2 |",
    ("specs/convnext.yaml", 'tiny'): "ConvNeXtTiny |",
    ("specs/convnext.yaml", 'small'): "ConvNeXtSmall |",
    ("specs/convnext.yaml", 'base'): "ConvNeXtBase |",
    ("specs/convnext.yaml", 'large'): "ConvNeXtLarge |",
    ("specs/convnext.yaml", 'xlarge'): "ConvNeXtXLarge |",
    ("specs/efficientnet.yaml", 'b0'): "EfficientNetB0 |",
    ("specs/efficientnet.yaml", 'b1'): "EfficientNetB1 |",
    ("specs/efficientnet.yaml", 'b2'): "EfficientNetB2 |",
    ("specs/efficientnet.yaml", 'b3'): "EfficientNetB3 |",
    ("specs/efficientnet.yaml", 'b4'): "EfficientNetB4 |",
    ("specs/efficientnet.yaml", 'b5'): "EfficientNetB5 |",
    ("specs/efficientnet.yaml", 'b6'): "EfficientNetB6 |",
    ("specs/efficientnet.yaml", 'b7'): "EfficientNetB7 |",
    ("specs/mobilenetv3.yaml", 'small'): "MobileNetV3Small |",
    ("specs/mobilenetv3.yaml", 'large'): "MobileNetV3Large |",
    ("specs/mobilenetv3.yaml", 'small_minimalistic'): "MobileNetV3Small, minimalistic |",
    ("specs/mobilenetv3.yaml", 'large_minimalistic'): "MobileNetV3Large, minimalistic |",
    ("specs/unet.yaml", None): "U-Net |",
}
# numbers.md's "Detection: YOLOv8" table: Keras's figures for the raw head (its columns
# "Keras total, raw head", "trainable" and "MACs, raw head").
YOLO_LABELS = {("specs/yolov8.yaml", v): f"YOLOv8{v} |" for v in ("n", "s", "m", "l", "x")}
LABELS.update(MODERN_LABELS)
LABELS.update(YOLO_LABELS)


def _columns(lines: list[str], index: int) -> list[str]:
    """The header cells of the table that holds line `index` (the line above its `|---`)."""
    while not lines[index].startswith("|---"):
        index -= 1
    return [c.strip() for c in lines[index - 1].strip("|").split("|")]


@pytest.mark.parametrize("row", ROWS, ids=lambda r: f"{r.spec}:{r.variant}")
def test_row_equals_numbers_md(row: Row) -> None:
    label = LABELS[(row.spec, row.variant)]
    text = NUMBERS.read_text(encoding="utf-8").splitlines()
    found = [i for i, line in enumerate(text) if line.startswith(f"| {label}")]
    assert len(found) == 1, f"no single row `{label}` in numbers.md"
    cells = [c.strip() for c in text[found[0]].strip("|").split("|")]
    column = dict(zip(_columns(text, found[0]), cells, strict=False))
    params = column.get("Keras total, raw head") or next(
        v for k, v in column.items() if k.startswith("params"))
    macs = column.get("MACs, raw head") or column["MACs"]
    assert (_int(params), _int(macs)) == (row.params, row.macs)
    # U-Net's table has no trainable column: it has no batch norm, so all params train.
    assert _int(column.get("trainable", params)) == row.trainable
