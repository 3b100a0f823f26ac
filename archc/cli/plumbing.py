"""What every command shares: exit codes, the errors that carry one, printing diagnostics
with their source lines, and options (variant, --set, caps) from the command line.
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from typing import Any

from archc.diagnostics import Diagnostic, render
from archc.lower import Caps
from archc.passes.analysis import CostCaps
from archc.pipeline import Compiled, Options, Stage, UsageError, compile_file

EXIT_OK = 0
EXIT_SPEC = 1
EXIT_USAGE = 2
EXIT_MISSING_DEPENDENCY = 3
EXIT_INTERNAL = 4
EXIT_INTERRUPTED = 130


class MissingDependency(Exception):
    """An optional dependency (TensorFlow, Graphviz, pygls) is not installed: exit code 3."""


class CommandFailed(Exception):
    """A command failed for a reason already explained in `message`; carries its exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code



# -- shared plumbing -----------------------------------------------------------------------------


def print_diagnostics(diagnostics: Sequence[Diagnostic], stream: Any = None) -> None:
    stream = stream or sys.stderr
    sources: dict[str, str | None] = {}
    for d in diagnostics:
        file = d.span.file if d.span else None
        if file is not None and file not in sources:
            sources[file] = read_source(file)
        print(render(d, sources.get(file) if file else None), file=stream)
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = len(diagnostics) - errors
    if errors or warnings:
        parts = []
        if errors:
            parts.append(f"{errors} error{'s' if errors != 1 else ''}")
        if warnings:
            parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
        print(", ".join(parts), file=stream)


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


def options_from(args: argparse.Namespace) -> Options:
    overrides = []
    for item in getattr(args, "overrides", []) or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"--set expects KEY=VALUE; received `{item}`")
        overrides.append((key.strip(), value.strip()))
    # A cap of `nan`, `inf` or below one is a typo, not a wish; int() of the first two raised.
    for flag, value in (("--max-layers", args.max_layers), ("--max-repeat", args.max_repeat),
                        ("--max-input-dim", args.max_input_dim), ("--max-bytes", args.max_bytes),
                        ("--max-params", args.max_params),
                        ("--max-activation-gib", args.max_activation_gib)):
        if not (math.isfinite(value) and value > 0):
            raise UsageError(f"{flag} must be a positive number; received {value}")
    return Options(
        variant=getattr(args, "variant", None),
        overrides=tuple(overrides),
        caps=Caps(max_nodes=args.max_layers, max_repeat=args.max_repeat,
                  max_input_dim=args.max_input_dim),
        cost_caps=CostCaps(max_params=int(args.max_params),
                           max_activation_bytes=int(args.max_activation_gib * 1024**3)),
        max_bytes=args.max_bytes,
    )


def compile_spec(path: str, args: argparse.Namespace,
                 stop_after: Stage = Stage.ANALYSE) -> Compiled:
    return compile_file(path, options_from(args), stop_after)


