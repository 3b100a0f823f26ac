"""Validation of a spec's items, with located diagnostics: the entry point.

Each mapping (the header, a layer item, a structure, a block call) is checked first by the
pydantic-free checker (plain.py), which accepts a valid item without importing pydantic;
an item it is unsure of goes to the pydantic models (pydantic_errors.py), which accept it
or report its errors. Either way the caller gets an object that reads as the model: the
model instance, or a `PlainModel` with the same fields.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, cast

from archc.diagnostics import Diagnostic, DiagnosticSink, SourceSpan
from archc.ir.limits import BackendLimits
from archc.spec import plain
from archc.spec.loader import Document, Path
from archc.spec.wording import SpanOf, field_name, show

if TYPE_CHECKING:
    from archc.spec.schema import SpecHeader


def validate_header(doc: Document, sink: DiagnosticSink) -> SpecHeader | None:
    """Validate the top level of a spec; layer items are validated later, one by one."""
    if not isinstance(doc.data, dict):
        what = "empty" if doc.data is None else "not a mapping"
        sink.error("S001", f"the spec is {what}; it must be a mapping with `archc`, `name`, "
                   "`input` and `layers`", doc.span(()),
                   "start from an example in docs/spec-language.md")
        return None

    def span_of(path: Path, key: bool) -> SourceSpan:
        return doc.key_span(path) if key else doc.span(path)

    return cast("SpecHeader | None",
                validate_model("SpecHeader", doc.data, span_of, sink, "the spec"))


def validate_model(name: str, data: Mapping[str, Any], span_of: SpanOf,
                   sink: DiagnosticSink, what: str) -> Any:
    """`data` validated as the model `name` (a layer type or structure by its YAML key,
    else the model's class name: `SpecHeader`, `BlockCall`); on failure add located
    diagnostics and return None. The result reads as that model (see module docstring)."""
    found = plain.check(name, data)
    if found is not None:
        return found
    from archc.spec.pydantic_errors import validate_with_pydantic
    from archc.spec.schema import model_named

    return validate_with_pydantic(model_named(name), data, span_of, sink, what)


def within_size_limit(data: Mapping[str, Any], span_of: SpanOf, sink: DiagnosticSink,
                      what: str, limits: BackendLimits) -> bool:
    """Every integer of a validated layer item is at most the backend's `max_size`; each one
    over it is an S004 at the value, worded as a schema bound is. A backend limit, not a
    rule of the language: the schema does not carry it (archc/backends/keras/limits.py)."""
    if limits.max_size is None or not _over(data, limits.max_size):
        return True
    within = True
    for path, value in _integers(data, ()):
        if value > limits.max_size:
            sink.add(Diagnostic("S004", f"invalid value for `{field_name(path)}` in {what}: "
                                f"input should be less than or equal to {limits.max_size}; "
                                f"received {show(value)}", span_of(path, False),
                                limits.max_size_why))
            within = False
    return within


def _over(data: Mapping[str, Any], limit: int) -> bool:
    """Is any integer in the arguments over `limit`? The fast test every layer takes; the
    located report (`_integers`) runs only when one is."""
    stack = list(data.values())
    while stack:
        value = stack.pop()
        if type(value) is int:
            if value > limit:
                return True
        elif isinstance(value, list | tuple):
            stack.extend(value)
        elif isinstance(value, Mapping):
            stack.extend(value.values())
    return False


def _integers(value: Any, path: Path) -> Iterator[tuple[Path, int]]:
    """Every integer in a layer item's arguments, with its path."""
    if type(value) is int:
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if type(item) is int:
                yield path + (key,), item
            elif isinstance(item, Mapping | list | tuple):
                yield from _integers(item, path + (key,))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from _integers(item, path + (index,))


