"""`archc lsp` under load, end to end with pytest-lsp: a slow document beside a normal one,
a burst of changes, completion while a bracket is still open, hover beside a mistake.

The server here runs with a 0.3 s analysis budget (`initializationOptions`), so a spec that
compiles in about a second (18,000 layers, under the 20,000-layer cap) is stopped by it.
No test asserts a duration: the budget makes the slow document *stop*, and the tests
check what the client receives and in which order.
"""

from __future__ import annotations

import asyncio
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pygls")
pytest_lsp = pytest.importorskip("pytest_lsp")

from lsp_client import Doc, recording_client  # noqa: E402
from lsp_helpers import read, where  # noqa: E402
from lsprotocol import types  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient  # noqa: E402

pytestmark = pytest.mark.asyncio(loop_scope="module")

BUDGET_SECONDS = 0.3

SLOW = textwrap.dedent("""\
    archc: 1
    name: slow
    input: [8]
    layers:
      - repeat:
          times: 9000
          layers:
            - dense: {units: 2}
            - activation: relu
    """)
"""18,000 layers: within every cap, about a second to compile (over the budget)."""


@pytest_lsp.fixture(scope="module", config=ClientServerConfig(
    server_command=[sys.executable, "-m", "archc", "lsp"], client_factory=recording_client))
async def client(lsp_client: LanguageClient) -> Any:
    await lsp_client.initialize_session(types.InitializeParams(
        capabilities=types.ClientCapabilities(),
        # A 200 ms debounce (the default is 5 ms): on a loaded 2-core machine the test
        # client can be descheduled for more than 5 ms inside its own burst of writes, and
        # the burst test counts compiles, so it must not depend on the scheduler.
        initialization_options={"budgetSeconds": BUDGET_SECONDS, "debounceMs": 200}))
    yield
    await lsp_client.shutdown_session()


async def _stats(client: LanguageClient) -> dict[str, Any]:
    found = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="archc.stats"))
    assert isinstance(found, dict)
    return found


async def _hover(client: LanguageClient, doc: Doc, pos: tuple[int, int]) -> str:
    found = await client.text_document_hover_async(types.HoverParams(**doc.at(pos)))
    assert found is not None and isinstance(found.contents, types.MarkupContent)
    return found.contents.value


async def test_a_slow_document_does_not_stall_a_normal_one(client: LanguageClient,
                                                           tmp_path: Path) -> None:
    slow = Doc(client, tmp_path / "slow.yaml")
    normal = Doc(client, tmp_path / "lenet5.yaml")
    text = read("lenet5.yaml")
    slow_waiter = slow_open = asyncio.ensure_future(slow.open(SLOW))
    await asyncio.sleep(0)  # the slow document is opened first
    assert await normal.open(text) == []
    shown = await _hover(client, normal, where(text, "conv2d: {name: c1"))
    # numbers.md, LeNet-5: C1 conv 6@5x5 valid -> 28x28x6, 156 params, 117,600 MACs.
    assert "`28x28x6`" in shown and "156 params" in shown and "117,600 MACs" in shown
    (stopped,) = await slow_waiter
    assert stopped.code == "C020"
    assert stopped.message.split("\n")[0] == (
        f"analysis stopped: it ran past the time budget of {BUDGET_SECONDS:g} s")
    assert stopped.range.start == types.Position(line=0, character=0)
    # The normal document's diagnostics arrived before the slow one was stopped.
    published: list[tuple[str, Any, Any]] = client.published  # type: ignore[attr-defined]
    order = [u for u, _, _ in published if u in (slow.uri, normal.uri)]
    assert order.index(normal.uri) < order.index(slow.uri)
    # And it keeps answering after the stop; the stopped document, once edited to a spec
    # that compiles in time, is analysed again.
    assert "156 params" in await _hover(client, normal, where(text, "conv2d: {name: c1"))
    assert slow_open.done()
    assert await slow.change(text) == []
    slow.close()
    normal.close()


async def test_a_burst_of_100_changes_costs_one_compile(client: LanguageClient,
                                                       tmp_path: Path) -> None:
    doc = Doc(client, tmp_path / "burst.yaml")
    text = read("lenet5.yaml")
    assert await doc.open(text) == []
    before = await _stats(client)
    assert before["documents"][doc.uri] == 1
    for i in range(100):  # as fast as the client can send them: one write each
        doc.version += 1
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=doc.uri, version=doc.version),
            [types.TextDocumentContentChangeWholeDocument(text=text + f"# edit {i}\n")]))
    assert doc.version == 101
    assert await doc._published() == []  # the diagnostics of version 101
    after = await _stats(client)
    assert after["documents"][doc.uri] == 2  # the open, then one for the whole burst
    assert after["compiles"] - before["compiles"] == 1
    published: list[tuple[str, Any, Any]] = client.published  # type: ignore[attr-defined]
    assert [v for u, v, _ in published if u == doc.uri] == [1, 101]
    doc.close()


UNCLOSED = [
    # (the line as typed, at the end of which the cursor is, what it replaces, expected)
    ("  - conv2d: {filters: $", "  - conv2d: {name: conv1, filters: 64, kernel_size: 7, "
     "strides: 2, padding: 3}", ["$unit", "$stages", "$conv_bias"]),
    ("      with: {", "      with: {filters: 64}", ["filters", "strides"]),
    ("      with: {filters: 64, ", "      with: {filters: 64}", ["strides"]),
    ("      first: {", "      first: {strides: 2}", ["filters", "strides"]),
    ("  - add: {inputs: [", None, ["pool1", "conv1_bn", "conv1", "input"]),
    ("  - add: {inputs: [c", None, ["conv1_bn", "conv1"]),
]


@pytest.mark.parametrize(("typed", "replaces", "expected"), UNCLOSED,
                         ids=[t.strip() for t, _, _ in UNCLOSED])
async def test_completion_while_a_bracket_is_still_open(
        client: LanguageClient, tmp_path: Path, typed: str, replaces: str | None,
        expected: list[str]) -> None:
    text = read("resnet.yaml")
    if replaces is None:  # a new item after the stem's pool
        anchor = "  - max_pool2d: {name: pool1, pool_size: 3, strides: 2, padding: 1}\n"
        edited = text.replace(anchor, anchor + typed + "\n", 1)
    else:
        edited = text.replace(replaces, typed, 1)
    assert edited != text
    doc = Doc(client, tmp_path / "resnet.yaml")
    (problem,) = await doc.open(edited)
    assert problem.code == "Y000"  # the bracket is open: not YAML yet
    line, col = where(edited, typed + "\n")
    assert problem.range.start.line + 1 == line  # reported on the line of the open bracket
    found = await client.text_document_completion_async(types.CompletionParams(
        **doc.at((line, col + len(typed)))))
    assert isinstance(found, types.CompletionList)
    assert [i.label for i in found.items] == expected
    doc.close()


async def test_hover_keeps_figures_of_a_good_line_beside_a_mistake(
        client: LanguageClient, tmp_path: Path) -> None:
    text = read("lenet5.yaml")
    doc = Doc(client, tmp_path / "lenet5.yaml")
    assert await doc.open(text) == []
    c1 = where(text, "conv2d: {name: c1")
    # A mistake on a later line (a misspelt field), then one that stops analysis (a bad
    # top-level key); the figures of C1 stay, each saying where they come from.
    later = text.split("\n")
    target = next(i for i in range(c1[0], len(later)) if "kernel_size" in later[i])
    later[target] = later[target].replace("kernel_size", "kernal_size", 1)
    broken = "\n".join(later)
    diagnostics = await doc.change(broken)
    assert [d.code for d in diagnostics] == ["S002"]
    shown = await _hover(client, doc, c1)
    assert "156 params" in shown and "117,600 MACs" in shown
    assert "_Figures of what still resolves" in shown
    stopped = text.replace("name: lenet5\n", "name: lenet5\nnmae: typo\n", 1)
    diagnostics = await doc.change(stopped)
    assert [d.code for d in diagnostics] == ["S002"]  # validation: nothing is lowered
    shown = await _hover(client, doc, (c1[0] + 1, c1[1]))  # one line lower now
    assert "156 params" in shown and "117,600 MACs" in shown
    assert "_From the last analysis without errors (version 1)" in shown
    doc.close()
