"""Without Keras, `archc.build` and `archc.load_model` say what to install.

Each case runs in a fresh interpreter whose import system refuses `keras`, `tensorflow`,
`jax` and `torch` (a meta path finder that raises ModuleNotFoundError, as a venv without
them does), so the test holds on a machine that has them installed. docs/backends.md
promises the install line for the backend in use; with no KERAS_BACKEND and no Keras
config it is TensorFlow's, `pip install 'archc-cnn[keras]'`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from spec_helpers import SPECS

ROOT = Path(__file__).resolve().parent.parent

BLOCKER = textwrap.dedent("""\
    import importlib.abc, sys

    class Hide(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in {"keras", "tensorflow", "jax", "torch"}:
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, Hide())
    import archc
    try:
        CALL
    except Exception as exc:
        print(json.dumps([type(exc).__name__, isinstance(exc, ImportError), str(exc)]))
    """)


def _call(call: str, tmp_path: Path) -> tuple[str, bool, str]:
    script = "import json\n" + BLOCKER.replace("CALL", call)
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    env["PYTHONPATH"] = str(ROOT)
    env["KERAS_HOME"] = str(tmp_path)  # no keras.json: the default backend, TensorFlow
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    name, is_import_error, message = json.loads(done.stdout)
    return name, is_import_error, message


@pytest.mark.parametrize("call, purpose", [
    (f"archc.load_model({str(ROOT / 'build' / 'lenet5.keras')!r})", "loading a Keras model"),
    (f"archc.build({str(SPECS / 'lenet5.yaml')!r})", "building a Keras model"),
])
def test_the_message_names_the_install_line(call: str, purpose: str, tmp_path: Path) -> None:
    name, is_import_error, message = _call(call, tmp_path)
    assert (name, is_import_error) == ("KerasUnavailable", True)
    assert message.startswith(f"{purpose} needs Keras 3 and its TensorFlow backend")
    assert message.endswith("install them with: pip install 'archc-cnn[keras]'")


@pytest.mark.parametrize("setting", ["env", "keras.json"])
def test_an_unknown_keras_backend_is_exit_3_naming_the_valid_ones(
        setting: str, tmp_path: Path) -> None:
    """`KERAS_BACKEND=bogus archc build` was "internal error: ValueError" (exit 4). The name
    is checked before Keras is imported, so this child imports none of them."""
    env = {k: v for k, v in os.environ.items() if k != "KERAS_BACKEND"}
    env["PYTHONPATH"] = str(ROOT)
    env["KERAS_HOME"] = str(tmp_path)
    if setting == "env":
        env["KERAS_BACKEND"] = "bogus"
    else:
        (tmp_path / "keras.json").write_text(json.dumps({"backend": "bogus"}), encoding="utf-8")
    script = BLOCKER.replace("import archc\n", "import archc, archc.cli\n").replace(
        "CALL", f"sys.exit(archc.cli.main(['build', {str(SPECS / 'lenet5.yaml')!r}, '-o', "
                f"{str(tmp_path / 'out')!r}]))")
    done = subprocess.run([sys.executable, "-c", "import json\n" + script], capture_output=True,
                          text=True, env=env, cwd=tmp_path, timeout=120, check=False)
    assert done.returncode == 3, done.stderr
    assert "`bogus` (KERAS_BACKEND, else the `backend` of keras.json) is not one; the valid " \
        "names are tensorflow, jax, torch, numpy, openvino" in done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())
