"""The commands: each prints its result and returns an exit code.

They run the pipeline (or the API) and hand the analysis to a backend or to lint; the
parser lives in `archc.cli.parser`, the error-to-exit-code mapping in `archc.cli`. What a
command needs beyond the pipeline it imports inside its function, so that each command's
start-up pays for that command alone. A command that writes a file checks its target with
`plumbing.checked_target` (or `checked_path`) before it compiles or renders anything.
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import Any

from archc.cli.exit_codes import EXIT_INTERNAL, EXIT_OK, EXIT_SPEC, EXIT_USAGE
from archc.cli.plumbing import (
    MAX_TIMEOUT,
    CommandFailed,
    MissingDependency,
    checked_directory,
    checked_path,
    checked_target,
    compile_spec,
    options_from,
    out,
    print_diagnostics,
    say,
    stem,
)
from archc.diagnostics import SpecError
from archc.pipeline import UsageError, VariantRun, plan_variants

# -- commands ------------------------------------------------------------------------------------


def cmd_summary(args: argparse.Namespace) -> int:
    from archc.backends.summary import RENDERERS, build_report
    from archc.ir.printer import format_graph

    if getattr(args, "all_variants", False) or getattr(args, "costs", False):
        return _summary_costs(args)
    compiled = compile_spec(args.spec, args)
    assert compiled.analysis is not None and compiled.lowered is not None
    if args.dump == "ir":
        out(format_graph(compiled.graph, compiled.lowered.shapes) + "\n")
        return EXIT_OK
    if args.depth is not None and args.depth < 1:
        raise UsageError("--depth must be at least 1")
    report = build_report(compiled.analysis, args.depth)
    out(RENDERERS[args.format](report))
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
        compiled = compile_spec(args.spec, args)
        assert compiled.analysis is not None
        out(formulas.render_costs(compiled.analysis))
        return EXIT_OK
    first = compile_spec(args.spec, args)
    assert first.header is not None and first.analysis is not None
    names = plan_variants(first, options_from(args))  # C013 before any variant compiles
    run = VariantRun(first, options_from(args))
    analyses = []
    for name in names:
        args.variant = name
        compiled = compile_spec(args.spec, args)
        assert compiled.analysis is not None
        run.add(compiled)
        analyses.append((name, compiled.analysis))
    if not analyses:
        analyses = [("(default)", first.analysis)]
    rows = variants.variant_rows(analyses)
    out(variants.RENDERERS[args.format](first.graph.name, rows))
    return EXIT_OK


def cmd_lint(args: argparse.Namespace) -> int:
    """Warnings from the design rules in archc/lint; exit 1 only for errors or --strict."""
    from archc.lint import RULES, config_for, lint

    if args.list_rules:
        for rule in RULES:
            state = "on " if rule.enabled_by_default else "off"
            out(f"{rule.code}  {rule.name:<20} {state}  {rule.summary}\n")
        return EXIT_OK
    if not args.specs:
        raise UsageError("lint needs at least one SPEC (or --list-rules)")
    worst, found = EXIT_OK, 0
    results = []
    for path in args.specs:
        try:
            compiled = compile_spec(path, args)
            assert compiled.header is not None
            config = config_for(compiled.doc, compiled.header.lint, args.enable, args.disable)
        except SpecError as exc:
            print_diagnostics(exc.diagnostics, known=exc.sources)
            worst = max(worst, EXIT_SPEC)
            continue
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        assert compiled.analysis is not None
        warnings = lint(compiled.analysis, config)
        found += len(warnings)
        results.append((path, warnings))
        if args.format == "json":
            continue
        from archc.lint.report import group_by_line

        print_diagnostics(group_by_line(warnings), sys.stdout,
                          {compiled.doc.file: compiled.doc.source})
        if not warnings and not args.quiet:
            say(f"{path}: no lint findings")
    if args.format == "json":
        from archc.lint.report import render_json

        out(render_json(results))
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
        compiled = compile_spec(path, args)
        assert compiled.analysis is not None
        analyses.append(compiled.analysis)
    out(RENDERERS[args.format](compare(analyses[0], analyses[1])))
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    worst = EXIT_OK
    for path in args.specs:
        try:
            compile_spec(path, args)
        except SpecError as exc:
            print_diagnostics(exc.diagnostics, known=exc.sources)
            worst = max(worst, EXIT_SPEC)
        except OSError as exc:
            say(f"archc: cannot read {path}: {exc.strerror or exc}")
            worst = max(worst, EXIT_USAGE)
        except UsageError as exc:
            say(f"archc: {path}: {exc}")
            worst = max(worst, EXIT_USAGE)
    if worst == EXIT_OK and not args.quiet:
        count = len(args.specs)
        out(f"{count} spec{'s' if count != 1 else ''} ok\n")  # the verdict: standard output
    return worst


def cmd_schema(args: argparse.Namespace) -> int:
    from archc.spec.jsonschema import schema_json

    out(schema_json())
    return EXIT_OK


def cmd_zoo(args: argparse.Namespace) -> int:
    """`archc zoo`: the networks that ship with archc; `archc zoo copy NAME`: write one out."""
    from archc.zoo import catalogue, read_bytes, render_catalogue, schema_hint

    if args.zoo_command is None:
        out(render_catalogue(catalogue()))
        return EXIT_OK
    from archc.outputs import write_bytes_atomic

    data = read_bytes(args.name)
    target = checked_target(args.output, f"{args.name.removesuffix('.yaml')}.yaml")
    if target.exists() and not args.force and target.read_bytes() != data:
        raise UsageError(f"{target} exists and differs from the zoo's; --force replaces it")
    write_bytes_atomic(target, data)
    if not args.quiet:
        say(f"archc: wrote {target}")
        hint = schema_hint(data, target)
        if hint:
            say(hint)
    return EXIT_OK


def cmd_build(args: argparse.Namespace) -> int:
    """Compile a spec into a checked `.keras` file (TensorFlow imported only here)."""

    from archc.backends.keras import BuildMismatch, KerasUnavailable, build_model, save_model

    checked_directory(args.output)  # before the spec is compiled: its name needs the variant
    compiled = compile_spec(args.spec, args)
    assert compiled.analysis is not None
    base = stem(args.spec) + (f"-{compiled.variant}" if compiled.variant else "")
    target = checked_target(args.output, f"{base}.keras", [args.spec])

    def progress(message: str) -> None:
        if not args.quiet:
            say(f"archc: {message}")
            sys.stderr.flush()

    try:
        model = build_model(compiled.analysis, progress)
    except KerasUnavailable as exc:
        raise MissingDependency(str(exc)) from None
    except BuildMismatch as exc:
        raise CommandFailed(f"internal error: {exc}. This is a bug in archc; please report "
                            "it with the spec.", EXIT_INTERNAL) from None
    save_model(model, str(target), progress)
    total = compiled.analysis.total
    label = compiled.graph.name + (f" [{compiled.variant}]" if compiled.variant else "")
    say(f"{label}: {total.params:,} params ({total.trainable:,} trainable), "
        f"{total.macs:,} MACs -> {target}", sys.stdout)
    return EXIT_OK


def cmd_diagram(args: argparse.Namespace) -> int:
    """Draw a spec with Graphviz (no TensorFlow); without `dot`, write the DOT and exit 3."""
    from pathlib import Path

    from archc.backends.graphviz import DiagramOptions, build_diagram
    from archc.backends.graphviz.output import DiagramWriteError, default_name, write_diagram
    from archc.backends.graphviz.render import FORMATS, INSTALL_HINT

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
    compiled = compile_spec(args.spec, args)
    assert compiled.analysis is not None
    target = None  # checked before drawing or running `dot`
    if args.output != "-":
        target = checked_path(args.output or default_name(stem(args.spec), compiled.variant,
                                                          fmt), [args.spec])
    diagram = build_diagram(compiled.analysis, DiagramOptions(
        args.depth, args.rankdir, not args.no_fold, args.max_nodes,
        fields=args.receptive_field))
    for notice in diagram.notices:
        say(f"archc: note: {notice}")
    if not args.quiet:
        for hint in diagram.hints:
            say(f"archc: hint: {hint}")
    if target is None:
        out(diagram.source)
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
        say(f"archc: wrote {target}")
    return EXIT_OK


def cmd_report(args: argparse.Namespace) -> int:
    """One self-contained HTML page to explore specs in a browser (no network, no TensorFlow).

    Every variant of each spec is included (a switch in the page), or only `--variant`'s.
    """
    from archc.backends.html import model_data, render_page
    from archc.lint import config_for, lint
    from archc.outputs import write_text_atomic

    if args.depth is not None and args.depth < 1:
        raise UsageError("--depth must be at least 1")
    target = None  # checked before any spec is compiled
    if args.output != "-":
        default = "-".join(stem(p) for p in args.specs) + (
            f"-{args.variant}" if args.variant else "") + ".html"
        target = checked_path(args.output or default, args.specs)
    models: list[dict[str, Any]] = []
    initial, chosen = 0, args.variant
    for path in args.specs:
        args.variant = chosen
        first = compile_spec(path, args)
        assert first.header is not None
        names: list[str | None] = [chosen] if chosen else [
            *plan_variants(first, options_from(args))] or [None]  # C013 before the work
        run = VariantRun(first, options_from(args))
        for name in names:
            args.variant = name
            compiled = first if name == first.variant else compile_spec(path, args)
            assert compiled.analysis is not None
            run.add(compiled)
            if path == args.specs[0] and name == first.variant:
                initial = len(models)
            assert compiled.header is not None
            findings = lint(compiled.analysis, config_for(compiled.doc, compiled.header.lint))
            models.append(model_data(compiled.analysis, path, compiled.doc.source, findings))
    page = render_page(models, args.depth, initial)
    if target is None:
        out(page)
        return EXIT_OK
    write_text_atomic(target, page)
    if not args.quiet:
        say(f"archc: wrote {target} ({len(models)} network{'s' if len(models) != 1 else ''})")
    return EXIT_OK


def cmd_lsp(args: argparse.Namespace) -> int:
    """The language server on stdio (needs pygls; exit 3 without it)."""
    from archc.lsp import ServerUnavailable, serve

    try:
        serve(args.variant)
    except ServerUnavailable as exc:
        raise MissingDependency(str(exc)) from None
    return EXIT_OK

