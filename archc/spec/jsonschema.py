"""The spec language's JSON Schema, for editors (`# yaml-language-server: $schema=...`).

Generated from the same pydantic models that validate specs, so it cannot drift. A layer
item is a one-key mapping, `{conv2d: {...}}`; the schema spells that as `oneOf` over the
layer types, each an object with exactly that one property. Fields that may hold `$`
expressions also accept strings.
"""

from __future__ import annotations

import json
from typing import Any

from archc.spec.schema import LAYER_MODELS, SHORTHAND_FIELD, STRUCTURE_MODELS, BlockDef, SpecHeader

SCHEMA_ID = "https://archc.dev/schema/v1.json"


def _loosen(schema: Any) -> Any:
    """Let every integer/number/boolean/list field also take an expression string.

    An expression reads a variable (`$width`) or is made of numbers, operators and calls
    (`1 / 255`, `round_filters(32)`): the pattern asks for a `$`, a digit or a `(`, which
    every expression has and field words such as `same` do not. archc checks the rest.
    """
    if isinstance(schema, dict):
        out = {k: _loosen(v) for k, v in schema.items()}
        kind = out.get("type")
        if kind in ("integer", "number", "boolean", "array"):
            return {"anyOf": [out, {"type": "string", "pattern": r"[$0-9(]"}]}
        return out
    if isinstance(schema, list):
        return [_loosen(v) for v in schema]
    return schema


def build_schema() -> dict[str, Any]:
    defs: dict[str, Any] = {}
    items: list[dict[str, Any]] = []
    for kind, model in {**LAYER_MODELS, **STRUCTURE_MODELS}.items():
        sub = model.model_json_schema(by_alias=True, ref_template="#/$defs/{model}")
        defs.update(_loosen(sub.pop("$defs", {})))
        # `defaults:` may supply any field, even a required one (xception's separable convs
        # take kernel_size from there), so the schema cannot demand fields of a layer item.
        sub.pop("required", None)
        defs[kind] = _loosen(sub)
        value: dict[str, Any] = {"$ref": f"#/$defs/{kind}"}
        if kind in SHORTHAND_FIELD:
            value = {"anyOf": [value, {"type": ["string", "number"]}]}
        if kind == "flatten":
            value = {"anyOf": [value, {"type": "null"}]}
        items.append({"type": "object", "properties": {kind: value}, "required": [kind],
                      "additionalProperties": False})
    # A block call: any other one-key mapping (block names are the spec's own).
    items.append({"type": "object", "minProperties": 1, "maxProperties": 1,
                  "not": {"anyOf": [{"required": [k]} for k in {**LAYER_MODELS,
                                                                  **STRUCTURE_MODELS}]}})
    items.append({"type": "string", "enum": ["flatten"]})
    layer = {"anyOf": items}
    header = SpecHeader.model_json_schema(ref_template="#/$defs/{model}")
    defs.update(header.pop("$defs", {}))
    header["properties"]["layers"] = {"type": "array", "items": {"$ref": "#/$defs/layer"}}
    block = BlockDef.model_json_schema(ref_template="#/$defs/{model}")
    block["properties"]["layers"] = {"type": "array", "items": {"$ref": "#/$defs/layer"}}
    defs["BlockDef"] = block
    defs["layer"] = layer
    header["properties"]["blocks"] = {"type": "object",
                                      "additionalProperties": {"$ref": "#/$defs/BlockDef"}}
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            "title": "archc spec, version 1", **header, "$defs": defs}


def schema_json() -> str:
    return json.dumps(build_schema(), indent=2, sort_keys=True) + "\n"
