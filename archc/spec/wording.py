"""How a validation diagnostic names a field and shows a value, in one place: the schema's
errors (archc/spec/pydantic_errors.py) and the backend's size limit (validate.py) word
them alike."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from archc.diagnostics import SourceSpan
from archc.spec.loader import Path

SpanOf = Callable[[Path, bool], SourceSpan]
"""Maps a path inside the validated value to its span; the flag asks for the key's span."""


def field_name(path: Path) -> str:
    """The field a path ends in, dotted through nested mappings (`projection.use_bias`)."""
    names = [str(p) for p in path if isinstance(p, str)]
    return ".".join(names) if names else "value"


def show(value: Any) -> str:
    """A received value as a diagnostic quotes it (long strings cut, containers named)."""
    if isinstance(value, str):
        return f"`{value}`" if len(value) < 60 else f"`{value[:57]}...`"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if value is None:
        return "null"
    if isinstance(value, (dict, list)):
        return "a mapping" if isinstance(value, dict) else "a list"
    return f"`{value}`"
