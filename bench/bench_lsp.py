"""`archc lsp`: time from an edit of specs/resnet.yaml to its published diagnostics, warm.

A real client (pygls's) starts `python -m archc lsp` as an editor would, opens
specs/resnet.yaml and sends full-text `didChange` edits one at a time, each waiting for the
`publishDiagnostics` of its own version: the time is that round trip, wall clock, measured
in the client (JSON-RPC over pipes, the compile, the conversion, both ways). Warm: the
first edits (which build the validators the spec needs) are not counted. Edits alternate
between a valid change (conv1 gets 65 filters: no diagnostics) and a mistake
(`kernal_size`: one S002), since both must reach the editor fast. The in-process compile of
the same text (`archc.lsp.model.build`) is timed too, to show where the time goes.

Issue 13's target: under 50 ms. Run ``python -m bench.bench_lsp``; `run()` returns the dict
it prints.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

SPEC = Path(__file__).resolve().parents[1] / "specs" / "resnet.yaml"
TARGET_MS = 50.0


def _texts() -> tuple[str, str, str]:
    clean = SPEC.read_text(encoding="utf-8")
    valid = clean.replace("name: conv1, filters: 64", "name: conv1, filters: 65")
    mistake = clean.replace("kernel_size: 7, strides: 2", "kernal_size: 7, strides: 2")
    assert valid != clean and mistake != clean
    return clean, valid, mistake


async def _round_trips(edits: int, warmup: int) -> dict[str, list[float]]:
    from lsprotocol import types
    from pygls.lsp.client import LanguageClient

    clean, valid, mistake = _texts()
    client = LanguageClient("archc-bench", "1")
    arrived: dict[int, asyncio.Future[int]] = {}

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(params: types.PublishDiagnosticsParams) -> None:
        future = arrived.get(params.version or -1)
        if future is not None and not future.done():
            future.set_result(len(params.diagnostics))

    await client.start_io(sys.executable, "-m", "archc", "lsp")
    await client.initialize_async(types.InitializeParams(
        capabilities=types.ClientCapabilities()))
    client.initialized(types.InitializedParams())
    uri = SPEC.as_uri()
    loop = asyncio.get_running_loop()
    arrived[1] = loop.create_future()
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1,
                                             text=clean)))
    await asyncio.wait_for(arrived[1], 60)
    times: dict[str, list[float]] = {"valid edit": [], "edit with a mistake": []}
    for i in range(warmup + edits):
        version = i + 2
        kind, text, expect = (("valid edit", valid, 0) if i % 2 == 0
                              else ("edit with a mistake", mistake, 1))
        arrived[version] = loop.create_future()
        start = time.perf_counter()
        client.text_document_did_change(types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))
        count = await asyncio.wait_for(arrived[version], 60)
        elapsed = time.perf_counter() - start
        assert count == expect, (kind, count)
        if i >= warmup:
            times[kind].append(elapsed)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return times


def _compile_times(repeats: int) -> list[float]:
    from archc.lsp.model import build

    _, valid, _ = _texts()
    build(valid, str(SPEC))
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        build(valid, str(SPEC))
        out.append(time.perf_counter() - start)
    return out


def _ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 2)


def run(edits: int = 100, warmup: int = 10) -> dict[str, Any]:
    times = asyncio.run(_round_trips(edits, warmup))
    both = times["valid edit"] + times["edit with a mistake"]
    ordered = sorted(both)
    median = _ms(both)
    return {
        "spec": f"{SPEC.name} (default variant resnet50), full-text sync",
        "edits timed (after warm-up)": len(both),
        "median edit -> diagnostics, ms": median,
        "median, valid edit, ms": _ms(times["valid edit"]),
        "median, edit with a mistake, ms": _ms(times["edit with a mistake"]),
        "p90, ms": round(ordered[int(0.9 * (len(ordered) - 1))] * 1000, 2),
        "max, ms": round(ordered[-1] * 1000, 2),
        "in-process compile of the same text, median ms": _ms(_compile_times(30)),
        f"target < {TARGET_MS:.0f} ms": "met" if median < TARGET_MS else "missed",
    }


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
