"""Structural expansion: blocks with their arguments, `repeat`, `parallel`, `residual`, SE.

Each construct opens a scope, walks its layer lists with the driver's `_sequence` (so a
nested item is lowered like any other) and emits the nodes it adds itself: a parallel's
merge, a residual's add and projection shortcut, the four parts of a squeeze-excitation.
The driver (`lowerer.py`) inherits these methods; they use its emitter and values.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from archc.diagnostics import DiagnosticSink, SourceSpan, did_you_mean
from archc.ir import Op, Scope, Shape
from archc.ir.ops import (
    Attrs,
    BatchNormAttrs,
    Conv2DAttrs,
    DenseAttrs,
    GlobalPool2DAttrs,
    NoAttrs,
    ScaledAddAttrs,
)
from archc.lower.emit import Abort, Caps, Emitter
from archc.lower.expr import INPUT, InputShape
from archc.lower.names import INPUT_NAME, Ctx, Names
from archc.lower.values import BAD, Values
from archc.spec.loader import Document, Path
from archc.spec.schema import (
    STRUCTURE_MODELS,
    LayerCommon,
    Parallel,
    Repeat,
    Residual,
    SpecHeader,
    SqueezeExcitation,
)


class Structures:
    """The structural half of the lowerer; see `archc.lower.lowerer._Lowerer`."""

    doc: Document
    header: SpecHeader
    variables: dict[str, Any]
    sink: DiagnosticSink
    caps: Caps
    em: Emitter
    values: Values

    # Provided by the driver.
    def _sequence(self, items: Any, path: Path, ctx: Ctx) -> str | None:
        raise NotImplementedError

    def _validate(self, model: type[LayerCommon], kind: str, args: dict[str, Any],
                  arg_paths: dict[str, Path], path: Path) -> Any:
        raise NotImplementedError

    def _sources(self, parsed: LayerCommon, arg_paths: dict[str, Path], path: Path, ctx: Ctx,
                 merge: bool = False) -> list[str] | None:
        raise NotImplementedError

    def _finish(self, node: str | None, parsed: LayerCommon, ctx: Ctx,
                span: SourceSpan, local: str | None = None) -> str | None:
        raise NotImplementedError

    def _poison(self, raw: dict[str, Any], ctx: Ctx, path: Path) -> str | None:
        raise NotImplementedError

    # -- squeeze-excitation -----------------------------------------------------------------

    def _squeeze_excitation(self, se: SqueezeExcitation, source: str, span: SourceSpan,
                            ctx: Ctx, given: frozenset[str] = frozenset()) -> str | None:
        """`given`: the fields the item itself writes, which beat `defaults:` (a default
        `ratio` does not clash with an item's `units`)."""
        shape = self.em.shapes.get(source)
        local = se.name or self.em.auto(ctx.scope, "se")
        scope = self.em.open_scope(ctx, local, "squeeze_excitation", span)
        if shape is None:
            return self._finish(None, se, ctx, span, local)
        channels = shape[-1]
        chosen = _squeeze_fields(se, given)
        if chosen == {"ratio", "units"}:
            self.sink.error("S010", "give `ratio` or `units`, not both", span,
                            "`units` is the squeeze width itself; `ratio` computes it as "
                            "C // ratio")
            return self._finish(None, se, ctx, span, local)
        width = se.units if se.units is not None and "units" in chosen else channels // se.ratio
        if width < 1:
            self.sink.error("G009", f"`ratio: {se.ratio}` squeezes {channels} channels to "
                            "nothing", span, f"use a ratio of at most {channels}")
            return self._finish(None, se, ctx, span, local)
        pool = self.em.emit(Op.GLOBAL_AVG_POOL2D, "squeeze", GlobalPool2DAttrs(keepdims=True),
                          [source], span, ctx, scope)
        if se.form == "conv":  # keras.applications' SE: 1x1 convolutions on the 1x1 map
            op: Op = Op.CONV2D
            reduce_attrs: Attrs = Conv2DAttrs(width, (1, 1), use_bias=se.use_bias,
                                              activation=se.activation)
            expand_attrs: Attrs = Conv2DAttrs(channels, (1, 1), use_bias=se.use_bias,
                                              activation=se.gate)
        else:
            op = Op.DENSE
            reduce_attrs = DenseAttrs(width, se.use_bias, se.activation)
            expand_attrs = DenseAttrs(channels, se.use_bias, se.gate)
        reduce = self.em.emit(op, "reduce", reduce_attrs, [pool] if pool else [], span, ctx,
                              scope)
        expand = self.em.emit(op, "expand", expand_attrs, [reduce] if reduce else [], span,
                              ctx, scope)
        out = self.em.emit(Op.MULTIPLY, "scale", NoAttrs(),
                         [source, expand] if expand else [source],
                         span, ctx, scope)
        return self._finish(out, se, ctx, span, local)


    # -- structures -------------------------------------------------------------------------

    def _structure(self, kind: str, raw: dict[str, Any], arg_paths: dict[str, Path],
                   path: Path, ctx: Ctx) -> str | None:
        # Layer lists are lowered item by item; a repeat's arguments are evaluated per copy.
        nested = {"branches", "body", "layers", "with", "first", "last"}
        if kind == "residual" and isinstance(raw.get("shortcut"), list):
            nested = nested | {"shortcut"}
        args = self.values.subst_args(raw, arg_paths, ctx.env, skip=frozenset(nested))
        if args is None:
            return self._poison(raw, ctx, path)
        parsed = self._validate(STRUCTURE_MODELS[kind], kind, args, arg_paths, path)
        if parsed is None:
            return self._poison(raw, ctx, path)
        span = self.doc.key_span(path + (kind,))
        sources = self._sources(parsed, arg_paths, path, ctx)
        source = sources[0] if sources else None
        local = parsed.name or self.em.auto(ctx.scope, kind)
        if isinstance(parsed, Parallel):
            out = self._parallel(parsed, local, source, arg_paths, span, ctx)
        elif isinstance(parsed, Residual):
            out = self._residual(parsed, local, source, arg_paths, span, ctx)
        else:
            assert isinstance(parsed, Repeat)
            out = self._repeat(parsed, local, source, arg_paths, span, ctx)
        return self._finish(out, parsed, ctx, span, local)

    def _parallel(self, p: Parallel, local: str, source: str | None,
                  arg_paths: dict[str, Path], span: SourceSpan, ctx: Ctx) -> str | None:
        scope = self.em.open_scope(ctx, local, "parallel", span)
        outs: list[str | None] = []
        for i, branch in enumerate(p.branches):
            bscope = scope + (f"branch{i + 1}",)
            self.em.scopes.append(Scope(bscope, "branch", span))
            sub = Ctx(ctx.env, Names(ctx.names), bscope, source, ctx.blocks)
            outs.append(self._sequence(branch, arg_paths["branches"] + (i,), sub))
        if source is None or any(o is None for o in outs):
            return None
        return self.em.emit(Op(p.merge), p.merge, NoAttrs(), [o for o in outs if o], span, ctx,
                            scope)

    def _residual(self, r: Residual, local: str, source: str | None,
                  arg_paths: dict[str, Path], span: SourceSpan, ctx: Ctx) -> str | None:
        scope = self.em.open_scope(ctx, local, "residual", span)
        mark = len(self.em.nodes)
        body_ctx = Ctx(ctx.env, Names(ctx.names), scope, source, ctx.blocks)
        body = self._sequence(r.body, arg_paths["body"], body_ctx)
        reserved = "/".join(scope + ("shortcut",))
        if reserved in self.em.taken:
            # Nodes under `<residual>/shortcut/` are hoisted before the body; a body item of
            # that name would be hoisted away from its own input (malformed IR, found by fuzzing).
            self.sink.error("N002", f"duplicate layer name `{reserved}`: an earlier layer, the "
                            "input or a generated part (`add`, `shortcut`, `squeeze`, ...) "
                            "already has it", span, "give every layer a unique name")
            return None
        if source is None or body is None:
            return None
        if r.shortcut == "none" or not r.shortcut_when:
            # No shortcut, no addition: the residual is its body (its names unchanged).
            if r.scale != 1:
                self.sink.error("S004", f"`scale: {r.scale}` weights the body in the addition, "
                                "but this residual has no shortcut", span,
                                "drop `scale`, or keep the shortcut")
                return None
            return body
        if isinstance(r.shortcut, list):
            sc_scope = scope + ("shortcut",)
            self.em.scopes.append(Scope(sc_scope, "shortcut", span))
            sc_ctx = Ctx(ctx.env, Names(ctx.names), sc_scope, source, ctx.blocks)
            shortcut = self._sequence(r.shortcut, arg_paths["shortcut"], sc_ctx)
        else:
            shortcut = self._shortcut(r, source, body, scope, span, ctx)
        if shortcut is None:
            return None
        # Shortcut nodes read only the residual's input, so they may move before the body;
        # keras.applications computes the shortcut first, and weight order follows node order.
        self.em.hoist(mark, scope + ("shortcut",))
        if r.scale != 1:  # InceptionResNetV2: shortcut + scale * body, one merge
            return self.em.emit(Op.SCALED_ADD, "add", ScaledAddAttrs(r.scale),
                                [shortcut, body], span, ctx, scope)
        return self.em.emit(Op.ADD, "add", NoAttrs(), [shortcut, body], span, ctx, scope)

    def _shortcut(self, r: Residual, source: str, body: str, scope: tuple[str, ...],
                  span: SourceSpan, ctx: Ctx) -> str | None:
        src, out = self.em.shapes.get(source), self.em.shapes.get(body)
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
        self.em.scopes.append(Scope(sc_scope, "shortcut", span))
        use_bias = r.projection.use_bias
        if use_bias is None:
            use_bias = self.values.default("conv2d", "use_bias", Conv2DAttrs.use_bias,
                                           ctx.env) is not False
        conv = Conv2DAttrs(out[2], (1, 1), strides=(stride, stride), use_bias=bool(use_bias))
        result = self.em.emit(Op.CONV2D, "conv", conv, [source], span, ctx, sc_scope)
        if r.projection.batch_norm and result is not None:
            # The spec's `defaults: {batch_norm: ...}` apply to the generated one too.
            bn = BatchNormAttrs(**{k: self.values.default("batch_norm", k, v, ctx.env)
                                   for k, v in BatchNormAttrs().items()})
            result = self.em.emit(Op.BATCH_NORM, "bn", bn, [result], span, ctx, sc_scope)
        return result


    def _repeat(self, r: Repeat, local: str, source: str | None, arg_paths: dict[str, Path],
                span: SourceSpan, ctx: Ctx) -> str | None:
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
        if r.layers is not None:
            for key, instead in (("with", "use `$index` and variables in the layers"),
                                 ("first", "write `when: $index == 1` in the layers"),
                                 ("last", "write `when: $index == $count` in the layers")):
                if key in arg_paths:
                    self.sink.error("S002", f"`{key}` gives a block's arguments; this repeat "
                                    "has `layers`", self.doc.key_span(arg_paths[key]),
                                    f"{instead} instead")
                    return None
        scope = self.em.open_scope(ctx, local, "repeat", span)
        current = source
        second = self.em.size
        # Refuse a huge unroll early, from the size of the second repetition: the first may
        # be larger (`first:` gives it a stride, hence a projection shortcut), the last may
        # differ (`last:`), and only the copy number or the copy's input (`$index`, `$in`)
        # can make the ones between differ from the second.
        varying = (r.layers, r.with_)
        extrapolate = not any(_mentions(varying, f"${name}") for name in (r.index, "in."))
        for i in range(r.times):
            if i == 1:
                second = self.em.size
            if i == 2 and extrapolate:
                per = self.em.size - second  # removed and failed items cost a walk too
                needed = self.em.size + per * (r.times - 2)
                if needed > self.caps.max_nodes:
                    self.sink.error("C001", f"`repeat` expands to about {needed:,} layers "
                                    f"({per:,} per repetition x {r.times:,}); the cap is "
                                    f"{self.caps.max_nodes:,}", span,
                                    "raise the cap with --max-layers")
                    raise Abort
            copy = f"block{i + 1}"
            # `$index` (or the name `index:` gives) is the copy number from 1, `$count`
            # the number of copies; arguments see the copy's own input as `$in`.
            env = ctx.env | {r.index: i + 1, "count": r.times}
            if r.block is not None:
                params = {k: (v, arg_paths["with"] + (k,)) for k, v in r.with_.items()}
                if i == 0:
                    params |= {k: (v, arg_paths["first"] + (k,)) for k, v in r.first.items()}
                if i == r.times - 1:
                    params |= {k: (v, arg_paths["last"] + (k,)) for k, v in r.last.items()}
                env[INPUT] = InputShape(self.em.shapes.get(current) if current else None)
                sub = Ctx(env, Names(ctx.names), scope, current, ctx.blocks)
                current = self._expand_block(r.block, copy, params, span, sub)
            else:
                bscope = scope + (copy,)
                self.em.scopes.append(Scope(bscope, "repetition", span))
                sub = Ctx(env, Names(ctx.names), bscope, current, ctx.blocks)
                assert r.layers is not None
                current = self._sequence(r.layers, arg_paths["layers"], sub)
        return current


    # -- blocks -----------------------------------------------------------------------------

    def _block_call(self, kind: str, raw: dict[str, Any], arg_paths: dict[str, Path],
                    path: Path, ctx: Ctx) -> str | None:
        common_keys = {"name", "inputs", "output"}
        common = {k: v for k, v in raw.items() if k in common_keys}
        parsed = self._validate(LayerCommon, kind, common, arg_paths, path)
        if parsed is None:
            return None
        span = self.doc.key_span(path + (kind,))
        sources = self._sources(parsed, arg_paths, path, ctx)
        params = {k: (v, arg_paths[k]) for k, v in raw.items() if k not in common_keys}
        sub = replace(ctx, current=sources[0] if sources else None)
        local = parsed.name or self.em.auto(ctx.scope, kind)
        out = self._expand_block(kind, local, params, span, sub)
        return self._finish(out, parsed, ctx, span, local)

    def _expand_block(self, kind: str, local: str, params: dict[str, tuple[Any, Path]],
                      span: SourceSpan, ctx: Ctx) -> str | None:
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
        scope = self.em.open_scope(ctx, local, kind, span)
        if env is None:
            return None
        names = Names()
        names.local[INPUT_NAME] = ctx.current  # `inputs: input` reads the block's input
        names.reserved.add(INPUT_NAME)
        sub = Ctx(env, names, scope, ctx.current, ctx.blocks + (kind,))
        return self._sequence(block.layers, ("blocks", kind, "layers"), sub)

    def _bind(self, kind: str, declared: list[str | dict[str, Any]],
              given: dict[str, tuple[Any, Path]], span: SourceSpan,
              caller_env: Mapping[str, Any]) -> ChainMap[str, Any] | None:
        """Bind a block's parameters: the caller's values (evaluated in the caller) or the
        defaults, evaluated at the call over the variables, the parameters before them and
        `$in`, the block's input (a mistake in a default is reported where it is written)."""
        defaults: dict[str, tuple[Any, Path]] = {}
        order: list[str] = []
        for index, entry in enumerate(declared):
            if isinstance(entry, str):
                order.append(entry)
            else:
                for k, v in entry.items():
                    order.append(k)
                    defaults[k] = (v, ("blocks", kind, "params", index, k))
        env: ChainMap[str, Any] = ChainMap({}, self.variables)  # never a copy per call
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
            resolved = self.values.subst(value, vpath, caller_env)
            ok = ok and resolved is not BAD
            env[key] = resolved
        for key in order:
            if key not in given:
                if key in defaults:
                    value, where = defaults[key]
                    scope = env | {INPUT: caller_env[INPUT]} if INPUT in caller_env else env
                    env[key] = self.values.subst(value, where, scope)
                    ok = ok and env[key] is not BAD
                elif did_you_mean(key, unknown):  # `filter: 8` is one mistake, not two
                    ok = False
                else:
                    self.sink.error("S003", f"block `{kind}` needs the parameter `{key}`", span,
                                    f"add `{key}: ...`")
                    ok = False
        return env if ok else None




def _squeeze_fields(se: SqueezeExcitation, given: frozenset[str]) -> set[str]:
    """Which of `ratio` and `units` set an SE's width: those the item writes, else those
    `defaults:` set (a null `units` sets nothing)."""
    written = {k for k in ("ratio", "units") if getattr(se, k) is not None}
    return (written & given) or (written & se.model_fields_set)


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
