"""A clone of the repository is all a user gets: nothing in it may point outside it.

The zoo's reference figures once lived in a folder next to the repository, and 32 tests
skipped on every clone without it. They are now docs/numbers.md; this test fails on any
tracked text file (code, tests, docs, specs, the notebook) that names the old location, or
any parent folder's `shared` directory.
"""

from __future__ import annotations

import subprocess

import pytest

from .markdown_blocks import ROOT

# Built from pieces so that this file does not match itself.
_SHARED = "sha" + "red"
OUTSIDE = ("../" + _SHARED, f'parent / "{_SHARED}"', f"parent / '{_SHARED}'")
TEXT_SUFFIXES = {".py", ".md", ".yaml", ".yml", ".toml", ".ipynb", ".json", ".txt", ".cfg",
                 ".html", ".js", ".css", ""}


def _tracked_files() -> list[str]:
    try:
        done = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                              check=True, timeout=60)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout (an sdist): nothing to compare against")
    return done.stdout.splitlines()


def test_no_file_refers_outside_the_repository() -> None:
    files = _tracked_files()
    assert "docs/numbers.md" in files and "tests/docs/test_zoo_doc.py" in files
    found = []
    for name in files:
        path = ROOT / name
        if path.suffix not in TEXT_SUFFIXES or path.is_symlink() or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [f"{name}: {needle}" for needle in OUTSIDE if needle in text]
    assert found == []

