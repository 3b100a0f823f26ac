"""Validate a valid spec without pydantic: the fast path of every command.

Importing pydantic and building its validators costs more than the whole summary of
ResNet-152 (docs/benchmarks.md, start-up). Most documents are valid, and a valid item needs
no error messages, so this module checks an item against the spec's models compiled to
plain data (`compiled_schema.py`, generated from the pydantic models' own core schemas by
`archc/docgen/compiled.py`) and builds a `PlainModel` that reads like the pydantic model
would: the same fields, values, defaults and `model_fields_set`.

The checker only ever says "valid, and here is the value" or "not sure" (`None`); it never
reports an error. On "not sure" the caller validates with pydantic, which accepts the item
or words the errors as always. So the worst a gap here can do is cost time. What it must
never do is accept what pydantic refuses or read a value differently; tests/spec/test_plain.py
holds the two side by side over the zoo, the test specs and generated values.
"""

from __future__ import annotations

import copy
import json
import math
from collections.abc import Callable, Mapping
from dataclasses import fields
from typing import Any

from archc.ir.ops import CATALOGUE, op_named
from archc.ir.ops.base import spec_of
from archc.spec import value_rules
from archc.spec.compiled_schema import MODELS

Check = Callable[[Any], Any]
"""A compiled node: the validated value, or raises `_Unsure`."""


class _Unsure(Exception):
    """The value may be invalid or read otherwise by pydantic: ask pydantic."""


class PlainModel:
    """A validated mapping that reads as its pydantic model: fields as attributes,
    `model_dump()` and `model_fields_set`. Frozen, as the models are."""

    __slots__ = ("_given", "_name", "_values")

    def __init__(self, name: str, values: dict[str, Any], given: frozenset[str]) -> None:
        object.__setattr__(self, "_name", name)
        object.__setattr__(self, "_values", values)
        object.__setattr__(self, "_given", given)

    def __getattr__(self, field: str) -> Any:
        try:
            return self._values[field]
        except KeyError:
            raise AttributeError(f"`{self._name}` has no field `{field}`") from None

    def __setattr__(self, field: str, value: Any) -> None:
        raise AttributeError(f"`{self._name}` is frozen")

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, PlainModel) and self._name == other._name
                and self._values == other._values)

    def __hash__(self) -> int:
        return hash(self._name)

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self._values.items())
        return f"{self._name}({inner})"

    @property
    def model_fields_set(self) -> set[str]:
        """The fields the item wrote (not filled in from a default)."""
        return set(self._given)

    def model_dump(self) -> dict[str, Any]:
        """The fields as a dict, nested models as dicts and containers copied (as pydantic
        dumps them)."""
        return {k: _dump(v) if type(v) in _CONTAINERS else v for k, v in self._values.items()}


_CONTAINERS = (list, dict, PlainModel)


def _dump(value: Any) -> Any:
    if isinstance(value, PlainModel):
        return value.model_dump()
    if isinstance(value, list):
        return [_dump(v) for v in value]
    if isinstance(value, dict):
        return {k: _dump(v) for k, v in value.items()}
    return value


def check(name: str, data: Any) -> PlainModel | None:
    """`data` validated as model `name` (a layer type, a structure, or `SpecHeader`,
    `BlockCall`, ...); None when pydantic must decide (an error, or a case not compiled)."""
    if name not in MODELS:
        return None
    try:
        return _model_value(name, data)
    except _Unsure:
        return None


_CHECKERS: dict[str, Check] = {}
"""Each model's compiled checker, made on first use (a spec of five layer types compiles
five)."""


_REQUIRED = object()
"""Stands for a required field's value until the item gives it."""


def _model(name: str) -> Check:
    """The checker of one compiled model: exactly its keys, each field's node, defaults.

    Per item it copies the constant defaults (in field order, so the values read in the
    model's order), checks the fields the item gives, and makes the fresh defaults (an
    empty dict, a nested model) only for fields it left out."""
    spec = MODELS[name]
    if spec is None:
        return _always_unsure
    refs, texts = spec
    parsed = [json.loads(text) for text in texts]
    by_key = {f["key"]: (f["name"], _node(f["node"])) for f in parsed}
    start: dict[str, Any] = {}
    fresh: list[tuple[str, str, Callable[[], Any]]] = []
    required = 0
    for f in parsed:
        default = f["default"]
        if default == "value" and not isinstance(f["value"], list | dict):
            start[f["name"]] = f["value"]
        else:
            start[f["name"]] = _REQUIRED
            if default == "required":
                required += 1
            else:
                fresh.append((f["name"], f["key"], _default(f)))
    after = [_function(ref) for ref in refs]

    def run(data: Any) -> PlainModel:
        if type(data) is not dict:
            raise _Unsure
        values = start.copy()
        given = []
        try:
            for key, value in data.items():
                field, node = by_key[key]
                values[field] = node(value)
                given.append(field)
        except KeyError:
            raise _Unsure from None  # an unknown field
        for field, key, make in fresh:
            if key not in data:
                values[field] = make()
        if required and _REQUIRED in values.values():
            raise _Unsure  # a required field is missing
        result = PlainModel(name, values, frozenset(given))
        for fn in after:
            result = fn(result)
        return result

    return run


def _always_unsure(value: Any) -> Any:
    raise _Unsure


def _default(field: Mapping[str, Any]) -> Callable[[], Any]:
    """A field's default maker: a fresh value each time, as pydantic gives."""
    match field["default"]:
        case "value":
            value = field["value"]
            if isinstance(value, list | dict):
                return lambda: copy.deepcopy(value)  # pydantic copies a mutable default too
            return lambda: value
        case "factory":
            factory = field["factory"]
            if factory == "dict":
                return dict
            if factory == "list":
                return list
            model = factory["model"]
            return lambda: _model_value(model, {})
    raise AssertionError(f"no default: {field['name']}")  # pragma: no cover


def _model_value(name: str, data: Any) -> PlainModel:
    """`data` as model `name`, its checker compiled on first use; raises `_Unsure`."""
    checker = _CHECKERS.get(name)
    if checker is None:
        checker = _CHECKERS[name] = _model(name)
    result: PlainModel = checker(data)
    return result


def _node(node: Mapping[str, Any]) -> Check:
    """Compile one node of the compiled schema into a function."""
    match node["t"]:
        case "any":
            return lambda value: value
        case "bool":
            return _typed(bool)
        case "str":
            return _sized(_typed(str), node)
        case "int":
            return _bounded(_typed(int), node)
        case "float":
            return _bounded(_float(node["finite"]), node)
        case "literal":
            return _literal(node["values"])
        case "nullable":
            inner = _node(node["of"])
            return lambda value: None if value is None else inner(value)
        case "list":
            return _sized(_list(_node(node["of"])), node)
        case "dict":
            return _dict(_node(node["keys"]), _node(node["values"]))
        case "union":
            return _union(node["of"])
        case "before":
            fn, inner = _function(node["fn"]), _node(node["of"])
            return lambda value: inner(fn(value))
        case "after":
            fn, inner = _function(node["fn"]), _node(node["of"])
            return lambda value: fn(inner(value))
        case "model":
            name = node["name"]
            return lambda value: _model_value(name, value)
    return _always_unsure  # "defer", or a kind this checker does not know


def _typed(kind: type) -> Check:
    """Strict: exactly this type (`true` is not 1, 1 is not "1")."""
    def run(value: Any) -> Any:
        if type(value) is not kind:
            raise _Unsure
        return value
    return run


def _float(finite: bool) -> Check:
    """Strict float: a float or an int (read as a float, as pydantic gives it), not a bool;
    no infinity or NaN where the model refuses them."""
    def run(value: Any) -> Any:
        if type(value) is int:
            value = float(value)
        elif type(value) is not float:
            raise _Unsure
        if finite and not math.isfinite(value):
            raise _Unsure
        return value
    return run


def _bounded(inner: Check, node: Mapping[str, Any]) -> Check:
    gt, ge, lt, le = (node.get(k) for k in ("gt", "ge", "lt", "le"))
    if gt is None and ge is None and lt is None and le is None:
        return inner

    def run(value: Any) -> Any:
        value = inner(value)
        if (gt is not None and not value > gt) or (ge is not None and not value >= ge) \
                or (lt is not None and not value < lt) or (le is not None and not value <= le):
            raise _Unsure
        return value
    return run


def _sized(inner: Check, node: Mapping[str, Any]) -> Check:
    low, high = node.get("min_length"), node.get("max_length")
    if low is None and high is None:
        return inner

    def run(value: Any) -> Any:
        value = inner(value)
        if (low is not None and len(value) < low) or (high is not None and len(value) > high):
            raise _Unsure
        return value
    return run


def _literal(values: list[Any]) -> Check:
    """One of the values, of the same type (so `true` never matches 1)."""
    allowed = [(type(v), v) for v in values]

    def run(value: Any) -> Any:
        if (type(value), value) not in allowed:
            raise _Unsure
        return value
    return run


def _list(item: Check) -> Check:
    def run(value: Any) -> Any:
        if type(value) is not list:
            raise _Unsure
        return [item(v) for v in value]
    return run


def _dict(key: Check, item: Check) -> Check:
    def run(value: Any) -> Any:
        if type(value) is not dict:
            raise _Unsure
        return {key(k): item(v) for k, v in value.items()}
    return run


def _union(nodes: list[Mapping[str, Any]]) -> Check:
    """Exactly one choice accepts the value, or all that do read it alike; otherwise pydantic
    decides (its smart union would pick by rules this checker does not repeat). Only the
    choices that take the value's type are tried (a strict choice refuses any other)."""
    choices = [(_types(n), _node(n)) for n in nodes]
    by_type: dict[type, list[Check]] = {}

    def candidates(kind: type) -> list[Check]:
        found = by_type.get(kind)
        if found is None:
            found = by_type[kind] = [c for types, c in choices if types is None or kind in types]
        return found

    def run(value: Any) -> Any:
        tried = candidates(type(value))
        if len(tried) == 1:
            return tried[0](value)
        found: list[Any] = []
        for choice in tried:
            try:
                result = choice(value)
            except _Unsure:
                continue
            if found and (type(result) is not type(found[0]) or result != found[0]):
                raise _Unsure
            found.append(result)
        if not found:
            raise _Unsure
        return found[0]
    return run


_LEAF_TYPES: Mapping[str, frozenset[type]] = {
    "bool": frozenset({bool}), "str": frozenset({str}), "int": frozenset({int}),
    "float": frozenset({int, float}), "list": frozenset({list}), "dict": frozenset({dict}),
    "model": frozenset({dict}),
}


def _types(node: Mapping[str, Any]) -> frozenset[type] | None:
    """The Python types a node can accept (its checks refuse every other); None: any.
    A `before` function may turn one type into another (a whole float into an int), so it
    accepts any."""
    kind = node["t"]
    if kind in _LEAF_TYPES:
        return _LEAF_TYPES[kind]
    if kind == "literal":
        return frozenset(type(v) for v in node["values"])
    if kind == "nullable":
        inner = _types(node["of"])
        return None if inner is None else inner | {type(None)}
    if kind == "after":
        return _types(node["of"])
    if kind == "defer":
        return frozenset()
    return None  # any, before, union


def function_name(fn: Any) -> str:
    """How the compiled schema names a validator function: `module:function`."""
    return f"{fn.__module__}:{fn.__qualname__}"


def known_functions() -> dict[str, Callable[[Any], Any]]:
    """The functions a compiled schema may name, by `function_name`: the value rules and
    every check an op record's fields declare. Found from the objects themselves, never by
    importing a name read from a file."""
    if not _KNOWN:
        rules = (value_rules.whole_number, value_rules.plain_name,
                 value_rules.integer_version, value_rules.readable_index)
        checks = [spec.check for d in CATALOGUE.values() for f in fields(d.attrs)
                  if (spec := spec_of(f)) is not None and spec.check is not None]
        _KNOWN.update((function_name(fn), fn) for fn in (*rules, *checks))
    return _KNOWN


_KNOWN: dict[str, Callable[[Any], Any]] = {}


def _function(ref: str) -> Check:
    """A validator named in the compiled schema; its ValueError means "ask pydantic"."""
    if ref.startswith("spec_check:"):
        item_check = CATALOGUE[op_named(ref.removeprefix("spec_check:"))].spec_check
        assert item_check is not None

        def whole(model: Any) -> Any:
            if item_check(model.model_dump()):
                raise _Unsure
            return model
        return whole
    fn = known_functions().get(ref)
    if fn is None:
        return _always_unsure

    def run(value: Any) -> Any:
        try:
            return fn(value)
        except ValueError:
            raise _Unsure from None
    return run
