"""Pydantic's validation errors as located diagnostics: the slow path of validation.

Only an item the pydantic-free checker (plain.py) is unsure of comes here, so pydantic is
imported when a spec has an error (or a case the compiled schema does not cover), not on
every run. Pydantic reports errors by `loc` (a path of field names and indices, with
union-member tags mixed in). We walk that path through the loaded data to find the YAML span
of the bad value, and phrase the error the way a person fixes it: what is wrong, what was
received, and a "did you mean" where a name was misspelt.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from archc.diagnostics import Diagnostic, DiagnosticSink, did_you_mean
from archc.spec.document import value_at
from archc.spec.loader import Path
from archc.spec.wording import SpanOf, field_name, show

M = TypeVar("M", bound=BaseModel)



def validate_with_pydantic(model: type[M], data: Mapping[str, Any], span_of: SpanOf,
                           sink: DiagnosticSink, what: str) -> M | None:
    """Validate `data` against `model`; on failure add located diagnostics, return None."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        sink.extend(errors_to_diagnostics(exc, data, span_of, model, what))
        return None


def errors_to_diagnostics(exc: ValidationError, data: Any, span_of: SpanOf,
                          model: type[BaseModel], what: str) -> list[Diagnostic]:
    grouped: dict[Path, list[dict[str, Any]]] = {}
    for err in _one_union_member(exc.errors(include_url=False), data):
        path = _data_path(data, err["loc"])
        grouped.setdefault(path, []).append(dict(err))
    # `kernal_size: 3` is one mistake, not two: drop "missing kernel_size" when an unknown
    # field is its misspelling.
    extras = {str(p[-1]) for p, es in grouped.items() if p and any(
        e["type"] == "extra_forbidden" for e in es)}
    out: list[Diagnostic] = []
    for path, errs in grouped.items():
        missing = [e for e in errs if e["type"] == "missing"]
        if missing and len(missing) == len(errs) and did_you_mean(str(errs[0]["loc"][-1]), extras):
            continue
        out.append(_one(path, errs, data, span_of, model, what))
    return out


def _one_union_member(errors: list[Any], data: Any) -> list[dict[str, Any]]:
    """Keep, per union-typed field, only the errors of the member that fits the value best.

    Pydantic tries every member of `kernel_size: int | [int, int]` and reports each one's
    failure, so `kernel_size: [3, 0]` gave two diagnostics ("a valid integer", received a
    list; and "greater than 0" at the 0). One mistake is one diagnostic: the member that
    got deepest into the value is the one the author meant; at equal depth, type mismatches
    ("a valid list" for a string) give way to the members whose type did match.
    """
    members: dict[Path, dict[str, list[dict[str, Any]]]] = {}
    for err in errors:
        split = _union_split(data, err["loc"])
        if split is not None:
            members.setdefault(split[0], {}).setdefault(split[1], []).append(err)
    dropped: set[int] = set()
    for field, by_member in members.items():
        if len(by_member) < 2:
            continue
        depth = {tag: max(len(_data_path(data, e["loc"])) for e in errs)
                 for tag, errs in by_member.items()}
        deepest = max(depth.values())
        chosen = [e for tag, errs in by_member.items() if depth[tag] == deepest for e in errs]
        value = value_at(data, field)
        if any(not _mismatch(e, value) for e in chosen):
            chosen = [e for e in chosen if not _mismatch(e, value)]
        elif deepest > len(field):
            # A shape mistake (`connections: [0, 1]`, rows flattened) fails at every element
            # alike: the first element says it once.
            chosen = chosen[:1]
        keep = {id(e) for e in chosen}
        dropped |= {id(e) for errs in by_member.values() for e in errs if id(e) not in keep}
    return [dict(e) for e in errors if id(e) not in dropped]


def _union_split(data: Any, loc: tuple[int | str, ...]) -> tuple[Path, str] | None:
    """(data path of the field, union member tag) when `loc` runs through a union member."""
    current = data
    for index, part in enumerate(loc):
        in_dict = isinstance(current, dict) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if in_dict or in_list:
            current = current[part]
        elif isinstance(part, str) and not isinstance(current, dict):
            return _data_path(data, loc[:index]), part
        else:
            return None
    return None


def _mismatch(err: dict[str, Any], value: Any) -> bool:
    """An error saying the value has the wrong type for this member (not a wrong value)."""
    kind = str(err["type"])
    return kind.endswith("_type") or (kind == "literal_error" and not isinstance(value, str))


def _one(path: Path, errs: list[dict[str, Any]], data: Any, span_of: SpanOf,
         model: type[BaseModel], what: str) -> Diagnostic:
    kinds = {e["type"] for e in errs}
    field = field_name(path)
    if "extra_forbidden" in kinds:
        allowed = _allowed_fields(model, path)
        return Diagnostic("S002", f"unknown field `{field}` in {what}", span_of(path, True),
                          did_you_mean(str(field), allowed) or _list_hint(allowed))
    if "missing" in kinds:
        missing = errs[0]["loc"][-1]
        return Diagnostic("S003", f"{what} needs the field `{missing}`",
                          span_of(path, True) if path else span_of(path, False),
                          f"add `{missing}: ...`")
    received = value_at(data, path)
    literal = [e for e in errs if e["type"] == "literal_error"]
    hint = None
    if literal and isinstance(received, str):
        expected = literal[0].get("ctx", {}).get("expected", "")
        options = [o.strip(" '") for o in expected.replace(" or ", ",").split(",") if o.strip()]
        hint = did_you_mean(received, options) or f"expected one of: {expected}"
    if isinstance(received, float) and not received.is_integer() and any(
            str(e["type"]).startswith("int") for e in errs):
        hint = (f"an integer field needs a whole number and `{received}` is not: round it with "
                "round(), floor(), ceil() or int() (docs/spec-language.md#rounding)")
    messages = []
    for e in errs:
        msg = str(e["msg"]).removeprefix("Value error, ")
        msg = msg[0].lower() + msg[1:] if msg else msg
        if msg not in messages:
            messages.append(msg)
    text = " or ".join(messages[:3])
    return Diagnostic("S004", f"invalid value for `{field}` in {what}: {text}; "
                      f"received {show(received)}", span_of(path, False), hint)


def _data_path(data: Any, loc: tuple[int | str, ...]) -> Path:
    """Keep the parts of a pydantic loc that address real data (drop union-member tags)."""
    path: list[str | int] = []
    current = data
    for part in loc:
        in_dict = isinstance(current, dict) and part in current
        in_list = isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        if in_dict or in_list:
            current = current[part]
            path.append(part)
        elif isinstance(current, dict) and isinstance(part, str) and part not in current:
            # an unknown or missing key: the path names it, the span falls back to its parent
            if part == loc[-1]:
                path.append(part)
            break
    return tuple(path)


def _allowed_fields(model: type[BaseModel], path: Path) -> list[str]:
    current: Any = model
    for part in path[:-1]:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", {})
        if part in fields:
            annotation = fields[part].annotation
            current = _model_in(annotation)
        else:
            current = None
        if current is None:
            return []
    fields = getattr(current, "model_fields", {})
    return [f.alias or name for name, f in fields.items()]


def _model_in(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


def _list_hint(allowed: list[str]) -> str | None:
    if not allowed:
        return None
    return "allowed fields: " + ", ".join(sorted(allowed))
