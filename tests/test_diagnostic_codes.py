"""The diagnostic registry (archc.diagnostic_codes) against the source and the docs.

Both ways: every code archc can emit (a code literal anywhere in `archc/`, every lint rule)
is registered, and every registered code has the same heading, explanation and example in
docs/diagnostics.md, which lists no code the registry lacks. A malformed code, in the
registry or at a raise site, fails.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from spec_helpers import ROOT

import archc.diagnostics
from archc.backends.graphviz.output import DiagramWriteError
from archc.backends.graphviz.render import RenderError
from archc.diagnostic_codes import (
    AREAS,
    CODE_FORMAT,
    DiagnosticCode,
    is_registered,
    lookup,
    registry,
    suggest,
)
from archc.diagnostics import Diagnostic, Problem
from archc.lint.rules import RULES

PACKAGE = ROOT / "archc"
REGISTRY = PACKAGE / "diagnostic_codes"
CATALOGUE = ROOT / "docs" / "diagnostics.md"
LINT_RULES = ROOT / "docs" / "lint-rules.md"
_CODE_LITERAL = re.compile(r"""["']([A-Z][0-9]{3})["']""")  # as tests/hostile/test_corpus.py
_LOOSE_CODE = re.compile(r"[A-Za-z][0-9]{1,5}")
_HEADING = re.compile(r"^###\s+`?([A-Z][0-9]{3})`?\s*:\s*(.+?)\s*$", re.MULTILINE)


def _sources() -> list[Path]:
    """archc's modules except the registry itself (its literals prove nothing)."""
    return [p for p in sorted(PACKAGE.rglob("*.py")) if REGISTRY not in p.parents]


def _sections() -> dict[str, tuple[str, str]]:
    """Each documented code -> (heading title, section text up to the next heading)."""
    text = CATALOGUE.read_text(encoding="utf-8")
    found: dict[str, tuple[str, str]] = {}
    matches = list(_HEADING.finditer(text))
    for match in matches:
        rest = text[match.end():]
        end = re.search(r"^##", rest, re.MULTILINE)
        found[match.group(1)] = (match.group(2), rest[: end.start() if end else None])
    return found


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_registry_is_complete_enough_to_mean_something() -> None:
    # docs/diagnostics.md has over ninety headings; a broken loader would return a handful.
    assert len(registry()) == len(_HEADING.findall(CATALOGUE.read_text(encoding="utf-8")))
    assert len(registry()) > 80
    assert set(AREAS) == {code[0] for code in registry()}


def test_every_code_literal_in_archc_is_registered() -> None:
    used: dict[str, list[str]] = {}
    for path in _sources():
        for code in _CODE_LITERAL.findall(path.read_text(encoding="utf-8")):
            used.setdefault(code, []).append(str(path.relative_to(ROOT)))
    assert len(used) > 60, "the scan sees the raise sites"
    missing = {code: files for code, files in used.items() if not is_registered(code)}
    assert missing == {}, "register these codes in archc/diagnostic_codes"


def _call_name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _raise_site_codes() -> list[tuple[str, str]]:
    """(where, text) of each code-like string given to a call: `Problem("E003", ...)`,
    `sink.error("S004", ...)`, `warning(analysis, "L009", ...)`, `code="G001"`."""
    found = []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            args = [*node.args, *(k.value for k in node.keywords if k.arg == "code")]
            for arg in args:
                if (isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                        and _LOOSE_CODE.fullmatch(arg.value)):
                    where = f"{path.relative_to(ROOT)}:{arg.lineno} {_call_name(node)}"
                    found.append((where, arg.value))
    return found


def test_raise_sites_give_well_formed_registered_codes() -> None:
    sites = _raise_site_codes()
    assert any(text == "L009" for _, text in sites) and any(text == "E003" for _, text in sites)
    wrong = [(where, text) for where, text in sites
             if CODE_FORMAT.fullmatch(text) is None or not is_registered(text)]
    assert wrong == []


def test_every_documented_code_is_registered_with_its_title() -> None:
    documented = {code: title for code, (title, _) in _sections().items()}
    registered = {code: entry.title for code, entry in registry().items()}
    assert documented == registered


def test_registry_explanations_and_examples_are_the_docs() -> None:
    sections = _sections()
    stale = []
    for code, entry in registry().items():
        section = _flat(sections[code][1])
        for part in [*entry.explanation.split("\n\n"), *entry.example.split("\n\n")]:
            if _flat(part) not in section:
                stale.append((code, part[:60]))
    assert stale == [], "the registry's text differs from docs/diagnostics.md"


def test_every_entry_has_an_explanation_and_an_example() -> None:
    thin = [code for code, entry in registry().items()
            if len(entry.explanation) < 40 or not entry.example.strip()]
    assert thin == []


def test_severity_and_area_follow_the_code() -> None:
    for code, entry in registry().items():
        assert entry.area == AREAS[code[0]]
        assert entry.severity == ("warning" if re.fullmatch(r"L0\d\d", code) else "error")


def test_every_lint_rule_is_registered_and_documented() -> None:
    pages = LINT_RULES.read_text(encoding="utf-8")
    for rule in RULES:
        entry = lookup(rule.code)
        assert entry is not None and entry.severity == "warning", rule.code
        assert f"## {rule.code} {rule.name}\n" in pages


@pytest.mark.parametrize("code", ["S02", "s002", "S0002", "SS02", "1002", ""])
def test_a_malformed_code_is_refused_by_the_registry(code: str) -> None:
    with pytest.raises(ValueError, match="malformed"):
        DiagnosticCode(code, "title", "error", "validation", "why", "example")


def test_an_entry_filed_under_the_wrong_area_is_refused() -> None:
    with pytest.raises(ValueError, match="area"):
        DiagnosticCode("S001", "title", "error", "graph", "why", "example")


def test_the_suite_checks_codes_at_raise_sites(monkeypatch: pytest.MonkeyPatch) -> None:
    # tests/conftest.py sets ARCHC_CHECK_CODES=1 before archc is imported.
    assert archc.diagnostics.CHECK_CODES
    with pytest.raises(ValueError, match="malformed"):
        Problem("S02", "message")
    with pytest.raises(ValueError, match="is not in archc"):
        Diagnostic("S999", "message", None)
    assert Diagnostic("S002", "message", None).code == "S002"
    monkeypatch.setattr(archc.diagnostics, "CHECK_CODES", False)
    assert Problem("S999", "message").code == "S999"


def test_diagram_errors_check_their_d_codes_too() -> None:
    # The D-codes travel in their own exception types up to the CLI.
    with pytest.raises(ValueError, match="is not in archc"):
        RenderError("D099", "message")
    with pytest.raises(ValueError, match="malformed"):
        DiagramWriteError("D1", "message", None)
    assert RenderError("D003", "message").code == "D003"


def test_lookup_is_case_insensitive_and_suggests() -> None:
    assert lookup(" s002 ") is lookup("S002") is not None
    assert lookup("S999") is None
    assert suggest("c10")[0] == "C010"


def test_the_registry_imports_only_the_standard_library() -> None:
    for path in sorted(REGISTRY.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or name.startswith(
                    "archc.diagnostic_codes") or name == "__future__", (path, name)


def test_summary_does_not_load_the_registry() -> None:
    # Outside the test suite's check mode, only `archc explain` pays for the long texts.
    env = {k: v for k, v in os.environ.items() if k != "ARCHC_CHECK_CODES"}
    env["PYTHONPATH"] = str(ROOT)
    script = ("import sys, contextlib, io\n"
              "from archc.cli import main\n"
              "with contextlib.redirect_stdout(io.StringIO()):\n"
              "    assert main(['summary', 'specs/lenet5.yaml']) == 0\n"
              "print(sorted(m for m in sys.modules if m.startswith('archc.diagnostic_codes')))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                          capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
