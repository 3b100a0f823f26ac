"""A loaded spec: plain data plus the source span of every value, key and collection end.

The loader (`archc.spec.loader`) fills it in; validation, lowering and the language server
read it, so every diagnostic can point at the line a value came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from archc.diagnostics import SourceSpan

Path = tuple[str | int, ...]
"""Where a value sits in the loaded data: mapping keys and list indices from the root."""


def value_at(data: Any, path: Path) -> Any:
    """The value at `path` inside `data`, or None when the path leads nowhere (a missing
    key, an index past the end, or a step into a scalar)."""
    current = data
    for part in path:
        try:
            current = current[part]
        except (KeyError, IndexError, TypeError):
            return None
    return current


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
