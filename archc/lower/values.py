"""Values and `$` expressions: an item's arguments with every expression evaluated.

Arguments are substituted before they are validated, so `filters: $width * 2` is checked
like `filters: 128`. A failed expression is reported where it was written and its value
becomes `BAD`, which poisons the item (and only that item).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from archc.diagnostics import Diagnostic, DiagnosticSink, Problem
from archc.lower.expr import (
    NO_FUNCTIONS,
    Budget,
    Callables,
    Exhausted,
    InFunction,
    Silent,
    evaluate,
    is_expression,
    whole,
)
from archc.lower.nodes import Abort
from archc.spec.loader import Document, Path

if TYPE_CHECKING:
    from archc.spec.schema import SpecHeader

BAD = object()
"""Marks a value whose expression failed (already reported)."""


class Values:
    """Evaluates expressions against an environment, reporting errors at their span."""

    def __init__(self, doc: Document, header: SpecHeader, sink: DiagnosticSink,
                 functions: Callables = NO_FUNCTIONS, budget: Budget | None = None) -> None:
        self.doc = doc
        self.header = header
        self.sink = sink
        self.functions = functions
        self.budget = budget if budget is not None else Budget()
        """The spec's cost account: every evaluation of every item spends from it."""

    def compute(self, text: str, path: Path, env: Mapping[str, Any]) -> Any:
        try:
            return evaluate(text, env, self.functions, self.budget)
        except Silent:
            return BAD
        except Exhausted as exc:  # reported once; every later evaluation would fail too
            self.sink.add(exc.at(self.doc.span(path)))
            raise Abort from None
        except InFunction as exc:
            # Reported at the function's own text, which is where the fix goes.
            call = self.doc.span(path)
            self.sink.add(Diagnostic(exc.code, exc.message, self.doc.span(exc.path), exc.help,
                                     notes=(f"called from {call}",)))
            return BAD
        except Problem as exc:
            self.sink.add(exc.at(self.doc.span(path)))
            return BAD

    def subst(self, value: Any, path: Path, env: Mapping[str, Any]) -> Any:
        if is_expression(value):
            result = self.compute(value, path, env)
            return result if result is BAD else whole(result)
        if isinstance(value, list):
            out = [self.subst(v, path + (i,), env) for i, v in enumerate(value)]
            if any(v is BAD for v in out):
                return BAD
            try:  # `[$big, $big]`: the list written around values may be what is too large
                self.budget.size(out, "[...]")
            except Exhausted as exc:
                self.sink.add(exc.at(self.doc.span(path)))
                raise Abort from None
            except Problem as exc:
                self.sink.add(exc.at(self.doc.span(path)))
                return BAD
            return out
        if isinstance(value, dict):
            res = {k: self.subst(v, path + (k,), env) for k, v in value.items()}
            return BAD if any(v is BAD for v in res.values()) else res
        return value

    def subst_args(self, raw: dict[str, Any], arg_paths: dict[str, Path],
                   env: Mapping[str, Any],
                   skip: frozenset[str] = frozenset()) -> dict[str, Any] | None:
        out = {}
        for key, value in raw.items():
            out[key] = value if key in skip else self.subst(value, arg_paths[key], env)
        return None if any(v is BAD for v in out.values()) else out


    def default(self, kind: str, key: str, fallback: Any, env: Mapping[str, Any]) -> Any:
        """A `defaults:` value for a generated layer, evaluated in the current scope."""
        if key not in self.header.defaults.get(kind, {}):
            return fallback
        value = self.subst(self.header.defaults[kind][key], ("defaults", kind, key), env)
        return fallback if value is BAD else value

