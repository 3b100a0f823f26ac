"""docs/lint-rules.md shows real output: every example spec, saved as `spec.yaml` and linted,
prints exactly the `text` block that follows it; every rule has a section."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from archc.cli import main
from archc.lint import RULES

DOC = Path(__file__).resolve().parents[2] / "docs" / "lint-rules.md"
_BLOCK = re.compile(r"```(\w+)\n(.*?)```", re.S)


def _examples() -> list[tuple[str, str]]:
    blocks = _BLOCK.findall(DOC.read_text(encoding="utf-8"))
    pairs = []
    for (kind, body), (next_kind, output) in itertools.pairwise(blocks):
        if kind == "yaml" and body.startswith("archc: 1") and next_kind == "text" \
                and output.startswith("spec.yaml:"):
            pairs.append((body, output))
    return pairs


def test_every_rule_has_a_section_and_an_example() -> None:
    text = DOC.read_text(encoding="utf-8")
    examples = _examples()
    for rule in RULES:
        assert f"## {rule.code} {rule.name}\n" in text
        assert any(f"warning[{rule.code}]" in out for _, out in examples), rule.code


@pytest.mark.parametrize(("spec", "output"), _examples())
def test_example_output_is_real(spec: str, output: str, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    Path("spec.yaml").write_text(spec, encoding="utf-8")
    assert main(["lint", "spec.yaml"]) == 0
    printed = capsys.readouterr()
    if output == "spec.yaml: no lint findings\n":  # a network the rules leave alone
        assert printed.out + printed.err == output
    else:
        assert printed.out == output + "1 warning\n"


def _doc_specs() -> list[str]:
    specs = []
    for doc in sorted(DOC.parent.glob("*.md")):
        for kind, body in _BLOCK.findall(doc.read_text(encoding="utf-8")):
            if kind == "yaml" and body.startswith("archc: 1"):
                specs.append(body)
    return specs


def test_every_rule_runs_on_every_documented_spec() -> None:
    # All rules on, over every complete spec in the docs: no rule may crash on a shape it
    # did not expect, and each finding is a located warning with a known code.
    from archc.diagnostics import Severity, SpecError
    from archc.lint import config_for, lint
    from archc.pipeline import compile_text

    codes = {r.code for r in RULES}
    compiled_any = 0
    for text in _doc_specs():
        try:
            compiled = compile_text(text, "doc.yaml")
            config = config_for(compiled.doc, compiled.header.lint, enable=tuple(codes))
        except SpecError:
            continue
        compiled_any += 1
        for d in lint(compiled.analysis, config):
            assert d.code in codes and d.severity is Severity.WARNING and d.span is not None
    assert compiled_any >= 10
