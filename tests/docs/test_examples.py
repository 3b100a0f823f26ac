"""Every YAML example in the documentation compiles, or fails exactly as it says.

A ```yaml block is a complete spec and must compile with no diagnostics; a
```yaml error CODE block must fail, and CODE must be among its diagnostics. The JSON Schema
that editors use must equal `archc schema`, accept every zoo spec, and be named on each zoo
spec's first line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from archc.cli import main
from archc.diagnostics import SpecError, render
from archc.pipeline import compile_text
from archc.spec.loader import load_file

from .markdown_blocks import ROOT, Block, yaml_blocks

BLOCKS = yaml_blocks()
ZOO = sorted((ROOT / "specs").glob("*.yaml"))
SCHEMA_LINE = "# yaml-language-server: $schema=../docs/archc.schema.json"


def _ids(block: Block) -> str:
    return block.where


def _explain(error: SpecError, block: Block) -> str:
    return "\n".join(render(d, block.text) for d in error.diagnostics)


def test_the_docs_have_examples() -> None:
    # Guards the extraction itself: a broken fence parser would make every test below vacuous.
    spec_language = [b for b in BLOCKS if b.file.name == "spec-language.md"]
    assert len(spec_language) >= 20
    assert any(b.expected_code for b in spec_language)


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.info == "yaml"], ids=_ids)
def test_yaml_example_compiles(block: Block) -> None:
    try:
        compiled = compile_text(block.text, block.where)
    except SpecError as exc:
        pytest.fail(f"{block.where}: the example does not compile:\n{_explain(exc, block)}")
    assert compiled.analysis is not None and compiled.analysis.nodes


@pytest.mark.parametrize("block", [b for b in BLOCKS if b.info != "yaml"], ids=_ids)
def test_yaml_error_example_fails_with_its_code(block: Block) -> None:
    code = block.expected_code
    assert code is not None, (
        f"{block.where}: a yaml block's info string is `yaml` or `yaml error CODE`; "
        f"found `{block.info}`")
    with pytest.raises(SpecError) as caught:
        compile_text(block.text, block.where)
    codes = [d.code for d in caught.value.diagnostics]
    assert code in codes, f"{block.where}: expected {code}, got:\n{_explain(caught.value, block)}"


def test_schema_file_is_current(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    printed = capsys.readouterr().out
    on_disk = (ROOT / "docs" / "archc.schema.json").read_text(encoding="utf-8")
    assert printed == on_disk, "docs/archc.schema.json is stale: run " \
        "`archc schema > docs/archc.schema.json`"


@pytest.mark.parametrize("spec", ZOO, ids=lambda p: p.name)
def test_zoo_spec_names_the_schema(spec: Path) -> None:
    first = spec.read_text(encoding="utf-8").splitlines()[0]
    assert first == SCHEMA_LINE


@pytest.mark.parametrize("spec", ZOO, ids=lambda p: p.name)
def test_zoo_spec_validates_against_the_schema(spec: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema: dict[str, Any] = json.loads((ROOT / "docs" / "archc.schema.json").read_text())
    validator = jsonschema.Draft202012Validator(schema)
    errors = [e.message for e in validator.iter_errors(load_file(str(spec)).data)]
    assert errors == []


def test_schema_rejects_an_unknown_layer_field() -> None:
    # The positive checks above would pass with an empty schema; this one would not.
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((ROOT / "docs" / "archc.schema.json").read_text())
    spec = {"archc": 1, "name": "x", "input": [8, 8, 1],
            "layers": [{"conv2d": {"filters": 4, "kernal_size": 3}}]}
    assert not jsonschema.Draft202012Validator(schema).is_valid(spec)
