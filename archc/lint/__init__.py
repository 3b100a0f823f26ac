"""`archc lint`: the study notes' design advice, checked against one compiled network.

`lint` is the whole interface: an `Analysis` and a rule selection in, sorted warnings out.
`config_for` makes the selection from the spec's `lint:` mapping (located errors) and the
command line's enable/disable lists. Rules live in `rules.py`, their selection in
`config.py`; nothing here prints, and nothing here knows the pipeline: lint reads the
analysis like any other emitter.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from archc.diagnostics import Diagnostic, DiagnosticSink, SourceSpan
from archc.lint.config import LintConfig, from_spec, lookup, with_cli
from archc.lint.rules import RULES, Rule
from archc.passes.analysis import Analysis
from archc.spec.loader import Document

__all__ = ["RULES", "LintConfig", "Rule", "config_for", "lint", "lookup"]


def config_for(doc: Document, settings: Mapping[str, Any], enable: Iterable[str] = (),
               disable: Iterable[str] = ()) -> LintConfig:
    """Rule selection from a spec's `lint:` mapping (`settings`, located in `doc`) and the
    command line; SpecError on a bad `lint:`, ValueError on a bad CLI name."""
    sink = DiagnosticSink()
    config = from_spec(doc, settings, sink)
    sink.raise_if_errors()
    return with_cli(config, enable, disable)


def lint(analysis: Analysis, config: LintConfig) -> list[Diagnostic]:
    """Every enabled rule's warnings, in source order (then by code)."""
    # Not a DiagnosticSink: that caps a stage's *errors*; warnings are lint's whole output.
    found: dict[tuple[str, str, SourceSpan | None], Diagnostic] = {}
    for rule, settings in config.rules():
        for d in rule.check(analysis, settings):
            found.setdefault((d.code, d.message, d.span), d)
    return sorted(found.values(), key=Diagnostic.sort_key)
