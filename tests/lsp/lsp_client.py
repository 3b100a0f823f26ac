"""The pytest-lsp client the server tests share: it records every publishDiagnostics, and
`Doc` drives one open document. Importable as `lsp_client` (tests/lsp is on `sys.path`);
import it after `pytest.importorskip("pytest_lsp")`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from lsprotocol import types
from pytest_lsp import LanguageClient

TIMEOUT = 60.0


Published = list[tuple[str, "int | None", list[types.Diagnostic]]]


def recording_client() -> LanguageClient:
    """pytest-lsp's test client, keeping every publishDiagnostics with its version.

    (Waiting with `wait_for_notification` can miss a notification that arrives while the
    waiter is being re-armed; a record cannot.)
    """
    from pygls.protocol import default_converter
    from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

    client = LanguageClient(converter_factory=default_converter)
    published: Published = []

    def record(ls: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
        published.append((params.uri, params.version, list(params.diagnostics)))

    features = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = record
    register_lsp_features(client, features)
    client.published = published  # type: ignore[attr-defined]
    return client


class Doc:
    """One open document: its URI and version, and what the server last published for it."""

    def __init__(self, client: LanguageClient, path: Path) -> None:
        self.client = client
        self.uri = path.as_uri()
        self.version = 0

    async def open(self, text: str) -> list[types.Diagnostic]:
        self.version = 1
        waiter = self._published()
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=self.uri, language_id="yaml", version=self.version,
                                   text=text)))
        return await waiter

    async def change(self, text: str) -> list[types.Diagnostic]:
        self.version += 1
        waiter = self._published()
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=self.uri, version=self.version),
            [types.TextDocumentContentChangeWholeDocument(text=text)]))
        return await waiter

    def close(self) -> None:
        self.client.text_document_did_close(types.DidCloseTextDocumentParams(
            types.TextDocumentIdentifier(uri=self.uri)))

    def _published(self) -> Any:
        published: Published = self.client.published  # type: ignore[attr-defined]
        uri, version = self.uri, self.version

        async def wait() -> list[types.Diagnostic]:
            deadline = asyncio.get_running_loop().time() + TIMEOUT
            while asyncio.get_running_loop().time() < deadline:
                for u, v, diagnostics in published:
                    if (u, v) == (uri, version):
                        return diagnostics
                await asyncio.sleep(0.005)
            raise TimeoutError(f"no diagnostics for {uri} version {version}")
        return wait()

    def at(self, pos: tuple[int, int]) -> dict[str, Any]:
        """Request parameters for a 1-based (line, column)."""
        return {"text_document": types.TextDocumentIdentifier(uri=self.uri),
                "position": types.Position(line=pos[0] - 1, character=pos[1] - 1)}
