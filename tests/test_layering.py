"""Imports flow one way, and the TF-free commands stay TF-free.

cli -> pipeline -> (spec, lower, passes, backends) -> ir -> diagnostics. The IR imports no
third-party package; only archc/spec sees YAML and pydantic; only archc/backends/keras sees
TensorFlow. Checked statically (ast over every module) and at run time (sys.modules).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from spec_helpers import ROOT, SPECS

PACKAGE = ROOT / "archc"
HEAVY = ("tensorflow", "keras", "numpy", "jax", "torch", "graphviz", "jsonschema",
         "matplotlib", "pandas", "scipy", "h5py")


def _imports(path: Path) -> list[str]:
    """Absolute module names imported anywhere in the file (top level or inside functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the file's package
                parts = list(path.relative_to(ROOT).with_suffix("").parts)
                base = parts[: len(parts) - node.level]
                names.append(".".join(base + ([node.module] if node.module else [])))
            elif node.module:
                names.append(node.module)
    return names


def _modules() -> dict[str, list[str]]:
    return {str(p.relative_to(ROOT)): _imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def _top(name: str) -> str:
    return name.split(".")[0]


def _is_third_party(name: str) -> bool:
    return _top(name) not in sys.stdlib_module_names and _top(name) != "archc"


def test_the_scan_sees_the_package() -> None:
    modules = _modules()
    assert "archc/ir/graph.py" in modules and "archc/spec/loader.py" in modules
    assert "yaml" in modules["archc/spec/loader.py"]


def test_ir_depends_on_nothing_above_it() -> None:
    forbidden = ("archc.spec", "archc.lower", "archc.passes", "archc.backends",
                 "archc.pipeline", "archc.cli", "archc.api")
    for path, names in _modules().items():
        if not path.startswith("archc/ir/"):
            continue
        for name in names:
            assert not name.startswith(forbidden), f"{path} imports {name}"
            assert not _is_third_party(name), f"{path} imports third-party {name}"


def test_only_spec_imports_yaml_and_pydantic() -> None:
    for path, names in _modules().items():
        if path.startswith("archc/spec/"):
            continue
        for name in names:
            assert _top(name) not in ("yaml", "pydantic", "pydantic_core"), (
                f"{path} imports {name}")


def test_only_the_keras_backend_imports_tensorflow() -> None:
    for path, names in _modules().items():
        if path.startswith("archc/backends/keras/"):
            continue
        for name in names:
            assert _top(name) not in ("tensorflow", "keras"), f"{path} imports {name}"


def test_backends_never_see_yaml_or_pydantic() -> None:
    for path, names in _modules().items():
        if path.startswith("archc/backends/"):
            assert not any(_top(n) in ("yaml", "pydantic") for n in names), path


def _loaded_after(code: str) -> set[str]:
    probe = (
        "import sys, io, contextlib\n"
        "from archc.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()), "
        "contextlib.redirect_stderr(io.StringIO()):\n"
        f"    rc = {code}\n"
        "assert rc == 0, rc\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    return set(proc.stdout.split())


@pytest.mark.parametrize("argv", [
    ["summary", str(SPECS / "googlenet.yaml"), "--format", "json"],
    ["check", *sorted(str(p) for p in SPECS.glob("*.yaml"))],
], ids=["summary", "check"])
def test_summary_and_check_import_no_heavy_module(argv: list[str]) -> None:
    loaded = _loaded_after(f"main({argv!r})")
    assert "archc.pipeline" in loaded  # the probe did run the command
    heavy = sorted(m for m in loaded if _top(m) in HEAVY)
    assert heavy == [], heavy
