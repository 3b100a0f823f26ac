"""What every command shares: the errors that carry an exit code, the one way to write
(escaped), printing diagnostics with their source lines, and options (variant, --set,
caps) from the command line.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from archc.diagnostics import Diagnostic, count_line, render, visible
from archc.lower import Caps
from archc.passes.analysis import CostCaps
from archc.pipeline import Compiled, Options, Stage, UsageError, compile_bytes, compile_file
from archc.spec.loader import STDIN, STDIN_NAME, read_stdin


class MissingDependency(Exception):
    """An optional dependency (Keras or its backend, Graphviz, pygls) is missing: exit code 3."""


class CommandFailed(Exception):
    """A command failed for a reason already explained in `message`; carries its exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


# -- shared plumbing -----------------------------------------------------------------------------


def out(text: str, stream: Any = None) -> None:
    """The one way the CLI writes (standard output by default).

    Every control character is escaped on the way out (`visible`), so nothing a spec or a
    command line holds reaches a terminal or log raw. Newlines stay: the renderers escape
    them inside fields, so a table keeps its lines and a field cannot add one.
    """
    (stream or sys.stdout).write(visible(text, keep_layout=True))


def say(message: str, stream: Any = None) -> None:
    """One message line (standard error by default); a newline inside it is escaped too."""
    out(visible(message) + "\n", stream or sys.stderr)


def print_diagnostics(diagnostics: Sequence[Diagnostic], stream: Any = None,
                      known: Mapping[str, str] | None = None) -> None:
    """Render `diagnostics`; `known` holds the text compiled per file (else it is re-read)."""
    stream = stream or sys.stderr
    sources: dict[str, str | None] = dict(known or {})
    for d in diagnostics:
        file = d.span.file if d.span else None
        if file is not None and file not in sources:
            sources[file] = read_source(file)
        out(render(d, sources.get(file) if file else None) + "\n", stream)
    counts = count_line(diagnostics)
    if counts:
        out(counts + "\n", stream)


def read_source(file: str) -> str | None:
    # Bounded: the spec may be /dev/zero or a pipe, and the loader read only its size cap.
    try:
        with open(file, encoding="utf-8", errors="replace") as handle:
            return handle.read(_MAX_SOURCE_CHARS)
    except OSError:
        return None


_MAX_SOURCE_CHARS = 16 * 1024 * 1024  # 4x the default size cap; only for showing lines


def add_spec_options(p: argparse.ArgumentParser, variant: bool = True) -> None:
    if variant:
        p.add_argument("--variant", help="named variant of the spec (see its `variants:`)")
        p.add_argument("--set", dest="overrides", action="append", default=[],
                       metavar="KEY=VALUE", help="override a spec variable (repeatable)")
    g = p.add_argument_group("caps (refuse hostile or mistaken specs early)")
    g.add_argument("--max-bytes", type=int, default=Options().max_bytes, help=argparse.SUPPRESS)
    g.add_argument("--max-layers", type=int, default=Caps().max_nodes,
                   help="layers after expansion (default %(default)s)")
    g.add_argument("--max-repeat", type=int, default=Caps().max_repeat,
                   help="`times` of one repeat (default %(default)s)")
    g.add_argument("--max-input-dim", type=int, default=Caps().max_input_dim,
                   help="largest input dimension (default %(default)s)")
    g.add_argument("--max-params", type=float, default=CostCaps().max_params,
                   help="parameters (default %(default).3g)")
    g.add_argument("--max-activation-gib", type=float,
                   default=CostCaps().max_activation_bytes / 1024**3,
                   help="activation memory per sample in GiB (default %(default)s)")


MAX_TIMEOUT = 86_400.0
"""A day: longer is a typo (`1e308` overflowed the subprocess timer: internal error)."""


_CAP_CEILING = 2**63
"""Caps beyond int64 mean "no cap"; clamping keeps `1e308 GiB` from overflowing int()."""


def options_from(args: argparse.Namespace) -> Options:
    overrides = []
    for item in getattr(args, "overrides", []) or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--set expects KEY=VALUE; received `{item}`")
        if _has_surrogates(item):  # bytes that were not UTF-8 on the command line
            raise UsageError(f"--set {key.strip()}: the value is not valid UTF-8 text")
        overrides.append((key.strip(), value.strip()))
    variant = getattr(args, "variant", None)
    if variant is not None and not variant.strip():
        raise UsageError("--variant needs a name; received an empty one")
    # A cap of `nan`, `inf` or below one is a typo, not a wish. Integer caps are checked as
    # integers: math.isfinite() of a 400-digit --max-layers raised OverflowError.
    for flag, number in (("--max-layers", args.max_layers), ("--max-repeat", args.max_repeat),
                         ("--max-input-dim", args.max_input_dim),
                         ("--max-bytes", args.max_bytes)):
        if number < 1:
            raise UsageError(f"{flag} must be a positive number; received {number}")
    for flag, real in (("--max-params", args.max_params),
                       ("--max-activation-gib", args.max_activation_gib)):
        if not (math.isfinite(real) and real > 0):
            raise UsageError(f"{flag} must be a positive number; received {real}")
    return Options(
        variant=variant,
        overrides=tuple(overrides),
        caps=Caps(max_nodes=args.max_layers, max_repeat=args.max_repeat,
                  max_input_dim=args.max_input_dim),
        cost_caps=CostCaps(
            max_params=int(min(args.max_params, _CAP_CEILING)),
            max_activation_bytes=int(min(args.max_activation_gib * 1024**3, _CAP_CEILING))),
        max_bytes=args.max_bytes,
    )


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


SPEC_HELP = "a spec file (`-`: read the spec from standard input)"

_stdin_bytes: dict[str, bytes] = {}
"""Standard input as read, once per run: commands that compile a spec once per variant
(`summary --all-variants`, `compare --variants`, `report`) compile `-` again."""


def forget_stdin() -> None:
    """A new run (`main` may be called repeatedly in one process) reads standard input anew."""
    _stdin_bytes.clear()


def compile_spec(path: str, args: argparse.Namespace,
                 stop_after: Stage = Stage.ANALYSE) -> Compiled:
    options = options_from(args)
    if path == STDIN:
        if STDIN not in _stdin_bytes:
            _stdin_bytes[STDIN] = read_stdin(options.max_bytes)
        return compile_bytes(_stdin_bytes[STDIN], STDIN_NAME, options, stop_after)
    return compile_file(path, options, stop_after)


def stem(spec: str) -> str:
    """The base of output file names: the spec file's stem; `stdin` for `-`."""
    return "stdin" if spec == STDIN else Path(spec).stem




def checked_target(directory: str | os.PathLike[str], name: str, inputs: Sequence[str] = (),
                   *, saved_model: bool = False) -> Path:
    """`directory/name`, checked by the output policy (archc/outputs.py) before slow work.

    Every command that writes a file calls this before it compiles, imports TensorFlow or
    runs `dot`, so a refused target costs nothing: a name that leaves `directory`, a target
    that is not a regular file (for `saved_model`, not a SavedModel directory), one of the
    run's `inputs`, a read-only file or an unwritable directory is a usage error (exit 2).
    """
    from archc.outputs import (
        OutputPathError,
        check_directory_target,
        check_target,
        safe_output_path,
    )

    try:
        target = safe_output_path(directory, name)
        if saved_model:
            check_directory_target(target, inputs)
        else:
            check_target(target, inputs)
    except OutputPathError as exc:
        raise UsageError(str(exc)) from None
    return target


def checked_path(path: str | os.PathLike[str], inputs: Sequence[str] = (),
                 *, saved_model: bool = False) -> Path:
    """`checked_target` for a whole path (`-o PATH`): its directory and its file name."""
    wanted = Path(path)
    return checked_target(wanted.parent, wanted.name, inputs, saved_model=saved_model)


def checked_directory(directory: str | os.PathLike[str]) -> None:
    """The output policy for `-o DIR` (`archc build`): a directory archc can write into or
    create, checked before the spec is compiled; else a usage error naming the option."""
    from archc.outputs import OutputPathError, check_output_directory

    try:
        check_output_directory(directory)
    except OutputPathError as exc:
        raise UsageError(f"-o {os.fspath(directory)}: {exc}") from None
