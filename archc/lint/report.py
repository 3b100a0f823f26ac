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
