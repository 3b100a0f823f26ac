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
from collections.abc import Callable, Sequence

from archc.cli.parser import build_parser
from archc.cli.plumbing import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_MISSING_DEPENDENCY,
    EXIT_OK,
    EXIT_SPEC,
    EXIT_USAGE,
    CommandFailed,
    MissingDependency,
    forget_stdin,
    print_diagnostics,
    say,
)
from archc.diagnostics import SpecError
from archc.perf import cyclic_gc_paused
from archc.pipeline import UsageError

__all__ = ["EXIT_INTERNAL", "EXIT_INTERRUPTED", "EXIT_MISSING_DEPENDENCY", "EXIT_OK",
           "EXIT_SPEC", "EXIT_USAGE", "build_parser", "main", "run"]


def run() -> None:
    """The console script: `main()` in a process of its own, then exit with its code."""
    # Everything alive now (modules, schema classes) lives until exit: keep the cyclic
    # collector from re-scanning it on every collection while a large spec is lowered.
    gc.freeze()
    sys.exit(main())


COLLECTOR_ON = frozenset({"build", "export", "lsp", "explain"})
"""Commands run with the cyclic collector on: Keras makes cyclic garbage, and a language
server runs for hours. The spec commands allocate acyclic data only and run without it."""


def command(name: str) -> Callable[[argparse.Namespace], int]:
    """The function `cmd_<name>` of command `name`, its module imported only now.

    `export` and `explain` have modules of their own, every other command is in
    `commands`; what each command needs beyond that it imports inside its function. So a
    command's start-up pays for that command alone: `archc summary` loads no lint, report
    page, language server, export or Graphviz module (tests/test_cli_startup.py).
    """
    if name == "export":
        from archc.cli import export

        return export.cmd_export
    if name == "explain":
        from archc.cli import explain

        return explain.cmd_explain
    from archc.cli import commands

    function: Callable[[argparse.Namespace], int] = getattr(commands, f"cmd_{name}")
    return function


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(words).parse_args(words)
    forget_stdin()
    try:
        run_command = command(args.command)
        if args.command in COLLECTOR_ON:
            return run_command(args)
        with cyclic_gc_paused():
            return run_command(args)
    except SpecError as exc:
        print_diagnostics(exc.diagnostics, known=exc.sources)
        return EXIT_SPEC
    except UsageError as exc:
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
    except Exception as exc:
        if _refused_output(exc):  # a target that changed kind after it was checked
            say(f"archc: error: {exc}")
            return EXIT_USAGE
        # A bug in archc: say so plainly, with a way to see the trace.
        if os.environ.get("ARCHC_TRACEBACK"):
            raise
        say(f"archc: internal error: {type(exc).__name__}: {exc}")
        say("This is a bug in archc. Re-run with ARCHC_TRACEBACK=1 for the traceback and "
            "report it with the spec.")
        return EXIT_INTERNAL



def _refused_output(exc: Exception) -> bool:
    """Whether `exc` is the output policy's refusal (archc.outputs.OutputPathError).

    Read from `sys.modules` so that commands that write nothing never import archc.outputs:
    if it was not imported, nothing raised its error.
    """
    outputs = sys.modules.get("archc.outputs")
    return outputs is not None and isinstance(exc, outputs.OutputPathError)


if __name__ == "__main__":  # pragma: no cover
    run()
