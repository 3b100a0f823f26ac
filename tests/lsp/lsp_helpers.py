"""Helpers for the language-server tests: positions of text in a spec, diagnostics of check.

Importable as `lsp_helpers` (pytest puts this directory, which has no `__init__.py`, on
`sys.path`).
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

from archc.cli import main

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"


def read(name: str) -> str:
    return (SPECS / name).read_text(encoding="utf-8")


def where(text: str, needle: str, nth: int = 0, offset: int = 0) -> tuple[int, int]:
    """1-based (line, column) of the `nth` occurrence of `needle`, plus `offset` columns."""
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, col + offset


def cursor(marked: str) -> tuple[str, tuple[int, int]]:
    """Text with one `|` marking the cursor -> (the text without it, 1-based position)."""
    line, col = where(marked, "|")
    return marked.replace("|", "", 1), (line, col)


_HEAD = re.compile(r"^(?P<file>.+?):(?P<line>\d+):(?P<col>\d+): (?P<sev>error|warning)"
                   r"\[(?P<code>[A-Z]\d{3})\]: (?P<message>.*)$")


def check_diagnostics(path: Path) -> list[tuple[int, int, str, str]]:
    """What `archc check PATH` prints, as (line, col, code, message) per diagnostic."""
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        main(["check", str(path)])
    found = []
    for line in err.getvalue().splitlines():
        match = _HEAD.match(line)
        if match:
            found.append((int(match["line"]), int(match["col"]), match["code"],
                          match["message"]))
    return found
