"""The corpus of bad specs: each file one failure class, each with its pinned diagnostic.

`tests/hostile/corpus/NAME.yaml` starts with a comment naming its failure class (a first
line `# args: ...` passes options to `archc check`, for caps that need a small limit);
`NAME.expected` is the exact text `archc check` prints for it. Run with
`ARCHC_REGEN_CORPUS=1` to rewrite the expected files after an intended change to a message,
then read the diff by eye before committing it.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest

import archc.cli

from .hostile_helpers import ROOT

CORPUS = Path(__file__).resolve().parent / "corpus"
_CASES = sorted(CORPUS.glob("*.yaml"))
_LOCATED = re.compile(r"^tests/hostile/corpus/[\w.-]+\.yaml:\d+:\d+: error\[[A-Z]\d{3}\]: ")
_CODE = re.compile(r"error\[([A-Z]\d{3})\]")
_CORE_PREFIXES = ("Y", "S", "N", "E", "G", "C")
# Codes a small file cannot reach, each tested elsewhere:
_NOT_IN_CORPUS = {
    "Y010": "the node cap needs 50,000 YAML nodes: tests/hostile/test_loading.py",
    "C020": "the language server's time budget: tests/lsp/test_lsp_budget.py",
    "C021": "the language server's memory budget: tests/lsp/test_lsp_documents.py",
    "C022": "the language server's failed analysis: tests/lsp/test_lsp_documents.py",
    "C013": "raised by commands that compile every variant, never by `check`: "
            "tests/hostile/test_cost_model.py",
}


def _args_of(spec: Path) -> list[str]:
    first = spec.read_bytes().split(b"\n", 1)[0]
    if first.startswith(b"# args:"):
        return shlex.split(first[len(b"# args:"):].decode("ascii"))
    return []


def run_check(spec: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """`archc check` on one corpus file, in-process, with a path relative to the repo."""
    rel = spec.relative_to(ROOT).as_posix()
    rc = archc.cli.main(["check", *_args_of(spec), rel])
    captured = capsys.readouterr()
    assert captured.out == ""
    return rc, captured.err


def test_the_corpus_is_large_enough() -> None:
    assert len(_CASES) >= 200


@pytest.mark.parametrize("spec", _CASES, ids=[p.stem for p in _CASES])
def test_each_bad_spec_gets_its_pinned_located_diagnostic(
        spec: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    rc, err = run_check(spec, capsys)
    expected_file = spec.with_suffix(".expected")
    if os.environ.get("ARCHC_REGEN_CORPUS"):
        expected_file.write_text(err, encoding="utf-8")
    assert rc == 1
    assert _LOCATED.match(err), err
    assert "Traceback" not in err and "internal error" not in err
    # The file name says which code the failure class must produce first.
    assert _CODE.search(err) is not None
    assert spec.stem.split("-")[0].upper() in _CODE.findall(err)
    assert err == expected_file.read_text(encoding="utf-8")


def test_every_core_diagnostic_code_is_in_the_corpus() -> None:
    emitted = set()
    for path in sorted((ROOT / "archc").rglob("*.py")):
        emitted |= set(re.findall(r"""["']([A-Z]\d{3})["']""", path.read_text(encoding="utf-8")))
    core = {c for c in emitted if c.startswith(_CORE_PREFIXES)}
    pinned = set()
    for expected in sorted(CORPUS.glob("*.expected")):
        pinned |= set(_CODE.findall(expected.read_text(encoding="utf-8")))
    assert len(core) >= 40
    assert sorted(core - pinned - set(_NOT_IN_CORPUS)) == []


def test_no_expected_file_is_orphaned() -> None:
    stems = {p.stem for p in _CASES}
    assert sorted(p.stem for p in CORPUS.glob("*.expected") if p.stem not in stems) == []
