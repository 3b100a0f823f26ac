"""A bounded, position-keeping YAML loader for specs.

Why not `yaml.safe_load`: it forgets where values came from, it silently accepts duplicate
keys, it expands aliases (a few hundred bytes can become billions of nodes downstream), its
pure-Python composer recurses once per nesting level, and it reads YAML 1.1 (`on` is true,
`010` is 8, `1e-4` is a string). This loader walks libyaml's *event stream* with an explicit
stack, so nesting costs no Python recursion, refuses aliases, non-core tags, duplicate keys
and ambiguous scalars as located diagnostics, and returns plain data plus a span for every
path in it.
"""

from __future__ import annotations

import codecs
import errno
import math
import os
import re
import stat
import sys
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import yaml

from archc.diagnostics import Diagnostic, DiagnosticSink, SourceSpan, SpecError

Path = tuple[str | int, ...]

#: Caps that keep hostile input cheap; the CLI can raise them.
MAX_BYTES = 4 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 150_000
"""Real specs have a few hundred nodes; a 10,000-layer spec has ~90,000. Each node costs a few
microseconds to walk, so the cap bounds a hostile file near one second (a million took 9 s)."""

_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {f"{_CORE}{t}" for t in ("str", "int", "float", "bool", "null", "map", "seq")}

_INT = re.compile(r"[-+]?(0|[1-9][0-9]*)\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_SPECIAL_FLOAT = {".inf": math.inf, "+.inf": math.inf, "-.inf": -math.inf, ".nan": math.nan}
_NULL = {"", "~", "null", "Null", "NULL"}
_TRUE = {"true", "True", "TRUE"}
_FALSE = {"false", "False", "FALSE"}
_YAML11_BOOL = {"yes", "no", "on", "off"}
# YAML 1.1 numbers start with a digit: `1_000` is one, `_`, `__` and `_1` are plain names.
_YAML11_NUMBER = re.compile(
    r"[-+]?(0[0-9_]+|0o[0-7_]+|0x[0-9a-fA-F_]+|0b[01_]+|[0-9][0-9_]*(:[0-5]?[0-9])+"
    r"|[0-9]+_[0-9_]*(\.[0-9_]*)?([eE][-+]?[0-9]+)?)\Z"
)


@dataclass
class Document:
    """Plain data loaded from a spec, with the span of every value and every mapping key."""

    file: str
    source: str
    data: Any
    spans: dict[Path, SourceSpan] = field(default_factory=dict)
    key_spans: dict[Path, SourceSpan] = field(default_factory=dict)
    ends: dict[Path, tuple[int, int]] = field(default_factory=dict)
    """Where each mapping and list ends (1-based line, column of its end mark): an editor
    needs to know which item the cursor is in, and a collection's span marks only its start."""

    def span(self, path: Path) -> SourceSpan:
        """The span of the value at `path`, or of its nearest located ancestor."""
        while path not in self.spans and path:
            path = path[:-1]
        return self.spans.get(path, SourceSpan(self.file, 1, 1))

    def key_span(self, path: Path) -> SourceSpan:
        """The span of the key that introduces `path` (falls back to the value's span)."""
        return self.key_spans.get(path) or self.span(path)


@dataclass
class _Frame:
    container: dict[str, Any] | list[Any]
    path: Path
    key: str | None = None
    key_span: SourceSpan | None = None
    pending_key: bool = True
    flow: bool = False
    """A `{...}` or `[...]` collection, where a plain value ends at the first comma."""


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
        _walk(text, doc, sink, max_depth)
    except yaml.reader.ReaderError as exc:
        # Control characters: libyaml reports a byte offset, not a mark; locate it ourselves.
        sink.error("Y000", f"invalid YAML: {_reader_problem(exc)}",
                   _offset_span(file, text, exc.position),
                   "remove the character, or write it as an escape inside double quotes")
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        opened = _open_bracket(text, mark) if (exc.context or "").startswith(
            "while parsing a flow") and mark is not None else None
        if opened is not None and mark is not None and opened[0] < mark.line:
            # An unclosed `{` or `[`: libyaml notices it at a later token, often lines
            # below; the mistake is the bracket (the cursor line while typing).
            problem = f"this `{_char_at(text, *opened)}` is not closed ({problem})"
            span = SourceSpan(file, opened[0] + 1, opened[1] + 1)
        else:
            span = _mark_span(file, mark) if mark is not None else SourceSpan(file, 1, 1)
        if mark is not None and _char_at(text, mark.line, mark.column) == "\t":
            problem += " (a tab)"  # libyaml's message does not name the character
        sink.error("Y000", f"invalid YAML: {problem}", span, _syntax_help(problem))
    except yaml.YAMLError as exc:
        sink.error("Y000", f"invalid YAML: {exc}", SourceSpan(file, 1, 1))
    except _Abort:
        pass
    sink.raise_if_errors({file: text})
    return doc


class _Abort(Exception):
    """Stops the walk after a diagnostic that makes the rest of the stream meaningless."""


def _walk(text: str, doc: Document, sink: DiagnosticSink, max_depth: int) -> None:
    loader_cls = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    stack: list[_Frame] = []
    documents = 0
    nodes = 0
    root_set = False
    for event in yaml.parse(text, Loader=loader_cls):
        if isinstance(event, yaml.DocumentStartEvent):
            documents += 1
            if documents > 1:
                sink.error("Y007", "a spec holds exactly one YAML document",
                           _mark_span(doc.file, event.start_mark),
                           "remove the `---` and everything after it, or split the file")
                raise _Abort
            continue
        if isinstance(event, (yaml.StreamStartEvent, yaml.StreamEndEvent, yaml.DocumentEndEvent)):
            continue
        if isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            done = stack.pop()
            mark = event.start_mark
            if mark is not None:
                doc.ends[done.path] = (mark.line + 1, mark.column + 1)
            continue
        nodes += 1
        if sink.full:  # thousands of identical mistakes: the first hundred say it all
            raise _Abort
        if nodes > MAX_NODES:
            sink.error("Y010", f"the spec has more than {MAX_NODES:,} YAML nodes",
                       _mark_span(doc.file, event.start_mark), "split the spec")
            raise _Abort
        span = _mark_span(doc.file, event.start_mark, event.end_mark)
        anchor = getattr(event, "anchor", None)
        if anchor is not None and not isinstance(event, yaml.AliasEvent):
            # An anchor is only ever there to be aliased: refused too, as the docs say (the
            # value itself is still read, so the rest of the file is checked).
            sink.error("Y004", f"anchors (`&{anchor}`) are not allowed in specs", span,
                       "remove the anchor; use a block, `defaults` or a named table to reuse "
                       "a definition")
        if isinstance(event, yaml.AliasEvent):
            sink.error("Y004", f"aliases (`*{event.anchor}`) are not allowed in specs", span,
                       "use a block, `defaults` or a named table to reuse a definition")
            value: Any = None
        elif isinstance(event, yaml.ScalarEvent):
            value = _scalar(event, span, sink)
            if stack and stack[-1].flow and isinstance(value, str) and not event.style:
                _split_expression(value, event, stack[-1], text, span, sink)
        else:
            assert isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent))
            _check_tag(event.tag, span, sink, "map" if isinstance(event, yaml.MappingStartEvent)
                       else "seq")
            if len(stack) >= max_depth:
                sink.error("Y008", f"the spec nests deeper than the cap of {max_depth} levels",
                           span, "flatten the structure; real specs nest a few levels deep")
                raise _Abort
            value = {} if isinstance(event, yaml.MappingStartEvent) else []
        if not stack:
            if root_set:
                continue
            doc.data, root_set = value, True
            doc.spans[()] = span
        else:
            frame = stack[-1]
            if isinstance(frame.container, dict) and frame.pending_key:
                _take_key(frame, value, span, doc, sink)
                if isinstance(value, (dict, list)):
                    # A collection used as a key: push it so its end event pops correctly.
                    stack.append(_Frame(value, frame.path + ("?",)))
                continue
            path = _attach(frame, value, span, doc)
        if isinstance(value, (dict, list)):
            flow = bool(getattr(event, "flow_style", False))
            stack.append(_Frame(value, path if stack else (), flow=flow))
    if not root_set:
        doc.data = None


def _split_expression(value: str, event: yaml.ScalarEvent, frame: _Frame, text: str,
                      span: SourceSpan, sink: DiagnosticSink) -> None:
    """E007: inside `{...}` or `[...]` YAML ends a plain value at a comma, so an unquoted
    `max(8, 32 * $alpha)` arrives as `max(8` plus a stray key `32 * $alpha)`. Said once, at
    the value, with the whole expression quoted in the fix (the stray part is not reported:
    the load stops here)."""
    if value.count("(") <= value.count(")"):
        return
    mark = event.start_mark
    lines = text.splitlines()
    line = lines[mark.line][mark.column:] if mark is not None and mark.line < len(lines) \
        else value
    whole = _balanced(line) or value
    key = f"{frame.key}: " if isinstance(frame.container, dict) and frame.key else ""
    sink.error("E007", f"YAML split this expression at a comma: `{value}` has an unclosed "
               "parenthesis", span, f"quote it: `{key}'{whole}'`, or use block style")


def _balanced(text: str) -> str | None:
    """The prefix of `text` up to the parenthesis that closes its first one."""
    depth = 0
    for i, char in enumerate(text):
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return text[:i + 1]
    return None


def _take_key(frame: _Frame, value: Any, span: SourceSpan, doc: Document,
              sink: DiagnosticSink) -> None:
    frame.pending_key = False
    assert isinstance(frame.container, dict)
    if not isinstance(value, str):
        sink.error("Y006", f"mapping keys must be names; found {_describe(value)}", span,
                   "quote the key if you meant the text")
        frame.key = None
        return
    if value in frame.container or (frame.path + (value,)) in doc.key_spans:
        first = doc.key_spans[frame.path + (value,)]
        sink.error("Y005", f"duplicate key `{value}` (first defined at line {first.line})",
                   span, "remove one of the two; YAML would silently keep only the last")
        frame.key = None
        return
    frame.key, frame.key_span = value, span
    doc.key_spans[frame.path + (value,)] = span


def _attach(frame: _Frame, value: Any, span: SourceSpan, doc: Document) -> Path:
    if isinstance(frame.container, list):
        index = len(frame.container)
        frame.container.append(value)
        path = frame.path + (index,)
    else:
        frame.pending_key = True
        if frame.key is None:  # the key was refused; keep parsing, drop the value
            return frame.path + ("?",)
        frame.container[frame.key] = value
        path = frame.path + (frame.key,)
    doc.spans[path] = span
    return path


def _scalar(event: yaml.ScalarEvent, span: SourceSpan, sink: DiagnosticSink) -> Any:
    text = event.value
    tag = event.tag
    if tag is not None and tag != "!":
        _check_tag(tag, span, sink, None)
        if tag == f"{_CORE}str":
            return text
    plain = event.style is None or event.style == ""
    if not plain and tag in (None, "!"):
        return text
    lowered = text.lower()
    if text in _NULL:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if lowered in _YAML11_BOOL or lowered in ("true", "false"):
        sink.error("Y001", f"`{text}` is ambiguous: YAML 1.1 reads it as a boolean, YAML 1.2 "
                   "as text", span, f"write true/false for a boolean, or quote it: '{text}'")
        return text
    if _INT.match(text):
        if len(text.lstrip("+-")) > 18 and abs(int(text[:30])) >= 2**63:
            # Python refuses int() past 4,300 digits and float() past 1e308; no layer size
            # needs more than int64, so stop here with a location instead of crashing later.
            sink.error("Y020", f"the number `{text[:20]}{'...' if len(text) > 20 else ''}` is "
                       "too large (the limit is 2**63 - 1)", span,
                       "check for a typo; sizes in a spec are far smaller")
            return text
        return int(text)
    if _YAML11_NUMBER.match(text):
        sink.error("Y002", f"`{text}` is an ambiguous number (YAML 1.1 reads octal, sexagesimal "
                   "and underscored numbers differently)", span,
                   "write a plain decimal number, or quote it if you meant text")
        return text
    if _FLOAT.match(text):
        return float(text)
    if lowered in _SPECIAL_FLOAT:
        return _SPECIAL_FLOAT[lowered]
    return text


def _check_tag(tag: str | None, span: SourceSpan, sink: DiagnosticSink, kind: str | None) -> None:
    if tag is None or tag == "!" or tag in _ALLOWED_TAGS:
        return
    shown = "!!" + tag[len(_CORE):] if tag.startswith(_CORE) else tag
    sink.error("Y003", f"the tag `{shown}` is not allowed: specs are data, never code", span,
               "remove the tag; archc accepts only plain YAML values")


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None or isinstance(value, bool):  # as the spec spells them, not Python
        return "`null`" if value is None else f"`{str(value).lower()}`"
    return f"`{value}`"


def _mark_span(file: str, mark: Any, end: Any = None) -> SourceSpan:
    if end is not None and end.line == mark.line:
        return SourceSpan(file, mark.line + 1, mark.column + 1, end.line + 1, end.column + 1)
    return SourceSpan(file, mark.line + 1, mark.column + 1)


def _open_bracket(text: str, mark: Any) -> tuple[int, int] | None:
    """(line, column), 0-based, of the innermost `{` or `[` still open at `mark`."""
    stack: list[tuple[int, int]] = []
    for number, line in enumerate(text.splitlines()[:mark.line + 1]):
        quote = ""
        end = mark.column if number == mark.line else len(line)
        for column, char in enumerate(line[:end]):
            if quote:
                quote = "" if char == quote else quote
            elif char in "'\"" and (column == 0 or line[column - 1] in " \t,[{:"):
                quote = char
            elif char == "#" and (column == 0 or line[column - 1] in " \t"):
                break
            elif char in "{[":
                stack.append((number, column))
            elif char in "}]" and stack:
                stack.pop()
    return stack[-1] if stack else None


def _char_at(text: str, line: int, column: int) -> str:
    lines = text.splitlines()
    if 0 <= line < len(lines) and 0 <= column < len(lines[line]):
        return lines[line][column]
    return ""


def _reader_problem(exc: yaml.reader.ReaderError) -> str:
    char = exc.character
    if isinstance(char, int):
        return f"the character U+{char:04X} is not allowed ({exc.reason})"
    return str(exc.reason)


def _offset_span(file: str, text: str, byte_offset: int) -> SourceSpan:
    before = text.encode("utf-8", "surrogatepass")[:byte_offset].decode("utf-8", "ignore")
    before = before.replace("\r\n", "\n").replace("\r", "\n")
    line = before.count("\n") + 1
    col = len(before) - (before.rfind("\n") + 1) + 1
    return SourceSpan(file, line, col)


def _syntax_help(problem: str) -> str | None:
    if "tab" in problem:
        return "indent with spaces; YAML forbids tabs for indentation"
    if problem.startswith("this `{` is not closed"):
        return "close it with `}` where the mapping ends, or use block style"
    if problem.startswith("this `[` is not closed"):
        return "close it with `]` where the list ends, or use block style"
    if "mapping values are not allowed" in problem:
        return "a value containing `: ` must be quoted, or a key is indented wrongly"
    if "expected ',' or '}'" in problem or "expected ',' or ']'" in problem:
        return "inside `{...}` or `[...]`, quote values that contain brackets or commas, " \
            "e.g. '$stages[0]', or use block style"
    return None
