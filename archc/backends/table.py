"""The one text-table layout every plain-text report uses (summary, costs, compare, variants).

Columns are as wide as their widest cell or header and separated by two spaces; the columns
named in `right` (numbers) are right-aligned, the rest left-aligned; lines carry no trailing
blanks, and the rule under the header is as long as the header line. Renderers choose the
title and the totals; the alignment lives here once.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class TextTable:
    header: str
    rows: tuple[str, ...]

    @property
    def rule(self) -> str:
        return "-" * len(self.header)


def text_table(header: Sequence[str], rows: Sequence[Sequence[str]],
               right: Collection[int]) -> TextTable:
    """Lay out `rows` under `header`; `right` holds the indices of right-aligned columns."""
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(header)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.rjust(w) if i in right else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()

    return TextTable(line(header), tuple(line(r) for r in rows))
