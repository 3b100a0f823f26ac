"""`archc lsp` against a raw JSON-RPC client: what a hostile or buggy client may send.

Items 1 and 2 of issue 19: the server reads no path a request names (a FIFO, /dev/zero, a
directory, an unopened spec are refused with a JSON-RPC error, at once); every request gets
a response or an error, malformed ones included (a negative line, an object or boolean
`id`), and neither a response nor stderr ever carries a Python traceback.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pygls")

from lsp_helpers import SPECS, read, where
from raw_client import RawServer

INVALID_PARAMS = -32602
INVALID_REQUEST = -32600
METHOD_NOT_FOUND = -32601


@pytest.fixture(scope="module")
def server() -> Any:
    raw = RawServer()
    yield raw
    stderr = raw.close()
    assert "Traceback" not in stderr and 'File "' not in stderr, stderr[-3000:]
    # A request after `shutdown` is answered too (with an error), not dropped.
    assert raw.after_shutdown["error"]["code"] == INVALID_REQUEST
    assert raw.proc.returncode == 0


def _position(uri: str, line: int, character: int) -> dict[str, Any]:
    return {"textDocument": {"uri": uri}, "position": {"line": line, "character": character}}


def _no_traceback(response: dict[str, Any]) -> None:
    text = json.dumps(response)
    assert "traceback" not in text.lower() and 'File \\"' not in text, text
    error = response.get("error")
    assert error is None or "data" not in error or error["data"] is None


def _never_opened(tmp_path: Path) -> list[str]:
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    spec = tmp_path / "spec.yaml"
    spec.write_text(read("lenet5.yaml"), encoding="utf-8")
    return [fifo.as_uri(), "file:///dev/zero", tmp_path.as_uri(), spec.as_uri(),
            (SPECS / "resnet.yaml").as_uri(), "untitled:Untitled-1", "not a uri"]


REQUESTS = ["textDocument/hover", "textDocument/completion", "textDocument/definition"]


def test_requests_about_documents_never_opened_are_refused(server: RawServer,
                                                           tmp_path: Path) -> None:
    for uri in _never_opened(tmp_path):
        for method in REQUESTS:
            response = server.request(method, _position(uri, 0, 0), timeout=30)
            _no_traceback(response)
            assert response["error"]["code"] == INVALID_PARAMS, (uri, method, response)
            assert response["error"]["message"].startswith(
                "archc answers only about documents the client opened")
        response = server.request("textDocument/documentSymbol",
                                  {"textDocument": {"uri": uri}}, timeout=30)
        assert response["error"]["code"] == INVALID_PARAMS
    # The server is still whole: an opened document is analysed and answered.
    text = read("lenet5.yaml")
    uri = (tmp_path / "open.yaml").as_uri()
    server.open(uri, text)
    assert server.diagnostics(uri, 1) == []
    line, col = where(text, "conv2d: {name: c1")
    hover = server.request("textDocument/hover", _position(uri, line - 1, col - 1))
    assert "156 params" in hover["result"]["contents"]["value"]  # numbers.md: LeNet C1
    # A change or a close for a document never opened is ignored, not analysed.
    server.change((tmp_path / "spec.yaml").as_uri(), "archc: 1\n", 2)
    server.notify("textDocument/didClose", {"textDocument": {"uri": "file:///dev/zero"}})
    stats = server.request("workspace/executeCommand", {"command": "archc.stats"})
    assert set(stats["result"]["documents"]) == {uri}
    server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})


def test_malformed_requests_are_answered_without_a_traceback(server: RawServer,
                                                             tmp_path: Path) -> None:
    uri = (tmp_path / "m.yaml").as_uri()
    server.open(uri, read("lenet5.yaml"))
    assert server.diagnostics(uri, 1) == []
    for line, character in ((-1, 0), (0, -5), ("one", 0), (2**31 - 1, 0), (2**40, 0), (None, None)):
        response = server.request("textDocument/hover", _position(uri, line, character))
        _no_traceback(response)
        if line == 2**31 - 1:  # the largest uinteger: well-formed, past the end
            assert response.get("result") is None and "error" not in response
        else:
            assert response["error"]["code"] == INVALID_PARAMS, response
            assert response["error"]["message"].startswith(
                "invalid params for `textDocument/hover`")
    for params in (None, [], {"textDocument": {}}, {"position": {"line": 0, "character": 0}}):
        response = server.request("textDocument/completion", params)
        _no_traceback(response)
        assert response["error"]["code"] == INVALID_PARAMS, (params, response)
    # Ids the protocol does not allow: answered with id null and "invalid request".
    for bad_id in ({"a": 1}, [1], True, 1.5):
        response = server.request("textDocument/hover", _position(uri, 0, 0), msg_id=bad_id)
        _no_traceback(response)
        assert response["id"] is None and response["error"]["code"] == INVALID_REQUEST
    response = server.request("archc/noSuchMethod", {})
    _no_traceback(response)
    assert response["error"]["code"] == METHOD_NOT_FOUND
    # Still answering properly afterwards.
    hover = server.request("textDocument/hover", _position(uri, 0, 0))
    assert "error" not in hover
    server.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
