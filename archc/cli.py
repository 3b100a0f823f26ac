"""The command line: the only module that prints or exits.

Exit codes (also in docs/diagnostics.md):
    0  success (warnings allowed unless --strict)
    1  the spec has errors (located diagnostics were printed)
    2  usage or I/O problem (bad arguments, unreadable file, unknown variant)
    3  an optional dependency is missing (TensorFlow for build, Graphviz `dot` for rendering,
       pygls for lsp)
    4  internal error: a bug in archc (please report it with the spec)
  130  interrupted
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import math
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from archc.diagnostics import Diagnostic, SpecError, render, visible
from archc.lower import Caps
from archc.outputs import OutputPathError
from archc.passes.analysis import CostCaps
from archc.perf import cyclic_gc_paused
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


def _out(text: str, stream: Any = None) -> None:
    """The one way the CLI writes (standard output by default).

    Every control character is escaped on the way out (`visible`), so nothing a spec or a
    command line holds reaches a terminal or log raw. Newlines stay: the renderers escape
    them inside fields, so a table keeps its lines and a field cannot add one.
    """
    (stream or sys.stdout).write(visible(text, keep_layout=True))


def _say(message: str, stream: Any = None) -> None:
    """One message line (standard error by default); a newline inside it is escaped too."""
    _out(visible(message) + "\n", stream or sys.stderr)


def _print_diagnostics(diagnostics: Sequence[Diagnostic], stream: Any = None,
                       known: Mapping[str, str] | None = None) -> None:
    """Render `diagnostics`; `known` holds the text compiled per file (else it is re-read)."""
    stream = stream or sys.stderr
    sources: dict[str, str | None] = dict(known or {})
    for d in diagnostics:
        file = d.span.file if d.span else None
        if file is not None and file not in sources:
            sources[file] = _read_source(file)
        _out(render(d, sources.get(file) if file else None) + "\n", stream)
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = len(diagnostics) - errors
    if errors or warnings:
        parts = []
        if errors:
            parts.append(f"{errors} error{'s' if errors != 1 else ''}")
        if warnings:
            parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
        _out(", ".join(parts) + "\n", stream)


def _read_source(file: str) -> str | None:
    # Bounded: the spec may be /dev/zero or a pipe, and the loader read only its size cap.
    try:
        with open(file, encoding="utf-8", errors="replace") as handle:
            return handle.read(_MAX_SOURCE_CHARS)
    except OSError:
        return None


_MAX_SOURCE_CHARS = 16 * 1024 * 1024  # 4x the default size cap; only for showing lines


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


def _compile(path: str, args: argparse.Namespace, stop_after: Stage = Stage.ANALYSE) -> Compiled:
    return compile_file(path, options_from(args), stop_after)


# -- commands ------------------------------------------------------------------------------------


def cmd_summary(args: argparse.Namespace) -> int:
    from archc.backends.report import RENDERERS, build_report
    from archc.ir.printer import format_graph

    if getattr(args, "all_variants", False) or getattr(args, "costs", False):
        return _summary_costs(args)
    compiled = _compile(args.spec, args)
    assert compiled.analysis is not None and compiled.lowered is not None
    if args.dump == "ir":
        _out(format_graph(compiled.graph, compiled.lowered.shapes) + "\n")
        return EXIT_OK
    if args.depth is not None and args.depth < 1:
        raise UsageError("--depth must be at least 1")
    report = build_report(compiled.analysis, args.depth)
    _out(RENDERERS[args.format](report))
    return EXIT_OK


def _summary_costs(args: argparse.Namespace) -> int:
    """`summary --all-variants` (one row per variant) and `summary --costs` (formulas)."""
    from archc.backends import formulas, variants

    if args.all_variants and (args.costs or args.dump or args.variant or args.depth):
        raise UsageError("--all-variants cannot be combined with --costs, --dump, --variant "
                         "or --depth")
    if args.costs and (args.dump or args.depth or args.format != "table"):
        raise UsageError("--costs prints a table; it cannot be combined with --dump, --depth "
                         "or --format")
    if args.costs:
        compiled = _compile(args.spec, args)
        assert compiled.analysis is not None
        _out(formulas.render_costs(compiled.analysis))
        return EXIT_OK
    first = _compile(args.spec, args)
    assert first.header is not None and first.analysis is not None
    names = list(first.header.variants)
    analyses = []
    for name in names:
        args.variant = name
        compiled = _compile(args.spec, args)
        assert compiled.analysis is not None
        analyses.append((name, compiled.analysis))
    if not analyses:
        analyses = [("(default)", first.analysis)]
    rows = variants.variant_rows(analyses)
    _out(variants.RENDERERS[args.format](first.graph.name, rows))
    return EXIT_OK


def cmd_lint(args: argparse.Namespace) -> int:
    """Warnings from the design rules in archc/lint; exit 1 only for errors or --strict."""
    from archc.lint import RULES, config_for, lint_compiled

    if args.list_rules:
        for rule in RULES:
            state = "on " if rule.enabled_by_default else "off"
            _out(f"{rule.code}  {rule.name:<20} {state}  {rule.summary}\n")
        return EXIT_OK
    if not args.specs:
        raise UsageError("lint needs at least one SPEC (or --list-rules)")
    worst, found = EXIT_OK, 0
    results = []
    for path in args.specs:
        try:
            compiled = _compile(path, args)
            config = config_for(compiled, args.enable, args.disable)
        except SpecError as exc:
            _print_diagnostics(exc.diagnostics, known=exc.sources)
            worst = max(worst, EXIT_SPEC)
            continue
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        warnings = lint_compiled(compiled, config)
        found += len(warnings)
        results.append((path, warnings))
        if args.format == "json":
            continue
        _print_diagnostics(warnings, sys.stdout, {compiled.doc.file: compiled.doc.source})
        if not warnings and not args.quiet:
            _say(f"{path}: no lint findings")
    if args.format == "json":
        from archc.lint.report import render_json

        _out(render_json(results))
    if args.strict and found:
        worst = max(worst, EXIT_SPEC)
    return worst


def cmd_compare(args: argparse.Namespace) -> int:
    """Two specs, or two variants of one spec, side by side per top-level block."""
    from archc.backends.compare import RENDERERS, compare

    if args.variants:
        if len(args.specs) != 1 or len(args.variants) != 2:
            raise UsageError("compare SPEC --variants V1 V2 takes one spec and two variants")
        runs = [(args.specs[0], v) for v in args.variants]
    else:
        if len(args.specs) != 2:
            raise UsageError("compare takes two specs (A B), or one spec and --variants V1 V2")
        runs = [(p, args.variant) for p in args.specs]
    analyses = []
    for path, variant in runs:
        args.variant = variant
        compiled = _compile(path, args)
        assert compiled.analysis is not None
        analyses.append(compiled.analysis)
    _out(RENDERERS[args.format](compare(analyses[0], analyses[1])))
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    worst = EXIT_OK
    for path in args.specs:
        try:
            _compile(path, args)
        except SpecError as exc:
            _print_diagnostics(exc.diagnostics, known=exc.sources)
            worst = max(worst, EXIT_SPEC)
        except OSError as exc:
            _say(f"archc: cannot read {path}: {exc.strerror or exc}")
            worst = max(worst, EXIT_USAGE)
        except UsageError as exc:
            _say(f"archc: {path}: {exc}")
            worst = max(worst, EXIT_USAGE)
    if worst == EXIT_OK and not args.quiet:
        count = len(args.specs)
        _say(f"{count} spec{'s' if count != 1 else ''} ok")
    return worst


def cmd_schema(args: argparse.Namespace) -> int:
    from archc.spec.jsonschema import schema_json

    _out(schema_json())
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    """Compile a spec into a checked `.keras` file (TensorFlow imported only here)."""
    from pathlib import Path

    from archc.backends.keras import BuildMismatch, KerasUnavailable, build_model, save_model
    from archc.outputs import (
        OutputPathError,
        check_output_directory,
        check_target,
        safe_output_path,
    )

    try:  # the output policy (archc/outputs.py): every target is checked before any work
        check_output_directory(args.output)
    except OutputPathError as exc:
        raise UsageError(f"-o {args.output}: {exc}") from None
    compiled = _compile(args.spec, args)
    assert compiled.analysis is not None
    spec_stem = "stdin" if args.spec == "-" else Path(args.spec).stem
    stem = spec_stem + (f"-{compiled.variant}" if compiled.variant else "")
    try:
        target = safe_output_path(args.output, f"{stem}.keras")
        check_target(target, [args.spec])
    except OutputPathError as exc:
        raise UsageError(str(exc)) from None

    def progress(message: str) -> None:
        if not args.quiet:
            _say(f"archc: {message}")
            sys.stderr.flush()

    try:
        model = build_model(compiled, progress)
    except KerasUnavailable as exc:
        raise MissingDependency(str(exc)) from None
    except BuildMismatch as exc:
        raise CommandFailed(f"internal error: {exc}. This is a bug in archc; please report "
                            "it with the spec.", EXIT_INTERNAL) from None
    save_model(model, str(target), progress)
    total = compiled.analysis.total
    label = compiled.graph.name + (f" [{compiled.variant}]" if compiled.variant else "")
    _say(f"{label}: {total.params:,} params ({total.trainable:,} trainable), "
         f"{total.macs:,} MACs -> {target}", sys.stdout)
    return EXIT_OK


def cmd_diagram(args: argparse.Namespace) -> int:
    """Draw a spec with Graphviz (no TensorFlow); without `dot`, write the DOT and exit 3."""
    from pathlib import Path

    from archc.backends.graphviz import DiagramOptions, build_diagram
    from archc.backends.graphviz.output import DiagramWriteError, default_name, write_diagram
    from archc.backends.graphviz.render import FORMATS, INSTALL_HINT
    from archc.outputs import OutputPathError, check_target, safe_output_path

    if args.depth is not None and args.depth < 1:
        raise UsageError("--depth must be at least 1")
    if args.max_nodes < 1:
        raise UsageError("--max-nodes must be positive")
    if not (math.isfinite(args.timeout) and 0 < args.timeout <= MAX_TIMEOUT):
        raise UsageError(f"--timeout must be a number of seconds between 0 and "
                         f"{MAX_TIMEOUT:,.0f}; received {args.timeout}")
    suffix = Path(args.output).suffix.lstrip(".") if args.output else ""
    fmt = args.format or (suffix if suffix in FORMATS else "svg")
    if args.output == "-" and fmt != "gv":
        raise UsageError("-o - (standard output) needs --format gv")
    compiled = _compile(args.spec, args)
    assert compiled.analysis is not None
    target = None
    if args.output != "-":
        # The output policy (archc/outputs.py): check the target before drawing or `dot`.
        out = Path(args.output or default_name(args.spec, compiled.variant, fmt))
        try:
            target = safe_output_path(out.parent, out.name)
            check_target(target, [args.spec])
        except OutputPathError as exc:
            raise UsageError(str(exc)) from None
    diagram = build_diagram(compiled.analysis, DiagramOptions(
        args.depth, args.rankdir, not args.no_fold, args.max_nodes,
        fields=args.receptive_field))
    for notice in diagram.notices:
        _say(f"archc: note: {notice}")
    if target is None:
        _out(diagram.source)
        return EXIT_OK
    try:
        write_diagram(diagram, target, fmt, args.timeout, [args.spec])
    except DiagramWriteError as exc:
        saved = f"wrote the DOT text to {exc.dot_file} instead" if exc.dot_file else \
            f"did not save the DOT text ({exc.skipped})"
        message = f"[{exc.code}] {exc}; {saved}"
        if exc.code == "D001":
            raise MissingDependency(f"{message}. To render, {INSTALL_HINT}; or use "
                                    "--format gv") from None
        hint = "raise --timeout or draw less with --depth N" if exc.code == "D003" else \
            "this is a bug in archc or Graphviz; please report it with the spec"
        raise CommandFailed(f"{message} ({hint})",
                            EXIT_USAGE if exc.code == "D003" else EXIT_INTERNAL) from None
    if not args.quiet:
        _say(f"archc: wrote {target}")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    """One self-contained HTML page to explore specs in a browser (no network, no TensorFlow).

    Every variant of each spec is included (a switch in the page), or only `--variant`'s.
    """
    from pathlib import Path

    from archc.backends.html import model_data, render_page
    from archc.lint import config_for, lint_compiled
    from archc.outputs import OutputPathError, check_target, safe_output_path, write_text_atomic

    if args.depth is not None and args.depth < 1:
        raise UsageError("--depth must be at least 1")
    target = None
    if args.output != "-":
        # The output policy (archc/outputs.py): the target is checked before any spec is
        # compiled; it is never one of the specs, nor anything but a regular file.
        if args.output:
            out = Path(args.output)
        else:
            stems = ["stdin" if p == "-" else Path(p).stem for p in args.specs]
            out = Path("-".join(stems) + (f"-{args.variant}" if args.variant else "") + ".html")
        try:
            target = safe_output_path(out.parent, out.name)
            check_target(target, args.specs)
        except OutputPathError as exc:
            raise UsageError(str(exc)) from None
    models: list[dict[str, Any]] = []
    initial, chosen = 0, args.variant
    for path in args.specs:
        args.variant = chosen
        first = _compile(path, args)
        assert first.header is not None
        names: list[str | None] = [chosen] if chosen else [*first.header.variants] or [None]
        for name in names:
            args.variant = name
            compiled = first if name == first.variant else _compile(path, args)
            assert compiled.analysis is not None
            if path == args.specs[0] and name == first.variant:
                initial = len(models)
            findings = lint_compiled(compiled, config_for(compiled))
            models.append(model_data(compiled.analysis, path, compiled.doc.source, findings))
    page = render_page(models, args.depth, initial)
    if target is None:
        _out(page)
        return EXIT_OK
    write_text_atomic(target, page)
    if not args.quiet:
        _say(f"archc: wrote {target} ({len(models)} network{'s' if len(models) != 1 else ''})")
    return EXIT_OK


def cmd_lsp(args: argparse.Namespace) -> int:
    """The language server on stdio (needs pygls; exit 3 without it)."""
    from archc.lsp import ServerUnavailable, serve

    try:
        serve(args.variant)
    except ServerUnavailable as exc:
        raise MissingDependency(str(exc)) from None
    return EXIT_OK


COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "lint": cmd_lint,
    "compare": cmd_compare,
    "build": cmd_build,
    "diagram": cmd_diagram,
    "summary": cmd_summary,
    "check": cmd_check,
    "schema": cmd_schema,
    "report": cmd_report,
    "lsp": cmd_lsp,
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
    p.add_argument("--costs", action="store_true",
                   help="per layer, the multiplication formula with its numbers filled in")
    p.add_argument("--all-variants", action="store_true",
                   help="one row per variant: params, trainable, MACs, FLOPs")
    _add_spec_options(p)

    p = sub.add_parser("check", help="validate specs; print only diagnostics")
    p.add_argument("specs", nargs="+", metavar="SPEC")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing when all is well")
    _add_spec_options(p)

    sub.add_parser("schema", help="print the spec language's JSON Schema")

    p = sub.add_parser("lsp", help="language server for editors, over stdio (needs pygls)")
    p.add_argument("--variant", help="variant whose figures hover shows, in specs that "
                   "have it (default: each spec's default_variant)")

    p = sub.add_parser("lint", help="design warnings (5x5 -> 3x3, LRN, filter doubling, ...)")
    p.add_argument("specs", nargs="*", metavar="SPEC")
    p.add_argument("--enable", action="append", default=[], metavar="RULE",
                   help="turn a rule on (code or name; repeatable, comma lists allowed)")
    p.add_argument("--disable", action="append", default=[], metavar="RULE",
                   help="turn a rule off (code or name; repeatable, comma lists allowed)")
    p.add_argument("--strict", action="store_true", help="exit 1 if there is any warning")
    p.add_argument("--list-rules", action="store_true", help="print the rules and exit")
    p.add_argument("--format", choices=["text", "json"], default="text",
                   help="json: one document with every warning, for editors and CI")
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing for clean specs")
    _add_spec_options(p)

    p = sub.add_parser("compare", help="two specs or two variants side by side, per block")
    p.add_argument("specs", nargs="+", metavar="SPEC")
    p.add_argument("--variants", nargs=2, metavar=("V1", "V2"),
                   help="compare two variants of one spec")
    p.add_argument("--format", choices=["table", "json"], default="table")
    _add_spec_options(p)

    p = sub.add_parser("build", help="compile a spec into a Keras model file (.keras)")
    p.add_argument("spec")
    p.add_argument("-o", "--output", default="build", metavar="DIR",
                   help="directory for <spec>[-<variant>].keras (default %(default)s)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress messages on stderr")
    _add_spec_options(p)

    p = sub.add_parser("diagram", help="draw the spec's structure with Graphviz (SVG, PNG, ...)")
    p.add_argument("spec")
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
    _add_spec_options(p)

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
    _add_spec_options(p)
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
    try:
        if args.command in ("build", "lsp"):  # Keras makes cyclic garbage; a server runs
            return COMMANDS[args.command](args)  # for hours: leave the collector on
        with cyclic_gc_paused():  # the spec commands allocate acyclic data only
            return COMMANDS[args.command](args)
    except SpecError as exc:
        _print_diagnostics(exc.diagnostics, known=exc.sources)
        return EXIT_SPEC
    except UsageError as exc:
        _say(f"archc: error: {exc}")
        return EXIT_USAGE
    except OutputPathError as exc:  # a target that changed kind after it was checked
        _say(f"archc: error: {exc}")
        return EXIT_USAGE
    except CommandFailed as exc:
        _say(f"archc: error: {exc}")
        return exc.code
    except MissingDependency as exc:
        _say(f"archc: error: {exc}")
        return EXIT_MISSING_DEPENDENCY
    except BrokenPipeError:
        # `archc summary ... | head`: the reader left; that is not an error worth a message.
        with contextlib.suppress(OSError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except OSError as exc:
        name = getattr(exc, "filename", None)
        _say(f"archc: error: cannot access {name or ''}: {exc.strerror or exc}".replace(
            "access : ", "access: "))
        return EXIT_USAGE
    except KeyboardInterrupt:
        _say("archc: interrupted")
        return EXIT_INTERRUPTED
    except RecursionError:
        _say("archc: internal error: recursion too deep; please report this spec")
        return EXIT_INTERNAL
    except Exception as exc:  # a bug in archc: say so plainly, with a way to see the trace
        if os.environ.get("ARCHC_TRACEBACK"):
            raise
        _say(f"archc: internal error: {type(exc).__name__}: {exc}")
        _say("This is a bug in archc. Re-run with ARCHC_TRACEBACK=1 for the traceback and "
             "report it with the spec.")
        return EXIT_INTERNAL


if __name__ == "__main__":  # pragma: no cover
    run()
