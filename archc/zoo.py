"""The zoo: the networks of the repository's `specs/`, shipped inside the package.

The README's commands read `specs/*.yaml`; someone who installed archc from PyPI has no
checkout, so the wheel carries the same files (`archc/zoo_specs` is a link to the top-level
`specs/` in the repository, and setuptools copies what it points to into the wheel; the
repository keeps one copy of each file). `archc zoo` lists them and `archc zoo copy NAME`
writes one out, byte for byte, to edit or to use with the other commands.
"""

from __future__ import annotations

import importlib.resources
import os
import re
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path

from archc.diagnostics import SpecError, did_you_mean
from archc.pipeline import Stage, UsageError, compile_text

PACKAGE_DIR = "zoo_specs"


@dataclass(frozen=True)
class ZooSpec:
    """One zoo network: its file name (without `.yaml`) and what its header says."""

    name: str
    description: str | None
    source: str | None
    variants: tuple[str, ...]
    default_variant: str | None

    def variants_text(self) -> str:
        """`resnet18, resnet50*, ...` in the spec's order, the default starred; else `-`."""
        if not self.variants:
            return "-"
        return ", ".join(f"{v}*" if v == self.default_variant else v for v in self.variants)


def zoo_root() -> Traversable:
    """The directory of zoo specs, inside the installed package (or the checkout)."""
    return importlib.resources.files("archc") / PACKAGE_DIR


def names() -> list[str]:
    """The zoo's spec names, sorted."""
    return sorted(entry.name.removesuffix(".yaml") for entry in zoo_root().iterdir()
                  if entry.name.endswith(".yaml") and entry.is_file())


def read_bytes(name: str) -> bytes:
    """The exact bytes of one zoo spec; an unknown name is a usage error with a suggestion."""
    stem = name.removesuffix(".yaml")
    known = names()
    if stem not in known:
        hint = did_you_mean(stem, known)
        raise UsageError(f"the zoo has no spec `{name}` (it has: {', '.join(known)})"
                         + (f"; {hint}" if hint else ""))
    return (zoo_root() / f"{stem}.yaml").read_bytes()


def describe(name: str) -> ZooSpec:
    """Name, description, source and variants from the spec's validated header."""
    text = read_bytes(name).decode("utf-8")
    try:
        header = compile_text(text, f"zoo:{name}", stop_after=Stage.VALIDATE).header
    except SpecError as exc:  # a broken zoo spec is archc's bug; the tests keep it valid
        raise RuntimeError(f"the packaged zoo spec `{name}` does not validate: "
                           f"{exc.diagnostics[0].message}") from exc
    assert header is not None
    return ZooSpec(name, header.description, header.source, tuple(header.variants),
                   header.default_variant)


def catalogue() -> list[ZooSpec]:
    return [describe(name) for name in names()]


def render_catalogue(specs: list[ZooSpec]) -> str:
    """A table of the zoo: name, variants (default starred), source."""
    rows = [("NAME", "VARIANTS (* default)", "SOURCE")]
    rows += [(s.name, s.variants_text(), s.source or "-") for s in specs]
    widths = [max(len(row[i]) for row in rows) for i in range(2)]
    lines = [f"{a:<{widths[0]}}  {b:<{widths[1]}}  {c}".rstrip() for a, b, c in rows]
    return "\n".join(lines) + "\n"


_MODELINE = re.compile(rb"^# yaml-language-server: \$schema=(\S+)\s*$", re.MULTILINE)


def schema_hint(data: bytes, target: Path) -> str | None:
    """A note for `zoo copy` when the copied spec's `$schema` comment points at nothing.

    The zoo's specs point editors at `../docs/archc.schema.json`, which a checkout has and
    an installed wheel's user does not; the copy stays byte for byte, and the note gives
    the one command that writes the schema where the comment looks for it.
    """
    found = _MODELINE.search(data)
    if found is None or "://" in found[1].decode("utf-8", "replace"):
        return None
    schema = Path(os.path.normpath(target.parent / found[1].decode("utf-8", "replace")))
    if schema.exists():
        return None
    make = "" if schema.parent.is_dir() else f"mkdir -p {schema.parent} && "
    return (f"archc: note: its `$schema` comment points at {schema}, which does not exist; "
            f"for completion in editors write it with: {make}archc schema > {schema}")
