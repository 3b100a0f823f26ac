"""Where a completion is asked for: which mapping or list of the spec, at a key or a value.

The loader's spans and collection ends say which collection holds the cursor. A document
being typed is often not valid YAML at that moment (`{filters: 64, k`), so the text is
first loaded with the word under the cursor removed and the open brackets of that line
closed (the loader does the parsing; this only edits one line of input). YAML has no node
yet for an empty value (`conv2d:` followed by an indented blank line), so a cursor indented
under the last key of a block mapping counts as inside that key's value.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from archc.diagnostics import SpecError
from archc.lsp.model import Position
from archc.lsp.spec_items import is_layer_list
from archc.spec.loader import MAX_BYTES, Document, Path, load_text

_WORD = re.compile(r"\$?[A-Za-z0-9_.\-]*\Z")


@dataclass(frozen=True)
class Context:
    """The cursor's place in the spec's structure."""

    container: Path
    """The innermost mapping or list holding the cursor (it may not exist yet)."""
    is_list: bool
    key: str | None
    """At a value: the key it belongs to; None at a key or list item."""
    word: str
    """The partial word before the cursor, `$` included: completions replace it."""
    word_start: Position
    present: frozenset[str]
    """Keys the container mapping already has (not offered again)."""
    doc: Document


def context_at(text: str, pos: Position, doc: Document | None = None) -> Context | None:
    """The completion context at `pos`, or None if the text cannot be made loadable.

    `doc` is the document as loaded without repair, when it loads: the keys already
    present are read there (the repair drops the rest of the cursor line).
    """
    if len(text) > MAX_BYTES:
        return None  # larger than any spec archc reads (Y009): not parsed again per keystroke
    lines = text.splitlines()
    line, col = pos
    current = lines[line - 1] if 0 < line <= len(lines) else ""
    prefix = current[:col - 1]
    match = _WORD.search(prefix)
    word = match.group(0).lstrip("-") if match else ""
    start = (line, col - len(word))
    loaded = _load_repaired(lines, line, prefix[:len(prefix) - len(word)])
    if loaded is None:
        return None
    container, is_list, flow = _innermost(loaded, text_lines(loaded), start)
    segment = _segment(prefix[:len(prefix) - len(word)], flow)
    key: str | None = None
    if not is_list and ":" in segment:
        key = segment.split(":", 1)[0].strip().strip("'\"") or None
    if not is_list and key is None and not flow:
        container, is_list = _into_empty_value(loaded, container, start, segment)
    value = _value(loaded, container)
    if doc is not None and isinstance(_value(doc, container), dict):
        value = _value(doc, container)
    present = frozenset(k for k in value if k != word) if isinstance(value, dict) else frozenset()
    return Context(container, is_list, key, word, start, present, loaded)


def text_lines(doc: Document) -> list[str]:
    return doc.source.splitlines()


def _load_repaired(lines: list[str], line: int, kept: str) -> Document | None:
    """Load the text with the cursor line cut at the word and its brackets closed."""
    closers = _closers(kept)
    candidates = [kept + closers, " " * (len(kept) - len(kept.lstrip()))]
    for replacement in candidates:
        edited = list(lines)
        while len(edited) < line:
            edited.append("")
        edited[line - 1] = replacement
        try:
            return load_text("\n".join(edited) + "\n", "<completion>")
        except SpecError:
            continue
    return None


def _closers(text: str) -> str:
    stack: list[str] = []
    quote: str | None = None
    for ch in text:
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
        elif ch in "{[":
            stack.append("}" if ch == "{" else "]")
        elif ch in "}]" and stack:
            stack.pop()
    return (quote or "") + "".join(reversed(stack))


def _innermost(doc: Document, lines: list[str], pos: Position) -> tuple[Path, bool, bool]:
    """(path, is a list, is flow style) of the deepest collection containing `pos`."""
    best: Path = ()
    best_flow = False
    for path, end in doc.ends.items():
        if "?" in path or len(path) < len(best) or path == best:
            continue
        span = doc.spans.get(path)
        if span is None:
            continue
        start = (span.line, span.col)
        flow = _char(lines, start) in "{["
        if not start <= pos <= end:
            continue
        if not flow and pos[0] > start[0] and pos[1] < start[1]:
            continue  # a block collection holds only lines indented as deep as it
        if flow and pos == start:
            continue  # before the bracket
        best, best_flow = path, flow
    return best, isinstance(_value(doc, best), list), best_flow


def _into_empty_value(doc: Document, container: Path, pos: Position,
                      segment: str) -> tuple[Path, bool]:
    """A cursor indented under the last key of a block mapping is inside its value."""
    span = doc.spans.get(container)
    value = _value(doc, container)
    if span is None or not isinstance(value, dict) or pos[1] <= span.col:
        return container, False
    last: str | None = None
    for key in value:
        key_span = doc.key_spans.get(container + (key,))
        if key_span is not None and (key_span.line, key_span.col) < pos:
            last = key
    if last is None or isinstance(value[last], (dict, list)):
        return container, False
    key_span = doc.key_spans[container + (last,)]
    if key_span.line >= pos[0]:
        return container, False
    inner = container + (last,)
    return inner, is_layer_list(inner) or segment.startswith("-")


def _segment(prefix: str, flow: bool) -> str:
    """The part of the line that belongs to the current key or item."""
    if flow:
        cut = max(prefix.rfind(c) for c in "{[,")
        return prefix[cut + 1:].strip()
    seg = prefix.strip()
    while seg.startswith("-") and (len(seg) == 1 or seg[1] == " "):
        seg = seg[1:].lstrip()
    return seg


def _char(lines: list[str], pos: Position) -> str:
    line, col = pos
    if 0 < line <= len(lines) and 0 < col <= len(lines[line - 1]):
        return lines[line - 1][col - 1]
    return ""


def _value(doc: Document, path: Path) -> object:
    current: object = doc.data
    for part in path:
        try:
            current = current[part]  # type: ignore[index]
        except (KeyError, IndexError, TypeError):
            return None
    return current
