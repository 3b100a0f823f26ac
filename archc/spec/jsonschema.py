"""The spec language's JSON Schema, for editors (`# yaml-language-server: $schema=...`).

Generated from the same pydantic models that validate specs, so it cannot drift. A layer
item is a one-key mapping, `{conv2d: {...}}`; the schema spells that as `anyOf` over the
layer types, each an object with exactly that one property. Fields that may hold `$`
expressions also accept strings.

The schema must never flag a spec that archc accepts (an editor that underlines a correct
spec teaches people to ignore it), and it refuses what it can see without running archc:
the forms of a layer item, value types and ranges, names. What needs the whole spec (a
block's name, shapes, a field `defaults:` supplies) is left to archc.
`tests/spec/test_schema_agreement.py` runs a corpus through both and checks exactly that.
"""

from __future__ import annotations

import json
from typing import Any

from archc.ir.ops import ACTIVATIONS
from archc.spec.schema import (
    LAYER_MODELS,
    NAME_SCHEMA_PATTERN,
    SHORTHAND_FIELD,
    STRUCTURE_MODELS,
    BlockDef,
    SpecHeader,
)

SCHEMA_ID = "https://archc.dev/schema/v1.json"

EXPRESSION: dict[str, Any] = {
    "type": "string",
    "pattern": r"\$|\(|[0-9][^A-Za-z]*[-+*/%<>=!]|[-+*/%<>=!][^A-Za-z]*[0-9]|[\"']"
               r"|\b(?:and|or|not|true|false)\b",
}
"""What may be an expression (`archc/lower/expr_context.py` decides): a string with a `$`, a
call or parentheses, arithmetic on numbers, a quoted string or a boolean word (`$w * 2`,
`round(2.5)`, `1 / 255`). A word with an operator and no number (`a/b`, `conv-a`) is text to
archc, and is not an expression to the schema either. The schema lets an expression stand
wherever a value goes; archc evaluates it."""

_NAME: dict[str, Any] = {"type": "string", "pattern": NAME_SCHEMA_PATTERN}


def _loosen(schema: Any) -> Any:
    """Let every value below this point also be an expression string.

    archc evaluates expressions before it validates a layer's arguments, so any argument
    (a number, a list or one of its items, a mapping, a choice such as `padding`, a name)
    may be written as an expression.
    """
    if isinstance(schema, list):
        return [_loosen(v) for v in schema]
    if not isinstance(schema, dict):
        return schema
    out = {k: (v if k in ("properties", "$defs") else _loosen(v)) for k, v in schema.items()}
    if "properties" in out:
        out["properties"] = {k: _loosen(v) for k, v in out["properties"].items()}
    valued = out.get("type") in ("integer", "number", "boolean", "array", "object")
    if valued or any(k in out for k in ("enum", "const", "pattern")):
        return {"anyOf": [out, EXPRESSION]}
    return out


def _loosen_model(schema: dict[str, Any]) -> dict[str, Any]:
    """A layer model: its arguments take expressions, the mapping itself does not."""
    return {**schema, "properties": {k: _loosen(v) for k, v in schema["properties"].items()}}


def _shorthand(kind: str, defs: dict[str, Any]) -> dict[str, Any]:
    """The scalar a shorthand type takes: `activation: relu`, `dropout: 0.5`."""
    field = defs[kind]["properties"][SHORTHAND_FIELD[kind]]
    if kind == "activation":
        return {"anyOf": [{"enum": list(ACTIVATIONS)}, EXPRESSION]}
    return dict(field)


def _layer_items(defs: dict[str, Any]) -> list[dict[str, Any]]:
    """One alternative per layer type and structure, then block calls, then bare names."""
    items: list[dict[str, Any]] = []
    for kind, model in {**LAYER_MODELS, **STRUCTURE_MODELS}.items():
        sub = model.model_json_schema(by_alias=True, ref_template="#/$defs/{model}")
        defs.update({name: _loosen(d) for name, d in sub.pop("$defs", {}).items()})
        if kind in LAYER_MODELS:
            # `defaults:` may supply any field of a layer type, even a required one
            # (xception's separable convs take kernel_size from there), so the schema
            # cannot demand fields of a layer item. Structures take no defaults.
            sub.pop("required", None)
        defs[kind] = _loosen_model(sub)
        forms: list[dict[str, Any]] = [{"$ref": f"#/$defs/{kind}"}]
        if kind in SHORTHAND_FIELD:
            forms.append(_shorthand(kind, defs))
        if kind in LAYER_MODELS:
            forms.append({"type": "null"})  # `batch_norm:`, the same as `batch_norm: {}`
        value = forms[0] if len(forms) == 1 else {"anyOf": forms}
        items.append({"type": "object", "properties": {kind: value}, "required": [kind],
                      "additionalProperties": False})
    known = [*LAYER_MODELS, *STRUCTURE_MODELS]
    # A block call: any other one-key mapping (block names are the spec's own), whose value
    # is the arguments (a mapping) or nothing.
    items.append({"type": "object", "minProperties": 1, "maxProperties": 1,
                  "propertyNames": _NAME,
                  "additionalProperties": {"type": ["object", "null"]},
                  "not": {"anyOf": [{"required": [k]} for k in known]}})
    # A bare name: a layer type or a block, used without arguments of its own. Structures
    # always need theirs.
    items.append({"anyOf": [{"enum": list(LAYER_MODELS)},
                            {**_NAME, "not": {"enum": list(STRUCTURE_MODELS)}}]})
    return items


def build_schema() -> dict[str, Any]:
    defs: dict[str, Any] = {}
    layer = {"anyOf": _layer_items(defs)}
    layers = {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/layer"}}
    header = SpecHeader.model_json_schema(ref_template="#/$defs/{model}")
    defs.update(header.pop("$defs", {}))
    props = header["properties"]
    props["layers"] = layers
    block = BlockDef.model_json_schema(ref_template="#/$defs/{model}")
    block["properties"]["layers"] = layers
    defs["BlockDef"] = block
    defs["layer"] = layer
    props["blocks"] = {"type": "object", "propertyNames": _NAME,
                       "additionalProperties": {"$ref": "#/$defs/BlockDef"}}
    # Names the spec defines are plain identifiers (S008).
    for section in ("inputs", "variables", "variants", "tables"):
        _name_keys(props[section])
    # `defaults:` takes the fields of each layer type (none required), and no other type.
    props["defaults"] = {
        "type": "object", "additionalProperties": False,
        "properties": {kind: {"$ref": f"#/$defs/{kind}"} for kind in LAYER_MODELS},
    }
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            "title": "archc spec, version 1", **header, "$defs": defs}


def _name_keys(schema: dict[str, Any]) -> None:
    """Constrain the keys of the mapping(s) in `schema` (maybe under anyOf) to names."""
    if schema.get("type") == "object":
        schema["propertyNames"] = _NAME
    for option in schema.get("anyOf", []):
        _name_keys(option)


def schema_json() -> str:
    return json.dumps(build_schema(), indent=2, sort_keys=True) + "\n"
