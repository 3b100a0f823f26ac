"""The command line: the only package that prints or exits (`commands` prints results,
`plumbing` diagnostics, both through its one escaping writer; this module parses arguments
and maps errors to exit codes).

Exit codes (also in docs/diagnostics.md):
    0  success (warnings allowed unless --strict)
    1  the spec has errors (located diagnostics were printed)
    2  usage or I/O problem (bad arguments, unreadable file, unknown variant)
    3  an optional dependency is missing (Keras and its backend for build and export,
       onnx and onnxruntime for export to ONNX, Graphviz `dot` for rendering, pygls for lsp)
    4  internal error: a bug in archc (please report it with the spec)
  130  interrupted
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
from collections.abc import Sequence

from archc.cli import explain, export
from archc.cli.commands import COMMANDS
from archc.cli.plumbing import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_MISSING_DEPENDENCY,
    EXIT_OK,
    EXIT_SPEC,
    EXIT_USAGE,
    SPEC_HELP,
    CommandFailed,
    MissingDependency,
    add_spec_options,
    forget_stdin,
    print_diagnostics,
    say,
)
from archc.diagnostics import SpecError
from archc.outputs import OutputPathError
from archc.perf import cyclic_gc_paused
from archc.pipeline import UsageError

__all__ = ["EXIT_INTERNAL", "EXIT_INTERRUPTED", "EXIT_MISSING_DEPENDENCY", "EXIT_OK",
           "EXIT_SPEC", "EXIT_USAGE", "build_parser", "main", "run"]


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
    p.add_argument("spec", help=SPEC_HELP)
    p.add_argument("--format", choices=["table", "json", "markdown", "csv"], default="table")
    p.add_argument("--depth", type=int, default=None,
                   help="show N levels of nesting; deeper blocks fold into one row")
    p.add_argument("--dump", choices=["ir"], help="print an intermediate stage instead")
    p.add_argument("--costs", action="store_true",
                   help="per layer, the multiplication formula with its numbers filled in")
    p.add_argument("--all-variants", action="store_true",
                   help="one row per variant: params, trainable, MACs, FLOPs")
    add_spec_options(p)

    p = sub.add_parser("check", help="validate specs; print only diagnostics")
    p.add_argument("specs", nargs="+", metavar="SPEC", help=SPEC_HELP)
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing when all is well")
    add_spec_options(p)

    sub.add_parser("schema", help="print the spec language's JSON Schema")

    p = sub.add_parser("lsp", help="language server for editors, over stdio (needs pygls)")
    p.add_argument("--variant", help="variant whose figures hover shows, in specs that "
                   "have it (default: each spec's default_variant)")

    p = sub.add_parser("zoo", help="list the networks that ship with archc, or copy one out",
                       description="Without an action: list the zoo (name, variants, source).")
    actions = p.add_subparsers(dest="zoo_command", metavar="ACTION")
    c = actions.add_parser("copy", help="write one zoo spec to DIR/NAME.yaml")
    c.add_argument("name", metavar="NAME", help="a name from `archc zoo`")
    c.add_argument("-o", "--output", default=".", metavar="DIR",
                   help="directory to write to (default: the current one)")
    c.add_argument("--force", action="store_true", help="replace a different existing file")
    c.add_argument("-q", "--quiet", action="store_true", help="no message on success")

    p = sub.add_parser("lint", help="design warnings (5x5 -> 3x3, LRN, filter doubling, ...)")
    p.add_argument("specs", nargs="*", metavar="SPEC", help=SPEC_HELP)
    p.add_argument("--enable", action="append", default=[], metavar="RULE",
                   help="turn a rule on (code or name; repeatable, comma lists allowed)")
    p.add_argument("--disable", action="append", default=[], metavar="RULE",
                   help="turn a rule off (code or name; repeatable, comma lists allowed)")
    p.add_argument("--strict", action="store_true", help="exit 1 if there is any warning")
    p.add_argument("--list-rules", action="store_true", help="print the rules and exit")
    p.add_argument("--format", choices=["text", "json"], default="text",
                   help="json: one document with every warning, for editors and CI")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing for clean specs")
    add_spec_options(p)

    p = sub.add_parser("compare", help="two specs or two variants side by side, per block")
    p.add_argument("specs", nargs="+", metavar="SPEC", help=SPEC_HELP)
    p.add_argument("--variants", nargs=2, metavar=("V1", "V2"),
                   help="compare two variants of one spec")
    p.add_argument("--format", choices=["table", "json"], default="table")
    add_spec_options(p)

    p = sub.add_parser("build", help="compile a spec into a Keras model file (.keras)")
    p.add_argument("spec", help=SPEC_HELP)
    p.add_argument("-o", "--output", default="build", metavar="DIR",
                   help="directory for <spec>[-<variant>].keras (default %(default)s)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress messages on stderr")
    add_spec_options(p)

    add_spec_options(export.add_parser(sub))
    explain.add_parser(sub)

    p = sub.add_parser("diagram", help="draw the spec's structure with Graphviz (SVG, PNG, ...)")
    p.add_argument("spec", help=SPEC_HELP)
    p.add_argument("-o", "--output", metavar="PATH",
                   help="output file (default <spec>[-<variant>].<format> here; `-` with "
                   "--format gv: standard output)")
    p.add_argument("--format", choices=["svg", "png", "pdf", "gv"], default=None,
                   help="output format (default: from -o's suffix, else svg); gv is the DOT "
                   "text and needs no Graphviz")
    p.add_argument("--depth", type=int, default=None,
                   help="show N levels of nesting; deeper blocks collapse into one box")
    p.add_argument("--rankdir", choices=["TB", "LR", "BT", "RL"], default="TB",
                   help="layout direction (default %(default)s)")
    p.add_argument("--no-fold", action="store_true",
                   help="do not fold identical consecutive blocks into one `x N` box")
    p.add_argument("--receptive-field", action="store_true",
                   help="show each box's receptive field (size /jump, in input pixels)")
    p.add_argument("--max-nodes", type=int, default=2000,
                   help="node cap; larger drawings collapse automatically (default %(default)s)")
    p.add_argument("--timeout", type=float, default=120.0,
                   help="seconds to allow `dot`, at most 86400 (default %(default)s)")
    p.add_argument("-q", "--quiet", action="store_true", help="no message on success")
    add_spec_options(p)

    p = sub.add_parser("report", help="one offline HTML page to explore specs in a browser")
    p.add_argument("specs", nargs="+", metavar="SPEC",
                   help="one spec (all its variants, or --variant's), or several side by side")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="output file (default <spec>[-<spec2>...][-<variant>].html here; `-`: "
                   "standard output)")
    p.add_argument("--depth", type=int, default=None,
                   help="open with blocks N or more levels deep collapsed (default: all "
                   "expanded; the page can change it)")
    p.add_argument("-q", "--quiet", action="store_true", help="no message on success")
    add_spec_options(p)
    return parser


def run() -> None:
    """The console script: `main()` in a process of its own, then exit with its code."""
    # Everything alive now (modules, schema classes) lives until exit: keep the cyclic
    # collector from re-scanning it on every collection while a large spec is lowered.
    gc.freeze()
    sys.exit(main())


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    forget_stdin()
    try:
        if args.command == "explain":
            return explain.cmd_explain(args)
        if args.command == "export":
            return export.cmd_export(args)  # Keras makes cyclic garbage: collector on
        if args.command in ("build", "lsp"):  # Keras makes cyclic garbage; a server runs
            return COMMANDS[args.command](args)  # for hours: leave the collector on
        with cyclic_gc_paused():  # the spec commands allocate acyclic data only
            return COMMANDS[args.command](args)
    except SpecError as exc:
        print_diagnostics(exc.diagnostics, known=exc.sources)
        return EXIT_SPEC
    except UsageError as exc:
        say(f"archc: error: {exc}")
        return EXIT_USAGE
    except OutputPathError as exc:  # a target that changed kind after it was checked
        say(f"archc: error: {exc}")
        return EXIT_USAGE
    except CommandFailed as exc:
        say(f"archc: error: {exc}")
        return exc.code
    except MissingDependency as exc:
        say(f"archc: error: {exc}")
        return EXIT_MISSING_DEPENDENCY
    except BrokenPipeError:
        # `archc summary ... | head`: the reader left; that is not an error worth a message.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:
        name = getattr(exc, "filename", None)
        say(f"archc: error: cannot access {name or ''}: {exc.strerror or exc}".replace(
            "access : ", "access: "))
        return EXIT_USAGE
    except KeyboardInterrupt:
        say("archc: interrupted")
        return EXIT_INTERRUPTED
    except RecursionError:
        say("archc: internal error: recursion too deep; please report this spec")
        return EXIT_INTERNAL
    except Exception as exc:  # a bug in archc: say so plainly, with a way to see the trace
        if os.environ.get("ARCHC_TRACEBACK"):
            raise
        say(f"archc: internal error: {type(exc).__name__}: {exc}")
        say("This is a bug in archc. Re-run with ARCHC_TRACEBACK=1 for the traceback and "
            "report it with the spec.")
        return EXIT_INTERNAL

if __name__ == "__main__":  # pragma: no cover
    run()

