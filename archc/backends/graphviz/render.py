"""Running Graphviz's `dot`: found on PATH, run without a shell, bounded by a timeout.

Rendering is the only part of `archc diagram` that needs a program archc does not ship, so
its failures are told apart: `dot` missing (D001, exit 3 via the CLI), `dot` too slow (D003),
`dot` failing (D004). The DOT text is produced before any of this and never depends on it.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from archc.diagnostics import CHECK_CODES, check_code

FORMATS = ("svg", "png", "pdf", "gv")
"""Output formats; `gv` is the DOT text itself and needs no Graphviz."""
DEFAULT_TIMEOUT = 120.0
INSTALL_HINT = ("install Graphviz: `apt-get install graphviz` (Debian/Ubuntu), "
                "`brew install graphviz` (macOS), `conda install graphviz`, or see "
                "https://graphviz.org/download/")


class RenderError(Exception):
    """`dot` is missing, timed out or failed; `code` is the diagnostic code (D001, D003, D004)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        if CHECK_CODES:  # the test suite: D-codes are registered codes too
            check_code(code)
        self.code = code


def find_dot() -> str | None:
    """The path of the `dot` executable, or None when Graphviz is not installed."""
    return shutil.which("dot")


def render(source: str, fmt: str, target: Path, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Render DOT `source` to `target` (a path that `dot` may create) in format `fmt`."""
    if fmt not in FORMATS or fmt == "gv":
        raise ValueError(f"cannot render format {fmt!r}")
    dot = find_dot()
    if dot is None:
        raise RenderError("D001", "Graphviz `dot` was not found on PATH")
    try:
        result = subprocess.run([dot, f"-T{fmt}", "-o", str(target)], input=source.encode(),
                                capture_output=True, timeout=timeout, shell=False, check=False)
    except subprocess.TimeoutExpired:
        raise RenderError("D003", f"`dot` did not finish within {timeout:g} seconds") from None
    except OSError as exc:
        raise RenderError("D004", f"`dot` could not be run: {exc.strerror or exc}") from None
    if result.returncode != 0:
        detail = result.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RenderError("D004", f"`dot` failed with exit code {result.returncode}"
                          + (f": {detail[0]}" if detail else ""))
    try:
        size = target.stat().st_size
    except OSError:
        size = 0
    if size == 0:
        # A `dot` that "succeeds" with no output must not replace a good drawing.
        raise RenderError("D004", "`dot` exited 0 but wrote no output")
