"""Helpers for archc's tests: compile YAML text and collect its diagnostics.

Importable as `spec_helpers` because pytest puts this directory (which has no
`__init__.py`) on `sys.path` when it loads `tests/conftest.py`.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from archc.diagnostics import Diagnostic, SpecError
from archc.pipeline import Compiled, Options, compile_text

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"


def compile_yaml(text: str, variant: str | None = None,
                 overrides: tuple[tuple[str, str], ...] = ()) -> Compiled:
    """Compile dedented YAML text through every stage (raises SpecError on user errors)."""
    return compile_text(textwrap.dedent(text), "spec.yaml",
                        Options(variant=variant, overrides=overrides))


def errors_of(text: str, variant: str | None = None) -> list[Diagnostic]:
    """The diagnostics a spec produces; fails the test if it compiles cleanly."""
    with pytest.raises(SpecError) as info:
        compile_yaml(text, variant)
    return info.value.diagnostics


def codes_of(text: str) -> list[str]:
    return [d.code for d in errors_of(text)]


def one_error(text: str) -> Diagnostic:
    """The single diagnostic a spec produces (fails if there are several)."""
    diagnostics = errors_of(text)
    assert len(diagnostics) == 1, [f"{d.code}: {d.message}" for d in diagnostics]
    return diagnostics[0]
