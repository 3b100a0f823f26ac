"""The values of a spec's variables: its own, then the chosen variant's, then `--set`'s.

Every variable is evaluated once, in order, against those above it, before any layer is
lowered; an item then reads the finished values (`$width`). A variant or override may read
the value it replaces (`{w: $w * 2}`). Every variant is checked here, not only the chosen
one, so `archc check` catches a typo in a variant nobody builds. A failed variable is
reported once, where it fails; those that read it are left out silently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from archc.diagnostics import (
    Diagnostic,
    DiagnosticSink,
    Problem,
    SourceSpan,
    SpecError,
    UsageError,
    did_you_mean,
)
from archc.lower.expr import (
    Budget,
    Exhausted,
    InFunction,
    Silent,
    evaluate,
    is_expression,
    variables_in,
)
from archc.lower.functions import FunctionTable, SpecFunction
from archc.spec.loader import Document, load_text

if TYPE_CHECKING:
    from archc.spec.schema import SpecHeader


def resolve_variables(doc: Document, header: SpecHeader, chosen: str | None,
                      overrides: Sequence[tuple[str, str]], sink: DiagnosticSink,
                      functions: Mapping[str, SpecFunction] | None = None,
                      budget: Budget | None = None) -> tuple[str | None, dict[str, Any]]:
    """Spec variables, then the chosen variant's values, then `--set` overrides.

    A variable is evaluated against those above it (and functions called from it see the
    same), and expressions nested in a list are evaluated too, so a table row can hold
    `'72 / 16'` as the reference code writes it. `chosen` is the variant asked for (None:
    the spec's `default_variant`), `overrides` the `--set key=value` pairs as typed; either
    naming what the spec lacks is a UsageError. Returns the variant used and the values."""
    variant = chosen if chosen is not None else header.default_variant
    if header.default_variant is not None and header.default_variant not in header.variants:
        sink.error("N005", f"`default_variant` names an unknown variant "
                   f"`{header.default_variant}`", doc.span(("default_variant",)),
                   did_you_mean(header.default_variant, header.variants))
        return None, {}
    if variant is not None and variant not in header.variants:
        known = ", ".join(header.variants) or "none"
        hint = did_you_mean(variant, header.variants)
        raise UsageError(f"unknown variant `{variant}` (variants: {known})"
                         + (f"; {hint}" if hint else ""))
    # Each variable's definitions in order: the spec's, the chosen variant's, `--set`'s. A
    # later one may read the variable itself (`{w: $w * 2}`): that is the value before it.
    layers: dict[str, list[tuple[Any, SourceSpan]]] = {
        k: [(v, doc.span(("variables", k)))] for k, v in header.variables.items()
    }
    # Every variant is checked, not only the chosen one: `archc check` must catch a typo in
    # a variant that nobody happens to build.
    declared = set(layers)
    for name, values in header.variants.items():
        for key, value in values.items():
            if key not in declared:
                sink.error("N006", f"variant `{name}` sets `{key}`, which is not a variable",
                           doc.key_span(("variants", name, key)),
                           did_you_mean(key, declared) or "declare it under `variables:`")
            elif name == variant:
                layers[key].append((value, doc.span(("variants", variant, key))))
    for key, text in overrides:
        if key not in layers:
            hint = did_you_mean(key, layers)
            raise UsageError(f"--set {key}: the spec has no variable `{key}`"
                             + (f"; {hint}" if hint else ""))
        layers[key].append((_parse_override(key, text), SourceSpan("<--set>", 1, 1)))
    env: dict[str, Any] = {}
    table = FunctionTable(functions or {}, env)
    budget = budget if budget is not None else Budget()
    failed: set[str] = set()
    for key, definitions in layers.items():
        # Only the last definition counts, and those it reads through `$key`: an overridden
        # spec value is not evaluated (it may not even make sense for this variant).
        first = len(definitions) - 1
        while first > 0 and key in _reads(definitions[first][0]):
            first -= 1
        for value, span in definitions[first:]:
            if failed & set(_reads(value)):
                failed.add(key)  # reported where the first failure is: no E001 cascade
                break
            try:
                env[key] = _variable_value(value, env, table, budget)
            except Exhausted as exc:
                sink.add(exc.at(span))  # once: every later variable would fail too
                return variant, env
            except Problem as exc:
                if isinstance(exc, InFunction):
                    sink.add(Diagnostic(exc.code, exc.message, doc.span(exc.path), exc.help,
                                        notes=(f"called from {span}",)))
                elif not isinstance(exc, Silent):
                    sink.add(exc.at(span))
                failed.add(key)
                env.pop(key, None)
                break
    return variant, env


def _variable_value(value: Any, env: dict[str, Any], table: FunctionTable,
                    budget: Budget) -> Any:
    if isinstance(value, list):
        out = [_variable_value(v, env, table, budget) for v in value]
        budget.size(out, "[...]")  # `['$v', '$v']` doubles like `'[$v, $v]'`
        return out
    if is_expression(value):
        return evaluate(value, env, table, budget)
    return value


def _reads(value: Any) -> list[str]:
    """The variables a definition reads, inside lists too."""
    if isinstance(value, list):
        return [name for item in value for name in _reads(item)]
    return variables_in(value) if is_expression(value) else []


def _parse_override(key: str, text: str) -> Any:
    try:
        return load_text(f"value: {text}", "<--set>").data["value"]
    except SpecError as exc:
        raise UsageError(f"--set {key}={text}: {exc.diagnostics[0].message}") from None
