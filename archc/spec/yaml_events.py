"""The walk over libyaml's event stream that turns spec text into plain data with spans.

An explicit stack instead of recursion, so nesting costs no Python frames; anchors, aliases,
duplicate and non-name keys are refused as located diagnostics, and the node count is
capped so a hostile file stays cheap. Scalars are typed by `yaml_scalars`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

from archc.diagnostics import DiagnosticSink, SourceSpan
from archc.spec.document import Document, Path
from archc.spec.yaml_errors import mark_span
from archc.spec.yaml_scalars import check_tag, scalar_value


class Abort(Exception):
    """Stops the walk after a diagnostic that makes the rest of the stream meaningless."""


@dataclass
class _Frame:
    container: dict[str, Any] | list[Any]
    path: Path
    key: str | None = None
    key_span: SourceSpan | None = None
    pending_key: bool = True
    flow: bool = False
    """A `{...}` or `[...]` collection, where a plain value ends at the first comma."""


def walk(text: str, doc: Document, sink: DiagnosticSink, max_depth: int, max_nodes: int) -> None:
    """Fill `doc` from the event stream of `text`; problems go to `sink` (`Abort` stops)."""
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
                           mark_span(doc.file, event.start_mark),
                           "remove the `---` and everything after it, or split the file")
                raise Abort
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
            raise Abort
        if nodes > max_nodes:
            sink.error("Y010", f"the spec has more than {max_nodes:,} YAML nodes",
                       mark_span(doc.file, event.start_mark), "split the spec")
            raise Abort
        span = mark_span(doc.file, event.start_mark, event.end_mark)
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
            value = scalar_value(event, span, sink)
            if stack and stack[-1].flow and isinstance(value, str) and not event.style:
                _split_expression(value, event, stack[-1], text, span, sink)
        else:
            assert isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent))
            check_tag(event.tag, span, sink, "map" if isinstance(event, yaml.MappingStartEvent)
                       else "seq")
            if len(stack) >= max_depth:
                sink.error("Y008", f"the spec nests deeper than the cap of {max_depth} levels",
                           span, "flatten the structure; real specs nest a few levels deep")
                raise Abort
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


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None or isinstance(value, bool):  # as the spec spells them, not Python
        return "`null`" if value is None else f"`{str(value).lower()}`"
    return f"`{value}`"
