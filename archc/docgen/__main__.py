"""`python -m archc.docgen [--check] [--root DIR]`: regenerate the docs' generated parts,
or (`--check`) exit 1 naming each stale one, with a diff. Exit 2 when a part cannot be
rendered: its markers are gone, or a hand table lacks a new op."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from archc.docgen.generate import stale, write
from archc.docgen.splice import COMMAND

ROOT = Path(__file__).resolve().parents[2]
"""The repository this package sits in (docs/ beside archc/)."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__)
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a generated part is stale")
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="the repository root (default: the one archc is in)")
    args = parser.parse_args(argv)
    try:
        if not args.check:
            for path in write(args.root):
                print(f"rewrote {path}")
            return 0
        found = stale(args.root)
    except (ValueError, KeyError) as error:  # a marker or a hand table is missing
        print(f"error: {error.args[0]}", file=sys.stderr)
        return 2
    for item in found:
        print(f"stale: {item.path}: {item.part}")
    for item in found:
        sys.stdout.write(item.diff)
    if found:
        print(f"{len(found)} generated part(s) stale: run `{COMMAND}` (or `make docs`)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
