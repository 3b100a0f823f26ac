"""The command line: the only module that prints or exits.

Exit codes (also in docs/diagnostics.md):
    0  success (warnings allowed unless --strict)
    1  the spec has errors (located diagnostics were printed)
    2  usage or I/O problem (bad arguments, unreadable file, unknown variant)
    3  an optional dependency is missing (TensorFlow for build, Graphviz `dot` for rendering)
    4  internal error: a bug in archc (please report it with the spec)
  130  interrupted
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from archc.diagnostics import Diagnostic, SpecError, render
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
    """An optional dependency (TensorFlow, Graphviz) is not installed: exit code 3."""


class CommandFailed(Exception):
    """A command failed for a reason already explained in `message`; carries its exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


# -- shared plumbing -----------------------------------------------------------------------------


def _print_diagnostics(diagnostics: Sequence[Diagnostic], stream: Any = None) -> None:
    stream = stream or sys.stderr
    sources: dict[str, str | None] = {}
    for d in diagnostics:
        file = d.span.file if d.span else None
        if file is not None and file not in sources:
            sources[file] = _read_source(file)
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


def _read_source(file: str) -> str | None:
    try:
        with open(file, encoding="utf-8", errors="replace") as handle:
            return handle.read()
    except OSError:
        return None


def _add_spec_options(p: argparse.ArgumentParser, variant: bool = True) -> None:
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
    return Options(
        variant=getattr(args, "variant", None),
        overrides=tuple(overrides),
        caps=Caps(max_nodes=args.max_layers, max_repeat=args.max_repeat,
                  max_input_dim=args.max_input_dim),
        cost_caps=CostCaps(max_params=int(args.max_params),
                           max_activation_bytes=int(args.max_activation_gib * 1024**3)),
        max_bytes=args.max_bytes,
    )


def _compile(path: str, args: argparse.Namespace, stop_after: Stage = Stage.ANALYSE) -> Compiled:
    return compile_file(path, options_from(args), stop_after)


# -- commands ------------------------------------------------------------------------------------


def cmd_summary(args: argparse.Namespace) -> int:
    from archc.backends.report import RENDERERS, build_report
    from archc.ir.printer import format_graph

    compiled = _compile(args.spec, args)
    assert compiled.analysis is not None and compiled.lowered is not None
    if args.dump == "ir":
        print(format_graph(compiled.graph, compiled.lowered.shapes))
        return EXIT_OK
    if args.depth is not None and args.depth < 1:
        raise UsageError("--depth must be at least 1")
    report = build_report(compiled.analysis, args.depth)
    sys.stdout.write(RENDERERS[args.format](report))
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    worst = EXIT_OK
    for path in args.specs:
        try:
            _compile(path, args)
        except SpecError as exc:
            _print_diagnostics(exc.diagnostics)
            worst = max(worst, EXIT_SPEC)
        except OSError as exc:
            print(f"archc: cannot read {path}: {exc.strerror or exc}", file=sys.stderr)
            worst = max(worst, EXIT_USAGE)
        except UsageError as exc:
            print(f"archc: {path}: {exc}", file=sys.stderr)
            worst = max(worst, EXIT_USAGE)
    if worst == EXIT_OK and not args.quiet:
        count = len(args.specs)
        print(f"{count} spec{'s' if count != 1 else ''} ok", file=sys.stderr)
    return worst


def cmd_schema(args: argparse.Namespace) -> int:
    from archc.spec.jsonschema import schema_json

    sys.stdout.write(schema_json())
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "summary": cmd_summary,
    "check": cmd_check,
    "schema": cmd_schema,
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="archc",
        description="Compile CNN architecture specs (YAML) into reports, diagrams and Keras "
        "models.",
    )
    parser.add_argument("--version", action="version", version="archc 0.1.0")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    p = sub.add_parser("summary", help="shapes, params and MACs per layer and block")
    p.add_argument("spec")
    p.add_argument("--format", choices=["table", "json", "markdown", "csv"], default="table")
    p.add_argument("--depth", type=int, default=None,
                   help="show N levels of nesting; deeper blocks fold into one row")
    p.add_argument("--dump", choices=["ir"], help="print an intermediate stage instead")
    _add_spec_options(p)

    p = sub.add_parser("check", help="validate specs; print only diagnostics")
    p.add_argument("specs", nargs="+", metavar="SPEC")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing when all is well")
    _add_spec_options(p)

    sub.add_parser("schema", help="print the spec language's JSON Schema")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except SpecError as exc:
        _print_diagnostics(exc.diagnostics)
        return EXIT_SPEC
    except UsageError as exc:
        print(f"archc: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except CommandFailed as exc:
        print(f"archc: error: {exc}", file=sys.stderr)
        return exc.code
    except MissingDependency as exc:
        print(f"archc: error: {exc}", file=sys.stderr)
        return EXIT_MISSING_DEPENDENCY
    except OSError as exc:
        name = getattr(exc, "filename", None)
        print(f"archc: error: cannot access {name or ''}: {exc.strerror or exc}".replace(
            "access : ", "access: "), file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("archc: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except RecursionError:
        print("archc: internal error: recursion too deep; please report this spec",
              file=sys.stderr)
        return EXIT_INTERNAL
    except Exception as exc:  # a bug in archc: say so plainly, with a way to see the trace
        if os.environ.get("ARCHC_TRACEBACK"):
            raise
        print(f"archc: internal error: {type(exc).__name__}: {exc}\n"
              "This is a bug in archc. Re-run with ARCHC_TRACEBACK=1 for the traceback and "
              "report it with the spec.", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
