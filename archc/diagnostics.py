"""Source spans and located diagnostics.

Location is data: every value loaded from a spec keeps the span it came from, every IR node
keeps the span of the spec item that produced it, and every error a user can cause is a
`Diagnostic` that points back at that span. Rendering lives here too, so the CLI, the API and
the tests all show the same text.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True, order=True)
class SourceSpan:
    """A 1-based position in a spec file (line and column of the first character)."""

    file: str
    line: int
    col: int
    end_line: int = 0
    end_col: int = 0

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}"


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True)
class Diagnostic:
    """One finding about a spec: what, where, and (if we know it) how to fix it."""

    code: str
    message: str
    span: SourceSpan | None
    help: str | None = None
    severity: Severity = Severity.ERROR
    notes: tuple[str, ...] = field(default=())

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str]:
        if self.span is None:
            return ("", 0, 0, self.code)
        return (self.span.file, self.span.line, self.span.col, self.code)


class SpecError(Exception):
    """Raised by a stage that cannot go on; carries every diagnostic found so far."""

    def __init__(self, diagnostics: Sequence[Diagnostic]) -> None:
        self.diagnostics = list(diagnostics)
        super().__init__("\n".join(d.message for d in self.diagnostics))


class DiagnosticSink:
    """Collects diagnostics so a stage can report all errors of a file in one run."""

    def __init__(self) -> None:
        self._items: list[Diagnostic] = []
        self._seen: set[tuple[str, str, SourceSpan | None]] = set()

    def add(self, diagnostic: Diagnostic) -> None:
        # Block bodies are expanded once per use; the same mistake must be reported once.
        key = (diagnostic.code, diagnostic.message, diagnostic.span)
        if key not in self._seen:
            self._seen.add(key)
            self._items.append(diagnostic)

    def error(
        self, code: str, message: str, span: SourceSpan | None, help: str | None = None
    ) -> None:
        self.add(Diagnostic(code, message, span, help))

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        for d in diagnostics:
            self.add(d)

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self._items)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self._items, key=Diagnostic.sort_key)

    def raise_if_errors(self) -> None:
        if self.has_errors:
            raise SpecError(self.sorted())


def render(diagnostic: Diagnostic, source: str | None) -> str:
    """Format a diagnostic as `file:line:col: error[CODE]: message`, the line, a caret, help."""
    head = f"{diagnostic.severity.value}[{diagnostic.code}]: {diagnostic.message}"
    span = diagnostic.span
    if span is None:
        lines = [head]
    else:
        lines = [f"{span}: {head}"]
        text = _source_line(source, span.line)
        if text is not None:
            gutter = str(span.line)
            pad = " " * len(gutter)
            width = 1
            if span.end_line == span.line and span.end_col > span.col:
                width = span.end_col - span.col
            width = max(1, min(width, max(1, len(text) - span.col + 1)))
            lines.append(f"{pad} |")
            lines.append(f"{gutter} | {text}")
            lines.append(f"{pad} | {' ' * (span.col - 1)}{'^' * width}")
    for note in diagnostic.notes:
        lines.append(f"  = note: {note}")
    if diagnostic.help:
        lines.append(f"  = help: {diagnostic.help}")
    return "\n".join(lines)


def _source_line(source: str | None, line: int) -> str | None:
    if source is None or line < 1:
        return None
    all_lines = source.splitlines()
    if line > len(all_lines):
        return None
    text = all_lines[line - 1].rstrip()
    # Very long lines (minified specs) would drown the message; show the start only.
    return text if len(text) <= 200 else text[:200] + "..."


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to a misspelt name, phrased as a hint, or None."""
    import difflib

    pool = sorted(set(candidates))
    match = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    return f"did you mean `{match[0]}`?" if match else None
