"""`archc lint`: the study notes' design advice, checked against one compiled network.

`lint_compiled` is the whole interface: a compiled spec (and optional command-line
enable/disable lists) in, sorted warnings out. Rules live in `rules.py`, their selection in
`config.py`; nothing here prints.
"""

from __future__ import annotations

from collections.abc import Iterable

from archc.diagnostics import Diagnostic, DiagnosticSink, SourceSpan
from archc.lint.config import LintConfig, from_spec, lookup, with_cli
from archc.lint.rules import RULES, Rule
from archc.pipeline import Compiled

__all__ = ["RULES", "LintConfig", "Rule", "config_for", "lint_compiled", "lookup"]


def config_for(compiled: Compiled, enable: Iterable[str] = (),
               disable: Iterable[str] = ()) -> LintConfig:
    """Rule selection for this spec; SpecError on a bad `lint:`, ValueError on a bad CLI name."""
    assert compiled.header is not None
    sink = DiagnosticSink()
    config = from_spec(compiled.doc, compiled.header.lint, sink)
    sink.raise_if_errors()
    return with_cli(config, enable, disable)


def lint_compiled(compiled: Compiled, config: LintConfig) -> list[Diagnostic]:
    """Every enabled rule's warnings, in source order (then by code)."""
    assert compiled.analysis is not None
    # Not a DiagnosticSink: that caps a stage's *errors*; warnings are lint's whole output.
    found: dict[tuple[str, str, SourceSpan | None], Diagnostic] = {}
    for rule, settings in config.rules():
        for d in rule.check(compiled.analysis, settings):
            found.setdefault((d.code, d.message, d.span), d)
    return sorted(found.values(), key=Diagnostic.sort_key)
