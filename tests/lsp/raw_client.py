"""A raw JSON-RPC client for the language server: exact bytes in, every message out.

pytest-lsp's client validates what it sends; to send what a hostile or buggy client sends
(a negative line, an object `id`, URIs of files never opened) the tests write the frames
themselves. The server's stderr is kept, so a test can assert it holds no traceback.
Importable as `raw_client` (tests/lsp is on `sys.path`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


class RawServer:
    """`python -m archc lsp` with framed JSON in and out."""

    def __init__(self, options: dict[str, Any] | None = None) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        self.proc = subprocess.Popen([sys.executable, "-m", "archc", "lsp"], cwd=ROOT,
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, env=env)
        self.messages: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        self.stderr = b""
        threading.Thread(target=self._read, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()
        self.next_id = 0
        self.after_shutdown: dict[str, Any] = {}
        """The answer to a request sent after `shutdown` (set by `close`)."""
        self.request("initialize", {"processId": None, "rootUri": None, "capabilities": {},
                                    "initializationOptions": options or {}})
        self.notify("initialized", {})

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            length = 0
            while True:
                line = out.readline()
                if not line:
                    return
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
                if line == b"\r\n":
                    break
            message = json.loads(out.read(length))
            with self.lock:
                self.messages.append(message)

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for chunk in iter(lambda: self.proc.stderr.read1(4096), b""):  # type: ignore[union-attr]
            self.stderr += chunk

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps(message).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method: str, params: Any) -> None:
        self.send({"jsonrpc": "2.0", "method": method, "params": params})

    def request(self, method: str, params: Any, msg_id: Any = None,
                timeout: float = 60.0) -> dict[str, Any]:
        """Send a request and return its response (matched by id; `msg_id` may be
        anything, a response to an unreadable id comes back with id null)."""
        if msg_id is None:
            self.next_id += 1
            msg_id = self.next_id
        self.send({"jsonrpc": "2.0", "id": msg_id, "method": method, "params": params})
        expect = msg_id if isinstance(msg_id, (int, str)) and not isinstance(msg_id, bool) \
            else None
        return self.wait(lambda m: "method" not in m and "id" in m and m["id"] == expect,
                         timeout)

    def wait(self, match: Any, timeout: float = 60.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                for i, message in enumerate(self.messages):
                    if match(message):
                        return self.messages.pop(i)
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server exited: {self.stderr.decode()[-2000:]}")
            time.sleep(0.005)
        raise TimeoutError("no matching message")

    def diagnostics(self, uri: str, version: int, timeout: float = 60.0) -> list[Any]:
        found = self.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                          and m["params"]["uri"] == uri
                          and m["params"].get("version") == version, timeout)
        return list(found["params"]["diagnostics"])

    def open(self, uri: str, text: str, version: int = 1) -> None:
        self.notify("textDocument/didOpen", {"textDocument": {
            "uri": uri, "languageId": "yaml", "version": version, "text": text}})

    def change(self, uri: str, text: str, version: int) -> None:
        self.notify("textDocument/didChange", {
            "textDocument": {"uri": uri, "version": version},
            "contentChanges": [{"text": text}]})

    def close(self) -> str:
        """Shut the server down; its stderr."""
        try:
            self.request("shutdown", None, timeout=30)
            self.after_shutdown = self.request("textDocument/hover", {
                "textDocument": {"uri": "file:///x.yaml"},
                "position": {"line": 0, "character": 0}}, timeout=30)
            self.notify("exit", None)
            self.proc.wait(timeout=30)
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
        time.sleep(0.1)
        return self.stderr.decode("utf-8", "replace")
