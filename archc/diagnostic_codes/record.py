"""The shape of one diagnostic code's entry, kept apart from the entries themselves.

Each area's module imports only this record, and the package's `__init__` imports those
modules: no module of the package imports one that imports it back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

CODE_FORMAT = re.compile(r"[A-Z][0-9]{3}")
"""A code is one capital letter (the area) and three digits; nothing else is a code."""

AREAS: dict[str, str] = {
    "Y": "loading",
    "S": "validation",
    "N": "names",
    "E": "expressions",
    "G": "graph",
    "C": "caps",
    "L": "lint",
    "D": "diagram",
    "B": "build",
}
"""Each area's letter and the name its entries carry in `area` (docs/diagnostics.md has
one section per area)."""

CodeSeverity = Literal["error", "warning"]


@dataclass(frozen=True)
class DiagnosticCode:
    """What one code means: the catalogue's heading, how bad it is, and how to read it.

    `title` is the docs heading's text after `CODE:`; `explanation` is the section's prose
    (why it happens and the fix); `example` its examples in order (specs, what archc prints).
    """

    code: str
    title: str
    severity: CodeSeverity
    area: str
    explanation: str
    example: str

    def __post_init__(self) -> None:
        # A malformed or misfiled entry is a bug in archc, caught when the registry loads.
        if CODE_FORMAT.fullmatch(self.code) is None:
            raise ValueError(f"malformed diagnostic code {self.code!r}: want a letter and "
                             "three digits")
        if AREAS.get(self.code[0]) != self.area:
            raise ValueError(f"{self.code} is filed under area {self.area!r}, "
                             f"not {AREAS.get(self.code[0])!r}")
