"""Shared fixtures for archc's tests (helpers for YAML specs live in spec_helpers.py).

Everything here is TF-free; tests that need TensorFlow import it themselves and carry the
`tf` marker.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest


@pytest.fixture
def write_spec(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write dedented YAML to a file in a temporary directory and return its path."""

    def write(text: str, name: str = "spec.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    return write


OPT_IN = ("export_all", "yolo_all")
"""Markers whose tests run only when `-m` names them: `export_all` (every zoo variant
through every export format: hours and tens of GB on the CI machine) and `yolo_all`
(YOLOv8 s, m, l and x against Ultralytics' own models: about 5 minutes and 4 GB)."""


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the tests of each `OPT_IN` marker unless `-m` names that marker."""
    expression = config.getoption("markexpr") or ""
    dropped = [marker for marker in OPT_IN if marker not in expression]
    kept = [item for item in items
            if not any(item.get_closest_marker(marker) for marker in dropped)]
    if len(kept) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in kept])
        items[:] = kept
