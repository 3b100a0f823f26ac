"""Helpers for the `archc report` tests: write a report, read its embedded data back.

Importable as `html_helpers` (pytest puts this directory on `sys.path`).
"""

from __future__ import annotations

import html.parser
import json
from pathlib import Path
from typing import Any

from archc.cli import main

ROOT = Path(__file__).resolve().parents[3]
SPECS = ROOT / "specs"


def write_report(tmp: Path, *args: str, name: str = "report.html") -> Path:
    """Run `archc report ARGS -o tmp/name -q` and return the file (asserting exit 0)."""
    target = tmp / name
    assert main(["report", *args, "-o", str(target), "-q"]) == 0
    return target


class _Scripts(html.parser.HTMLParser):
    """Every <script> element of a page: its attributes and raw text, as a browser parses."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._open: dict[str, str | None] | None = None
        self._text: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "script":
            self._open, self._text = dict(attrs), []

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._open is not None:
            self.scripts.append((self._open, "".join(self._text)))
            self._open = None


def parse_page(text: str) -> _Scripts:
    parser = _Scripts()
    parser.feed(text)
    parser.close()
    return parser


def embedded_data(text: str) -> dict[str, Any]:
    """The JSON the page's script reads, parsed the way `JSON.parse` would."""
    scripts = [body for attrs, body in parse_page(text).scripts
               if attrs.get("type") == "application/json"]
    assert len(scripts) == 1
    data: dict[str, Any] = json.loads(scripts[0])
    return data


def summary_json(spec: str, variant: str | None = None) -> dict[str, Any]:
    """`archc summary --format json` of a zoo spec, run through the CLI."""
    import contextlib
    import io

    out = io.StringIO()
    args = ["summary", str(SPECS / spec), "--format", "json"]
    args += ["--variant", variant] if variant else []
    with contextlib.redirect_stdout(out):
        assert main(args) == 0
    result: dict[str, Any] = json.loads(out.getvalue())
    return result
