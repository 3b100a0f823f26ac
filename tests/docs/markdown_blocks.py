"""Fenced code blocks of the project's Markdown files, with their line numbers.

The documentation is tested: every YAML example must compile (or fail with the code it
names), and pasted outputs must be what the tools print. These helpers find the blocks so
the tests can say exactly which one went wrong (`docs/spec-language.md:120`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

_FENCE = re.compile(r"^(`{3,})(.*)$")
_ERROR_INFO = re.compile(r"^yaml\s+error\s+([A-Z][0-9]{3})\s*$")


@dataclass(frozen=True)
class Block:
    """One fenced block: the info string (`yaml`, `yaml error S002`), its text, where it is."""

    file: Path
    line: int
    info: str
    text: str

    @property
    def where(self) -> str:
        return f"{self.file.relative_to(ROOT)}:{self.line}"

    @property
    def expected_code(self) -> str | None:
        """The diagnostic code a `yaml error CODE` block must produce, else None."""
        match = _ERROR_INFO.match(self.info)
        return match.group(1) if match else None


def fenced_blocks(path: Path) -> list[Block]:
    """Every top-level fenced block of a Markdown file, in order."""
    blocks: list[Block] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        match = _FENCE.match(lines[i])
        if match is None:
            i += 1
            continue
        fence, info, start = match.group(1), match.group(2).strip(), i + 1
        i += 1
        body: list[str] = []
        while i < len(lines) and not lines[i].startswith(fence):
            body.append(lines[i])
            i += 1
        i += 1  # the closing fence
        blocks.append(Block(path, start, info, "\n".join(body) + "\n"))
    return blocks


def markdown_files() -> list[Path]:
    """README.md and every Markdown file under docs/, sorted (deterministic test ids)."""
    return [ROOT / "README.md", *sorted(DOCS.rglob("*.md"))]


def yaml_blocks() -> list[Block]:
    """Every block whose info string starts with `yaml` in README.md and docs/."""
    found: list[Block] = []
    for path in markdown_files():
        if path.exists():
            found.extend(b for b in fenced_blocks(path) if b.info.split(" ")[0] == "yaml")
    return found
