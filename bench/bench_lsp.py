"""`archc lsp`: time from an edit to its published diagnostics, for every spec of the zoo.

A real client (pygls's) starts `python -m archc lsp` as an editor would, opens each spec of
specs/ in turn and sends full-text `didChange` edits one at a time, each waiting for the
`publishDiagnostics` of its own version: the time is that round trip, wall clock, measured
in the client (JSON-RPC over pipes, the server's debounce, the compile, the conversion,
both ways). Edits alternate between a valid change (a comment line with the edit's number:
no diagnostics) and a mistake (`name:` misspelt in the last named layer: one S002), so
every version's text is new; the server keeps no result of an earlier text, so each edit
is a full analysis of the spec. Warm: the first edits of each spec are not counted.

Beside it, in-process: the compile of the same text as the server runs it (block
expansions reused, `Options(reuse_expansions=True)`) and as `archc check` runs it, so the
ratio shows what the reuse buys. The machine (CPUs, load average before and after) is
printed with the figures, since other processes share it.

Issue 19's target: a median under 50 ms for every spec. Run ``python -m bench.bench_lsp``
(``--edits N``); `run()` returns the dict it prints.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path
from typing import Any

SPECS = Path(__file__).resolve().parents[1] / "specs"
TARGET_MS = 50.0


def _texts(clean: str, i: int) -> tuple[str, int]:
    """The text of edit `i` and the number of diagnostics it must get."""
    if i % 2 == 0:
        return clean + f"# edit {i}\n", 0
    cut = clean.rindex("{name: ")
    return clean[:cut] + "{nmae: " + clean[cut + len("{name: "):] + f"# edit {i}\n", 1


async def _round_trips(paths: list[Path], edits: int, warmup: int) -> dict[str, list[float]]:
    from lsprotocol import types
    from pygls.lsp.client import LanguageClient

    client = LanguageClient("archc-bench", "1")
    arrived: dict[tuple[str, int], asyncio.Future[int]] = {}

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(params: types.PublishDiagnosticsParams) -> None:
        future = arrived.get((params.uri, params.version or -1))
        if future is not None and not future.done():
            future.set_result(len(params.diagnostics))

    await client.start_io(sys.executable, "-m", "archc", "lsp")
    await client.initialize_async(types.InitializeParams(
        capabilities=types.ClientCapabilities()))
    client.initialized(types.InitializedParams())
    loop = asyncio.get_running_loop()
    times: dict[str, list[float]] = {}
    for path in paths:
        clean = path.read_text(encoding="utf-8")
        uri = path.as_uri()
        arrived[(uri, 1)] = loop.create_future()
        client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1,
                                                 text=clean)))
        assert await asyncio.wait_for(arrived[(uri, 1)], 120) == 0, path.name
        times[path.name] = []
        for i in range(warmup + edits):
            version = i + 2
            text, expect = _texts(clean, i)
            arrived[(uri, version)] = loop.create_future()
            start = time.perf_counter()
            client.text_document_did_change(types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)]))
            count = await asyncio.wait_for(arrived[(uri, version)], 120)
            elapsed = time.perf_counter() - start
            assert count == expect, (path.name, i, count)
            if i >= warmup:
                times[path.name].append(elapsed)
        client.text_document_did_close(types.DidCloseTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=uri)))
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return times


def _compile_ms(text: str, reuse: bool, repeats: int) -> float:
    from archc.pipeline import Options, attempt

    options = Options(reuse_expansions=reuse)
    attempt(text, "bench.yaml", options)
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        attempt(text, "bench.yaml", options)
        out.append(time.perf_counter() - start)
    return round(statistics.median(out) * 1000, 1)


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[round(q * (len(ordered) - 1))] * 1000, 1)


def run(edits: int = 30, warmup: int = 6) -> dict[str, Any]:
    paths = sorted(SPECS.glob("*.yaml"))
    load_before = os.getloadavg()
    times = asyncio.run(_round_trips(paths, edits, warmup))
    rows = {}
    for path in paths:
        measured = times[path.name]
        text = path.read_text(encoding="utf-8")
        median = _quantile(measured, 0.5)
        rows[path.name] = {
            "p50 ms": median, "p90 ms": _quantile(measured, 0.9),
            "max ms": _quantile(measured, 1.0),
            "compile (server) ms": _compile_ms(text, True, 10),
            "compile (check) ms": _compile_ms(text, False, 10),
            f"< {TARGET_MS:.0f} ms": "met" if median < TARGET_MS else "MISSED",
        }
    load_after = os.getloadavg()
    return {
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, Python "
                   f"{platform.python_version()}",
        "load average (1, 5, 15 min) before": [round(x, 2) for x in load_before],
        "load average (1, 5, 15 min) after": [round(x, 2) for x in load_after],
        "edits timed per spec (after warm-up)": edits,
        "specs": rows,
        "all medians under target": all(r[f"< {TARGET_MS:.0f} ms"] == "met"
                                        for r in rows.values()),
    }


def table(result: dict[str, Any]) -> str:
    """The result as the Markdown table docs/benchmarks.md shows."""
    lines = ["| spec | p50 ms | p90 ms | max ms | compile, server ms | compile, check ms |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, row in result["specs"].items():
        lines.append(f"| {name} | {row['p50 ms']} | {row['p90 ms']} | {row['max ms']} | "
                     f"{row['compile (server) ms']} | {row['compile (check) ms']} |")
    return "\n".join(lines)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edits", type=int, default=30)
    args = parser.parse_args()
    result = run(args.edits)
    print(json.dumps(result, indent=2))
    print()
    print(table(result))
