"""Reuse of block expansions: a block called again with the same inputs is copied, not lowered.

A block's expansion depends only on what it is given: the block, the chain of blocks being
expanded (recursion and depth checks), its bound arguments, and the shape of its input
(the variables, `defaults:` and functions are fixed for one lowering). `repeat` calls one
block a hundred times with the same arguments, so ResNet-1001's 333 units are three or six
distinct expansions. The first expansion with a given key is lowered as usual and
recorded; a later one with the same key copies the recorded nodes, shapes and scopes under
its own scope name, wired to its own input. The result is the graph a full lowering makes.

Only clean, self-contained expansions are reused; anything else is lowered again, so the
memo can never change a result, only skip work:
- no diagnostic was reported while recording (a mistake is reported where lowering finds it);
- every node, scope and extra output made lies under the call's scope, and every node reads
  only nodes made in the expansion or the call's input (a construct that reads other
  tensors, or changes state the memo does not copy, is simply not reused);
- none of the copied names is taken yet, and the copy stays under the layer cap (otherwise
  the full lowering runs and reports what it reports).

Across versions of one document (the language server keeps one memo per document and
passes it in `Options(memo=...)`), recordings stay valid while everything outside the
top-level `layers:` list is unchanged, text and positions (the block definitions, variables,
defaults and functions the expansions read; `begin` compares them). A whole `repeat` item
is recorded too, keyed on its own text and position, so an edit elsewhere in `layers:`
re-lowers only what changed: an unchanged repeat with the same input comes back as the very
same node objects, and the analysis reuses their figures (`infos`). Recordings unused for a
few lowerings are dropped, so the memo stays the size of a few versions' expansions.

The language server turns this on; tests compare the graph, shapes, figures and diagnostics
with and without it on every zoo spec, and across edits.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from archc.diagnostics import DiagnosticSink
from archc.ir import Node, Scope, Shape
from archc.lower.expr_context import InputShape
from archc.lower.nodes import Emitter
from archc.spec.loader import Document, Path

_T = TypeVar("_T")
Exposed = dict[str, "str | None"]
"""What a repeat's last copy exposes as `<repeat>.<name>`."""

KEEP = 8
"""Lowerings a recording survives unused (an edit undone a few versions later is found)."""

MAX_KEY_ITEMS = 10_000
"""Arguments larger than this (counted in scalars) are not used as a key: lowered again."""


@dataclass(frozen=True)
class _Recording:
    prefix: str
    scope: tuple[str, ...]
    source: str | None
    out: str | None
    nodes: tuple[Node, ...]
    shapes: tuple[Shape | None, ...]
    scopes: tuple[Scope, ...]
    extra_outputs: tuple[str, ...]
    taken: tuple[str, ...]


class ExpansionMemo:
    """Recorded expansions by their inputs: for one lowering, or one document's versions."""

    def __init__(self, variables: Mapping[str, Any] | None = None) -> None:
        self.variables: Mapping[str, Any] = variables or {}
        self.recorded: dict[Hashable, _Recording | None] = {}
        """Recordings by key, kept while used in one of the last `KEEP` lowerings."""
        self.used: dict[Hashable, int] = {}
        """The lowering that last used each recording."""
        self.generation = 0
        self.inner: dict[Hashable, list[Hashable]] = {}
        """The recordings used while recording each one: reusing it uses them too (they
        stay alive for when the outer one no longer fits, e.g. a repeat's input changed)."""
        self._open: list[list[Hashable]] = []
        self.context: Hashable = None
        self.infos: dict[int, Any] = {}
        """The analysis's per-node figures of the last lowering, by node identity."""
        self.cost_caps: Any = None
        """The caps `infos` were checked against."""
        self.lowered = 0
        """Expansions lowered in full (recorded or not reusable)."""
        self.copied = 0
        """Expansions copied from a recording."""

    def begin(self, doc: Document, variables: Mapping[str, Any], context: Hashable) -> None:
        """A new lowering of `doc`: keep the recordings if what they read is unchanged, and
        those used recently (undoing an edit finds its expansions again)."""
        self.variables = variables
        fingerprint = (context, _outside_layers(doc))
        self.generation += 1
        if fingerprint != self.context:
            self.context = fingerprint
            self.recorded, self.used, self.inner, self.infos = {}, {}, {}, {}
        elif self.generation % KEEP == 0:
            stale = [k for k, g in self.used.items() if g <= self.generation - KEEP]
            for key in stale:
                del self.recorded[key], self.used[key]
                self.inner.pop(key, None)
        self.lowered = self.copied = 0

    def repeat(self, em: Emitter, sink: DiagnosticSink, doc: Document, path: Path,
               env: Mapping[str, Any], blocks: tuple[str, ...], scope: tuple[str, ...],
               source: str | None, lower: Callable[[], tuple[str | None, Exposed]]
               ) -> tuple[str | None, Exposed]:
        """The output of the `repeat` item at `path`, lowered under `scope`, and what its
        last copy exposes (`<repeat>.<name>`); a repeat that exposes names is not reused."""
        start = doc.spans.get(path)
        end = doc.ends.get(path)
        own = self._env_key(env)
        if start is None or end is None or own is _MISS:
            return lower()
        lines = doc.source.split("\n")[start.line - 1:end[0]]
        key = ("repeat", start.line, start.col, end, tuple(lines), blocks, own,
               em.shapes.get(source) if source is not None else None, source is None)
        exposed: list[Exposed] = []

        def run() -> str | None:
            out, names = lower()
            if names:
                exposed.append(names)
            return out

        out = self._reuse(em, sink, key, scope, source, run, own_scope=True,
                          clean=lambda: not exposed)
        return out, exposed[0] if exposed else {}

    def expand(self, em: Emitter, sink: DiagnosticSink, kind: str, blocks: tuple[str, ...],
               env: Mapping[str, Any], scope: tuple[str, ...], source: str | None,
               lower: Callable[[], str | None]) -> str | None:
        """The output of expanding block `kind` under `scope`, reading `source`."""
        own = self._env_key(env)
        if own is _MISS:
            return lower()
        key = ("block", kind, blocks, own, source is None,
               em.shapes.get(source) if source is not None else None)
        return self._reuse(em, sink, key, scope, source, lower, own_scope=False)

    def _reuse(self, em: Emitter, sink: DiagnosticSink, key: Hashable, scope: tuple[str, ...],
               source: str | None, lower: Callable[[], str | None],
               own_scope: bool, clean: Callable[[], bool] = lambda: True) -> str | None:
        # First the expansion made at this very place (scope and input) in a recent
        # lowering: the same node objects. Then one made elsewhere: copied and renamed.
        here = (key, scope, source)
        for candidate in (here, key):
            recording = self._recent(candidate)
            if recording is None:
                continue
            copied = _copy(em, recording, scope, source)
            if copied is not None:
                out, placed = copied
                self._keep(candidate, recording)
                self._keep(here, placed)
                self.copied += 1
                return out
        self.lowered += 1
        marks = (len(em.nodes), len(em.scopes), len(em.extra_outputs), len(em.taken),
                 len(sink))
        self._open.append([])
        try:
            out = lower()
        finally:
            inner = self._open.pop()
        made = _record(em, sink, marks, scope, source, out, own_scope) if clean() else None
        if key not in self.recorded or self.used.get(key) != self.generation:
            self._keep(key, made)
            self.inner[key] = inner
        if made is not None:
            self._keep(here, made)
            self.inner[here] = inner
        return out

    def _recent(self, key: Hashable) -> _Recording | None:
        return self.recorded.get(key)

    def _keep(self, key: Hashable, recording: _Recording | None) -> None:
        self.recorded[key] = recording
        if self._open:
            self._open[-1].append(key)
        self._touch(key)

    def _touch(self, key: Hashable) -> None:
        stack = [key]
        while stack:
            current = stack.pop()
            if self.used.get(current) != self.generation:
                self.used[current] = self.generation
                stack.extend(k for k in self.inner.get(current, ()) if k in self.recorded)

    def _env_key(self, env: Mapping[str, Any]) -> Any:
        budget = [MAX_KEY_ITEMS]
        own = []
        for name, value in env.items():
            if name in self.variables and self.variables[name] is value:
                continue  # the spec's variables are the same for every call of one lowering
            if isinstance(value, InputShape):  # `$in`: its shape is the input's, in the key
                continue
            frozen = _freeze(value, budget)
            if frozen is _MISS:
                return _MISS
            own.append((name, frozen))
        return frozenset(own)


_MISS = object()


def _freeze(value: Any, budget: list[int]) -> Any:
    """A hashable, type-tagged copy (`1`, `1.0` and `true` are different arguments)."""
    budget[0] -= 1
    if budget[0] < 0:
        return _MISS
    if value is None or isinstance(value, (bool, int, float, str)):
        return (type(value).__name__, value)
    if isinstance(value, (list, tuple)):
        items = tuple(_freeze(v, budget) for v in value)
        return _MISS if any(i is _MISS for i in items) else ("list", items)
    if isinstance(value, dict):
        pairs = tuple((_freeze(k, budget), _freeze(v, budget)) for k, v in value.items())
        if any(k is _MISS or v is _MISS for k, v in pairs):
            return _MISS
        return ("dict", pairs)
    return _MISS  # anything else (a value type the memo does not know): lower again


def _outside_layers(doc: Document) -> tuple[Any, ...]:
    """What expansions may read outside the top-level `layers:` list: the lines before it,
    and the lines after it that hold more than a comment, with their line numbers (a
    comment added at the end changes nothing; anything that moves a section does)."""
    lines = doc.source.split("\n")
    key = doc.key_spans.get(("layers",))
    end = doc.ends.get(("layers",))
    if key is None or end is None:
        return tuple(lines)
    after = tuple((number, line) for number, line in enumerate(lines[end[0] - 1:], end[0])
                  if line.strip() and not line.lstrip().startswith("#"))
    return (*lines[:key.line - 1], after)


def _record(em: Emitter, sink: DiagnosticSink, marks: tuple[int, ...], scope: tuple[str, ...],
            source: str | None, out: str | None, own_scope: bool = False) -> _Recording | None:
    nodes_at, scopes_at, extras_at, taken_at, diagnostics_at = marks
    if len(sink) != diagnostics_at:
        return None
    prefix = "/".join(scope) + "/"
    nodes = tuple(em.nodes[nodes_at:])
    scopes = tuple(em.scopes[scopes_at:])
    extras = tuple(em.extra_outputs[extras_at:])
    made = {n.name for n in nodes}
    # The names the expansion took: its nodes' and those of the scopes it opened (a
    # residual's `shortcut` or a repetition is a scope that takes no name).
    taken = tuple(dict.fromkeys(name for name in [*(n.name for n in nodes),
                                                  *("/".join(s.path) for s in scopes)]
                                if name in em.taken))
    if len(em.taken) - taken_at != len(taken):
        return None  # something else took a name: not self-contained
    if (out is not None and out not in made) \
            or not all(n.startswith(prefix) for n in made | set(extras)):
        return None
    least = len(scope) if own_scope else len(scope) + 1  # a repeat opened its own scope
    if not all(s.path[:len(scope)] == scope and len(s.path) >= least for s in scopes):
        return None
    for node in nodes:
        if node.scope[:len(scope)] != scope:
            return None
        if any(i not in made and i != source for i in node.inputs):
            return None
    shapes = tuple(em.shapes.get(n.name) for n in nodes)
    return _Recording(prefix, scope, source, out, nodes, shapes, scopes, extras, taken)


def _copy(em: Emitter, rec: _Recording, scope: tuple[str, ...],
          source: str | None) -> tuple[str | None, _Recording] | None:
    """Add the recorded expansion under `scope`: its output and the recording of what was
    added (for reuse at this place); None, with nothing added, if it cannot be."""
    if len(em.nodes) + len(rec.nodes) > em.caps.max_nodes:
        return None  # the full lowering reports the cap where it is crossed
    if scope == rec.scope and source == rec.source:  # the same place: the same objects
        if not em.taken.isdisjoint(rec.taken):
            return None
        em.nodes.extend(rec.nodes)
        em.scopes.extend(rec.scopes)
        em.taken.update(rec.taken)
        em.shapes.update(zip([n.name for n in rec.nodes], rec.shapes, strict=True))
        em.extra_outputs.extend(rec.extra_outputs)
        return rec.out, rec
    prefix = "/".join(scope) + "/"
    cut = len(rec.prefix)
    depth = len(rec.scope)

    def rename(name: str) -> str:
        return source if name == rec.source else prefix + name[cut:]  # type: ignore[return-value]

    nodes = tuple(_with(n, name=prefix + n.name[cut:],
                        inputs=tuple(rename(i) for i in n.inputs),
                        scope=scope + n.scope[depth:]) for n in rec.nodes)
    scopes = tuple(_with(s, path=scope + s.path[depth:]) for s in rec.scopes)
    names = tuple(prefix + name[cut:] if name.startswith(rec.prefix) else "/".join(scope)
                  for name in rec.taken)
    if not em.taken.isdisjoint(names):
        return None  # a clash: the full lowering reports it
    em.nodes.extend(nodes)
    em.scopes.extend(scopes)
    em.taken.update(names)
    for node, shape in zip(nodes, rec.shapes, strict=True):
        em.shapes[node.name] = shape
    extras = tuple(prefix + e[cut:] for e in rec.extra_outputs)
    em.extra_outputs.extend(extras)
    out = prefix + rec.out[cut:] if rec.out is not None else None
    return out, _Recording(prefix, scope, source, out, nodes, rec.shapes, scopes, extras, names)


def _with(record: _T, **changes: Any) -> _T:
    """`dataclasses.replace` without re-running `__init__` (5x faster; same fields)."""
    fields = getattr(record, "__dict__", None)
    if fields is None:  # a slotted record
        return replace(record, **changes)  # type: ignore[type-var]
    copied = object.__new__(type(record))
    copied.__dict__.update(fields)
    copied.__dict__.update(changes)
    return copied
