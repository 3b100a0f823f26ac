"""`archc lsp` end to end: a real LSP client (pytest-lsp) drives a real server process over
stdio, as VS Code or Neovim would.

One server serves the whole module (starting one costs an interpreter and pydantic); each
test opens its own document. Expected figures come from docs/numbers.md
(or arithmetic shown beside them); expected diagnostics from `archc check` itself.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pygls")
pytest_lsp = pytest.importorskip("pytest_lsp")

from lsp_client import Doc, recording_client  # noqa: E402
from lsp_helpers import SPECS, check_diagnostics, read, where  # noqa: E402
from lsprotocol import types  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient  # noqa: E402

pytestmark = pytest.mark.asyncio(loop_scope="module")

@pytest_lsp.fixture(scope="module", config=ClientServerConfig(
    server_command=[sys.executable, "-m", "archc", "lsp"], client_factory=recording_client))
async def client(lsp_client: LanguageClient) -> Any:
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=types.ClientCapabilities()))
    yield
    await lsp_client.shutdown_session()


def _as_check(diagnostics: list[types.Diagnostic]) -> list[tuple[int, int, str, str]]:
    return sorted((d.range.start.line + 1, d.range.start.character + 1, str(d.code),
                   d.message.split("\n")[0]) for d in diagnostics)


async def test_the_zoo_opens_without_diagnostics(client: LanguageClient) -> None:
    for path in sorted(SPECS.glob("*.yaml")):
        doc = Doc(client, path)
        assert await doc.open(path.read_text(encoding="utf-8")) == [], path.name
        doc.close()


async def test_diagnostics_follow_the_text_and_equal_archc_check(
        client: LanguageClient, tmp_path: Path) -> None:
    clean = read("resnet.yaml")
    path = tmp_path / "resnet.yaml"
    doc = Doc(client, path)
    assert await doc.open(clean) == []
    # Two mistakes of one stage (both reported), typed into the open document.
    broken = clean.replace("kernel_size: 7, strides: 2", "kernal_size: 7, strides: 2") \
        .replace("{filters: $filters * 4,", "{filters: $filterz * 4,")
    path.write_text(broken, encoding="utf-8")
    expected = check_diagnostics(path)
    assert {code for _, _, code, _ in expected} == {"S002", "E001"}
    published = await doc.change(broken)
    assert _as_check(published) == sorted(expected)
    s002 = next(d for d in published if d.code == "S002")
    assert s002.severity == types.DiagnosticSeverity.Error and s002.source == "archc"
    assert "help: did you mean `kernel_size`?" in s002.message
    # The range covers the misspelt key.
    line = broken.splitlines()[s002.range.start.line]
    assert line[s002.range.start.character:s002.range.end.character] == "kernal_size"
    # Broken YAML: the loader's diagnostic, as check prints it.
    unloadable = clean.replace("input: [224, 224, 3]", "input: [224, 224, 3")
    path.write_text(unloadable, encoding="utf-8")
    published = await doc.change(unloadable)
    assert _as_check(published) == sorted(check_diagnostics(path))
    assert [d.code for d in published] == ["Y000"]
    assert await doc.change(clean) == []  # fixed: the problems go away
    doc.close()


async def test_hover_shows_shape_params_and_macs(client: LanguageClient) -> None:
    text = read("lenet5.yaml")
    doc = Doc(client, SPECS / "lenet5.yaml")
    await doc.open(text)
    found = await client.text_document_hover_async(types.HoverParams(
        **doc.at(where(text, "conv2d: {name: c1"))))
    assert found is not None and isinstance(found.contents, types.MarkupContent)
    # numbers.md, LeNet-5: C1 conv 6@5x5 valid -> 28x28x6, 156 params, 117,600 MACs.
    assert "`28x28x6`" in found.contents.value
    assert "156 params" in found.contents.value and "117,600 MACs" in found.contents.value
    doc.close()


async def test_hover_on_a_block_use_shows_its_subtotal(client: LanguageClient) -> None:
    text = read("googlenet.yaml")
    doc = Doc(client, SPECS / "googlenet.yaml")
    await doc.open(text)
    found = await client.text_document_hover_async(types.HoverParams(
        **doc.at(where(text, "inception: {name: inception_3a"))))
    assert found is not None and isinstance(found.contents, types.MarkupContent)
    # numbers.md: module 3a has 163,328 weights, out 28x28x256; its six convolutions add
    # one bias per filter: 64 + 96 + 128 + 16 + 32 + 32 = 368 -> 163,696.
    assert "`28x28x256`" in found.contents.value
    assert "163,696 params" in found.contents.value
    doc.close()


async def test_hover_on_a_variable_shows_its_value_under_the_variant(
        client: LanguageClient) -> None:
    text = read("resnet.yaml")
    doc = Doc(client, SPECS / "resnet.yaml")
    await doc.open(text)
    found = await client.text_document_hover_async(types.HoverParams(
        **doc.at(where(text, "$stages[2]", offset=2))))
    assert found is not None and isinstance(found.contents, types.MarkupContent)
    # numbers.md: ResNet-50 (the default variant) has stages [3, 4, 6, 3].
    assert found.contents.value.startswith("**$stages** = `[3, 4, 6, 3]` (variant `resnet50`)")
    assert "| resnet152 | `[3, 8, 36, 3]` |" in found.contents.value
    doc.close()


async def test_completion_of_layer_types_blocks_and_names(client: LanguageClient,
                                                          tmp_path: Path) -> None:
    text = read("googlenet.yaml")
    doc = Doc(client, tmp_path / "googlenet.yaml")
    await doc.open(text)
    # A new item being typed at the top level: layer types, structures and the spec's blocks.
    anchor = "  - inception: {name: inception_3b"
    edited = text.replace(anchor, "  - inc\n" + anchor, 1)
    await doc.change(edited)
    line, col = where(edited, "  - inc\n")
    items = await client.text_document_completion_async(types.CompletionParams(
        **doc.at((line, col + len("  - inc")))))
    assert isinstance(items, types.CompletionList)
    assert [i.label for i in items.items] == ["inception"]
    edit = items.items[0].text_edit
    assert isinstance(edit, types.TextEdit)
    assert (edit.range.start.character, edit.range.end.character) == (4, 7)  # replaces `inc`
    # A name in `inputs:`: the layers above, nearest first.
    edited = text.replace("{name: inception_4b, inputs: inception_4a,",
                          "{name: inception_4b, inputs: incep,")
    await doc.change(edited)
    items = await client.text_document_completion_async(types.CompletionParams(
        **doc.at(where(edited, "inputs: incep,", offset=len("inputs: incep")))))
    assert isinstance(items, types.CompletionList)
    labels = [i.label for i in items.items]
    assert labels[:3] == ["inception_4a", "inception_3b", "inception_3a"]
    assert "inception_4c" not in labels  # below: a layer reads only layers above it
    doc.close()


async def test_definition_of_a_block_use_and_of_an_input_name(client: LanguageClient) -> None:
    text = read("googlenet.yaml")
    doc = Doc(client, SPECS / "googlenet.yaml")
    await doc.open(text)
    found = await client.text_document_definition_async(types.DefinitionParams(
        **doc.at(where(text, "inception: {name: inception_3a"))))
    assert isinstance(found, types.Location)
    assert found.range.start.line + 1 == where(text, "  inception:")[0]
    found = await client.text_document_definition_async(types.DefinitionParams(
        **doc.at(where(text, "inputs: inception_4a", offset=len("inputs: ")))))
    assert isinstance(found, types.Location)
    line, col = where(text, "name: inception_4a", offset=len("name: "))
    assert (found.range.start.line + 1, found.range.start.character + 1) == (line, col)
    doc.close()


async def test_document_symbols_outline_blocks_and_layers(client: LanguageClient) -> None:
    text = read("resnet.yaml")
    doc = Doc(client, SPECS / "resnet.yaml")
    await doc.open(text)
    found = await client.text_document_document_symbol_async(types.DocumentSymbolParams(
        text_document=types.TextDocumentIdentifier(uri=doc.uri)))
    assert found is not None
    sections = {s.name: s for s in found if isinstance(s, types.DocumentSymbol)}
    assert list(sections) == ["variables", "variants", "blocks", "layers"]
    blocks = sections["blocks"].children or []
    assert [b.name for b in blocks] == ["basic", "bottleneck"]
    assert [c.name for c in sections["layers"].children or []] == [
        "conv1", "conv1_bn", "activation", "pool1", "conv2", "conv3", "conv4", "conv5",
        "avg_pool", "predictions"]
    # The bottleneck's residual holds its eight body layers.
    residual = (blocks[1].children or [])[0]
    assert residual.name == "residual" and len(residual.children or []) == 8
    doc.close()


async def test_a_problem_at_the_end_of_input_stays_inside_the_document(
        client: LanguageClient, tmp_path: Path) -> None:
    text = "archc: 1\nname: x\nlayers:\n  - dense: \"2\n"  # a quote open to the end
    path = tmp_path / "end.yaml"
    path.write_text(text, encoding="utf-8")
    (line, _, code, _), = check_diagnostics(path)
    assert code == "Y000" and line == 5  # libyaml: the line after the last one
    doc = Doc(client, path)
    (published,) = await doc.open(text)
    assert published.code == "Y000"
    end = types.Position(line=3, character=len("  - dense: \"2"))
    assert published.range.start == end and published.range.end == end
    doc.close()
