"""Imports flow one way, and the TF-free commands stay TF-free.

    cli, archc/__init__ -> (api, lsp) -> pipeline -> (lower, lint, backends)
        -> (spec, passes) -> ir -> (diagnostics, perf, outputs) -> diagnostic_codes

Every import archc makes of itself counts, at module level or inside a function (a lazy
import is an edge like any other), and so does an `if TYPE_CHECKING:` import: it never
runs, but two modules that name each other are one module in two files, so no two modules
import each other, not even inside a package. The IR imports no third-party
package; only archc/spec sees YAML and pydantic; only archc/backends/keras sees TensorFlow.
Checked statically (ast over every module) and at run time (sys.modules).
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
    """Absolute module names imported anywhere in the file (top level, inside functions,
    under `if TYPE_CHECKING:`); `from package import module` names the module."""
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
            else:
                continue
            base = names[-1]
            # `from archc.backends.keras import layers` imports the module `...keras.layers`.
            names.extend(f"{base}.{alias.name}" for alias in node.names
                         if _is_module(f"{base}.{alias.name}"))
    return names


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


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


# Each archc package (or top-level module) and the archc packages it may import. A package
# may always import itself; anything not listed is a wrong arrow.
LOWER: dict[str, set[str]] = {
    "diagnostic_codes": set(),
    "diagnostics": {"diagnostic_codes"},
    "perf": set(),
    "outputs": set(),
    "ir": {"diagnostics"},
    "spec": {"ir", "diagnostics"},
    "passes": {"ir", "diagnostics"},
    "lower": {"spec", "ir", "diagnostics"},
    "lint": {"passes", "spec", "ir", "diagnostics"},
    "backends": {"passes", "ir", "diagnostics", "outputs", "perf"},
    "pipeline": {"lower", "lint", "backends", "spec", "passes", "ir", "diagnostics", "perf"},
    "api": {"pipeline", "backends", "passes", "ir", "diagnostics"},
    "lsp": {"pipeline", "passes", "spec", "ir", "diagnostics"},
    "zoo": {"pipeline", "diagnostics"},
    "cli": {"zoo", "lsp", "api", "pipeline", "lint", "backends", "lower", "passes", "spec", "ir",
            "diagnostics", "diagnostic_codes", "outputs", "perf"},
    "__init__": {"api", "backends", "diagnostics"},
    "__main__": {"cli"},
    "docgen": {"backends", "spec", "passes", "ir", "diagnostics"},
}


def _unit(name: str) -> str:
    """`archc.backends.keras.layers` -> `backends`; `archc` itself -> `__init__`."""
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _module_name(path: str) -> str:
    name = path.removesuffix(".py").replace("/", ".")
    return name.removesuffix(".__init__")


def test_every_unit_is_placed() -> None:
    units = {_unit(_module_name(p)) for p in _modules()}
    assert units == set(LOWER), units ^ set(LOWER)


def test_archc_imports_only_run_downward() -> None:
    wrong = []
    for path, names in _modules().items():
        src = _unit(_module_name(path))
        for name in names:
            if _top(name) == "archc" and _unit(name) not in LOWER[src] | {src}:
                wrong.append(f"{path} imports {name} ({src} -> {_unit(name)})")
    assert wrong == []


def _import_graph() -> dict[str, set[str]]:
    """Each archc module -> the archc modules it imports anywhere, type-only included."""
    graph: dict[str, set[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        module = _module_name(str(path.relative_to(ROOT)))
        targets = set()
        for name in _imports(path):
            while name and not _is_module(name):  # `archc.ir.ops.Op` -> `archc.ir.ops`
                name = name.rpartition(".")[0]
            if name.startswith("archc") and name != module:
                targets.add(name)
        graph[module] = targets
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1: on the stack, 2: done
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_no_import_cycles() -> None:
    graph = _import_graph()
    assert len(graph) > 40 and "archc.ir.ops" in graph["archc.ir.graph"]
    cycle = _cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_checks_see_lazy_imports_and_catch_a_wrong_arrow(tmp_path: Path) -> None:
    source = "def f():\n    from archc.pipeline import compile_file\n    return compile_file\n"
    probe = tmp_path / "probe.py"
    probe.write_text(source, encoding="utf-8")
    assert "archc.pipeline" in _imports(probe)
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None  # a diamond is no cycle


def test_a_type_only_import_is_an_edge_of_the_cycle_check(tmp_path: Path) -> None:
    source = ("from typing import TYPE_CHECKING\n"
              "if TYPE_CHECKING:\n    from archc.ir.graph import Graph\n")
    probe = tmp_path / "probe.py"
    probe.write_text(source, encoding="utf-8")
    assert "archc.ir.graph" in _imports(probe)


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
    ["zoo"],
], ids=["summary", "check", "zoo"])
def test_summary_and_check_import_no_heavy_module(argv: list[str]) -> None:
    loaded = _loaded_after(f"main({argv!r})")
    assert "archc.pipeline" in loaded  # the probe did run the command
    heavy = sorted(m for m in loaded if _top(m) in HEAVY)
    assert heavy == [], heavy
