"""docs/receptive-field.md is true: its console session and field note are real output, and
its zoo table is what archc computes (recomputed here by walking back from each output)."""

from __future__ import annotations

import re
import shlex

import pytest
from spec_helpers import compile_yaml

import archc
from archc.cli import main
from archc.ir.ops import NormOp, ShapeOp
from archc.passes.analysis import Analysis
from archc.passes.receptive import format_field

from .markdown_blocks import ROOT, fenced_blocks

DOC = ROOT / "docs" / "receptive-field.md"
_ROW = re.compile(
    r"^\| `specs/([a-z0-9_]+)\.yaml` \| (?:`([a-z0-9_]+)`|-) \| (\d+x\d+) \| `([^`]+)` \| "
    r"`([^`]+)` \| ([^|]+) \| ([\d.]+|-) \| (\d+) \|$", re.MULTILINE)
_PER_POSITION = {NormOp.BATCH_NORM, ShapeOp.ACTIVATION, ShapeOp.DROPOUT, NormOp.LRN}


def test_console_session_is_real(monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    [block] = [b for b in fenced_blocks(DOC) if b.info == "console"]
    command, *shown = block.text.rstrip("\n").splitlines()
    assert command.startswith("$ archc ")
    monkeypatch.chdir(ROOT)
    assert main(shlex.split(command[2:])[1:]) == 0
    assert capsys.readouterr().out.rstrip("\n").splitlines() == shown


def test_the_field_note_is_real(monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    [block] = [b for b in fenced_blocks(DOC) if b.text.startswith("Field notes:")]
    monkeypatch.chdir(ROOT)
    assert main(["summary", "specs/xception.yaml"]) == 0
    printed = capsys.readouterr().out
    assert printed.endswith(block.text)


def _before_head(analysis: Analysis, output: str) -> str:
    """Walk back from the output to the first node with a window, then over per-position
    layers to the one that made the map."""
    name = output
    while analysis.field(name).whole:
        name = analysis.graph[name].inputs[0]
    while analysis.graph[name].op in _PER_POSITION:
        name = analysis.graph[name].inputs[0]
    return name


def _rows() -> list[tuple[str, ...]]:
    return [m.groups() for m in _ROW.finditer(DOC.read_text(encoding="utf-8"))]


def test_the_table_has_every_zoo_spec() -> None:
    assert {r[0] for r in _rows()} == {p.stem for p in (ROOT / "specs").glob("*.yaml")}


@pytest.mark.parametrize("row", _rows(), ids=lambda r: f"{r[0]}-{r[1]}-{r[3]}")
def test_zoo_row(row: tuple[str, ...]) -> None:
    spec, variant, image, output, layer, field, times, notes = row
    analysis = archc.load(str(ROOT / "specs" / f"{spec}.yaml"), variant=variant).analysis
    height, width, _ = analysis.shape(analysis.graph.inputs[0])
    assert image == f"{height}x{width}"
    assert output in analysis.graph.outputs
    assert _before_head(analysis, output) == layer
    found = analysis.field(layer)
    assert format_field(found) == field.strip()
    if times == "-":  # after an up-convolution (U-Net) the field is not defined
        assert found.size is None and format_field(found) == "not defined"
    else:
        assert found.size is not None and f"{found.size[0] / height:.2f}" == times
    assert sum(len(analysis.field(i.node.name).notes) for i in analysis.nodes) == int(notes)


def test_the_detection_example_heads() -> None:
    """spec-language.md's detection-shaped example: the fields its text quotes."""
    [block] = [b for b in fenced_blocks(ROOT / "docs" / "spec-language.md")
               if b.info == "yaml" and "name: detection_shape" in b.text]
    text = (ROOT / "docs" / "spec-language.md").read_text(encoding="utf-8")
    analysis = compile_yaml(block.text).analysis
    assert analysis is not None
    shown = [format_field(analysis.field(o)) for o in analysis.graph.outputs]
    assert shown == ["63x63 /4", "79x79 /8", "127x127 /16"]
    assert "the heads see 63x63, 79x79 and\n127x127 pixels (jumps 4, 8 and 16" in text
