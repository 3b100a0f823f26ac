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
