"""Generated parts inside hand-written Markdown: found between marker comments, replaced
there, everything else of the file kept byte for byte.

A part is

    <!-- generated: NAME (python -m archc.docgen) -->

    ...rendered text...

    <!-- end generated -->

The comments do not show when the Markdown is rendered; the command in the opening one
tells whoever edits the text by hand where it comes from.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

COMMAND = "python -m archc.docgen"
_PART = re.compile(
    r"^<!-- generated: (?P<name>[a-z0-9-]+) \(python -m archc\.docgen\) -->\n"
    r"(?P<body>.*?)"
    r"^<!-- end generated -->$", re.MULTILINE | re.DOTALL)


def opening(name: str) -> str:
    return f"<!-- generated: {name} ({COMMAND}) -->"


def wrapped(text: str) -> str:
    """A part's body as it sits between the markers: set off by blank lines, so the
    Markdown around it parses as it would without the comments."""
    return "\n" + text.rstrip("\n") + "\n\n"


def parts(text: str) -> dict[str, str]:
    """The generated parts of a file, by name, each body as it stands between the markers.
    A name used twice is an error: two copies of one part would not be one definition."""
    found: dict[str, str] = {}
    for match in _PART.finditer(text):
        if match.group("name") in found:
            raise ValueError(f"generated part `{match.group('name')}` appears twice")
        found[match.group("name")] = match.group("body")
    return found


def splice(text: str, bodies: Mapping[str, str]) -> str:
    """The file with each named part's body replaced by `wrapped(bodies[name])`.

    Every part in `bodies` must have its markers in the file and every marked part must be
    in `bodies`: a marker with no renderer, or a renderer with nowhere to write, is a
    mistake to report, not to skip.
    """
    present = parts(text)
    if set(present) != set(bodies):
        missing, unknown = sorted(set(bodies) - set(present)), sorted(set(present) - set(bodies))
        raise ValueError(f"generated parts: markers missing for {missing}, "
                         f"no renderer for {unknown}")

    def replace(match: re.Match[str]) -> str:
        name = match.group("name")
        return f"{opening(name)}\n{wrapped(bodies[name])}<!-- end generated -->"

    return _PART.sub(replace, text)
