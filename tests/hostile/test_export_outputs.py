"""`archc export` under the output policy, and without its converters; no TensorFlow here.

A SavedModel is a directory: `check_directory_target` and `atomic_directory` apply the
policy to it as a whole (docs/reliability.md). Every refusal happens before TensorFlow is
imported, and a missing converter or runtime is exit 3 with the install line, also
before TensorFlow, checked in a child process where the module is made unimportable.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

from archc.cli.parser import EXPORT_FORMATS
from archc.outputs import OutputPathError, atomic_directory, check_directory_target

ROOT = Path(__file__).resolve().parents[2]
LENET = str(ROOT / "specs" / "lenet5.yaml")


def _saved_model(path: Path, marker: str = "old") -> Path:
    (path / "variables").mkdir(parents=True)
    (path / "saved_model.pb").write_text(marker, encoding="utf-8")
    return path


def test_a_missing_or_savedmodel_directory_is_accepted(tmp_path: Path) -> None:
    check_directory_target(tmp_path / "new" / "sm")
    check_directory_target(_saved_model(tmp_path / "sm"))


@pytest.mark.parametrize("kind", ["file", "symlink", "other-directory", "empty-directory"])
def test_anything_but_a_savedmodel_is_refused(kind: str, tmp_path: Path) -> None:
    target = tmp_path / "sm"
    if kind == "file":
        target.write_text("x", encoding="utf-8")
    elif kind == "symlink":
        target.symlink_to(_saved_model(tmp_path / "real"))
    elif kind == "other-directory":
        _saved_model(target)
        (target / "notes.txt").write_text("mine", encoding="utf-8")
    else:
        target.mkdir()
    with pytest.raises(OutputPathError, match="refusing to"):
        check_directory_target(target)


def test_a_savedmodel_holding_the_spec_is_refused(tmp_path: Path) -> None:
    target = _saved_model(tmp_path / "sm")
    spec = target / "variables" / "net.yaml"
    spec.write_text("archc: 1\n", encoding="utf-8")
    with pytest.raises(OutputPathError, match="holds the input spec"):
        check_directory_target(target, [str(spec)])


def test_atomic_directory_replaces_as_a_whole(tmp_path: Path) -> None:
    target = _saved_model(tmp_path / "sm")
    with atomic_directory(target) as tmp:
        assert not tmp.exists() and tmp.parent == tmp_path
        _saved_model(tmp, "new")
        assert (target / "saved_model.pb").read_text(encoding="utf-8") == "old"
    assert (target / "saved_model.pb").read_text(encoding="utf-8") == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["sm"]


def test_a_failed_export_leaves_the_old_directory(tmp_path: Path) -> None:
    target = _saved_model(tmp_path / "sm")
    with pytest.raises(RuntimeError), atomic_directory(target) as tmp:
        _saved_model(tmp, "half")
        raise RuntimeError("the converter died")
    assert (target / "saved_model.pb").read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["sm"]


def test_a_target_that_changed_kind_meanwhile_is_not_replaced(tmp_path: Path) -> None:
    target = tmp_path / "sm"
    with pytest.raises(OutputPathError), atomic_directory(target) as tmp:
        _saved_model(tmp, "new")
        target.write_text("appeared meanwhile", encoding="utf-8")
    assert target.read_text(encoding="utf-8") == "appeared meanwhile"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sm"]


def test_a_writer_that_wrote_nothing_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OutputPathError, match="wrote no directory"), \
            atomic_directory(tmp_path / "sm"):
        pass
    assert list(tmp_path.iterdir()) == []


# -- the command, before TensorFlow ------------------------------------------------------------


def _run(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=120, check=False)


def _export_in_child(argv: list[str], blocked: tuple[str, ...], tmp_path: Path,
                     ) -> tuple[int, str, bool]:
    """(exit code, stderr, whether TensorFlow was imported) of `archc export` in a child
    where each module in `blocked` cannot be imported (None in sys.modules)."""
    code = (
        "import sys\n"
        f"for name in {blocked!r}:\n"
        "    sys.modules[name] = None\n"
        "from archc.cli import main\n"
        f"rc = main({argv!r})\n"
        "print('TF' if 'tensorflow' in sys.modules else 'no TF')\n"
        "sys.exit(rc)\n")
    proc = _run(code, tmp_path)
    lines = proc.stdout.splitlines()
    assert lines and lines[-1] in ("TF", "no TF"), proc.stdout + proc.stderr
    return proc.returncode, proc.stderr, lines[-1] == "TF"


def test_without_onnx_export_is_exit_3_with_the_install_line(tmp_path: Path) -> None:
    for blocked, module in ((("onnx",), "onnx"), (("onnxruntime",), "onnxruntime")):
        rc, err, tf = _export_in_child(["export", LENET, "--format", "onnx"], blocked, tmp_path)
        assert rc == 3, err
        assert err == (f"archc: error: exporting to ONNX needs the Python package `{module}`, "
                       "which cannot be imported; install it with: "
                       "pip install 'archc-cnn[keras,export]'\n")
        assert not tf
    assert list(tmp_path.iterdir()) == []


def test_without_tensorflow_tflite_is_exit_3_with_the_install_line(tmp_path: Path) -> None:
    rc, err, _ = _export_in_child(["export", LENET, "--format", "tflite"], ("tensorflow",),
                                  tmp_path)
    assert rc == 3
    assert err == ("archc: error: exporting to TFLite needs the Python package `tensorflow`, "
                   "which cannot be imported; install it with: pip install 'archc-cnn[keras]'\n")


@pytest.mark.parametrize(("fmt", "make", "message"), [
    ("savedmodel", "file", "it is a regular file, and a SavedModel is a directory"),
    ("savedmodel", "dir", "it is a directory that is not a SavedModel"),
    ("onnx", "dir", "it is a directory, and archc writes only regular files"),
    ("tflite", "spec", "it is the input spec"),
])
def test_a_refused_target_is_exit_2_before_tensorflow(fmt: str, make: str, message: str,
                                                      tmp_path: Path) -> None:
    spec = tmp_path / "net.yaml"
    spec.write_bytes(Path(LENET).read_bytes())
    target = spec if make == "spec" else tmp_path / "out"
    if make == "file":
        target.write_text("keep", encoding="utf-8")
    elif make == "dir":
        target.mkdir()
        (target / "keep.txt").write_text("keep", encoding="utf-8")
    rc, err, tf = _export_in_child(["export", str(spec), "--format", fmt, "-o", str(target)],
                                   (), tmp_path)
    assert rc == 2 and message in err, err
    assert not tf
    assert spec.read_bytes() == Path(LENET).read_bytes()


def test_the_cli_formats_are_the_backends() -> None:
    from archc.backends.keras.export import FORMATS

    assert EXPORT_FORMATS == FORMATS


def _owner(node: ast.expr) -> str:
    """`keras.layers` for the expression keras.layers, `custom` for custom, else ''."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return f"{node.value.id}.{node.attr}"
    return ""


def test_the_onnx_rules_cover_every_keras_class_the_lowering_makes() -> None:
    pytest.importorskip("onnx")
    from archc.backends.keras.export.onnx_layers import RULES

    source = (ROOT / "archc" / "backends" / "keras" / "op_rules.py").read_text(encoding="utf-8")
    made = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and _owner(node.value) in ("keras.layers", "custom") \
                and node.attr[0].isupper():
            made.add(node.attr)
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
                and node.func.id in ("_pool", "_global_pool", "_merge"):
            made.add(ast.literal_eval(node.args[0]))
    assert {"Conv2D", "ConnectionTableConv2D", "Subsampling2D", "MaxPooling2D",
            "Concatenate"} <= made  # the scan finds both spellings
    assert made - set(RULES) == set()
