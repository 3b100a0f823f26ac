"""The command line: the only package that prints or exits (`commands` prints results,
`plumbing` diagnostics, both through its one escaping writer; this module parses arguments
and maps errors to exit codes, listed in `exit_codes` and docs/diagnostics.md).

Importing this package is cheap: the parser (`parser`), the compile path (`plumbing`) and
each command's module are imported when a command line runs, and only the running
command's module, so `archc summary` never loads what `lint`, `report`, `lsp`, `export`
or `diagram` need.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import os
import sys
from collections.abc import Callable, Sequence

from archc.cli.exit_codes import (
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    EXIT_MISSING_DEPENDENCY,
    EXIT_OK,
    EXIT_SPEC,
    EXIT_USAGE,
)
from archc.spec import pydantic_plugins

__all__ = ["EXIT_INTERNAL", "EXIT_INTERRUPTED", "EXIT_MISSING_DEPENDENCY", "EXIT_OK",
           "EXIT_SPEC", "EXIT_USAGE", "build_parser", "main", "run"]


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command line's parser (archc.cli.parser): every command, and the arguments of
    the one `argv` names (of all of them without `argv`)."""
    from archc.cli.parser import build_parser as build

    return build(argv)


def run() -> None:
    """The console script: `main()` in a process of its own, then exit with its code."""
    # archc uses no pydantic plugin; looking for them costs about 50 ms of a summary. The
    # process is archc's own, so plugins are off here (and not in `main()`, which programs
    # call), unless the user set PYDANTIC_DISABLE_PLUGINS (archc/spec/pydantic_plugins.py).
    pydantic_plugins.disable()
    # The compile path (pydantic, the schema, the IR, the stages) is imported with the cyclic
    # collector off, then frozen: all of it lives until exit and none of it is garbage, yet
    # its allocations would trigger some fifty collections, each walking everything loaded
    # so far, and later ones would walk it again while a large spec is lowered.
    gc.disable()
    try:
        import archc.cli.plumbing  # noqa: F401  (what every spec command needs)

        gc.freeze()
    finally:
        gc.enable()
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
    """Run one command line (`argv`, default `sys.argv[1:]`); return its exit code."""
    from archc.cli.plumbing import (
        CommandFailed,
        MissingDependency,
        forget_stdin,
        print_diagnostics,
        say,
    )
    from archc.diagnostics import SpecError
    from archc.perf import cyclic_gc_paused
    from archc.pipeline import UsageError

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
