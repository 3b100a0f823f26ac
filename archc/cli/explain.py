"""`archc explain CODE`: what a diagnostic code means, its fix and an example.

The text is the registry's (archc.diagnostic_codes), the same entries docs/diagnostics.md
shows, so a user reading `error[S002]` in a terminal needs no browser. The registry is
imported only when this command runs.
"""

from __future__ import annotations

import argparse
import re
import textwrap

from archc.cli.exit_codes import EXIT_OK, EXIT_USAGE
from archc.cli.plumbing import CommandFailed, out

_BOLD = re.compile(r"\*\*(\S[^*\n]*?\S)\*\*")
"""Markdown bold (`**Fix:**`), shown plain; `(-8) ** 0.5` has blanks and stays as it is."""


def cmd_explain(args: argparse.Namespace) -> int:
    from archc.diagnostic_codes import lookup, suggest

    entry = lookup(args.code)
    if entry is None:
        close = suggest(args.code)
        hint = f"; did you mean {' or '.join(f'`{c}`' for c in close)}?" if close else ""
        raise CommandFailed(
            f"unknown diagnostic code `{args.code.strip()}`{hint} (a code is a letter and "
            "three digits, e.g. S002; docs/diagnostics.md lists them all)", EXIT_USAGE)
    lines = [f"{entry.code}: {entry.title}",
             f"severity: {entry.severity}; area: {entry.area}", ""]
    lines.extend(_paragraphs(entry.explanation))
    if entry.example:
        lines += ["Example:", "", textwrap.indent(entry.example, "    ",
                                                  lambda line: bool(line.strip())), ""]
    lines.append(f"More: docs/diagnostics.md, section {entry.code}.")
    out("\n".join(lines) + "\n")
    return EXIT_OK


def _paragraphs(text: str, width: int = 88) -> list[str]:
    """The explanation wrapped for a terminal (list items keep their lines, no Markdown bold)."""
    lines: list[str] = []
    for paragraph in _BOLD.sub(r"\1", text).split("\n\n"):
        for line in paragraph.split("\n"):
            lines.extend(textwrap.wrap(line, width, break_on_hyphens=False) or [""])
        lines.append("")
    return lines
