"""The value rules of the spec language that are code, not types: written once, here, with
no pydantic import, so that the pydantic models (archc/spec/schema.py, layer_models.py) and
the pydantic-free checker of valid documents (archc/spec/plain.py) run the same functions.

Each rule takes the value and returns it (possibly normalised) or raises ValueError with
the message a person reads; pydantic turns that into the located diagnostic.
"""

from __future__ import annotations

import re
from typing import Any

NAME_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
"""Layer, block, variable, variant, table and input names."""

_INDEX_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def whole_number(value: Any) -> Any:
    """`3.0` counts as the integer 3; `3.5` and `true` stay what they are (and fail).

    JSON, and so the JSON Schema editors check specs with, has one number type: 3.0 *is*
    the integer 3 there, and no schema can refuse it. archc reads numbers the same way, so
    the schema and archc agree; a fraction or a boolean is still an error.
    """
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)  # within the loader's integer limit (Y020); beyond: still a float
    return value


def plain_name(value: str | None) -> str | None:
    """A layer's `name`: `/` separates scopes in IR names (`inception_3a/branch1/conv`) and
    Keras and DOT names derive from them, so a name is a plain identifier."""
    if value is not None and not NAME_PATTERN.fullmatch(value):
        raise ValueError("a layer name is letters, digits, `_`, `.` and `-`, starting with "
                         "a letter or `_`")
    return value


def integer_version(value: Any) -> Any:
    """`archc: 1`: a Literal[1] compares with ==, so `true` and `1.0` would pass; the
    version is the integer."""
    if type(value) is not int:
        raise ValueError("the spec language version is the integer 1")
    return value


def readable_index(value: str) -> str:
    """A repeat's `index` is read as `$name`: letters, digits and `_`, and not a word the
    expression language reserves."""
    if not _INDEX_PATTERN.fullmatch(value) or value in ("in", "count"):
        raise ValueError("the copy number is read as `$name`: letters, digits and `_`, "
                         "not `in` or `count`")
    return value
