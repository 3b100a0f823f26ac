"""End to end in a real editor: Neovim (headless) with the configuration docs/editors.md
gives for Neovim 0.7, through open, diagnostics, an edit, hover and completion.

Debian 12's `neovim` is 0.7.2 (`.ci/run` installs it when missing); without `nvim` the test
skips and says so. The configuration is read from docs/editors.md, so the page shows what
was run. `archc` on the editor's PATH is a shim running this checkout's `python -m archc`.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from lsp_helpers import ROOT, read, where

pytest.importorskip("pygls")

NVIM = shutil.which("nvim")
DRIVER = Path(__file__).with_name("nvim_driver.lua")


def _config() -> str:
    """The Neovim 0.7 block of docs/editors.md."""
    text = (ROOT / "docs" / "editors.md").read_text(encoding="utf-8")
    blocks = text.split("```lua\n")[1:]
    (block,) = [b.split("```", 1)[0] for b in blocks if "vim.lsp.start_client" in b]
    return block


@pytest.mark.skipif(NVIM is None, reason="nvim is not installed (.ci/run installs Debian's "
                    "neovim)")
def test_neovim_opens_edits_hovers_and_completes(tmp_path: Path) -> None:
    assert NVIM is not None
    version = subprocess.run([NVIM, "--version"], capture_output=True, text=True,
                             check=True).stdout.splitlines()[0]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "archc"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m archc "$@"\n', encoding="utf-8")
    shim.chmod(shim.stat().st_mode | stat.S_IXUSR)
    init = tmp_path / "init.lua"
    init.write_text(_config(), encoding="utf-8")
    text = read("resnet.yaml")
    spec = tmp_path / "resnet.yaml"
    spec.write_text(text, encoding="utf-8")
    mistake = where(text, "- conv2d: {filters: $filters * 4, kernel_size: 1}")
    hover = where(text, "conv2d: {name: conv1")
    out = tmp_path / "out.json"
    env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
               PYTHONPATH=str(ROOT), ARCHC_E2E_OUT=str(out), ARCHC_E2E_SPEC=str(spec),
               ARCHC_E2E_MISTAKE_LINE=str(mistake[0] - 1),
               ARCHC_E2E_HOVER_LINE=str(hover[0] - 1), ARCHC_E2E_HOVER_COL=str(hover[1] - 1),
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_STATE_HOME=str(tmp_path / "state"), XDG_CACHE_HOME=str(tmp_path / "cache"))
    subprocess.run([NVIM, "--headless", "-n", "-i", "NONE", "-u", str(init), "-c",
                    f"luafile {DRIVER}"], cwd=tmp_path, env=env, timeout=180,
                   capture_output=True, check=False)
    seen = json.loads(out.read_text(encoding="utf-8"))
    assert "error" not in seen, seen
    assert seen["filetype"] == "yaml" and seen["attached"], (version, seen)
    assert seen["opened"] and seen["open_diagnostics"] == 0
    assert seen["edited"]
    (diagnostic,) = seen["diagnostics"]
    assert diagnostic["code"] == "S002" and diagnostic["lnum"] == mistake[0] - 1
    assert diagnostic["message"].startswith("unknown field `kernal_size`")
    # numbers.md, ResNet-50 conv1: 112x112x64, 9,472 params, 118,013,952 MACs; the mistake
    # in the bottleneck does not hide them.
    assert "`112x112x64`" in seen["hover"] and "9,472 params" in seen["hover"]
    assert "118,013,952 MACs" in seen["hover"]
    # Inside the bottleneck block, with `{` still open: the spec's variables and the block's
    # parameters.
    assert {"$stages", "$unit", "$filters", "$strides"} <= set(seen["completion"])
