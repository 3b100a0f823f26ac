"""docs/contributing.md names real files: every path under `archc/`, `tests/`, `bench/` or
`docs/` it mentions exists in the repository.

The guide is what a newcomer follows to add a layer type; the modules it names were renamed
and split more than once (lint/fields.py, backends/report.py, keras/lowering.py, ir/ops.py
as a file), and a stale name sends them looking for a file that is gone. A module may be
named without its `.py` (`archc/__init__` in the import diagram).
"""

from __future__ import annotations

import re

import pytest

from .markdown_blocks import DOCS, ROOT

GUIDE = DOCS / "contributing.md"
_PATH = re.compile(r"(?<![\w/.])((?:archc|tests|bench|docs)/[A-Za-z0-9_./-]*[A-Za-z0-9_])")


def _named_paths() -> list[str]:
    return sorted(set(_PATH.findall(GUIDE.read_text(encoding="utf-8"))))


def test_the_guide_names_the_layout() -> None:
    # The scan finds the paths the worked example depends on; if it found none, every
    # parametrised case below would vanish and the check would pass on nothing.
    named = _named_paths()
    assert {"archc/ir/ops/norm.py", "archc/backends/keras/op_rules.py",
            "archc/backends/graphviz/style.py", "tests/test_op_tables.py"} <= set(named)


@pytest.mark.parametrize("path", _named_paths())
def test_every_named_path_exists(path: str) -> None:
    target = ROOT / path
    assert target.exists() or target.with_name(target.name + ".py").is_file(), (
        f"docs/contributing.md names {path}, which is not in the repository")
