"""A spec's own `functions:`: named, parameterised expressions written once.

    functions:
      make_divisible:
        params: [v, {divisor: 8}]
        let:
          down: max($divisor, int($v + $divisor / 2) // $divisor * $divisor)
        value: $down + $divisor if $down < 0.9 * $v else $down

A function is pure: it sees its parameters, its own `let` names (in order) and the spec's
variables, never `$in`, `$index` or a block's parameters, so it means the same wherever it
is called. Its texts are checked once, when the spec is loaded (`compile_functions`):
names, syntax, unknown functions and variables, and recursion (N008), which is refused
statically rather than by running into the call-depth cap. Calls are evaluated by the same
whitelist walker as every other expression (`expr.py`), sharing one budget.
"""

from __future__ import annotations

import functools
from collections import ChainMap
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from archc.diagnostics import DiagnosticSink, Problem, did_you_mean
from archc.lower.builtins import CALLABLE_NAMES
from archc.lower.expr import (
    INPUT,
    PARAM_PATTERN,
    Budget,
    Exhausted,
    InFunction,
    Silent,
    evaluate,
    is_expression,
    names_in,
    parse,
)
from archc.spec.loader import Document, Path

if TYPE_CHECKING:
    from archc.spec.schema import FunctionDef, SpecHeader

_NO_DEFAULT = object()


@dataclass(frozen=True)
class SpecFunction:
    """One compiled function: parameters with their defaults, `let` steps and the value,
    each with the path of its text (for diagnostics inside the function)."""

    name: str
    params: tuple[tuple[str, Any, Path], ...]
    """(name, default or `_NO_DEFAULT`, path of the default)."""
    lets: tuple[tuple[str, Any, Path], ...]
    value: tuple[Any, Path]

    @functools.cached_property
    def order(self) -> dict[str, int]:
        """Parameter name -> position, made once (a call must not rebuild it: 10,000
        parameters times 10,000 calls)."""
        return {p[0]: i for i, p in enumerate(self.params)}


class FunctionTable:
    """The spec's functions bound to the variables they see (`globals_`)."""

    def __init__(self, functions: Mapping[str, SpecFunction],
                 globals_: Mapping[str, Any]) -> None:
        self.functions = functions
        self.globals = globals_

    def names(self) -> Collection[str]:
        return self.functions.keys()

    def call(self, name: str, args: list[Any], kwargs: dict[str, Any],
             budget: Budget) -> Any:
        f = self.functions[name]
        order = f.order
        if len(args) > len(order):
            raise Problem("E005", f"`{name}` takes {_count(len(order))}; received "
                          f"{len(args) + len(kwargs)}")
        given = dict(zip(order, args, strict=False))
        for key, value in kwargs.items():
            if key not in order:
                raise Problem("E005", f"`{name}` has no parameter `{key}`",
                              did_you_mean(key, order) or f"parameters: {', '.join(order)}")
            if key in given:
                raise Problem("E005", f"`{name}` receives `{key}` twice")
            given[key] = value
        # Every parameter bound and every `let` is a term of the spec's budget, and the
        # variables are read through, never copied: memory stays linear in the spec.
        budget.charge(len(f.params) + len(f.lets), f"{name}(...)")
        local: dict[str, Any] = {}
        env: ChainMap[str, Any] = ChainMap(local, self.globals)  # type: ignore[arg-type]
        for param, default, path in f.params:
            if param in given:
                local[param] = given[param]
            elif default is _NO_DEFAULT:
                raise Problem("E005", f"`{name}` needs the argument `{param}`",
                              f"call it as `{name}({', '.join(order)})`")
            else:
                local[param] = self._value(default, path, env, budget)
        for key, raw, path in f.lets:
            local[key] = self._value(raw, path, env, budget)
        return self._value(f.value[0], f.value[1], env, budget)

    def _value(self, raw: Any, path: Path, env: Mapping[str, Any], budget: Budget) -> Any:
        try:
            if isinstance(raw, list):
                out = [self._value(v, path + (i,), env, budget) for i, v in enumerate(raw)]
                budget.size(out, "[...]")
                return out
            if not is_expression(raw):
                return raw
            return evaluate(raw, env, self, budget)
        except (InFunction, Silent, Exhausted):
            raise
        except Problem as exc:
            raise InFunction(exc, path) from None


def _count(n: int) -> str:
    return f"{n} argument{'s' if n != 1 else ''}"


# -- static checks ------------------------------------------------------------------------


def compile_functions(doc: Document, header: SpecHeader, sink: DiagnosticSink,
                      budget: Budget | None = None) -> dict[str, SpecFunction]:
    """Check every function once (names, texts, recursion) and compile the table; reading
    the texts is charged to the spec's `budget`."""
    budget = budget if budget is not None else Budget()
    out: dict[str, SpecFunction] = {}
    calls: dict[str, list[str]] = {}
    for name, definition in header.functions.items():
        key_span = doc.key_span(("functions", name))
        if not PARAM_PATTERN.fullmatch(name):
            sink.error("S008", f"`{name}` is not a valid function name", key_span,
                       "a function is called by its bare name: use letters, digits and `_`, "
                       "starting with a letter or `_`")
        elif name in CALLABLE_NAMES:
            sink.error("S008", f"`{name}` is a builtin function", key_span,
                       f"rename it, e.g. `my_{name}`")
        compiled, called = _compile(doc, header, name, definition, sink, budget)
        out[name] = compiled
        calls[name] = called
    for name in header.functions:
        cycle = _cycle(name, calls)
        if cycle is not None and cycle[0] == min(cycle[:-1], key=list(header.functions).index):
            sink.error("N008", f"function `{name}` calls itself: {' -> '.join(cycle)}",
                       doc.key_span(("functions", name)),
                       "functions cannot be recursive; compute the value without recursion")
    return out


class _Visible:
    """The names a text of a function sees: the spec's variables and the locals declared
    before it. One position table serves every text (copying a set per text made 10,000
    `let` names cost 2.4 GB)."""

    def __init__(self, known: Collection[str], order: Mapping[str, int], before: int) -> None:
        self.known = known
        self.order = order
        self.before = before

    def __contains__(self, name: object) -> bool:
        return name in self.known or self.order.get(name, self.before) < self.before  # type: ignore[call-overload]

    def names(self) -> list[str]:
        """For "did you mean" (an error path: a list is made only then)."""
        return [*self.known, *(k for k, i in self.order.items() if i < self.before)]


def _compile(doc: Document, header: SpecHeader, name: str, definition: FunctionDef,
             sink: DiagnosticSink, budget: Budget) -> tuple[SpecFunction, list[str]]:
    base: Path = ("functions", name)
    known = header.variables
    order: dict[str, int] = {}
    params: list[tuple[str, Any, Path]] = []
    texts: list[tuple[Any, Path, _Visible]] = []
    for index, entry in enumerate(definition.params):
        items = [(entry, _NO_DEFAULT)] if isinstance(entry, str) else list(entry.items())
        for param, default in items:
            path = base + ("params", index) + (() if isinstance(entry, str) else (param,))
            _check_local(doc, name, param, path, order, "parameter", sink)
            if default is not _NO_DEFAULT:
                texts.append((default, path, _Visible(known, order, len(order))))
            order.setdefault(param, len(order))
            params.append((param, default, path))
    lets: list[tuple[str, Any, Path]] = []
    for key, raw in definition.let.items():
        path = base + ("let", key)
        _check_local(doc, name, key, path, order, "`let` name", sink)
        texts.append((raw, path, _Visible(known, order, len(order))))
        order.setdefault(key, len(order))
        lets.append((key, raw, path))
    texts.append((definition.value, base + ("value",), _Visible(known, order, len(order))))
    called: list[str] = []
    for raw, path, visible in texts:
        called += _check_text(doc, raw, path, visible, header, sink, budget)
    return SpecFunction(name, tuple(params), tuple(lets), (definition.value, base + ("value",))), \
        called


def _check_local(doc: Document, function: str, local: str, path: Path,
                 taken: Collection[str], what: str, sink: DiagnosticSink) -> None:
    span = doc.key_span(path)
    if not PARAM_PATTERN.fullmatch(local) or local == INPUT:
        sink.error("S008", f"`{local}` is not a valid {what} in function `{function}`", span,
                   "it is read as `$name`: use letters, digits and `_` (and not `in`)")
    elif local in taken:
        sink.error("N007", f"function `{function}` declares `{local}` twice", span,
                   "give each parameter and `let` name its own name")


def _check_text(doc: Document, raw: Any, path: Path, visible: _Visible, header: SpecHeader,
                sink: DiagnosticSink, budget: Budget) -> list[str]:
    """Report what can be known before a call (syntax, unknown names); return the calls."""
    if isinstance(raw, list):
        return [c for i, v in enumerate(raw)
                for c in _check_text(doc, v, path + (i,), visible, header, sink, budget)]
    if not is_expression(raw):
        return []
    span = doc.span(path)
    try:
        budget.read(raw)
        parse(raw)
    except Exhausted as exc:
        sink.add(exc.at(span))
        raise
    except Problem as exc:
        sink.add(exc.at(span))
        return []
    variables, called = names_in(raw)
    for var in variables:
        if var == INPUT:
            sink.error("E006", "`$in` is only defined in layer items", span,
                       "a function sees its parameters and the spec's variables: pass "
                       "`$in.channels` as an argument")
        elif var not in visible:
            sink.error("E001", f"unknown variable `${var}`", span,
                       did_you_mean(var, visible.names()) or "a function sees its parameters, its "
                       "`let` names above and the spec's variables; pass other values as "
                       "arguments")
    spec_functions = list(header.functions)
    for callee in called:
        if callee.startswith("__archc_var_"):
            continue  # `$f(...)`: the evaluator explains it
        if callee not in CALLABLE_NAMES and callee not in header.functions:
            sink.error("E004", f"unknown function `{callee}` in `{raw}`", span,
                       did_you_mean(callee, [*CALLABLE_NAMES, *spec_functions])
                       or "functions: " + ", ".join([*CALLABLE_NAMES, *spec_functions]))
    return [c for c in called if c in header.functions]


def _cycle(start: str, calls: Mapping[str, list[str]]) -> list[str] | None:
    """The shortest call chain from `start` back to itself, if any (breadth first)."""
    queue: list[list[str]] = [[start]]
    seen = {start}
    while queue:
        chain = queue.pop(0)
        for callee in calls.get(chain[-1], []):
            if callee == start:
                return chain + [start]
            if callee not in seen:
                seen.add(callee)
                queue.append(chain + [callee])
    return None
