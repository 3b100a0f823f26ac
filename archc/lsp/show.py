"""Values and schema text as the editor shows them: short, and bounded however large.

Hover and completion show variable values and defaults; a value can be huge (a list built
from shared parts can have billions of leaves, and `str()` of it never returns), so every
value goes through `preview`, whose cost is bounded by the length it shows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PREVIEW_CHARS = 60
"""How much of a value a completion detail or a hover shows."""


def preview(value: Any, limit: int = PREVIEW_CHARS) -> str:
    """A value as the spec writes it, cut after `limit` characters with `…`.

    Values may be huge (a list built from shared parts can have billions of leaves), so the
    text is produced piece by piece and the walk stops at the limit: the cost is bounded by
    `limit`, never by the value's size.
    """
    out: list[str] = []
    size = 0
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, _Text):
            piece = item.text
        elif item is None:
            piece = "null"
        elif isinstance(item, bool):
            piece = "true" if item else "false"
        elif isinstance(item, (list, tuple)):
            parts: list[Any] = [_Text("[")]
            for i, v in enumerate(item):
                if i:
                    parts.append(_Text(", "))
                parts.append(v)
                if i > limit:
                    break
            parts.append(_Text("]"))
            stack.extend(reversed(parts))
            continue
        elif isinstance(item, dict):
            parts = [_Text("{")]
            for i, (k, v) in enumerate(item.items()):
                parts += ([_Text(", ")] if i else []) + [_Text(f"{_short(k)}: "), v]
                if i > limit:
                    break
            parts.append(_Text("}"))
            stack.extend(reversed(parts))
            continue
        else:
            piece = _short(item)
        out.append(piece)
        size += len(piece)
        if size > limit:
            return "".join(out)[:limit] + "…"
    return "".join(out)


@dataclass(frozen=True)
class _Text:
    text: str


def _short(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**PREVIEW_CHARS:
        return "(a very large number)"  # str() of a huge int is itself slow
    return str(value)[:PREVIEW_CHARS + 1]


def summary_of(cls: type[Any] | None) -> str:
    """The first paragraph of a schema class's docstring, on one line."""
    text = (cls.__dict__.get("__doc__") or "") if cls is not None else ""
    return " ".join(text.strip().split("\n\n")[0].split())
