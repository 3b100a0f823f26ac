"""Small specs for lint tests: compile YAML text and return the warnings, rendered or not."""

from __future__ import annotations

from archc.diagnostics import Diagnostic, render
from archc.lint import config_for, lint
from archc.pipeline import compile_text


def spec(input_shape: str, layers: str, extra: str = "") -> str:
    """A one-input spec; `layers` is the YAML list body (already indented by two spaces)."""
    return f"archc: 1\nname: t\ninput: {input_shape}\n{extra}layers:\n{layers}"


def lint_text(text: str, enable: tuple[str, ...] = (),
              disable: tuple[str, ...] = ()) -> list[Diagnostic]:
    compiled = compile_text(text, "t.yaml")
    return lint(compiled.analysis, config_for(compiled.doc, compiled.header.lint, enable, disable))


def codes(text: str, enable: tuple[str, ...] = ()) -> list[str]:
    return [d.code for d in lint_text(text, enable)]


def rendered(text: str, enable: tuple[str, ...] = ()) -> str:
    return "\n".join(render(d, text) for d in lint_text(text, enable))
