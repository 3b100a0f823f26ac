"""Keras layer names derived from IR names, and the backend's TF-free imports (no TF needed)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from archc.backends.keras.names import NameAllocator, keras_name
from archc.backends.keras.runtime import backend_label, expected_backend

ROOT = Path(__file__).resolve().parents[3]


def test_scope_separator_becomes_a_double_underscore() -> None:
    assert keras_name("inception_3a/branches/branch2/conv3x3") == (
        "inception_3a__branches__branch2__conv3x3"
    )


@pytest.mark.parametrize(("ir_name", "expected"), [
    ("conv 1", "conv_1"),          # space: TensorFlow name scopes refuse it
    ("ü/x", "n___x"),              # a leading character TF refuses gets a prefix
    ("_hidden", "n_hidden"),
    ("a-b.c", "a-b_c"),            # `.`: PyTorch's ParameterDict refuses it in weight paths
    ("stage1/block2/conv-a", "stage1__block2__conv-a"),
])
def test_illegal_characters_are_replaced(ir_name: str, expected: str) -> None:
    assert keras_name(ir_name) == expected


@pytest.mark.parametrize("ir_name", ["a.b/c.d", "x/y/z", "_.-", "ü", "1a", "a b/c\td"])
def test_names_are_legal_on_every_backend(ir_name: str) -> None:
    # Keras: no `/`; PyTorch: no `.` (weight paths are ParameterDict keys); TensorFlow: a
    # name scope starts with a letter or digit and continues with [A-Za-z0-9_.\-/>].
    name = keras_name(ir_name)
    assert "/" not in name and "." not in name
    assert re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_\-]*", name), name


def test_allocator_makes_names_unique_in_order() -> None:
    names = NameAllocator()
    # "a/b", "a.b" and "a__b" spell a__b or a_b in Keras; later askers get a suffix.
    assert [names.take(n) for n in ("a/b", "a__b", "a.b", "a_b", "c")] == [
        "a__b", "a__b_2", "a_b", "a_b_2", "c"]


def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **env}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=full_env, cwd=ROOT, timeout=120, check=False)


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


@pytest.mark.parametrize(("backend", "label", "extra"), [
    ("tensorflow", "TensorFlow", "keras"), ("jax", "JAX", "jax"), ("torch", "PyTorch", "torch"),
])
def test_missing_keras_exits_3_with_the_install_hint_for_the_backend(
        tmp_path: Path, backend: str, label: str, extra: str) -> None:
    # `sys.modules['keras'] = None` makes `import keras` raise ImportError, as on a machine
    # without the extra; the message names the backend KERAS_BACKEND asks for.
    result = _run(
        "import sys\n"
        "sys.modules['keras'] = None\n"
        "from archc.cli import main\n"
        f"sys.exit(main(['build', 'specs/lenet5.yaml', '-o', {str(tmp_path)!r}]))\n",
        KERAS_BACKEND=backend,
    )
    assert result.returncode == 3, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0] == f"archc: loading Keras ({label} backend)..."
    assert f"Keras 3 and its {label} backend (KERAS_BACKEND={backend})" in lines[1]
    assert lines[1].endswith(f"install them with: pip install 'archc-cnn[{extra}]'")
    assert "Traceback" not in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_expected_backend_follows_keras_settings(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Keras's order: KERAS_BACKEND, else keras.json in KERAS_HOME, else TensorFlow.
    monkeypatch.delitem(sys.modules, "keras", raising=False)
    monkeypatch.delenv("KERAS_BACKEND", raising=False)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert expected_backend() == "tensorflow"
    (tmp_path / "keras.json").write_text('{"backend": "jax", "floatx": "float32"}')
    assert expected_backend() == "jax"
    monkeypatch.setenv("KERAS_BACKEND", "torch")
    assert expected_backend() == "torch"
    assert backend_label("torch") == "PyTorch" and backend_label("mine") == "mine"
