"""The argument parser of every command, built without importing any command's module.

Each subcommand's module (`commands`, `export`, `explain`) is imported only when that
command runs (`archc.cli.main`), and the parser itself is built for the command at hand:
every command is listed (for `archc --help` and the usage errors), but only the one named
on the command line gets its arguments, so `archc summary` does not pay for describing
the options of eleven other commands.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from archc.cli.plumbing import SPEC_HELP, add_spec_options

if TYPE_CHECKING:
    Subparsers = argparse._SubParsersAction[argparse.ArgumentParser]

EXPORT_FORMATS = ("onnx", "tflite", "savedmodel")
"""The Keras backend's `export.FORMATS`, written out: the parser is built on every run, and
the backend package is imported only by `archc export` (a test checks the two agree)."""


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser for `argv`: every command listed, and the arguments of the one `argv`
    names (of all commands when `argv` is None or names none)."""
    parser = argparse.ArgumentParser(
        prog="archc",
        description="Compile CNN architecture specs (YAML) into reports, diagrams and Keras "
        "models.",
    )
    parser.add_argument("--version", action="version", version="archc 0.1.0")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    named = _command_named(argv)
    for name, add in COMMANDS:
        add(sub, named in (None, name))
    return parser


def _command_named(argv: Sequence[str] | None) -> str | None:
    """The command `argv` names: its first word that is not an option (the top level has
    only `-h` and `--version`, neither of which takes a value); None if that is no command."""
    if argv is None:
        return None
    first = next((word for word in argv if not word.startswith("-")), None)
    return first if first in {name for name, _ in COMMANDS} else None


def _summary(sub: Subparsers, full: bool) -> None:
    p = sub.add_parser("summary", help="shapes, params and MACs per layer and block")
    if not full:
        return
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


def _check(sub: Subparsers, full: bool) -> None:
    p = sub.add_parser("check", help="validate specs; print only diagnostics")
    if not full:
        return
    p.add_argument("specs", nargs="+", metavar="SPEC", help=SPEC_HELP)
    p.add_argument("-q", "--quiet", action="store_true", help="print nothing when all is well")
    add_spec_options(p)


def _schema(sub: Subparsers, full: bool) -> None:
    sub.add_parser("schema", help="print the spec language's JSON Schema")


def _lsp(sub: Subparsers, full: bool) -> None:
    p = sub.add_parser("lsp", help="language server for editors, over stdio (needs pygls)")
    if not full:
        return
    p.add_argument("--variant", help="variant whose figures hover shows, in specs that "
                   "have it (default: each spec's default_variant)")


def _zoo(sub: Subparsers, full: bool) -> None:
    p = sub.add_parser("zoo", help="list the networks that ship with archc, or copy one out",
                       description="Without an action: list the zoo (name, variants, source).")
    if not full:
        return
    actions = p.add_subparsers(dest="zoo_command", metavar="ACTION")
    c = actions.add_parser("copy", help="write one zoo spec to DIR/NAME.yaml")
    c.add_argument("name", metavar="NAME", help="a name from `archc zoo`")
    c.add_argument("-o", "--output", default=".", metavar="DIR",
                   help="directory to write to (default: the current one)")
    c.add_argument("--force", action="store_true", help="replace a different existing file")
    c.add_argument("-q", "--quiet", action="store_true", help="no message on success")


def _lint(sub: Subparsers, full: bool) -> None:
    p = sub.add_parser("lint", help="design warnings (5x5 -> 3x3, LRN, filter doubling, ...)")
    if not full:
        return
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


def _compare(sub: Subparsers, full: bool) -> None:
    p = sub.add_parser("compare", help="two specs or two variants side by side, per block")
    if not full:
        return
    p.add_argument("specs", nargs="+", metavar="SPEC", help=SPEC_HELP)
    p.add_argument("--variants", nargs=2, metavar=("V1", "V2"),
                   help="compare two variants of one spec")
    p.add_argument("--format", choices=["table", "json"], default="table")
    add_spec_options(p)


def _build(sub: Subparsers, full: bool) -> None:
    p = sub.add_parser("build", help="compile a spec into a Keras model file (.keras)")
    if not full:
        return
    p.add_argument("spec", help=SPEC_HELP)
    p.add_argument("-o", "--output", default="build", metavar="DIR",
                   help="directory for <spec>[-<variant>].keras (default %(default)s)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress messages on stderr")
    add_spec_options(p)


def _diagram(sub: Subparsers, full: bool) -> None:
    p = sub.add_parser("diagram", help="draw the spec's structure with Graphviz (SVG, PNG, ...)")
    if not full:
        return
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


def _report(sub: Subparsers, full: bool) -> None:
    p = sub.add_parser("report", help="one offline HTML page to explore specs in a browser")
    if not full:
        return
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

def _export(sub: Subparsers, full: bool) -> None:
    p = sub.add_parser(
        "export", help="export a spec's model to ONNX, TFLite or a SavedModel, checked by "
        "the runtime that will run it")
    if not full:
        return
    p.add_argument("spec", help="a spec file (`-`: read the spec from standard input)")
    p.add_argument("--format", required=True, choices=EXPORT_FORMATS,
                   help="onnx (a .onnx file), tflite (a .tflite file) or savedmodel (a "
                   "directory)")
    p.add_argument("-o", "--output", metavar="PATH",
                   help="the file, or for savedmodel the directory, to write (default "
                   "<spec>[-<variant>].onnx, .tflite or _savedmodel here)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress messages on stderr")
    add_spec_options(p)


def _explain(sub: Subparsers, full: bool) -> None:
    p = sub.add_parser(
        "explain", help="what a diagnostic code (e.g. S002, L001) means, with an example",
        description="Print a diagnostic code's title, severity, area, explanation and "
        "example (the entry of docs/diagnostics.md). The code is case-insensitive.")
    if not full:
        return
    p.add_argument("code", metavar="CODE", help="a code from a diagnostic, e.g. S002 or l001")


COMMANDS: tuple[tuple[str, Callable[[Subparsers, bool], None]], ...] = (
    ("summary", _summary),
    ("check", _check),
    ("schema", _schema),
    ("lsp", _lsp),
    ("zoo", _zoo),
    ("lint", _lint),
    ("compare", _compare),
    ("build", _build),
    ("export", _export),
    ("explain", _explain),
    ("diagram", _diagram),
    ("report", _report),
)
"""Every command in the order `archc --help` lists them, with the function that adds it
(and, when asked, its arguments) to the parser."""
