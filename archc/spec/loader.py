"""A bounded, position-keeping YAML loader for specs.

Why not `yaml.safe_load`: it forgets where values came from, it silently accepts duplicate
keys, it expands aliases (a few hundred bytes can become billions of nodes downstream), its
pure-Python composer recurses once per nesting level, and it reads YAML 1.1 (`on` is true,
`010` is 8, `1e-4` is a string). This loader walks libyaml's *event stream* with an explicit
stack, so nesting costs no Python recursion, refuses aliases, non-core tags, duplicate keys
and ambiguous scalars as located diagnostics, and returns plain data plus a span for every
path in it.

This module reads the bytes (bounded, UTF-8) and maps libyaml's errors; the event walk is
`yaml_events`, the typing of scalars `yaml_scalars`, the error spans and hints
`yaml_errors`, and the result a `document.Document`.
"""

from __future__ import annotations

import codecs
import errno
import os
import stat
import sys
from typing import BinaryIO

import yaml

from archc.diagnostics import Diagnostic, DiagnosticSink, SourceSpan, SpecError
from archc.spec.document import Document as Document
from archc.spec.document import Path as Path
from archc.spec.yaml_errors import (
    char_at,
    mark_span,
    offset_span,
    open_bracket,
    reader_problem,
    syntax_help,
)
from archc.spec.yaml_events import Abort, walk

#: Caps that keep hostile input cheap; the CLI can raise them.
MAX_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 150_000
"""Real specs have a few hundred nodes; a 10,000-layer spec has ~90,000. Each node costs a few
microseconds to walk, so the cap bounds a hostile file near one second (a million took 9 s)."""

STDIN = "-"
"""The spec path that means standard input; diagnostics call it `<stdin>`."""
STDIN_NAME = "<stdin>"

_CHUNK = 1 << 20
_SHOWN_PREFIX = 64 * 1024  # enough text to show line 1 of a file refused before parsing


def load_file(path: str, max_bytes: int = MAX_BYTES) -> Document:
    """Read and load a spec file (`-`: standard input); I/O problems raise OSError.

    The read is bounded by `max_bytes` without allocating it up front (`--max-bytes` may be
    huge), and stops early at bytes no spec contains (a NUL, invalid UTF-8), so endless
    devices such as /dev/zero and /dev/urandom cost one chunk.
    """
    if path == STDIN:
        return _load_raw(_read_bounded(sys.stdin.buffer, max_bytes), STDIN_NAME, max_bytes)
    info = os.stat(path)
    if stat.S_ISFIFO(info.st_mode):
        if _is_stdin(info):  # `/dev/stdin` when the spec is piped in
            return _load_raw(_read_bounded(sys.stdin.buffer, max_bytes), path, max_bytes)
        # Opening a named pipe blocks until a writer appears: refuse instead of hanging.
        raise OSError(errno.EINVAL, "a named pipe is not a spec file (pipe it to standard "
                      "input and give `-` instead)", path)
    if stat.S_ISREG(info.st_mode) and info.st_size > max_bytes:
        _too_large(path, max_bytes, b"")
    with open(path, "rb") as handle:
        raw = _read_bounded(handle, max_bytes)
    return _load_raw(raw, path, max_bytes)


def read_stdin(max_bytes: int = MAX_BYTES) -> bytes:
    """Standard input, read as boundedly as a file (for callers that compile it twice)."""
    return _read_bounded(sys.stdin.buffer, max_bytes)


def load_bytes(raw: bytes, path: str, max_bytes: int = MAX_BYTES) -> Document:
    """Load spec bytes read elsewhere (`read_stdin`): the size cap, UTF-8, then YAML."""
    return _load_raw(raw, path, max_bytes)


def _is_stdin(info: os.stat_result) -> bool:
    try:
        return os.path.samestat(info, os.fstat(0))
    except OSError:
        return False


def _read_bounded(handle: BinaryIO, max_bytes: int) -> bytes:
    """At most `max_bytes + 1` bytes, in chunks; stops after a NUL or invalid UTF-8."""
    buf = bytearray()
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while len(buf) <= max_bytes:
            chunk = handle.read(min(_CHUNK, max_bytes + 1 - len(buf)))
            if not chunk:
                break
            nul = chunk.find(b"\x00")
            if nul >= 0:  # the loader reports the NUL; keep the rest of its line to show
                end = chunk.find(b"\n", nul)
                buf += chunk[:nul + 1] if end < 0 else chunk[:end + 1]
                break
            buf += chunk
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                break  # Y011 names the byte; the rest cannot change that
    except MemoryError:
        raise SpecError([Diagnostic("Y009", f"the input does not fit in memory (read "
                                    f"{len(buf):,} bytes of the cap of {max_bytes:,})",
                                    SourceSpan(getattr(handle, "name", STDIN_NAME), 1, 1),
                                    "lower --max-bytes, or split the spec")]) from None
    return bytes(buf)


def _too_large(path: str, max_bytes: int, raw: bytes) -> None:
    raise SpecError([oversize(path, max_bytes)],
                    {path: raw[:_SHOWN_PREFIX].decode("utf-8", "replace")} if raw else None)


def _load_raw(raw: bytes, path: str, max_bytes: int) -> Document:
    if len(raw) > max_bytes:
        _too_large(path, max_bytes, raw)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SpecError(
            [Diagnostic("Y011", f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})",
                        SourceSpan(path, 1, 1), "save the spec as UTF-8")],
            {path: raw[:_SHOWN_PREFIX].decode("utf-8", "replace")},
        ) from None
    return load_text(text, path)


def oversize(file: str, max_bytes: int) -> Diagnostic:
    """Y009: the file is over the size cap (checked before anything is parsed)."""
    return Diagnostic("Y009", f"the file is larger than the size cap of {max_bytes:,} bytes",
                      SourceSpan(file, 1, 1), "split the spec, or raise the cap with --max-bytes")


def load_text(text: str, file: str = "<string>", max_depth: int = MAX_DEPTH) -> Document:
    """Load one YAML document; every problem becomes a located diagnostic in a SpecError."""
    sink = DiagnosticSink()
    doc = Document(file=file, source=text, data=None)
    try:
        walk(text, doc, sink, max_depth, MAX_NODES)
    except yaml.reader.ReaderError as exc:
        # Control characters: libyaml reports a byte offset, not a mark; locate it ourselves.
        sink.error("Y000", f"invalid YAML: {reader_problem(exc)}",
                   offset_span(file, text, exc.position),
                   "remove the character, or write it as an escape inside double quotes")
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        opened = open_bracket(text, mark) if (exc.context or "").startswith(
            "while parsing a flow") and mark is not None else None
        if opened is not None and mark is not None and opened[0] < mark.line:
            # An unclosed `{` or `[`: libyaml notices it at a later token, often lines
            # below; the mistake is the bracket (the cursor line while typing).
            problem = f"this `{char_at(text, *opened)}` is not closed ({problem})"
            span = SourceSpan(file, opened[0] + 1, opened[1] + 1)
        else:
            span = mark_span(file, mark) if mark is not None else SourceSpan(file, 1, 1)
        if mark is not None and char_at(text, mark.line, mark.column) == "\t":
            problem += " (a tab)"  # libyaml's message does not name the character
        sink.error("Y000", f"invalid YAML: {problem}", span, syntax_help(problem))
    except yaml.YAMLError as exc:
        sink.error("Y000", f"invalid YAML: {exc}", SourceSpan(file, 1, 1))
    except Abort:
        pass
    sink.raise_if_errors({file: text})
    return doc
