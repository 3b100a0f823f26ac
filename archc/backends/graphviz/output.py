"""Writing a diagram to disk: DOT text directly, other formats through `dot`, atomically.

A rendered file is produced in a temporary file beside the target and renamed over it only
when `dot` succeeded with a non-empty file, so a missing, slow, failing or silent Graphviz
never replaces a good drawing. Whenever rendering fails, the DOT text is still saved next to
the target (`.gv`), so the user can render it elsewhere or attach it to a bug report; that
fallback obeys the output policy too (archc.outputs): it is skipped when the `.gv` would be
the target itself, an input of the run, or not a regular file.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from archc.backends.graphviz.dot import Diagram
from archc.backends.graphviz.render import DEFAULT_TIMEOUT, FORMATS, RenderError, render
from archc.diagnostics import CHECK_CODES, check_code
from archc.outputs import OutputPathError, atomic_output, check_target, write_text_atomic


class DiagramWriteError(Exception):
    """Rendering failed; `code` is D001/D003/D004 and `dot_file` the DOT saved instead.

    `dot_file` is None when the fallback was not written; `skipped` then says why.
    """

    def __init__(self, code: str, message: str, dot_file: Path | None,
                 skipped: str = "") -> None:
        super().__init__(message)
        if CHECK_CODES:  # the test suite: D-codes are registered codes too
            check_code(code)
        self.code = code
        self.dot_file = dot_file
        self.skipped = skipped


def default_name(spec_path: str, variant: str | None, fmt: str) -> str:
    """`<spec stem>[-<variant>].<format>`: one file per spec and variant, never overwritten
    by another variant's drawing. A spec read from standard input (`-`) is `stdin`."""
    stem = "stdin" if spec_path == "-" else Path(spec_path).stem
    return f"{stem}-{variant}.{fmt}" if variant else f"{stem}.{fmt}"


def write_diagram(diagram: Diagram, target: Path, fmt: str,
                  timeout: float = DEFAULT_TIMEOUT, inputs: Sequence[str] = ()) -> None:
    """Write `diagram` to `target` as `fmt` (one of FORMATS); `inputs` are never written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown diagram format {fmt!r}")
    source = diagram.source
    if fmt == "gv":
        write_text_atomic(target, source)
        return
    try:
        with atomic_output(target) as tmp:
            render(source, fmt, tmp, timeout)
    except RenderError as exc:
        dot_file = target.with_suffix(".gv")
        try:
            if dot_file == target:
                raise OutputPathError(f"{dot_file} is the drawing's own name")
            check_target(dot_file, inputs)
        except OutputPathError as refused:
            raise DiagramWriteError(exc.code, str(exc), None, str(refused)) from None
        write_text_atomic(dot_file, source)
        raise DiagramWriteError(exc.code, str(exc), dot_file) from None
