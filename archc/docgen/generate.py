"""Which generated part goes where, and the two things done with them: write them, or say
which ones the committed files have let go stale.

`python -m archc.docgen` (or `make docs`) rewrites the parts; `--check` changes nothing and
fails naming each stale part with a diff; tests/docgen runs the check, so a new op whose
docs were not regenerated fails the suite with the command to run.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from archc.docgen import compiled, render, source
from archc.docgen.splice import parts, splice, wrapped

MARKDOWN: Mapping[str, Mapping[str, Callable[[], str]]] = {
    "docs/spec-language.md": {
        "layer-table": render.layer_table,
        "layer-fields": render.layer_fields,
    },
    "docs/receptive-field.md": {"receptive-rules": render.receptive_table},
    "docs/lint-rules.md": {
        "linear-stack-through": render.linear_stack_list,
        "wide-reduction-through": render.wide_reduction_list,
    },
}
"""Each Markdown file with generated parts: its parts by marker name, and their renderers."""

WHOLE: Mapping[str, Callable[[], str]] = {
    "docs/archc.schema.json": source.schema_text,
    compiled.PATH: compiled.render,
}
"""Files generated whole (`archc schema` prints the same text)."""


@dataclass(frozen=True)
class Stale:
    """One part whose committed text is not what the generator renders."""

    path: str
    part: str
    diff: str


def rendered(root: Path) -> dict[str, str]:
    """Every generated file's full text as the generator makes it, by path under root."""
    out: dict[str, str] = {}
    for path, renderers in MARKDOWN.items():
        text = (root / path).read_text(encoding="utf-8")
        out[path] = splice(text, {name: render_() for name, render_ in renderers.items()})
    for path, render_ in WHOLE.items():
        out[path] = render_()
    return out


def _diff(path: str, before: str, after: str) -> str:
    return "".join(difflib.unified_diff(
        before.splitlines(keepends=True), after.splitlines(keepends=True),
        f"a/{path}", f"b/{path}"))


def stale(root: Path) -> list[Stale]:
    """The parts under root that differ from what the generator renders, in file order."""
    found: list[Stale] = []
    for path, text in rendered(root).items():
        file = root / path
        before = file.read_text(encoding="utf-8") if file.is_file() else ""
        if path in WHOLE:
            if before != text:
                found.append(Stale(path, "(whole file)", _diff(path, before, text)))
            continue
        old, new = parts(before), parts(text)
        for name in MARKDOWN[path]:
            if old[name] != new[name]:
                found.append(Stale(path, name, _diff(f"{path} [{name}]", old[name],
                                                     wrapped(new[name]))))
    return found


def write(root: Path) -> list[str]:
    """Rewrite every generated file under root; the paths whose text changed."""
    changed = []
    for path, text in rendered(root).items():
        file = root / path
        if not file.is_file() or file.read_text(encoding="utf-8") != text:
            file.write_text(text, encoding="utf-8")
            changed.append(path)
    return changed
