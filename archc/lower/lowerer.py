"""Lower a validated spec into the IR.

One walk over the layer items, in spec order, that resolves names, expands blocks with their
arguments, unrolls `repeat`, splits `parallel` into branches and merges them, and builds
`residual` units with the shortcut they need. Shapes are inferred as nodes are emitted
(with the same pure rules the analysis uses) because one construct depends on them: an
`auto` shortcut is the identity when the body keeps the shape and a projection when not.

Errors never stop the walk early: a failed item "poisons" its output (None), later items
are still validated, and every problem is reported in one run.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from archc.diagnostics import DiagnosticSink, SourceSpan, did_you_mean
from archc.ir import Graph, Node, Op, Scope, Shape
from archc.lower.attrs import to_attrs
from archc.lower.expr import ExprError, evaluate, is_expression
from archc.passes.shapes import ShapeError, infer
from archc.spec.loader import Document, Path
from archc.spec.schema import (
    LAYER_MODELS,
    SHORTHAND_FIELD,
    STRUCTURE_MODELS,
    LayerCommon,
    Parallel,
    Repeat,
    Residual,
    SpecHeader,
    SqueezeExcitation,
)
from archc.spec.validate import validate_model

_BAD = object()
"""Marks a value whose expression failed (already reported)."""


@dataclass(frozen=True)
class Caps:
    """Static limits checked while lowering, before anything is built."""

    max_nodes: int = 20_000  # ResNet-1001 has ~3,300 nodes; lowering costs ~40 us per node
    max_repeat: int = 10_000
    max_block_depth: int = 32
    max_input_dim: int = 16_384


@dataclass(frozen=True)
class Lowered:
    """The IR graph plus the shape of every node (None where an error made it unknown)."""

    graph: Graph
    shapes: Mapping[str, Shape | None]


class _Abort(Exception):
    """A cap was hit; the diagnostic is in the sink."""


class _Names:
    """Layer names visible in one sequence, with the enclosing sequence as fallback."""

    def __init__(self, parent: _Names | None = None) -> None:
        self.local: dict[str, str | None] = {}
        self.spans: dict[str, SourceSpan] = {}
        self.removed: dict[str, SourceSpan] = {}
        """Names of items left out by `when: false`, with the span of their `when`."""
        self.parent = parent

    def removed_at(self, name: str) -> SourceSpan | None:
        scope: _Names | None = self
        while scope is not None:
            if name in scope.removed:
                return scope.removed[name]
            scope = scope.parent
        return None

    def lookup(self, name: str) -> tuple[bool, str | None]:
        scope: _Names | None = self
        while scope is not None:
            if name in scope.local:
                return True, scope.local[name]
            scope = scope.parent
        return False, None

    def visible(self) -> Iterator[str]:
        scope: _Names | None = self
        while scope is not None:
            yield from scope.local
            scope = scope.parent


@dataclass
class _Ctx:
    env: dict[str, Any]
    names: _Names
    scope: tuple[str, ...]
    current: str | None
    blocks: tuple[str, ...] = ()
    items: list[Any] = field(default_factory=list)
    index: int = 0


def lower(doc: Document, header: SpecHeader, variables: dict[str, Any], variant: str | None,
          sink: DiagnosticSink, caps: Caps = Caps()) -> Lowered | None:
    """Lower `header` (validated) with resolved `variables` into a graph."""
    lowerer = _Lowerer(doc, header, variables, sink, caps)
    try:
        return lowerer.run(variant)
    except _Abort:
        return None


class _Lowerer:
    def __init__(self, doc: Document, header: SpecHeader, variables: dict[str, Any],
                 sink: DiagnosticSink, caps: Caps) -> None:
        self.doc = doc
        self.header = header
        self.variables = variables
        self.sink = sink
        self.caps = caps
        self.nodes: list[Node] = []
        self.shapes: dict[str, Shape | None] = {}
        self.scopes: list[Scope] = []
        self.extra_outputs: list[str] = []
        self.taken: set[str] = set()
        self.counters: dict[tuple[tuple[str, ...], str], int] = {}

    # -- driver -----------------------------------------------------------------------------

    def run(self, variant: str | None) -> Lowered:
        names = _Names()
        first = self._inputs(names)
        ctx = _Ctx(dict(self.variables), names, (), first)
        last = self._sequence(self.doc.data["layers"], ("layers",), ctx)
        outputs = self._outputs(names, last)
        graph = Graph(self.header.name, variant, tuple(self.nodes),
                      tuple(n.name for n in self.nodes if n.op is Op.INPUT),
                      tuple(outputs), tuple(self.scopes))
        return Lowered(graph, self.shapes)

    def _inputs(self, names: _Names) -> str | None:
        h = self.header
        declared: dict[str, tuple[list[int], Path]] = {}
        if h.input is not None and h.inputs is not None:
            self.sink.error("S007", "give either `input` or `inputs`, not both",
                            self.doc.key_span(("inputs",)))
        if h.input is not None:
            declared["input"] = (h.input, ("input",))
        elif h.inputs:
            declared = {k: (v, ("inputs", k)) for k, v in h.inputs.items()}
        else:
            self.sink.error("S003", "the spec needs an `input` shape, e.g. `input: [224, 224, 3]`",
                            self.doc.span(()), "add `input: [height, width, channels]`")
            return None
        first: str | None = None
        for name, (shape, path) in declared.items():
            span = self.doc.span(path)
            if max(shape) > self.caps.max_input_dim:
                self.sink.error("C003", f"input dimension {max(shape):,} exceeds the cap of "
                                f"{self.caps.max_input_dim:,}", span,
                                "raise it with --max-input-dim if you mean it")
                continue
            if len(shape) == 2:
                self.sink.error("S004", "an input shape is [features] or [height, width, "
                                "channels]; received two numbers", span,
                                "add the channel count, e.g. [28, 28, 1]")
                continue
            self._add(Node(name, Op.INPUT, (), {"shape": tuple(shape)}, span), names, name,
                      span)
            first = first or name
        return first

    def _outputs(self, names: _Names, last: str | None) -> list[str]:
        if self.header.outputs is None:
            outs = [last] if last is not None else []
            return outs + [o for o in self.extra_outputs if o not in outs]
        outs = []
        for i, ref in enumerate(self.header.outputs):
            found, target = names.lookup(ref)
            if not found:
                self.sink.error("N001", f"unknown output `{ref}`", self.doc.span(("outputs", i)),
                                did_you_mean(ref, names.visible()))
            elif target is not None:
                outs.append(target)
        # Layers flagged `output: true` are outputs too, after the listed ones.
        return outs + [o for o in self.extra_outputs if o not in outs]

    # -- sequences and items ----------------------------------------------------------------

    def _sequence(self, items: Any, path: Path, ctx: _Ctx) -> str | None:
        if not isinstance(items, list):
            self.sink.error("S001", "expected a list of layers", self.doc.span(path))
            return None
        current = ctx.current
        for i, item in enumerate(items):
            current = self._item(item, path + (i,), replace(ctx, current=current, items=items,
                                                             index=i))
        return current

    def _item(self, item: Any, path: Path, ctx: _Ctx) -> str | None:
        split = self._split(item, path)
        if split is None:
            return None
        kind, raw, arg_paths = split
        when = raw.get("when", True)
        if is_expression(when):
            when = self._eval(when, arg_paths.get("when", path), ctx.env)
        if when is False:
            if isinstance(raw.get("name"), str):  # so that reading it says why it is missing
                ctx.names.removed[raw["name"]] = self.doc.span(arg_paths.get("when", path))
            return ctx.current
        if when is not True:
            if when is not _BAD:
                self.sink.error("S004", f"`when` must be true or false; received `{when}`",
                                self.doc.span(arg_paths["when"]))
            return None
        raw = {k: v for k, v in raw.items() if k != "when"}
        if kind in LAYER_MODELS:
            return self._layer(kind, raw, arg_paths, path, ctx)
        if kind in STRUCTURE_MODELS:
            return self._structure(kind, raw, arg_paths, path, ctx)
        if kind in self.header.blocks:
            return self._block_call(kind, raw, arg_paths, path, ctx)
        known = [*LAYER_MODELS, *STRUCTURE_MODELS, *self.header.blocks]
        self.sink.error("S005", f"unknown layer type `{kind}`", self.doc.key_span(path + (kind,)),
                        did_you_mean(kind, known) or "see docs/spec-language.md for the types")
        return None

    def _split(self, item: Any, path: Path) -> tuple[str, dict[str, Any], dict[str, Path]] | None:
        """`{type: {args}}` / `{type: scalar}` / `type` -> (type, args, span path per arg)."""
        if isinstance(item, str):
            return item, {}, {}
        if not isinstance(item, dict) or len(item) != 1:
            what = "a mapping with several keys" if isinstance(item, dict) else "not a mapping"
            self.sink.error("S001", f"a layer is a one-key mapping such as `conv2d: {{...}}`; "
                            f"this is {what}", self.doc.span(path),
                            "indent the layer's arguments under its type" if isinstance(item, dict)
                            else None)
            return None
        kind, raw = next(iter(item.items()))
        if raw is None:
            return kind, {}, {}
        if isinstance(raw, dict):
            return kind, dict(raw), {k: path + (kind, k) for k in raw}
        if kind in SHORTHAND_FIELD:
            short = SHORTHAND_FIELD[kind]
            return kind, {short: raw}, {short: path + (kind,)}
        self.sink.error("S006", f"`{kind}` takes a mapping of arguments; received `{raw}`",
                        self.doc.span(path + (kind,)), f"write `{kind}: {{...}}`")
        return None

    # -- expressions ------------------------------------------------------------------------

    def _eval(self, text: str, path: Path, env: Mapping[str, Any]) -> Any:
        try:
            return evaluate(text, env)
        except ExprError as exc:
            self.sink.error(exc.code, str(exc), self.doc.span(path), exc.help)
            return _BAD

    def _subst(self, value: Any, path: Path, env: Mapping[str, Any]) -> Any:
        if is_expression(value):
            return self._eval(value, path, env)
        if isinstance(value, list):
            out = [self._subst(v, path + (i,), env) for i, v in enumerate(value)]
            return _BAD if any(v is _BAD for v in out) else out
        if isinstance(value, dict):
            res = {k: self._subst(v, path + (k,), env) for k, v in value.items()}
            return _BAD if any(v is _BAD for v in res.values()) else res
        return value

    def _subst_args(self, raw: dict[str, Any], arg_paths: dict[str, Path],
                    env: Mapping[str, Any],
                    skip: frozenset[str] = frozenset()) -> dict[str, Any] | None:
        out = {}
        for key, value in raw.items():
            out[key] = value if key in skip else self._subst(value, arg_paths[key], env)
        return None if any(v is _BAD for v in out.values()) else out

    def _validate(self, model: type[LayerCommon], kind: str, args: dict[str, Any],
                  arg_paths: dict[str, Path], path: Path) -> Any:
        def span_of(sub: Path, key: bool) -> SourceSpan:
            if sub and sub[0] in arg_paths:
                full = arg_paths[str(sub[0])] + sub[1:]
                return self.doc.key_span(full) if key else self.doc.span(full)
            return self.doc.key_span(path + (kind,))

        return validate_model(model, args, span_of, self.sink, f"`{kind}`")

    # -- plain layers -----------------------------------------------------------------------

    def _layer(self, kind: str, raw: dict[str, Any], arg_paths: dict[str, Path], path: Path,
               ctx: _Ctx) -> str | None:
        defaults = self.header.defaults.get(kind, {})
        merged_paths = {k: ("defaults", kind, k) for k in defaults} | arg_paths
        merged = {k: v for k, v in defaults.items() if k not in raw} | raw
        args = self._subst_args(merged, merged_paths, ctx.env)
        if args is None:
            return self._poison(raw, ctx, path)
        parsed = self._validate(LAYER_MODELS[kind], kind, args, merged_paths, path)
        if parsed is None:
            return self._poison(raw, ctx, path)
        span = self.doc.key_span(path + (kind,))
        sources = self._sources(parsed, arg_paths, path, ctx, merge=kind in ("concat", "add",
                                                                             "multiply"))
        if sources is None:
            return self._poison(raw, ctx, path)
        if kind == "squeeze_excitation":
            return self._squeeze_excitation(parsed, sources[0], span, ctx)
        op = Op(kind)
        fields = parsed.model_dump()
        table = fields.get("connections")
        if isinstance(table, str) and table not in self.header.tables:
            self.sink.error("N003", f"unknown connection table `{table}`",
                            self.doc.span(arg_paths.get("connections", path)),
                            did_you_mean(table, self.header.tables)
                            or "define it under `tables:` or write the rows inline")
            return self._poison(raw, ctx, path)
        attrs = to_attrs(op, fields, self.header.tables)
        local = parsed.name or self._auto(ctx.scope, kind)
        node = self._emit(op, local, attrs, sources, span, ctx)
        return self._finish(node, parsed, ctx, span)

    def _poison(self, raw: dict[str, Any], ctx: _Ctx, path: Path) -> str | None:
        """Register a failed layer's name (so later references don't cascade) -> no output."""
        name = raw.get("name")
        if isinstance(name, str):
            ctx.names.local.setdefault(name, None)
        return None

    def _finish(self, node: str | None, parsed: LayerCommon, ctx: _Ctx,
                span: SourceSpan) -> str | None:
        if parsed.name is not None:
            self._register(ctx.names, parsed.name, node, span)
        if parsed.output and node is not None:
            self.extra_outputs.append(node)
        return node

    def _sources(self, parsed: LayerCommon, arg_paths: dict[str, Path], path: Path, ctx: _Ctx,
                 merge: bool = False) -> list[str] | None:
        refs = parsed.inputs
        if refs is None:
            if merge:
                self.sink.error("S003", "a merge needs `inputs`: the names of at least two layers",
                                self.doc.span(path), "add `inputs: [a, b]`")
                return None
            return [ctx.current] if ctx.current is not None else None
        listed = [refs] if isinstance(refs, str) else refs
        if merge and len(listed) < 2:
            self.sink.error("S004", f"a merge needs at least two inputs; received {len(listed)}",
                            self.doc.span(arg_paths["inputs"]))
            return None
        if not merge and len(listed) != 1:  # only merges read several layers
            self.sink.error("S004", f"this layer reads one input; received {len(listed)}",
                            self.doc.span(arg_paths["inputs"]),
                            "merge them first with `concat`, `add` or `multiply`" if listed
                            else "name one layer, or drop `inputs` to read the previous one")
            return None
        out: list[str] = []
        ok = True
        for i, ref in enumerate(listed):
            ref_path = arg_paths["inputs"] + ((i,) if isinstance(refs, list) else ())
            found, target = ctx.names.lookup(ref)
            if not found:
                self._unknown_ref(ref, ref_path, ctx)
                ok = False
            elif target is None:
                ok = False
            else:
                out.append(target)
        return out if ok else None

    def _unknown_ref(self, ref: str, ref_path: Path, ctx: _Ctx) -> None:
        span = self.doc.span(ref_path)
        later = _later_index(ctx.items, ctx.index, ref)
        if later is not None:
            cycle = _cycle_path(ctx.items, ctx.index, later)
            if cycle is not None:
                self.sink.error("G008", "the layers form a cycle: " + " -> ".join(cycle), span,
                                "a network is acyclic; break the loop by reading an earlier layer")
            else:
                self.sink.error("N001", f"`{ref}` is defined later (item {later + 1} of this "
                                "list); a layer can only read layers above it", span,
                                "move the layer above, or read an earlier one")
            return
        if ctx.items and ctx.index < len(ctx.items) and _item_name(ctx.items[ctx.index]) == ref:
            self.sink.error("G008", f"the layer `{ref}` reads itself", span,
                            "a layer reads layers above it: name an earlier one, or drop "
                            "`inputs` to read the previous layer")
            return
        removed = ctx.names.removed_at(ref)
        if removed is not None:
            self.sink.error("N001", f"`{ref}` is removed by `when: false` (line "
                            f"{removed.line}), so nothing can read it", span,
                            "read another layer, or make both depend on the same condition")
            return
        if "/".join((*ctx.scope, ref)) in self.taken:
            self.sink.error("N001", f"`{ref}` is an automatic name; layers are read by the "
                            "names the spec gives them", span,
                            "give the layer you mean a `name:` and read it by that name")
            return
        self.sink.error("N001", f"unknown layer name `{ref}`", span,
                        did_you_mean(ref, ctx.names.visible()))

    # -- emission ---------------------------------------------------------------------------

    def _auto(self, scope: tuple[str, ...], kind: str) -> str:
        key = (scope, kind)
        while True:
            self.counters[key] = self.counters.get(key, 0) + 1
            local = f"{kind}_{self.counters[key]}"
            if "/".join(scope + (local,)) not in self.taken:
                return local

    def _emit(self, op: Op, local: str, attrs: dict[str, Any], sources: list[str],
              span: SourceSpan, ctx: _Ctx, scope: tuple[str, ...] | None = None) -> str | None:
        full = "/".join((ctx.scope if scope is None else scope) + (local,))
        if full in self.taken:
            # A user-named duplicate is reported by _register. Anything else (a name taken
            # by the input, an automatic name like `conv2d_1`, or a generated part like a
            # residual's `add`) must be reported here, or the node and all after it vanish.
            if scope is not None or local not in ctx.names.spans:
                self.sink.error("N002", f"duplicate layer name `{full}`: an earlier layer, the "
                                "input or a generated part (`add`, `shortcut`, `squeeze`, ...) "
                                "already has it", span, "give every layer a unique name")
            return None
        node = Node(full, op, tuple(sources), attrs, span, ctx.scope if scope is None else scope)
        return self._add(node, None, None, span)

    def _add(self, node: Node, names: _Names | None, local: str | None,
             span: SourceSpan) -> str | None:
        if len(self.nodes) >= self.caps.max_nodes:
            self.sink.error("C001", f"the network has more than {self.caps.max_nodes:,} layers "
                            "after expansion", span, "raise the cap with --max-layers")
            raise _Abort
        in_shapes = [self.shapes.get(s) for s in node.inputs]
        shape: Shape | None = None
        if all(s is not None for s in in_shapes):
            try:
                shape = infer(node.op, node.attrs, [s for s in in_shapes if s is not None])
            except ShapeError as exc:
                self.sink.error(exc.code, str(exc), span, exc.help)
        self.nodes.append(node)
        self.taken.add(node.name)
        self.shapes[node.name] = shape
        if names is not None and local is not None:
            names.local[local] = node.name
        return node.name

    def _register(self, names: _Names, local: str, target: str | None, span: SourceSpan) -> None:
        if local in names.local and local in names.spans:
            first = names.spans[local]
            self.sink.error("N002", f"duplicate layer name `{local}` (first used at line "
                            f"{first.line})", span, "give every layer a unique name")
            return
        names.local[local] = target
        names.spans[local] = span

    def _open_scope(self, ctx: _Ctx, local: str, kind: str, span: SourceSpan) -> tuple[str, ...]:
        scope = ctx.scope + (local,)
        if "/".join(scope) in self.taken:
            self.sink.error("N002", f"duplicate layer name `{local}`", span,
                            "give every layer a unique name")
        self.taken.add("/".join(scope))
        self.scopes.append(Scope(scope, kind, span))
        return scope

    # -- squeeze-excitation -----------------------------------------------------------------

    def _squeeze_excitation(self, se: SqueezeExcitation, source: str, span: SourceSpan,
                            ctx: _Ctx) -> str | None:
        shape = self.shapes.get(source)
        local = se.name or self._auto(ctx.scope, "se")
        scope = self._open_scope(ctx, local, "squeeze_excitation", span)
        if shape is None:
            return self._finish(None, se, ctx, span)
        channels = shape[-1]
        if channels // se.ratio < 1:
            self.sink.error("G009", f"`ratio: {se.ratio}` squeezes {channels} channels to "
                            "nothing", span, f"use a ratio of at most {channels}")
            return self._finish(None, se, ctx, span)
        pool = self._emit(Op.GLOBAL_AVG_POOL2D, "squeeze", {"keepdims": True}, [source], span,
                          ctx, scope)
        dense = {"use_bias": se.use_bias}
        reduce = self._emit(Op.DENSE, "reduce", dense | {"units": channels // se.ratio,
                                                         "activation": "relu"},
                            [pool] if pool else [], span, ctx, scope)
        expand = self._emit(Op.DENSE, "expand", dense | {"units": channels,
                                                         "activation": "sigmoid"},
                            [reduce] if reduce else [], span, ctx, scope)
        out = self._emit(Op.MULTIPLY, "scale", {}, [source, expand] if expand else [source],
                         span, ctx, scope)
        return self._finish(out, se, ctx, span)

    # -- structures -------------------------------------------------------------------------

    def _structure(self, kind: str, raw: dict[str, Any], arg_paths: dict[str, Path],
                   path: Path, ctx: _Ctx) -> str | None:
        nested = {"branches", "body", "layers", "with", "first"}
        if kind == "residual" and isinstance(raw.get("shortcut"), list):
            nested = nested | {"shortcut"}
        args = self._subst_args(raw, arg_paths, ctx.env, skip=frozenset(nested - {"with", "first"}))
        if args is None:
            return self._poison(raw, ctx, path)
        parsed = self._validate(STRUCTURE_MODELS[kind], kind, args, arg_paths, path)
        if parsed is None:
            return self._poison(raw, ctx, path)
        span = self.doc.key_span(path + (kind,))
        sources = self._sources(parsed, arg_paths, path, ctx)
        source = sources[0] if sources else None
        if isinstance(parsed, Parallel):
            out = self._parallel(parsed, source, arg_paths, span, ctx)
        elif isinstance(parsed, Residual):
            out = self._residual(parsed, source, arg_paths, span, ctx)
        else:
            assert isinstance(parsed, Repeat)
            out = self._repeat(parsed, source, arg_paths, span, path, ctx)
        return self._finish(out, parsed, ctx, span)

    def _parallel(self, p: Parallel, source: str | None, arg_paths: dict[str, Path],
                  span: SourceSpan, ctx: _Ctx) -> str | None:
        scope = self._open_scope(ctx, p.name or self._auto(ctx.scope, "parallel"), "parallel",
                                 span)
        outs: list[str | None] = []
        for i, branch in enumerate(p.branches):
            bscope = scope + (f"branch{i + 1}",)
            self.scopes.append(Scope(bscope, "branch", span))
            sub = _Ctx(ctx.env, _Names(ctx.names), bscope, source, ctx.blocks)
            outs.append(self._sequence(branch, arg_paths["branches"] + (i,), sub))
        if source is None or any(o is None for o in outs):
            return None
        return self._emit(Op(p.merge), p.merge, {}, [o for o in outs if o], span, ctx, scope)

    def _residual(self, r: Residual, source: str | None, arg_paths: dict[str, Path],
                  span: SourceSpan, ctx: _Ctx) -> str | None:
        scope = self._open_scope(ctx, r.name or self._auto(ctx.scope, "residual"), "residual",
                                 span)
        mark = len(self.nodes)
        body_ctx = _Ctx(ctx.env, _Names(ctx.names), scope, source, ctx.blocks)
        body = self._sequence(r.body, arg_paths["body"], body_ctx)
        reserved = "/".join(scope + ("shortcut",))
        if reserved in self.taken:
            # Nodes under `<residual>/shortcut/` are hoisted before the body; a body item of
            # that name would be hoisted away from its own input (malformed IR, found by fuzzing).
            self.sink.error("N002", f"duplicate layer name `{reserved}`: an earlier layer, the "
                            "input or a generated part (`add`, `shortcut`, `squeeze`, ...) "
                            "already has it", span, "give every layer a unique name")
            return None
        if source is None or body is None:
            return None
        if isinstance(r.shortcut, list):
            sc_scope = scope + ("shortcut",)
            self.scopes.append(Scope(sc_scope, "shortcut", span))
            sc_ctx = _Ctx(ctx.env, _Names(ctx.names), sc_scope, source, ctx.blocks)
            shortcut = self._sequence(r.shortcut, arg_paths["shortcut"], sc_ctx)
        else:
            shortcut = self._shortcut(r, source, body, scope, span, ctx)
        if shortcut is None:
            return None
        # Shortcut nodes read only the residual's input, so they may move before the body;
        # keras.applications computes the shortcut first, and weight order follows node order.
        self._hoist(mark, scope + ("shortcut",))
        return self._emit(Op.ADD, "add", {}, [shortcut, body], span, ctx, scope)

    def _shortcut(self, r: Residual, source: str, body: str, scope: tuple[str, ...],
                  span: SourceSpan, ctx: _Ctx) -> str | None:
        src, out = self.shapes.get(source), self.shapes.get(body)
        if src is None or out is None:
            return None
        if r.shortcut == "identity" or (r.shortcut == "auto" and src == out):
            return source
        if len(src) != 3 or len(out) != 3:
            self.sink.error("G002", f"cannot project a shortcut from {_fmt(src)} to {_fmt(out)}",
                            span)
            return None
        stride = max(1, -(-src[0] // out[0]))
        if (src[0] - 1) // stride + 1 != out[0] or (src[1] - 1) // stride + 1 != out[1]:
            self.sink.error("G002", f"no 1x1 projection maps the shortcut {_fmt(src)} to the "
                            f"body's {_fmt(out)}", span,
                            "give the body a stride that divides the input size, or write "
                            "your own `shortcut:` layers")
            return None
        sc_scope = scope + ("shortcut",)
        self.scopes.append(Scope(sc_scope, "shortcut", span))
        use_bias = r.projection.use_bias
        if use_bias is None:
            use_bias = self._default("conv2d", "use_bias", True, ctx) is not False
        conv = {"filters": out[2], "kernel_size": (1, 1), "strides": (stride, stride),
                "padding": "valid", "dilation": (1, 1), "groups": 1, "use_bias": use_bias,
                "activation": None, "connections": None}
        result = self._emit(Op.CONV2D, "conv", conv, [source], span, ctx, sc_scope)
        if r.projection.batch_norm and result is not None:
            bn = {"epsilon": 0.001, "momentum": 0.99, "center": True, "scale": True}
            bn |= {k: self._default("batch_norm", k, v, ctx) for k, v in bn.items()}
            result = self._emit(Op.BATCH_NORM, "bn", bn, [result], span, ctx, sc_scope)
        return result

    def _default(self, kind: str, key: str, fallback: Any, ctx: _Ctx) -> Any:
        """A `defaults:` value for a generated layer, evaluated in the current scope."""
        if key not in self.header.defaults.get(kind, {}):
            return fallback
        value = self._subst(self.header.defaults[kind][key], ("defaults", kind, key), ctx.env)
        return fallback if value is _BAD else value

    def _hoist(self, mark: int, prefix: tuple[str, ...]) -> None:
        head = "/".join(prefix) + "/"
        moved = [n for n in self.nodes[mark:] if n.name.startswith(head)]
        if moved:
            rest = [n for n in self.nodes[mark:] if not n.name.startswith(head)]
            self.nodes[mark:] = moved + rest

    def _repeat(self, r: Repeat, source: str | None, arg_paths: dict[str, Path],
                span: SourceSpan, path: Path, ctx: _Ctx) -> str | None:
        if r.times > self.caps.max_repeat:
            self.sink.error("C002", f"`times: {r.times:,}` exceeds the repeat cap of "
                            f"{self.caps.max_repeat:,}", span, "raise it with --max-repeat")
            return None
        if (r.block is None) == (r.layers is None):
            self.sink.error("S003", "`repeat` needs either `block` or `layers`", span,
                            "add `block: <name>` or `layers: [...]`")
            return None
        if r.block is not None and r.block not in self.header.blocks:
            self.sink.error("S005", f"unknown block `{r.block}`",
                            self.doc.span(arg_paths["block"]),
                            did_you_mean(r.block, self.header.blocks))
            return None
        scope = self._open_scope(ctx, r.name or self._auto(ctx.scope, "repeat"), "repeat", span)
        current = source
        second = len(self.nodes)
        # Refuse a huge unroll early, from the size of the second repetition: the first may
        # be larger (`first:` gives it a stride, hence a projection shortcut), and only
        # `$index` can make later ones differ from the second.
        extrapolate = r.block is not None or not _mentions(r.layers, "$index")
        for i in range(r.times):
            if i == 1:
                second = len(self.nodes)
            if i == 2 and extrapolate:
                per = len(self.nodes) - second
                needed = len(self.nodes) + per * (r.times - 2)
                if needed > self.caps.max_nodes:
                    self.sink.error("C001", f"`repeat` expands to about {needed:,} layers "
                                    f"({per:,} per repetition x {r.times:,}); the cap is "
                                    f"{self.caps.max_nodes:,}", span,
                                    "raise the cap with --max-layers")
                    raise _Abort
            local = f"block{i + 1}"
            if r.block is not None:
                params = {k: (v, arg_paths["with"] + (k,)) for k, v in r.with_.items()}
                if i == 0:
                    params |= {k: (v, arg_paths["first"] + (k,)) for k, v in r.first.items()}
                sub = _Ctx(ctx.env, _Names(ctx.names), scope, current, ctx.blocks)
                current = self._expand_block(r.block, local, params, span, sub)
            else:
                bscope = scope + (local,)
                self.scopes.append(Scope(bscope, "repetition", span))
                env = ctx.env | {"index": i + 1}
                sub = _Ctx(env, _Names(ctx.names), bscope, current, ctx.blocks)
                assert r.layers is not None
                current = self._sequence(r.layers, arg_paths["layers"], sub)
        return current

    # -- blocks -----------------------------------------------------------------------------

    def _block_call(self, kind: str, raw: dict[str, Any], arg_paths: dict[str, Path],
                    path: Path, ctx: _Ctx) -> str | None:
        common_keys = {"name", "inputs", "output"}
        common = {k: v for k, v in raw.items() if k in common_keys}
        parsed = self._validate(LayerCommon, kind, common, arg_paths, path)
        if parsed is None:
            return None
        span = self.doc.key_span(path + (kind,))
        sources = self._sources(parsed, arg_paths, path, ctx)
        params = {k: (v, arg_paths[k]) for k, v in raw.items() if k not in common_keys}
        sub = replace(ctx, current=sources[0] if sources else None)
        out = self._expand_block(kind, parsed.name or self._auto(ctx.scope, kind), params,
                                 span, sub)
        return self._finish(out, parsed, ctx, span)

    def _expand_block(self, kind: str, local: str, params: dict[str, tuple[Any, Path]],
                      span: SourceSpan, ctx: _Ctx) -> str | None:
        if kind in ctx.blocks:
            chain = " -> ".join((*ctx.blocks[ctx.blocks.index(kind):], kind))
            self.sink.error("N004", f"block `{kind}` uses itself: {chain}", span,
                            "blocks cannot be recursive; use `repeat`")
            return None
        if len(ctx.blocks) >= self.caps.max_block_depth:
            self.sink.error("C004", f"blocks nest deeper than {self.caps.max_block_depth} levels",
                            span)
            return None
        block = self.header.blocks[kind]
        env = self._bind(kind, block.params, params, span, ctx.env)
        scope = self._open_scope(ctx, local, kind, span)
        if env is None:
            return None
        sub = _Ctx(env, _Names(), scope, ctx.current, ctx.blocks + (kind,))
        return self._sequence(block.layers, ("blocks", kind, "layers"), sub)

    def _bind(self, kind: str, declared: list[str | dict[str, Any]],
              given: dict[str, tuple[Any, Path]], span: SourceSpan,
              caller_env: Mapping[str, Any]) -> dict[str, Any] | None:
        """Bind a block's parameters: caller's values (evaluated in the caller) or defaults."""
        defaults: dict[str, tuple[Any, Path]] = {}
        order: list[str] = []
        for index, entry in enumerate(declared):
            if isinstance(entry, str):
                order.append(entry)
            else:
                for k, v in entry.items():
                    order.append(k)
                    defaults[k] = (v, ("blocks", kind, "params", index, k))
        env = dict(self.variables)
        ok = True
        unknown: list[str] = []
        for key, (value, vpath) in given.items():
            if key not in order:
                unknown.append(key)
                self.sink.error("S002", f"block `{kind}` has no parameter `{key}`",
                                self.doc.key_span(vpath),
                                did_you_mean(key, order) or "parameters: " + ", ".join(order))
                ok = False
                continue
            resolved = self._subst(value, vpath, caller_env)
            ok = ok and resolved is not _BAD
            env[key] = resolved
        for key in order:
            if key not in given:
                if key in defaults:
                    # A default is an expression of the spec's variables and the parameters
                    # before it, evaluated (and reported) where it is written.
                    value, where = defaults[key]
                    env[key] = self._subst(value, where, env)
                    ok = ok and env[key] is not _BAD
                elif did_you_mean(key, unknown):  # `filter: 8` is one mistake, not two
                    ok = False
                else:
                    self.sink.error("S003", f"block `{kind}` needs the parameter `{key}`", span,
                                    f"add `{key}: ...`")
                    ok = False
        return env if ok else None


def _mentions(value: Any, text: str) -> bool:
    """Whether any string inside `value` (nested lists and mappings) contains `text`."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str) and text in item:
            return True
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _fmt(shape: Shape) -> str:
    return "x".join(str(d) for d in shape)


def _item_name(item: Any) -> str | None:
    if isinstance(item, dict) and len(item) == 1:
        args = next(iter(item.values()))
        if isinstance(args, dict) and isinstance(args.get("name"), str):
            return str(args["name"])
    return None


def _item_inputs(item: Any) -> list[str] | None:
    if isinstance(item, dict) and len(item) == 1:
        args = next(iter(item.values()))
        if isinstance(args, dict) and "inputs" in args:
            refs = args["inputs"]
            return [refs] if isinstance(refs, str) else [r for r in refs if isinstance(r, str)]
    return None


def _later_index(items: list[Any], index: int, ref: str) -> int | None:
    for j in range(index + 1, len(items)):
        if _item_name(items[j]) == ref:
            return j
    return None


def _cycle_path(items: list[Any], start: int, target: int) -> list[str] | None:
    """If item `target` depends (through chaining or names) on item `start`, the cycle."""
    names = {(_item_name(it) or ""): i for i, it in enumerate(items) if _item_name(it)}

    def label(i: int) -> str:
        return _item_name(items[i]) or f"item {i + 1}"

    def deps(i: int) -> list[int]:
        refs = _item_inputs(items[i])
        if refs is None:
            return [i - 1] if i > 0 else []
        return [names[r] for r in refs if r in names]

    stack: list[tuple[int, list[int]]] = [(target, [target])]
    seen: set[int] = set()
    while stack:
        node, trail = stack.pop()
        if node == start:
            return [label(start)] + [label(i) for i in trail]
        if node in seen:
            continue
        seen.add(node)
        for dep in deps(node):
            stack.append((dep, trail + [dep]))
    return None
