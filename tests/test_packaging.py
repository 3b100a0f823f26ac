"""The package as PyPI users get it: a wheel, installed in a fresh venv, without the checkout.

The wheel is built from a copy of the files the build reads (pyproject.toml, README, LICENSE,
archc/, specs/), so what ships is what the repository holds; `archc/zoo_specs` is a link to
`specs/` and the wheel must carry the files it points to. The venv gets the wheel and, for
its dependencies (PyYAML, pydantic, graphviz), a path entry to this interpreter's
site-packages; no PYTHONPATH, and the commands run in an empty directory, so only the
installed `archc` can answer.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from spec_helpers import ROOT, SPECS

pytestmark = pytest.mark.slow

ZOO = sorted(p.stem for p in SPECS.glob("*.yaml"))


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run(args, capture_output=True, text=True, cwd=cwd, env=env,
                          timeout=300, check=False)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv with archc installed from a freshly built wheel; returns its bin directory."""
    base = tmp_path_factory.mktemp("packaging")
    source = base / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(ROOT / name, source / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "archc", source / "archc", symlinks=True, ignore=ignore)
    shutil.copytree(SPECS, source / "specs")
    wheels = base / "wheels"
    built = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                  "--quiet", "-w", str(wheels), str(source)], base)
    assert built.returncode == 0, built.stderr[-3000:]
    (wheel,) = wheels.glob("archc_cnn-*.whl")
    venv = base / "venv"
    made = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], base)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    done = _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps",
                 "--no-index", "--quiet", str(wheel)], base)
    assert done.returncode == 0, done.stderr[-3000:]
    purelib = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                    "['purelib'])"], base).stdout.strip()
    deps = sysconfig.get_paths()["purelib"]
    (Path(purelib) / "_archc_test_deps.pth").write_text(deps + "\n", encoding="utf-8")
    return venv / "bin"


def test_the_wheel_carries_the_zoo_and_the_license(installed: Path) -> None:
    (wheel,) = (installed.parents[1] / "wheels").glob("archc_cnn-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert sorted(n.split("/")[-1][:-5] for n in names if n.startswith("archc/zoo_specs/")) == ZOO
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    assert "Name: archc-cnn" in text and "License-Expression: MIT" in text


def test_archc_is_imported_from_the_venv_not_the_checkout(installed: Path,
                                                         tmp_path: Path) -> None:
    found = _run([str(installed / "python"), "-c", "import archc; print(archc.__file__)"],
                 tmp_path)
    assert found.returncode == 0, found.stderr
    assert Path(found.stdout.strip()).is_relative_to(installed.parent)


def test_zoo_lists_and_copies_without_a_checkout(installed: Path, tmp_path: Path) -> None:
    listed = _run([str(installed / "archc"), "zoo"], tmp_path)
    assert listed.returncode == 0, listed.stderr
    rows = listed.stdout.splitlines()
    assert rows[0].split()[0] == "NAME"
    assert [row.split()[0] for row in rows[1:]] == ZOO
    resnet = next(row for row in rows if row.startswith("resnet "))
    assert "resnet50*" in resnet  # the spec's default_variant
    copied = _run([str(installed / "archc"), "zoo", "copy", "resnet", "-o", "specs"], tmp_path)
    assert copied.returncode == 0, copied.stderr
    assert (tmp_path / "specs" / "resnet.yaml").read_bytes() == (SPECS / "resnet.yaml").read_bytes()
    # The README's commands then work as written.
    summary = _run([str(installed / "archc"), "summary", "specs/resnet.yaml", "--variant",
                    "resnet50", "--format", "json"], tmp_path)
    assert summary.returncode == 0, summary.stderr
    assert json.loads(summary.stdout)["total_params"] == 25_636_712  # numbers.md: ResNet-50
