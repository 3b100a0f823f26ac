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

import ast
from collections import ChainMap
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from archc.diagnostics import DiagnosticSink, Problem, did_you_mean
from archc.lower.builtins import CALLABLE_NAMES
from archc.lower.expr import (
    INPUT,
    PARAM_PATTERN,
    Budget,
    InFunction,
    Silent,
    _parse,
    evaluate,
    is_expression,
    variables_in,
)
from archc.spec.loader import Document, Path
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
        order = [p[0] for p in f.params]
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
        local: dict[str, Any] = {}
        env: ChainMap[str, Any] = ChainMap(local, dict(self.globals))
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
        if isinstance(raw, list):
            return [self._value(v, path + (i,), env, budget) for i, v in enumerate(raw)]
        if not is_expression(raw):
            return raw
        try:
            return evaluate(raw, env, self, budget)
        except (InFunction, Silent):
            raise
        except Problem as exc:
            raise InFunction(exc, path) from None


def _count(n: int) -> str:
    return f"{n} argument{'s' if n != 1 else ''}"


# -- static checks ------------------------------------------------------------------------


def compile_functions(doc: Document, header: SpecHeader,
                      sink: DiagnosticSink) -> dict[str, SpecFunction]:
    """Check every function once (names, texts, recursion) and compile the table."""
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
        compiled, called = _compile(doc, header, name, definition, sink)
        out[name] = compiled
        calls[name] = called
    for name in header.functions:
        cycle = _cycle(name, calls)
        if cycle is not None and cycle[0] == min(cycle[:-1], key=list(header.functions).index):
            sink.error("N008", f"function `{name}` calls itself: {' -> '.join(cycle)}",
                       doc.key_span(("functions", name)),
                       "functions cannot be recursive; compute the value without recursion")
    return out


def _compile(doc: Document, header: SpecHeader, name: str, definition: FunctionDef,
             sink: DiagnosticSink) -> tuple[SpecFunction, list[str]]:
    base: Path = ("functions", name)
    known = set(header.variables)
    params: list[tuple[str, Any, Path]] = []
    texts: list[tuple[Any, Path, set[str]]] = []
    for index, entry in enumerate(definition.params):
        items = [(entry, _NO_DEFAULT)] if isinstance(entry, str) else list(entry.items())
        for param, default in items:
            path = base + ("params", index) + (() if isinstance(entry, str) else (param,))
            _check_local(doc, name, param, path, {p[0] for p in params}, "parameter", sink)
            if default is not _NO_DEFAULT:
                texts.append((default, path, known | {p[0] for p in params}))
            params.append((param, default, path))
    names = {p[0] for p in params}
    lets: list[tuple[str, Any, Path]] = []
    for key, raw in definition.let.items():
        path = base + ("let", key)
        _check_local(doc, name, key, path, names, "`let` name", sink)
        texts.append((raw, path, known | names))
        names.add(key)
        lets.append((key, raw, path))
    texts.append((definition.value, base + ("value",), known | names))
    called: list[str] = []
    for raw, path, visible in texts:
        called += _check_text(doc, raw, path, visible, header, sink)
    return SpecFunction(name, tuple(params), tuple(lets), (definition.value, base + ("value",))), \
        called


def _check_local(doc: Document, function: str, local: str, path: Path, taken: set[str],
                 what: str, sink: DiagnosticSink) -> None:
    span = doc.key_span(path)
    if not PARAM_PATTERN.fullmatch(local) or local == INPUT:
        sink.error("S008", f"`{local}` is not a valid {what} in function `{function}`", span,
                   "it is read as `$name`: use letters, digits and `_` (and not `in`)")
    elif local in taken:
        sink.error("N007", f"function `{function}` declares `{local}` twice", span,
                   "give each parameter and `let` name its own name")


def _check_text(doc: Document, raw: Any, path: Path, visible: set[str], header: SpecHeader,
                sink: DiagnosticSink) -> list[str]:
    """Report what can be known before a call (syntax, unknown names); return the calls."""
    if isinstance(raw, list):
        return [c for i, v in enumerate(raw)
                for c in _check_text(doc, v, path + (i,), visible, header, sink)]
    if not is_expression(raw):
        return []
    span = doc.span(path)
    try:
        tree = _parse(raw)
    except Problem as exc:
        sink.add(exc.at(span))
        return []
    for var in dict.fromkeys(variables_in(raw)):
        if var == INPUT:
            sink.error("E006", "`$in` is only defined in layer items", span,
                       "a function sees its parameters and the spec's variables: pass "
                       "`$in.channels` as an argument")
        elif var not in visible:
            sink.error("E001", f"unknown variable `${var}`", span,
                       did_you_mean(var, visible) or "a function sees its parameters, its "
                       "`let` names above and the spec's variables; pass other values as "
                       "arguments")
    called = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
            called.append(node.func.id)
            if node.func.id == "map" and node.args and isinstance(node.args[0], ast.Name):
                called.append(node.args[0].id)
    spec_functions = list(header.functions)
    for callee in dict.fromkeys(called):
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
