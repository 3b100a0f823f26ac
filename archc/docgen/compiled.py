"""Compile the spec's pydantic models into plain data for the pydantic-free checker.

`archc summary` must start fast, and importing pydantic and building its validators costs
more than the whole summary of ResNet-152 (docs/benchmarks.md). The pydantic models stay
the one definition of the language (errors, JSON Schema, editor); this module reads each
model's *core schema* (what pydantic itself validates with) and writes it as plain data to
`archc/spec/compiled_schema.py`, which `archc/spec/plain.py` interprets. A valid item is
accepted there without pydantic; anything the checker is unsure of goes to pydantic.

Only what is certain is compiled: a node of a kind, or with a constraint, this module does
not know becomes `defer`, so the plain checker can never accept what pydantic refuses, it
can only send more items to pydantic. Functions in the core schema are compiled to names:
the functions the checker knows (`plain.known_functions`: the value rules and the op
records' field checks) as `module:function`, an op's whole-item check as
`spec_check:<op>`; any other function makes its node `defer`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from archc.spec.layer_models import ITEM_CHECKS, Strict
from archc.spec.plain import function_name, known_functions
from archc.spec.schema import LAYER_MODELS, NAMED_MODELS, STRUCTURE_MODELS

PATH = "archc/spec/compiled_schema.py"
"""Where the compiled schema is written, under the repository root."""

_KEYS: Mapping[str, frozenset[str]] = {
    "any": frozenset(),
    "bool": frozenset({"strict"}),
    "str": frozenset({"strict", "min_length", "max_length"}),
    "int": frozenset({"strict", "gt", "ge", "lt", "le"}),
    "float": frozenset({"strict", "gt", "ge", "lt", "le", "allow_inf_nan"}),
    "literal": frozenset({"expected"}),
    "nullable": frozenset({"schema", "strict"}),
    "list": frozenset({"items_schema", "min_length", "max_length", "strict"}),
    "dict": frozenset({"keys_schema", "values_schema", "strict"}),
    "union": frozenset({"choices", "strict"}),
    "function-before": frozenset({"function", "schema"}),
    "function-after": frozenset({"function", "schema"}),
    "model": frozenset({"cls", "schema", "config", "custom_init", "root_model", "ref"}),
}
"""Per node kind, the keys whose meaning the checker implements (besides `type`, `metadata`,
`ref`, `serialization`, which do not change what is valid). A node with any other key is
compiled to `defer`."""

_IGNORED = frozenset({"type", "metadata", "ref", "serialization"})


def models() -> dict[str, type[Strict]]:
    """Every model the lowerer validates with, by the name the checker knows it by
    (`archc.spec.schema.model_named`): layer types and structures by their YAML key, the
    rest by class name."""
    return {**{kind: LAYER_MODELS[kind] for kind in LAYER_MODELS}, **STRUCTURE_MODELS,
            **NAMED_MODELS}


def compile_all() -> dict[str, Any]:
    """The compiled schema: each model's fields and checks, by name."""
    named = models()
    by_class = {model: name for name, model in named.items()}
    compiled: dict[str, Any] = {}
    for name, model in named.items():
        model.model_rebuild()
        compiled[name] = _Compiler(by_class).model(model.__pydantic_core_schema__)
    return compiled


def render() -> str:
    """The text of `archc/spec/compiled_schema.py`: per model, its whole-item checks and one
    JSON line per field (string constants load fast; the checker parses only the models a
    spec uses), so a change to the language shows in a diff as the fields it touched."""
    lines = []
    for name, model in compile_all().items():
        if model.get("defer"):
            lines.append(f"    {name!r}: None,")
            continue
        lines.append(f"    {name!r}: ({tuple(model['after'])!r}, (")
        lines.extend(f"        {json.dumps(field, sort_keys=True)!r}," for field in model["fields"])
        lines.append("    )),")
    body = "\n".join(lines)
    return (
        "# ruff: noqa: E501\n"
        '"""The spec\'s pydantic models compiled to plain data (generated; do not edit).\n\n'
        "Written by `python -m archc.docgen` (`make docs`) from the models' core schemas\n"
        "(archc/docgen/compiled.py); read by the pydantic-free checker, archc/spec/plain.py.\n"
        "Per model: the names of its whole-item checks, then each field as JSON; None for a\n"
        "model left to pydantic. tests/docgen fails while this file is stale.\n"
        '"""\n\n'
        "MODELS: dict[str, tuple[tuple[str, ...], tuple[str, ...]] | None] = {\n"
        f"{body}\n}}\n"
    )


def _literal(value: Any) -> bool:
    """Does the default survive being written as JSON and read back, type and all (a tuple
    would come back a list: such a field is left to pydantic)?"""
    try:
        back = json.loads(json.dumps(value))
    except (TypeError, ValueError):
        return False
    return _same(back, value)


def _same(a: Any, b: Any) -> bool:
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    return bool(a == b)


class _Compiler:
    """Turns one model's core schema into plain nodes; `config` is the model's own."""

    def __init__(self, by_class: Mapping[type[Strict], str]) -> None:
        self.by_class = by_class
        self.config: Mapping[str, Any] = {}

    def model(self, schema: Mapping[str, Any]) -> dict[str, Any]:
        """A model's top-level schema: its fields, then whole-model checks around them."""
        after: list[str] = []
        while schema["type"] == "function-after":
            ref = self.function(schema["function"])
            if ref is None:
                return {"defer": True}
            after.insert(0, ref)
            schema = schema["schema"]
        if schema["type"] != "model" or set(schema) - _KEYS["model"] - _IGNORED \
                or schema.get("custom_init") or schema.get("root_model"):
            return {"defer": True}
        self.config = schema.get("config", {})
        if set(self.config) - {"allow_inf_nan", "extra_fields_behavior", "strict", "title"} \
                or self.config.get("extra_fields_behavior") != "forbid" \
                or not self.config.get("strict"):
            return {"defer": True}
        inner = schema["schema"]
        if inner["type"] != "model-fields" or inner.get("computed_fields") \
                or set(inner) - {"type", "fields", "computed_fields", "model_name"}:
            return {"defer": True}
        fields = [self.field(name, f) for name, f in inner["fields"].items()]
        return {"fields": fields, "after": after}

    def field(self, name: str, f: Mapping[str, Any]) -> dict[str, Any]:
        """One field: the key it is read from, its node, and its default."""
        out: dict[str, Any] = {"name": name, "key": f.get("validation_alias", name)}
        if not isinstance(out["key"], str) or set(f) - {"type", "schema", "metadata",
                                                         "validation_alias",
                                                         "serialization_alias"}:
            return {**out, "node": {"t": "defer"}, "default": "required"}
        schema = f["schema"]
        if schema["type"] == "default":
            if "default_factory" in schema:
                factory = schema["default_factory"]
                out["default"] = "factory"
                out["factory"] = (factory.__name__ if factory in (dict, list)
                                  else {"model": self.by_class.get(factory)})
                if schema.get("default_factory_takes_data") or (
                        isinstance(out["factory"], dict) and out["factory"]["model"] is None):
                    return {**out, "node": {"t": "defer"}, "default": "required"}
            else:
                out["default"] = "value"
                out["value"] = schema["default"]
                if not _literal(out["value"]):
                    return {**out, "node": {"t": "defer"}, "default": "required"}
            if set(schema) - {"type", "schema", "default", "default_factory",
                              "default_factory_takes_data", "metadata"}:
                return {**out, "node": {"t": "defer"}, "default": "required"}
            schema = schema["schema"]
        else:
            out["default"] = "required"
        out["node"] = self.node(schema)
        return out

    def node(self, schema: Mapping[str, Any]) -> dict[str, Any]:
        """One value's node; `defer` for anything not known exactly."""
        kind = schema["type"]
        known = _KEYS.get(kind)
        if known is None or set(schema) - known - _IGNORED:
            return {"t": "defer"}
        bounds = {k: schema[k] for k in ("gt", "ge", "lt", "le", "min_length", "max_length")
                  if schema.get(k) is not None}
        match kind:
            case "any" | "bool" | "str" | "int":
                if kind != "any" and not (schema.get("strict") or self.config.get("strict")):
                    return {"t": "defer"}
                return {"t": kind, **bounds}
            case "float":
                finite = not schema.get("allow_inf_nan", self.config.get("allow_inf_nan", True))
                return {"t": "float", "finite": finite, **bounds}
            case "literal":
                return {"t": "literal", "values": list(schema["expected"])}
            case "nullable":
                return {"t": "nullable", "of": self.node(schema["schema"])}
            case "list":
                return {"t": "list", "of": self.node(schema.get("items_schema", {"type": "any"})),
                        **bounds}
            case "dict":
                return {"t": "dict", "keys": self.node(schema.get("keys_schema", {"type": "any"})),
                        "values": self.node(schema.get("values_schema", {"type": "any"}))}
            case "union":
                choices = schema["choices"]
                if any(not isinstance(c, Mapping) for c in choices):
                    return {"t": "defer"}  # labelled choices: not used by archc
                return {"t": "union", "of": [self.node(c) for c in choices]}
            case "function-before" | "function-after":
                ref = self.function(schema["function"])
                if ref is None:
                    return {"t": "defer"}
                return {"t": "before" if kind == "function-before" else "after", "fn": ref,
                        "of": self.node(schema["schema"])}
            case "model":
                name = self.by_class.get(schema["cls"])
                return {"t": "defer"} if name is None else {"t": "model", "name": name}
        return {"t": "defer"}  # pragma: no cover - every known kind is matched above

    def function(self, spec: Mapping[str, Any]) -> str | None:
        """The name of a validator function the checker can call, or None."""
        if spec.get("type") != "no-info" or set(spec) - {"type", "function"}:
            return None
        fn = spec["function"]
        if fn in ITEM_CHECKS:
            return f"spec_check:{ITEM_CHECKS[fn]}"
        name = function_name(fn) if callable(fn) and hasattr(fn, "__qualname__") else ""
        return name if known_functions().get(name) is fn else None
