"""`archc lsp` on the command line: without pygls it says what to install and exits 3."""

from __future__ import annotations

import subprocess
import sys

from lsp_helpers import ROOT

_WITHOUT_PYGLS = """
import sys
sys.modules["pygls"] = None  # as if it were not installed: importing it raises ImportError
from archc.cli import main
sys.exit(main(["lsp"]))
"""


def test_lsp_without_pygls_exits_3_with_the_install_hint() -> None:
    proc = subprocess.run([sys.executable, "-c", _WITHOUT_PYGLS], capture_output=True,
                          text=True, cwd=ROOT, stdin=subprocess.DEVNULL, timeout=120)
    assert proc.returncode == 3
    assert proc.stdout == ""  # stdout is the protocol channel: nothing else may go there
    assert proc.stderr.startswith("archc: error: `archc lsp` needs pygls")
    assert "pip install 'archc-cnn[lsp]'" in proc.stderr
    assert "Traceback" not in proc.stderr
