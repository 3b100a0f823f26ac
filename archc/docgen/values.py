"""A field's JSON Schema in a few words (`integer > 0 or list of 2 (integer > 0)`).

The field lists are rendered from the schema pydantic makes of each layer model, the same
one `archc schema` prints, so the docs state the constraints archc checks, not a copy.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any


def literal(value: Any) -> str:
    """A value as a spec writes it in YAML (`null`, `true`, `1e-6`, `[1, 1]`)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return re.sub(r"e([-+])0*(\d)", r"e\1\2", repr(value)).replace("e+", "e")
    if isinstance(value, list):
        return "[" + ", ".join(literal(v) for v in value) + "]"
    return str(value)


def _bounds(schema: dict[str, Any]) -> str:
    parts = []
    for key, sign in (("minimum", ">="), ("exclusiveMinimum", ">")):
        if key in schema:
            parts.append(f"{sign} {literal(schema[key])}")
    for key, sign in (("maximum", "<="), ("exclusiveMaximum", "<")):
        if key in schema:
            parts.append(f"{sign} {literal(schema[key])}")
    return " and ".join(parts)


def _choice(values: Sequence[Any], activations: Sequence[str]) -> str:
    if list(values) == list(activations):
        return "an activation"
    words = [f"`{literal(v)}`" for v in values]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _array(schema: dict[str, Any], activations: Sequence[str]) -> str:
    item = describe(schema.get("items", {}), activations)
    item = f"({item})" if " " in item else f"{item}s"
    low, high = schema.get("minItems"), schema.get("maxItems")
    if low is not None and low == high:
        count = f"{low} "
    elif low is not None and high is not None:
        count = f"{low} to {high} "
    elif low is not None:
        count = f"{low} or more "
    else:
        count = ""
    return f"list of {count}{item}"


def describe(schema: dict[str, Any], activations: Sequence[str] = ()) -> str:
    """The values a schema admits, in words; `null` is left out (the default says it)."""
    if "anyOf" in schema:
        kinds = [describe(s, activations) for s in schema["anyOf"] if s.get("type") != "null"]
        return " or ".join(kinds)
    if "enum" in schema:
        return _choice(schema["enum"], activations)
    if "const" in schema:
        return f"`{literal(schema['const'])}`"
    kind = schema.get("type")
    if kind == "array":
        return _array(schema, activations)
    if kind in ("integer", "number"):
        bounds = _bounds(schema)
        return f"{kind} {bounds}" if bounds else str(kind)
    if kind in ("boolean", "string", "object"):
        return str(kind)
    return "any value"
