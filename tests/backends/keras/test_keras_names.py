"""Keras layer names derived from IR names, and the backend's TF-free imports (no TF needed)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from archc.backends.keras.names import NameAllocator, keras_name

ROOT = Path(__file__).resolve().parents[3]


def test_scope_separator_becomes_a_dot() -> None:
    assert keras_name("inception_3a/branches/branch2/conv3x3") == (
        "inception_3a.branches.branch2.conv3x3"
    )


@pytest.mark.parametrize(("ir_name", "expected"), [
    ("conv 1", "conv_1"),          # space: TensorFlow name scopes refuse it
    ("ü/x", "n_.x"),               # a leading character TF refuses gets a prefix
    ("_hidden", "n_hidden"),
    ("a-b.c", "a-b.c"),            # already legal: unchanged
])
def test_illegal_characters_are_replaced(ir_name: str, expected: str) -> None:
    assert keras_name(ir_name) == expected


def test_allocator_makes_names_unique_in_order() -> None:
    names = NameAllocator()
    # "a/b" and "a.b" both spell a.b in Keras; the second one asked gets a suffix.
    assert [names.take(n) for n in ("a/b", "a.b", "a.b", "c")] == ["a.b", "a.b_2", "a.b_3", "c"]


def _run(code: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120, check=False)


def test_import_archc_and_summary_do_not_import_tensorflow() -> None:
    result = _run(
        "import sys, archc\n"
        "archc.load('specs/lenet5.yaml')\n"
        "from archc.cli import main\n"
        "assert main(['check', '-q', 'specs/alexnet.yaml']) == 0\n"
        "print(sorted(m for m in ('keras', 'tensorflow') if m in sys.modules))\n"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]"


def test_missing_tensorflow_exits_3_with_the_install_hint(tmp_path: Path) -> None:
    # `sys.modules['keras'] = None` makes `import keras` raise ImportError, as on a machine
    # without the `keras` extra.
    result = _run(
        "import sys\n"
        "sys.modules['keras'] = None\n"
        "from archc.cli import main\n"
        f"sys.exit(main(['build', 'specs/lenet5.yaml', '-q', '-o', {str(tmp_path)!r}]))\n"
    )
    assert result.returncode == 3, result.stderr
    assert "pip install 'archc[keras]'" in result.stderr
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []
