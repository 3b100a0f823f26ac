"""docs/diagnostics.md lists every diagnostic code archc can emit, and only real ones.

Three directions are checked: every code written in `archc/` has a `### CODE: title`
heading in the catalogue; every catalogued code is pinned by some test under `tests/`; and
the catalogue's example outputs are what archc prints today. The exit-code table must
match the CLI's docstring, the one other place that lists them.
"""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest

from archc.cli import exit_codes
from archc.diagnostics import SpecError, render
from archc.pipeline import compile_text

from .markdown_blocks import ROOT, fenced_blocks

CATALOGUE = ROOT / "docs" / "diagnostics.md"
_CODE_LITERAL = re.compile(r"""["']([A-Z][0-9]{3})["']""")
_HEADING = re.compile(r"^###\s+`?([A-Z][0-9]{3})`?\s*:", re.MULTILINE)


def _codes_in(paths: list[Path]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in paths:
        for code in _CODE_LITERAL.findall(path.read_text(encoding="utf-8")):
            found.setdefault(code, []).append(str(path.relative_to(ROOT)))
    return found


def _catalogued() -> list[str]:
    return _HEADING.findall(CATALOGUE.read_text(encoding="utf-8"))


def test_the_catalogue_is_parsed() -> None:
    # The core stages alone have more than forty codes; a broken heading regex would find 0.
    codes = _catalogued()
    assert len(codes) >= 40
    assert {"Y000", "S002", "N001", "E001", "G001", "C001"} <= set(codes)


def test_every_code_has_one_heading() -> None:
    codes = _catalogued()
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    assert duplicates == []


def test_every_code_in_the_source_is_catalogued() -> None:
    used = _codes_in(sorted((ROOT / "archc").rglob("*.py")))
    missing = {code: files for code, files in used.items() if code not in set(_catalogued())}
    assert missing == {}, "add a `### CODE: title` section to docs/diagnostics.md"


def test_every_catalogued_code_is_pinned_by_a_test() -> None:
    tests = [p for p in sorted((ROOT / "tests").rglob("*.py")) if p != Path(__file__)]
    pinned = _codes_in(tests)
    unpinned = sorted(c for c in _catalogued() if c not in pinned)
    assert unpinned == [], "give each code a test that asserts its message"


def test_every_catalogued_code_exists_in_the_source() -> None:
    # A heading for a code nothing emits documents a mistake archc cannot report.
    used = _codes_in(sorted((ROOT / "archc").rglob("*.py")))
    stale = sorted(c for c in _catalogued() if c not in used)
    assert stale == []


def _example_pairs() -> list[tuple[str, str, str]]:
    """(where, spec, shown output) for each `yaml error` block followed by its output."""
    blocks = fenced_blocks(CATALOGUE)
    pairs = []
    for spec, shown in itertools.pairwise(blocks):
        if spec.expected_code and shown.info == "text" and shown.text.startswith("spec.yaml:"):
            pairs.append((spec.where, spec.text, shown.text))
    return pairs


def test_catalogue_has_rendered_examples() -> None:
    assert len(_example_pairs()) >= 30


@pytest.mark.parametrize(("where", "spec", "shown"), _example_pairs(),
                         ids=[w for w, _, _ in _example_pairs()])
def test_catalogue_output_is_current(where: str, spec: str, shown: str) -> None:
    with pytest.raises(SpecError) as caught:
        compile_text(spec, "spec.yaml")
    printed = "\n".join(render(d, spec) for d in caught.value.diagnostics) + "\n"
    assert printed == shown, f"{where}: the shown output is stale"


def test_exit_code_table_matches_the_cli() -> None:
    doc = exit_codes.__doc__ or ""
    in_cli = re.findall(r"^\s+(\d+)\s{2,}\S", doc, re.MULTILINE)
    text = CATALOGUE.read_text(encoding="utf-8")
    section = text.split("## Exit codes", 1)[1].split("\n## ", 1)[0]
    in_docs = re.findall(r"^\|\s*(\d+)\s*\|", section, re.MULTILINE)
    assert in_docs == in_cli
    assert {"0", "1", "2", "3", "4"} <= set(in_docs)
    constants = sorted(v for k, v in vars(exit_codes).items() if k.startswith("EXIT_"))
    assert [str(v) for v in constants] == in_cli  # the table lists every constant, in order
