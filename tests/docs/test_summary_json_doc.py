"""docs/summary-json.md documents exactly the keys `archc summary --format json` prints.

The key tables of each section are read from the Markdown and compared, as sets, with the
keys of real output; the pasted examples must be real output too (top-level values equal,
`layers` a prefix of the real list, the block entry one of the real blocks). Run through
`archc.cli.main` so the test sees what a user sees.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from archc.cli import main

from .markdown_blocks import ROOT, fenced_blocks

DOC = ROOT / "docs" / "summary-json.md"
_ROW_KEY = re.compile(r"^\|\s*`([a-z_]+)`\s*\|", re.MULTILINE)


def _section_keys(title: str) -> set[str]:
    text = DOC.read_text(encoding="utf-8")
    body = text.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]
    return set(_ROW_KEY.findall(body))


def _summary(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, Any]:
    assert main(["summary", *args, "--format", "json"]) == 0
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    return data


@pytest.fixture(scope="module")
def googlenet() -> dict[str, Any]:
    # Module-scoped: one analysis shared by the key tests (capsys is function-scoped).
    from archc.api import load

    return load(str(ROOT / "specs" / "googlenet.yaml")).to_dict()


def test_top_level_keys(googlenet: dict[str, Any]) -> None:
    assert _section_keys("Top level") == set(googlenet)


def test_input_and_output_entry_keys(googlenet: dict[str, Any]) -> None:
    entries = googlenet["inputs"] + googlenet["outputs"]
    assert all(set(e) == _section_keys("Entries of inputs and outputs") for e in entries)


def test_layer_entry_keys(googlenet: dict[str, Any]) -> None:
    assert googlenet["layers"]
    assert all(set(e) == _section_keys("Entries of layers") for e in googlenet["layers"])


def test_block_entry_keys(googlenet: dict[str, Any]) -> None:
    assert googlenet["blocks"]
    assert all(set(e) == _section_keys("Entries of blocks") for e in googlenet["blocks"])


def test_receptive_field_keys(googlenet: dict[str, Any]) -> None:
    keys = _section_keys("Entries of receptive_field")
    assert keys == {"size", "jump", "start", "global", "notes", "defined"}
    for entry in googlenet["layers"] + googlenet["blocks"]:  # every field is defined
        assert set(entry["receptive_field"]) == keys - {"defined"}
    # flatten has no window left: the whole input, no numbers
    [flatten] = [e for e in googlenet["layers"] if e["type"] == "flatten"]
    assert flatten["receptive_field"] == {"size": None, "jump": None, "start": None,
                                          "global": True, "notes": []}


def test_flops_are_twice_the_macs(googlenet: dict[str, Any]) -> None:
    assert googlenet["total_flops"] == 2 * googlenet["total_macs"]
    # numbers.md, GoogLeNet without auxiliary heads: 1,582,671,872 MACs.
    assert googlenet["total_macs"] == 1_582_671_872


def test_the_cli_json_equals_the_api(capsys: pytest.CaptureFixture[str],
                                     googlenet: dict[str, Any]) -> None:
    assert _summary(capsys, str(ROOT / "specs" / "googlenet.yaml")) == googlenet


def _json_blocks() -> list[Any]:
    return [json.loads(b.text) for b in fenced_blocks(DOC) if b.info == "json"]


def test_lenet_example_is_real_output(capsys: pytest.CaptureFixture[str]) -> None:
    shown = _json_blocks()[0]
    real = _summary(capsys, str(ROOT / "specs" / "lenet5.yaml"))
    assert set(shown) == set(real)
    assert {k: v for k, v in shown.items() if k != "layers"} == \
        {k: v for k, v in real.items() if k != "layers"}
    assert shown["layers"] == real["layers"][: len(shown["layers"])]
    # numbers.md: LeNet-5 60,850 params, 326,520 MACs.
    assert (shown["total_params"], shown["total_macs"]) == (60_850, 326_520)


def test_block_example_is_real_output(capsys: pytest.CaptureFixture[str]) -> None:
    shown = _json_blocks()[1]
    real = _summary(capsys, str(ROOT / "specs" / "googlenet.yaml"), "--depth", "1")
    assert shown in real["blocks"]
    assert all(b["depth"] == 0 for b in real["blocks"])  # --depth 1: top-level blocks only
