"""`archc lint --format json`: the warnings as data, for editors and CI annotations.

The text format is `archc.diagnostics.render`, shared with errors; this is the same content
as one JSON document per run. Keys are only ever added.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from archc.diagnostics import Diagnostic
from archc.lint.rules import RULES_BY_CODE


def diagnostic_dict(d: Diagnostic) -> dict[str, Any]:
    rule = RULES_BY_CODE.get(d.code)
    span = d.span
    return {
        "code": d.code,
        "rule": rule.name if rule else None,
        "severity": d.severity.value,
        "message": d.message,
        "file": span.file if span else None,
        "line": span.line if span else None,
        "column": span.col if span else None,
        "help": d.help,
        "notes": list(d.notes),
    }


def render_json(results: Sequence[tuple[str, Sequence[Diagnostic]]]) -> str:
    """One document for all specs: `{"specs": [{"spec": path, "diagnostics": [...]}]}`."""
    data = {"specs": [{"spec": path, "diagnostics": [diagnostic_dict(d) for d in diags]}
                      for path, diags in results]}
    return json.dumps(data, indent=2) + "\n"


_EXPANDED = "expanded from the use of `"


def _use(d: Diagnostic) -> str | None:
    """The block use named by lint's `expanded from the use of `X` at ...` note, if any."""
    for note in d.notes:
        if note.startswith(_EXPANDED):
            return note[len(_EXPANDED):].split("`", 1)[0]
    return None


def group_by_line(diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
    """One finding per rule and spec position, for the text report.

    A layer in a block body is one spec line however many times the block is used, and each
    use gives its own finding (GoogLeNet's 5x5 rule fires in all nine Inception modules):
    printed in full each time, the same text hid the other findings. The first finding of
    a position is shown, with a note that counts the others and names the uses they come
    from; `--format json` keeps every finding with its own figures.
    """
    groups: dict[tuple[str, object], list[Diagnostic]] = {}
    for d in diagnostics:
        key = (d.code, d.span) if d.span is not None else (d.code, id(d))
        groups.setdefault(key, []).append(d)
    grouped = []
    for members in groups.values():
        first = members[0]
        if len(members) == 1:
            grouped.append(first)
            continue
        uses = list(dict.fromkeys(u for u in map(_use, members) if u is not None))
        where = f": in {', '.join(f'`{u}`' for u in uses)}" if uses else ""
        note = (f"{len(members)} findings from this line, one per expansion (the figures "
                f"above are the first's; `--format json` lists each){where}")
        notes = tuple(n for n in first.notes if not n.startswith(_EXPANDED)) + (note,)
        grouped.append(Diagnostic(first.code, first.message, first.span, first.help,
                                  first.severity, notes))
    return sorted(grouped, key=Diagnostic.sort_key)
