"""The language server sits between the CLI and the pipeline, and stays TensorFlow-free.

cli -> lsp -> pipeline: only the CLI's commands (`archc/cli/commands.py`) import
`archc.lsp`; only `archc/lsp/server.py` imports the protocol libraries (so the features
run, and are tested, without them); and a server that has answered every kind of request
on the whole zoo has loaded no heavy module.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from lsp_helpers import ROOT

PACKAGE = ROOT / "archc"
PROTOCOL = ("pygls", "lsprotocol", "cattrs", "attrs")
HEAVY = ("tensorflow", "keras", "numpy", "jax", "torch", "graphviz", "jsonschema",
         "matplotlib", "pandas", "scipy", "h5py")


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.append(node.module)
    return names


def _modules() -> dict[str, list[str]]:
    return {str(p.relative_to(ROOT)): _imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def test_only_the_cli_imports_the_language_server() -> None:
    users = sorted(path for path, names in _modules().items()
                   if not path.startswith("archc/lsp/")
                   and any(n.startswith("archc.lsp") for n in names))
    assert users == ["archc/cli/commands.py"]


def test_the_language_server_builds_on_the_pipeline_only() -> None:
    for path, names in _modules().items():
        if path.startswith("archc/lsp/"):
            above = [n for n in names if n.startswith(("archc.cli", "archc.api",
                                                       "archc.backends.keras"))]
            assert above == [], path


def test_only_the_server_module_speaks_the_protocol() -> None:
    speakers = sorted(path for path, names in _modules().items()
                      if any(n.split(".")[0] in PROTOCOL for n in names))
    assert speakers == ["archc/lsp/server.py"]


_PROBE = """
import sys
from pathlib import Path
import archc.lsp.server  # the protocol layer too
from archc.lsp.complete import complete
from archc.lsp.hover import hover
from archc.lsp.model import build
from archc.lsp.navigate import definition, symbols

answered = 0
for spec in sorted(Path("specs").glob("*.yaml")):
    text = spec.read_text(encoding="utf-8")
    model = build(text, str(spec))
    assert model.diagnostics == (), spec
    symbols(model)
    for number, line in enumerate(text.splitlines(), 1):
        for col in range(1, len(line) + 2, 3):
            answered += hover(model, (number, col)) is not None
            definition(model, (number, col))
        complete(model, (number, len(line) + 1))
assert answered > 100, answered
print("\\n".join(sorted(sys.modules)))
"""


@pytest.mark.slow
def test_answering_everything_on_the_zoo_loads_no_heavy_module() -> None:
    pytest.importorskip("pygls")
    proc = subprocess.run([sys.executable, "-c", _PROBE], capture_output=True, text=True,
                          cwd=ROOT, check=True, timeout=600)
    loaded = set(proc.stdout.split())
    assert "archc.lsp.server" in loaded
    assert sorted(m for m in loaded if m.split(".")[0] in HEAVY) == []
