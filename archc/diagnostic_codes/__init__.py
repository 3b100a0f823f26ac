"""The registry of diagnostic codes: one typed entry per code archc can report.

docs/diagnostics.md is the catalogue users read; this package holds the same entries as
data, so `archc explain CODE` can print one and a test can check every raise site, lint
rule and docs heading against it. Only the standard library is imported, and the entries
(about 60 KB of text) load on the first lookup: the compile path never pays for them.
"""

from __future__ import annotations

import difflib
import functools
from collections.abc import Mapping
from types import MappingProxyType

from archc.diagnostic_codes.record import AREAS, CODE_FORMAT, DiagnosticCode

__all__ = ["AREAS", "CODE_FORMAT", "DiagnosticCode", "is_registered", "lookup", "registry",
           "suggest"]


@functools.cache
def registry() -> Mapping[str, DiagnosticCode]:
    """Every registered code, in catalogue order; raises if an area lists a code twice."""
    from archc.diagnostic_codes import (
        build,
        caps,
        diagram,
        expressions,
        graph,
        lint,
        loading,
        names,
        validation,
    )

    entries: dict[str, DiagnosticCode] = {}
    for module in (loading, validation, names, expressions, graph, caps, lint, diagram, build):
        for entry in module.CODES:
            if entry.code in entries:
                raise ValueError(f"diagnostic code {entry.code} is registered twice")
            entries[entry.code] = entry
    return MappingProxyType(entries)


def lookup(code: str) -> DiagnosticCode | None:
    """The entry for `code` (any case, surrounding blanks ignored), or None."""
    return registry().get(code.strip().upper())


def is_registered(code: str) -> bool:
    """True when `code` is exactly a registered code (case matters at raise sites)."""
    return code in registry()


def suggest(code: str, limit: int = 3) -> list[str]:
    """Registered codes spelled like a mistyped one (`c10` -> C010), closest first."""
    return difflib.get_close_matches(code.strip().upper(), list(registry()), n=limit,
                                     cutoff=0.5)
