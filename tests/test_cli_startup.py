"""`archc summary` imports only what it needs (issue 21): each command's module is imported
when that command runs, and the summary path loads no lint, HTML report page, language
server, export, Graphviz or diagnostic-code registry module, and no output-file machinery.

Checked on the modules a real summary leaves in `sys.modules` (a fresh interpreter), not by
timing: start-up time is measured by bench/bench_startup.py. The parser is built for the
command at hand (only its arguments described); its help and parsing are the full parser's.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest
from spec_helpers import ROOT, SPECS

from archc.cli.parser import COMMANDS, build_parser

OFF_THE_SUMMARY_PATH = (
    "archc.lint",  # lint rules and their report
    "archc.backends.html",  # the `archc report` page
    "archc.lsp",  # the language server
    "archc.cli.export", "archc.backends.keras.export",  # `archc export`
    "archc.backends.keras.builder",  # `archc build`
    "archc.backends.graphviz",  # `archc diagram`
    "archc.diagnostic_codes",  # the registry, for `archc explain` and the test suite
    "archc.cli.explain",
    "archc.outputs",  # writing files: summary writes none
    "archc.api",  # the Python API, which the CLI does not call
    # A valid spec is checked without pydantic (archc/spec/plain.py): the pydantic models
    # and pydantic itself are for an item with a mistake.
    "pydantic", "pydantic_core", "archc.spec.schema", "archc.spec.layer_models",
    "archc.spec.pydantic_errors",
)

_PROBE = """\
import contextlib, io, json, sys
from archc.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    rc = main(sys.argv[1:])
print(json.dumps([rc, sorted(sys.modules)]))
"""


def _loaded(*argv: str) -> tuple[int, set[str]]:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)}  # no ARCHC_CHECK_CODES
    proc = subprocess.run([sys.executable, "-c", _PROBE, *argv], capture_output=True,
                          text=True, check=True, cwd=ROOT, env=env)
    rc, modules = json.loads(proc.stdout)
    return rc, set(modules)


def _off_path(modules: set[str]) -> list[str]:
    return sorted(m for m in modules
                  if any(m == p or m.startswith(p + ".") for p in OFF_THE_SUMMARY_PATH))


@pytest.mark.parametrize("argv", [
    ["summary", str(SPECS / "resnet.yaml"), "--variant", "resnet152"],
    ["summary", str(SPECS / "googlenet.yaml"), "--format", "json"],
    ["check", str(SPECS / "resnet.yaml")],
], ids=["summary-table", "summary-json", "check"])
def test_the_summary_path_imports_only_what_it_needs(argv: list[str]) -> None:
    rc, modules = _loaded(*argv)
    assert rc == 0
    assert {"archc.pipeline", "archc.cli.commands"} <= modules  # the command did run
    assert _off_path(modules) == []


def test_the_probe_sees_a_command_that_does_load_them() -> None:
    # `lint` loads the lint package: the check above would notice such an import.
    rc, modules = _loaded("lint", str(SPECS / "vgg16.yaml"), "-q")
    assert rc == 0
    assert "archc.lint" in _off_path(modules)
    assert "archc.cli.export" not in modules  # and still not another command's module


def test_a_mistake_goes_to_pydantic_and_reads_as_always(tmp_path: Path) -> None:
    # `kernal_size`: the checker leaves the item to pydantic, which words the error.
    spec = tmp_path / "typo.yaml"
    spec.write_text("archc: 1\nname: t\ninput: [8, 8, 1]\nlayers:\n"
                    "  - conv2d: {filters: 2, kernal_size: 3}\n", encoding="utf-8")
    rc, modules = _loaded("check", str(spec))
    assert rc == 1
    assert {"pydantic", "archc.spec.pydantic_errors"} <= modules
    proc = subprocess.run([sys.executable, "-m", "archc", "check", str(spec)],
                          capture_output=True, text=True, cwd=ROOT,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT)})
    assert "error[S002]: unknown field `kernal_size` in `conv2d`" in proc.stderr
    assert "did you mean `kernel_size`?" in proc.stderr


def _helps(parser: argparse.ArgumentParser) -> dict[str, str]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return {name: p.format_help() for name, p in sub.choices.items()}


@pytest.mark.parametrize("name", [name for name, _ in COMMANDS])
def test_a_parser_built_for_one_command_parses_and_helps_as_the_full_one(name: str) -> None:
    full, partial = build_parser(), build_parser([name, "x.yaml"])
    assert partial.format_help() == full.format_help()  # every command still listed
    assert _helps(partial)[name] == _helps(full)[name]
    assert _helps(partial).keys() == _helps(full).keys()


def test_a_parser_for_no_known_command_is_the_full_one() -> None:
    for argv in ([], ["--version"], ["nosuch"], ["-h"]):
        assert _helps(build_parser(argv)) == _helps(build_parser())


# -- pydantic's plugin discovery, off in the console script (archc/spec/pydantic_plugins.py) --

_RUN_PROBE = """\
import atexit, json, os, sys
from archc.cli import run
atexit.register(lambda: print(json.dumps(os.environ.get("PYDANTIC_DISABLE_PLUGINS")),
                              file=sys.stderr))
sys.argv = ["archc", *sys.argv[1:]]
run()
"""


def _run(env: dict[str, str]) -> tuple[str, object]:
    argv = ["summary", str(SPECS / "resnet.yaml"), "--variant", "resnet152"]
    proc = subprocess.run([sys.executable, "-c", _RUN_PROBE, *argv], capture_output=True,
                          text=True, cwd=ROOT, env={"PATH": "/usr/bin:/bin",
                                                   "PYTHONPATH": str(ROOT), **env})
    assert proc.returncode == 0, proc.stderr
    return proc.stdout, json.loads(proc.stderr.splitlines()[-1])


def test_the_console_script_skips_pydantic_plugin_discovery_unless_the_user_chose() -> None:
    out, setting = _run({})
    assert setting == "__all__"
    chosen_out, chosen = _run({"PYDANTIC_DISABLE_PLUGINS": "some_plugin"})
    assert chosen == "some_plugin"  # the user's choice stands
    assert out == chosen_out and "resnet152" in out  # the same summary either way
