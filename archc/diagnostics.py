"""Source spans and located diagnostics.

Location is data: every value loaded from a spec keeps the span it came from, every IR node
keeps the span of the spec item that produced it, and every error a user can cause is a
`Diagnostic` that points back at that span. Rendering lives here too, so the CLI, the API and
the tests all show the same text.
"""

from __future__ import annotations

import enum
import functools
import os
import re
from collections.abc import Iterable, Mapping, Sequence
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


CHECK_CODES = os.environ.get("ARCHC_CHECK_CODES") == "1"
"""When set (the test suite sets ARCHC_CHECK_CODES=1), every `Diagnostic` and `Problem`
checks its code against the registry in archc.diagnostic_codes, so a raise site with a
malformed or unregistered code fails the test that reaches it. Off by default: a user never
pays for loading the registry, and a slip in a rarely reached path is still reported."""


def check_code(code: str) -> None:
    """Raise ValueError unless `code` is a registered diagnostic code."""
    from archc.diagnostic_codes import CODE_FORMAT, is_registered

    if CODE_FORMAT.fullmatch(code) is None:
        raise ValueError(f"malformed diagnostic code {code!r}: want a letter and three digits")
    if not is_registered(code):
        raise ValueError(f"diagnostic code {code} is not in archc.diagnostic_codes "
                         "(add it there and to docs/diagnostics.md)")


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

    def __post_init__(self) -> None:
        if CHECK_CODES:
            check_code(self.code)

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str]:
        if self.span is None:
            return ("", 0, 0, self.code)
        return (self.span.file, self.span.line, self.span.col, self.code)


class Problem(Exception):
    """A user-facing problem found below the stage that knows where it is.

    A shape rule, the expression evaluator or a backend knows what went wrong (`code`,
    message, `help`) but not the spec line; the stage that called it does, and turns the
    problem into a located `Diagnostic` with `at(span)`.
    """

    def __init__(self, code: str, message: str, help: str | None = None) -> None:
        super().__init__(message)
        if CHECK_CODES:
            check_code(code)
        self.code = code
        self.message = message
        self.help = help

    def at(self, span: SourceSpan | None) -> Diagnostic:
        return Diagnostic(self.code, self.message, span, self.help)


class SpecError(Exception):
    """Raised by a stage that cannot go on; carries every diagnostic found so far.

    `sources` maps a file name to its text, so `str(error)` shows each diagnostic the way
    the CLI prints it (location, source line, caret, help): a notebook or a log that only
    shows `str` still tells the user where the mistake is. Stages that know the text (the
    loader, the pipeline) fill it in; the CLI shows the lines of the text that was compiled
    (a spec read from standard input cannot be read twice).
    """

    def __init__(self, diagnostics: Sequence[Diagnostic],
                 sources: Mapping[str, str] | None = None) -> None:
        self.diagnostics = list(diagnostics)
        self.sources: dict[str, str] = dict(sources or {})
        super().__init__("\n".join(d.message for d in self.diagnostics))

    def __str__(self) -> str:
        return render_all(self.diagnostics, self.sources)

    def _render_traceback_(self) -> list[str]:
        """What IPython and Jupyter show for an uncaught SpecError: the located diagnostics.

        IPython calls this hook instead of formatting the stack; the frames would be
        archc's internals (the pipeline, the loader), which say nothing about the spec.
        """
        return ["SpecError:", *str(self).split("\n")]



class UsageError(Exception):
    """A problem with how archc was called, not with the spec (an unknown variant, a bad
    `--set`): the CLI prints it without a location and exits with code 2. Raised where the
    call's arguments are read (variable resolution, the zoo), below the pipeline."""


_NUMBER = re.compile(r"-?\d+")

MAX_DIAGNOSTICS = 100
"""A hostile file can hold a million identical mistakes; printing them all took minutes and
a gigabyte. After this many the sink records one C010 and ignores the rest."""


class DiagnosticSink:
    """Collects diagnostics so a stage can report all errors of a file in one run."""

    def __init__(self, limit: int = MAX_DIAGNOSTICS) -> None:
        self._items: list[Diagnostic] = []
        self._seen: set[tuple[str, str, SourceSpan | None]] = set()
        self.limit = limit
        self.full = False
        """True once `limit` diagnostics were collected; stages may stop early."""

    def add(self, diagnostic: Diagnostic) -> None:
        if self.full:
            return
        # Block bodies and repeat copies are expanded once per use; the same mistake must be
        # reported once, even when its message names the copy's number (`received -9`,
        # `-8`, ...): at one place, messages that differ only in numbers are the first's.
        key = (diagnostic.code, _NUMBER.sub("#", diagnostic.message), diagnostic.span)
        if key in self._seen:
            return
        if len(self._items) >= self.limit:
            self.full = True
            self._items.append(Diagnostic(
                "C010", f"too many problems; stopped after the first {self.limit}",
                diagnostic.span, "fix these and run archc again"))
            return
        self._seen.add(key)
        self._items.append(diagnostic)

    def error(
        self, code: str, message: str, span: SourceSpan | None, help: str | None = None
    ) -> None:
        self.add(Diagnostic(code, message, span, help))

    def __len__(self) -> int:
        return len(self._items)

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        for d in diagnostics:
            self.add(d)

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self._items)

    def sorted(self) -> list[Diagnostic]:
        return sorted(self._items, key=Diagnostic.sort_key)

    def raise_if_errors(self, sources: Mapping[str, str] | None = None) -> None:
        if self.has_errors:
            raise SpecError(self.sorted(), sources)


_UNSAFE = re.compile("[\x00-\x1f\x7f-\xa0\xad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891"
                     "\u08e2\u1680\u180e\u2000-\u200f\u2028-\u202f\u205f-\u2064\u2066-\u206f"
                     "\u3000\ud800-\udfff\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
                     "\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a"
                     "\U000e0001\U000e0020-\U000e007f]")
"""Characters that must never reach a terminal or a log raw: every control (Cc: ESC starts
terminal sequences, CR and LF start fake lines), every format character (Cf: bidirectional
marks and overrides reorder what a reader sees; zero-width spaces, joiners, the soft hyphen,
the BOM, invisible operators and tag characters hide text), the line and paragraph
separators (Zl, Zp), every space but the ASCII one (Zs: a no-break or ideographic space
passes for a plain one), and lone surrogates (bytes that were not UTF-8, which cannot even
be encoded for output). The class lists Unicode 14's code points of those categories
(Python 3.11's database); a test compares it with the running Python's."""
_UNSAFE_KEEPING_LAYOUT = re.compile(_UNSAFE.pattern.replace("\x00-\x1f",
                                                            "\x00-\x08\x0b-\x1f"))
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
"""What YAML (libyaml) counts as a line break; str.splitlines() also splits at \\f, \\v and
\\x1c-\\x1e, which would show the wrong source line after such a character."""


_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _SHORT:
        return _SHORT[char]
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def visible(text: str, keep_layout: bool = False) -> str:
    """`text` with every unsafe character as a visible escape (`\\x1b`, `\\u202e`).

    The one rule for every human-readable output: a value from a spec or the command line
    cannot move the cursor, clear the screen, or start a line that looks like another
    diagnostic. `keep_layout` keeps `\\n` and `\\t` for whole multi-line outputs (a
    table, DOT text) whose fields were escaped one by one already.
    """
    pattern = _UNSAFE_KEEPING_LAYOUT if keep_layout else _UNSAFE
    if pattern.search(text) is None:  # the common case costs one scan
        return text
    return pattern.sub(_escape, text)


def render(diagnostic: Diagnostic, source: str | None) -> str:
    """Format a diagnostic as `file:line:col: error[CODE]: message`, the line, a caret, help.

    Every part is passed through `visible`, so one diagnostic's head is one physical line
    whatever the spec holds (a CI log parser matching `file:line:col: error[CODE]` cannot
    be fed a fake line).
    """
    head = f"{diagnostic.severity.value}[{diagnostic.code}]: {visible(diagnostic.message)}"
    span = diagnostic.span
    if span is None:
        lines = [head]
    else:
        lines = [f"{visible(str(span))}: {head}"]
        text = _source_line(source, span.line)
        # A column past the shown text (a minified line cut at 200 characters) would print a
        # caret line millions of spaces wide; the location in the head line is enough then.
        if text is not None and span.col <= len(text) + 1:
            gutter = str(span.line)
            pad = " " * len(gutter)
            width = 1
            if span.end_line == span.line and span.end_col > span.col:
                width = span.end_col - span.col
            width = max(1, min(width, max(1, len(text) - span.col + 1)))
            # The caret sits under the escaped text: measure the escaped prefix and span.
            before = len(visible(text[:span.col - 1]))
            under = max(1, len(visible(text[span.col - 1:span.col - 1 + width])))
            lines.append(f"{pad} |")
            lines.append(f"{gutter} | {visible(text)}")
            lines.append(f"{pad} | {' ' * before}{'^' * under}")
    for note in diagnostic.notes:
        lines.append(f"  = note: {visible(note)}")
    if diagnostic.help:
        lines.append(f"  = help: {visible(diagnostic.help)}")
    return "\n".join(lines)


def render_all(diagnostics: Sequence[Diagnostic], sources: Mapping[str, str]) -> str:
    """Every diagnostic rendered, then the count line (`2 errors`), as the CLI prints them."""
    parts = [render(d, sources.get(d.span.file) if d.span else None) for d in diagnostics]
    counts = count_line(diagnostics)
    if counts:
        parts.append(counts)
    return "\n".join(parts)


def count_line(diagnostics: Sequence[Diagnostic]) -> str:
    """`2 errors, 1 warning` under a list of diagnostics ("" for none).

    One wording for the CLI and for `str(SpecError)`, so a log and a terminal agree; a
    kind with no entries is left out (`1 warning`, not `0 errors, 1 warning`).
    """
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = len(diagnostics) - errors
    return ", ".join(f"{n} {word}{'s' if n != 1 else ''}"
                     for n, word in ((errors, "error"), (warnings, "warning")) if n)


def _source_line(source: str | None, line: int) -> str | None:
    if source is None or line < 1:
        return None
    all_lines = _lines(source)
    if line > len(all_lines):
        return None
    text = all_lines[line - 1].rstrip()
    # Very long lines (minified specs) would drown the message; show the start only.
    return text if len(text) <= 200 else text[:200] + "..."


@functools.lru_cache(maxsize=4)
def _lines(source: str) -> tuple[str, ...]:
    # Split once per source, not once per diagnostic: 100 diagnostics on a 4 MB file
    # otherwise cost 100 full splits.
    lines = _LINE_BREAK.split(source)
    if lines and not lines[-1]:  # like splitlines(): a final break ends a line, opens none
        lines.pop()
    return tuple(lines)


def did_you_mean(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to a misspelt name, phrased as a hint, or None."""
    import difflib

    pool = sorted(set(candidates))
    match = difflib.get_close_matches(word, pool, n=1, cutoff=0.6)
    return f"did you mean `{match[0]}`?" if match else None
