"""No code from a spec: the source never reaches for a code-running API, and a spec that tries
to name code (tags, Python names, file paths, expression tricks) gets a located error while
nothing runs.

The canary is twofold: the payloads would create a file if they ran, and `os.system`,
`subprocess.Popen`, `eval` and `exec` are replaced by recorders for the duration of the
check, so even a payload that failed silently would be seen.
"""

from __future__ import annotations

import ast
import builtins
import importlib
import os
import subprocess
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import archc.cli

from .hostile_helpers import ROOT

# -- the source scan ------------------------------------------------------------------------

_BANNED_CALLS = {"eval", "exec", "compile", "__import__", "breakpoint"}
_BANNED_ATTRS = {
    ("yaml", "load"), ("yaml", "load_all"), ("yaml", "unsafe_load"), ("yaml", "full_load"),
    ("yaml", "unsafe_load_all"), ("yaml", "full_load_all"), ("yaml", "Loader"),
    ("yaml", "UnsafeLoader"), ("yaml", "FullLoader"), ("yaml", "CLoader"),
    ("yaml", "CUnsafeLoader"), ("yaml", "CFullLoader"),
    ("os", "system"), ("os", "popen"), ("os", "execv"), ("os", "execvp"),
}
_BANNED_MODULES = {"pickle", "cPickle", "dill", "cloudpickle", "marshal", "shelve", "joblib"}
_DYNAMIC_IMPORTERS = {"import_module", "__import__"}


def scan_source(text: str, where: str) -> list[str]:
    """Findings of code-running constructs in one module's source (empty when clean).

    Parsed, not grepped: docstrings that *explain* why `yaml.load` is avoided are fine, a
    call is not. Dynamic imports are allowed only of string constants written in the module.
    """
    tree = ast.parse(text)
    constants = {
        t.id for node in tree.body if isinstance(node, ast.Assign)
        and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)
        for t in node.targets if isinstance(t, ast.Name)
    }
    found: list[str] = []

    def hit(node: ast.AST, what: str) -> None:
        found.append(f"{where}:{getattr(node, 'lineno', 0)}: {what}")

    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names]
            module = node.module if isinstance(node, ast.ImportFrom) else None
            for name in [*names, module or ""]:
                if name.split(".")[0] in _BANNED_MODULES:
                    hit(node, f"imports {name}")
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in _BANNED_CALLS:
                hit(node, f"calls {func.id}()")
            if isinstance(func, ast.Name) and func.id == "Lambda":
                hit(node, "builds a Lambda layer")
            if isinstance(func, ast.Attribute) and func.attr == "Lambda":
                hit(node, "builds a Lambda layer")
            name = func.id if isinstance(func, ast.Name) else (
                func.attr if isinstance(func, ast.Attribute) else "")
            if name in _DYNAMIC_IMPORTERS and node.args:
                arg = node.args[0]
                literal = isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                constant = isinstance(arg, ast.Name) and arg.id in constants
                if not (literal or constant):
                    hit(node, f"{name}() of a computed name")
            for kw in node.keywords:
                if kw.arg == "shell" and not (isinstance(kw.value, ast.Constant)
                                              and kw.value.value is False):
                    hit(node, "shell=True")
                if kw.arg == "safe_mode" and not (isinstance(kw.value, ast.Constant)
                                                  and kw.value.value is True):
                    hit(node, "Keras safe_mode off")
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and (
                node.value.id, node.attr) in _BANNED_ATTRS:
            hit(node, f"uses {node.value.id}.{node.attr}")
    return found


def _package_sources() -> list[Path]:
    return sorted(p for p in (ROOT / "archc").rglob("*.py") if "__pycache__" not in p.parts)


def test_the_source_tree_has_no_code_running_constructs() -> None:
    sources = _package_sources()
    assert len(sources) >= 20  # the scan must actually see the package
    findings = [f for p in sources for f in scan_source(p.read_text(encoding="utf-8"),
                                                        str(p.relative_to(ROOT)))]
    assert findings == []


_DIRTY = {
    "x = eval(s)": "calls eval()",
    "exec(s)": "calls exec()",
    "import yaml\nyaml.load(s)": "uses yaml.load",
    "import yaml\nyaml.unsafe_load(s)": "uses yaml.unsafe_load",
    "import yaml\nyaml.full_load(s)": "uses yaml.full_load",
    "import yaml\nyaml.load(s, Loader=yaml.Loader)": "uses yaml.Loader",
    "import pickle": "imports pickle",
    "from pickle import loads": "imports pickle",
    "import subprocess\nsubprocess.run(c, shell=True)": "shell=True",
    "import os\nos.system(c)": "uses os.system",
    "from keras import layers\nlayers.Lambda(f)": "builds a Lambda layer",
    "Lambda(f)": "builds a Lambda layer",
    "import importlib\nimportlib.import_module(spec['module'])": "import_module() of a computed",
    "__import__(name)": "calls __import__()",
    "import keras\nkeras.models.load_model(p, safe_mode=False)": "Keras safe_mode off",
}


@pytest.mark.parametrize("source", list(_DIRTY))
def test_the_scan_catches_each_construct(source: str) -> None:
    findings = scan_source(source, "x.py")
    assert any(_DIRTY[source] in f for f in findings), findings


def test_the_scan_allows_the_safe_spellings() -> None:
    clean = textwrap.dedent('''\
        """Why not `yaml.load(text)`: it runs code. Never `eval`."""
        import importlib
        import re
        import subprocess
        import yaml
        LAYERS = "archc.backends.keras.layers"
        importlib.import_module(LAYERS)
        importlib.import_module("tensorflow")
        yaml.parse(text, Loader=yaml.CSafeLoader)
        re.compile("x")
        subprocess.run(["dot", "-V"], shell=False, check=False)
    ''')
    assert scan_source(clean, "x.py") == []


# -- specs that try to run or name code -----------------------------------------------------


@pytest.fixture
def recorders(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Replace the ways to run code with recorders; the list says what was attempted.

    The modules a check imports are imported first: Python runs a module's code with
    `exec` on first import (the CLI imports each command's modules when it runs), and a
    spec with a mistake makes archc import pydantic (archc/spec/plain.py), whose
    dataclasses are made with `exec` too; that is Python loading code, not a spec running
    it. (So is the diagnostic-code registry the test suite checks every code against.)"""
    assert archc.cli.main(["check", str(ROOT / "specs" / "lenet5.yaml"), "-q"]) == 0
    importlib.import_module("archc.diagnostic_codes").registry()
    importlib.import_module("archc.spec.pydantic_errors")
    importlib.import_module("archc.spec.schema").model_named("SpecHeader").model_rebuild()
    calls: list[str] = []

    def record(what: str) -> Any:
        def fake(*args: Any, **kwargs: Any) -> Any:
            calls.append(f"{what}{args!r}")
            raise AssertionError(f"a spec made archc call {what}")

        return fake

    monkeypatch.setattr(os, "system", record("os.system"))
    monkeypatch.setattr(os, "popen", record("os.popen"))
    monkeypatch.setattr(subprocess, "Popen", record("subprocess.Popen"))
    monkeypatch.setattr(builtins, "eval", record("eval"))
    monkeypatch.setattr(builtins, "exec", record("exec"))
    yield calls


def _check(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    rc = archc.cli.main(["check", str(path)])
    return rc, capsys.readouterr().err


_HEADER = "archc: 1\nname: t\ninput: [8, 8, 1]\n"
_CONV = "layers:\n  - conv2d: {filters: 4, kernel_size: 3}\n"

# Each payload would create the canary file `{canary}` if any part of it ran.
_PAYLOADS: dict[str, tuple[str, str, int, int]] = {
    # name: (spec text, expected code, line, col)
    "python-object-apply": (
        _HEADER + "layers: !!python/object/apply:os.system ['touch {canary}']\n",
        "Y003", 4, 9),
    "python-object-apply-in-value": (
        _HEADER + "layers:\n  - conv2d: {filters: !!python/object/apply:os.system "
        "['touch {canary}'], kernel_size: 3}\n", "Y003", 5, 23),
    "python-object-new": (
        _HEADER + "layers: !!python/object/new:subprocess.Popen [['touch', '{canary}']]\n",
        "Y003", 4, 9),
    "python-name": (_HEADER + "run: !!python/name:os.system\n" + _CONV, "Y003", 4, 6),
    "python-module": (_HEADER + "run: !!python/module:os\n" + _CONV, "Y003", 4, 6),
    "verbatim-tag": (
        _HEADER + "layers: !<tag:yaml.org,2002:python/object/apply:os.system> "
        "['touch {canary}']\n", "Y003", 4, 9),
    "tag-directive": (
        "%TAG !py! tag:yaml.org,2002:python/\n---\n" + _HEADER
        + "layers: !py!object/apply:os.system ['touch {canary}']\n", "Y003", 6, 9),
    "custom-local-tag": (_HEADER + "layers: !include /etc/passwd\n", "Y003", 4, 9),
    "custom-tag-on-mapping": (
        _HEADER + "layers:\n  - !keras.layers.Lambda {function: 'os.system'}\n", "Y003", 5, 5),
    "binary-tag": (_HEADER + "blob: !!binary aGVsbG8=\n" + _CONV, "Y003", 4, 7),
    "python-tuple-tag": (_HEADER.replace("[8, 8, 1]", "!!python/tuple [8, 8, 1]") + _CONV,
                         "Y003", 3, 8),
    "set-tag": (_HEADER + "x: !!set {a, b}\n" + _CONV, "Y003", 4, 4),
    "merge-key-alias": (
        _HEADER + "base: &b {filters: 4, kernel_size: 3}\nlayers:\n  - conv2d: {<<: *b}\n",
        "Y004", 6, 18),
    "activation-names-a-function": (
        _HEADER + "layers:\n  - conv2d: {filters: 4, kernel_size: 3, activation: os.system}\n",
        "S004", 5, 54),
    "activation-layer-names-builtin": (
        _HEADER + "layers:\n  - activation: builtins.eval\n", "S004", 5, 17),
    "kernel-initializer": (
        _HEADER + "layers:\n  - conv2d: {filters: 4, kernel_size: 3, kernel_initializer: "
        "'os:system'}\n", "S002", 5, 42),
    "custom-objects": (_HEADER + "custom_objects: {relu: os.system}\n" + _CONV, "S002", 4, 1),
    "import-key": (_HEADER + "import: os\n" + _CONV, "S002", 4, 1),
    "include-file": (_HEADER + "include: /etc/passwd\n" + _CONV, "S002", 4, 1),
    "weights-path": (
        _HEADER + "layers:\n  - dense: {units: 4, weights: ../../etc/shadow}\n", "S002", 5, 23),
    "lambda-layer": (_HEADER + "layers:\n  - lambda: {function: 'lambda x: x'}\n", "S005", 5, 5),
    "keras-class-path": (
        _HEADER + "layers:\n  - keras.layers.Lambda: {function: os.system}\n", "S005", 5, 5),
    "module-as-layer-type": (_HEADER + "layers:\n  - os.system\n", "S005", 5, 5),
    "expr-import": (
        _HEADER + "variables: {x: 1}\nlayers:\n  - dense: {units: \"$x + __import__('os')"
        ".system('touch {canary}')\"}\n", "E002", 6, 20),
    "expr-dunder-attribute": (
        _HEADER + "variables: {x: 1}\nlayers:\n  - dense: {units: '$x.__class__'}\n",
        "E002", 6, 20),
    "expr-lambda": (
        _HEADER + "variables: {x: 1}\nlayers:\n  - dense: {units: '(lambda: $x)()'}\n",
        "E002", 6, 20),
    "expr-comprehension": (
        _HEADER + "variables: {x: 1}\nlayers:\n  - dense: {units: '[$x for _ in (1,)][0]'}\n",
        "E002", 6, 20),
    "expr-call": (
        _HEADER + "variables: {x: 1}\nlayers:\n  - dense: {units: 'open($x)'}\n",
        "E004", 6, 20),
    "expr-walrus": (
        _HEADER + "variables: {x: 1}\nlayers:\n  - dense: {units: '(y := $x)'}\n",
        "E002", 6, 20),
}


@pytest.mark.parametrize("name", list(_PAYLOADS))
def test_a_spec_naming_code_is_a_located_error_and_nothing_runs(
        name: str, tmp_path: Path, recorders: list[str],
        capsys: pytest.CaptureFixture[str]) -> None:
    canary = tmp_path / "canary"
    text, code, line, col = _PAYLOADS[name]
    spec = tmp_path / "spec.yaml"
    spec.write_text(text.replace("{canary}", str(canary)), encoding="utf-8")
    rc, err = _check(spec, capsys)
    assert rc == 1
    assert f"{spec}:{line}:{col}: error[{code}]" in err, err
    assert "Traceback" not in err and "internal error" not in err
    assert not canary.exists()
    assert recorders == []



def test_a_variant_name_cannot_place_an_output_outside_the_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # Variant names become part of default output names (`spec-<variant>.gv`). Before names
    # were checked (S008), `default_variant: ../../../escaped` made `archc diagram` write
    # `escaped.gv` two directories above the working directory.
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    spec = work / "spec.yaml"
    spec.write_text(_HEADER + "variables: {w: 4}\nvariants:\n  '../../../escaped': {w: 4}\n"
                    "default_variant: '../../../escaped'\nlayers:\n"
                    "  - conv2d: {filters: $w, kernel_size: 3}\n", encoding="utf-8")
    monkeypatch.chdir(work)
    assert archc.cli.main(["diagram", "spec.yaml", "--format", "gv"]) == 1
    err = capsys.readouterr().err
    assert "spec.yaml:6:3: error[S008]: `../../../escaped` is not a valid name in " \
        "`variants`" in err
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["spec.yaml"]
