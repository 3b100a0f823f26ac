"""Structural expansion: `repeat`, `parallel`, `residual`, SE (blocks: `blocks.py`).

Each construct opens a scope, walks its layer lists with the walk's `sequence` (so a
nested item is lowered like any other) and emits the nodes it adds itself: a parallel's
merge, a residual's add and projection shortcut, the four parts of a squeeze-excitation.
The walk (`lowerer.py`) holds one `Structures` and hands itself over as a `Walker`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from archc.diagnostics import SourceSpan, did_you_mean
from archc.ir import Op, Scope
from archc.ir.ops import (
    Attrs,
    BatchNormAttrs,
    Conv2DAttrs,
    ConvOp,
    DenseAttrs,
    DenseOp,
    GlobalPool2DAttrs,
    MergeOp,
    NoAttrs,
    NormOp,
    PoolOp,
    ScaledAddAttrs,
    op_named,
)
from archc.ir.printer import format_shape
from archc.lower.blocks import Blocks, declared_inputs
from archc.lower.expr import INPUT, InputShape
from archc.lower.names import INPUT_NAME, Ctx, Names
from archc.lower.nodes import Abort
from archc.lower.walker import Walker
from archc.spec.loader import Path

if TYPE_CHECKING:
    from archc.spec.schema import Parallel, Repeat, Residual, SqueezeExcitation


class Structures:
    """`repeat`, `parallel`, `residual` and squeeze-excitation, for the walk that meets them
    (`Walker`); a repeat of a block expands it through `blocks`."""

    def __init__(self, walk: Walker, blocks: Blocks) -> None:
        self.walk = walk
        self.blocks = blocks
        self.doc = walk.doc
        self.header = walk.header
        self.sink = walk.sink
        self.caps = walk.caps
        self.em = walk.em
        self.values = walk.values

    # -- squeeze-excitation -----------------------------------------------------------------

    def squeeze_excitation(self, se: SqueezeExcitation, source: str, span: SourceSpan,
                            ctx: Ctx, given: frozenset[str] = frozenset()) -> str | None:
        """`given`: the fields the item itself writes, which beat `defaults:` (a default
        `ratio` does not clash with an item's `units`)."""
        shape = self.em.shapes.get(source)
        local = se.name or self.em.auto(ctx.scope, "se")
        scope = self.em.open_scope(ctx, local, "squeeze_excitation", span)
        if shape is None:
            return self.walk.finish(None, se, ctx, span, local)
        channels = shape[-1]
        chosen = _squeeze_fields(se, given)
        if chosen == {"ratio", "units"}:
            self.sink.error("S010", "give `ratio` or `units`, not both", span,
                            "`units` is the squeeze width itself; `ratio` computes it as "
                            "C // ratio")
            return self.walk.finish(None, se, ctx, span, local)
        width = se.units if se.units is not None and "units" in chosen else channels // se.ratio
        if width < 1:
            self.sink.error("G009", f"`ratio: {se.ratio}` squeezes {channels} channels to "
                            "nothing", span, f"use a ratio of at most {channels}")
            return self.walk.finish(None, se, ctx, span, local)
        pool = self.em.emit(PoolOp.GLOBAL_AVG_POOL2D, "squeeze", GlobalPool2DAttrs(keepdims=True),
                          [source], span, ctx, scope)
        if se.form == "conv":  # keras.applications' SE: 1x1 convolutions on the 1x1 map
            op: Op = ConvOp.CONV2D
            reduce_attrs: Attrs = Conv2DAttrs(width, (1, 1), use_bias=se.use_bias,
                                              activation=se.activation)
            expand_attrs: Attrs = Conv2DAttrs(channels, (1, 1), use_bias=se.use_bias,
                                              activation=se.gate)
        else:
            op = DenseOp.DENSE
            reduce_attrs = DenseAttrs(width, se.use_bias, se.activation)
            expand_attrs = DenseAttrs(channels, se.use_bias, se.gate)
        reduce = self.em.emit(op, "reduce", reduce_attrs, [pool] if pool else [], span, ctx,
                              scope)
        expand = self.em.emit(op, "expand", expand_attrs, [reduce] if reduce else [], span,
                              ctx, scope)
        out = self.em.emit(MergeOp.MULTIPLY, "scale", NoAttrs(),
                         [source, expand] if expand else [source],
                         span, ctx, scope)
        return self.walk.finish(out, se, ctx, span, local)


    # -- structures -------------------------------------------------------------------------

    def expand(self, kind: str, raw: dict[str, Any], arg_paths: dict[str, Path],
                   path: Path, ctx: Ctx) -> str | None:
        # Layer lists are lowered item by item; a repeat's arguments are evaluated per copy.
        nested = {"branches", "body", "layers", "with", "first", "last"}
        if kind == "residual" and isinstance(raw.get("shortcut"), list):
            nested = nested | {"shortcut"}
        args = self.values.subst_args(raw, arg_paths, ctx.env, skip=frozenset(nested))
        if args is None:
            return self.walk.poison(raw, ctx, path, kind)
        parsed = self.walk.validate(kind, kind, args, arg_paths, path)
        if parsed is None:
            return self.walk.poison(raw, ctx, path, kind)
        span = self.doc.key_span(path + (kind,))
        # A repeat of a block that reads several inputs reads one tensor per input.
        window = self._window(parsed, arg_paths, path, span, ctx) if kind == "repeat" else None
        if window is None:
            sources = self.walk.sources(parsed, arg_paths, path, ctx)
            window = [sources[0] if sources else None]
        local = parsed.name or self.em.auto(ctx.scope, kind)
        if kind == "parallel":
            out = self._parallel(parsed, local, window[0], arg_paths, span, ctx)
        elif kind == "residual":
            out = self._residual(parsed, local, window[0], arg_paths, span, ctx)
        else:
            if self.walk.expansions is None or len(window) != 1:
                out, last = self._repeat(parsed, local, window, arg_paths, span, ctx)
            else:
                out, last = self.walk.expansions.repeat(
                    self.em, self.sink, self.doc, path, ctx.env, ctx.blocks,
                    ctx.scope + (local,), window[0],
                    lambda: self._repeat(parsed, local, window, arg_paths, span, ctx))
            out = self.walk.finish(out, parsed, ctx, span, local)
            # `<repeat>.<name>`: the last copy's named inputs and outputs.
            self.blocks.expose(ctx, local, last, span if parsed.name else None)
            return out
        return self.walk.finish(out, parsed, ctx, span, local)

    def _window(self, parsed: Repeat, arg_paths: dict[str, Path], path: Path,
                span: SourceSpan, ctx: Ctx) -> list[str | None] | None:
        """A repeat of a block that declares several inputs reads one tensor per input: its
        `inputs`, in the block's order."""
        if parsed.block not in self.header.blocks:
            return None
        block = self.header.blocks[parsed.block]
        if len(declared_inputs(block)) < 2:
            return None
        sources = self.blocks.inputs_of(parsed.block, block, parsed.inputs,
                                      arg_paths.get("inputs", path), span, ctx)
        return list(sources.values()) if sources is not None else [None] * len(
            declared_inputs(block))

    def _parallel(self, p: Parallel, local: str, source: str | None,
                  arg_paths: dict[str, Path], span: SourceSpan, ctx: Ctx) -> str | None:
        scope = self.em.open_scope(ctx, local, "parallel", span)
        outs: list[str | None] = []
        for i, branch in enumerate(p.branches):
            bscope = scope + (f"branch{i + 1}",)
            self.em.scopes.append(Scope(bscope, "branch", span))
            sub = Ctx(ctx.env, Names(ctx.names), bscope, source, ctx.blocks)
            outs.append(self.walk.sequence(branch, arg_paths["branches"] + (i,), sub))
        if source is None or any(o is None for o in outs):
            return None
        return self.em.emit(op_named(p.merge), p.merge, NoAttrs(), [o for o in outs if o],
                            span, ctx, scope)

    def _residual(self, r: Residual, local: str, source: str | None,
                  arg_paths: dict[str, Path], span: SourceSpan, ctx: Ctx) -> str | None:
        scope = self.em.open_scope(ctx, local, "residual", span)
        mark = len(self.em.nodes)
        body_ctx = Ctx(ctx.env, Names(ctx.names), scope, source, ctx.blocks)
        body = self.walk.sequence(r.body, arg_paths["body"], body_ctx)
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
            shortcut = self.walk.sequence(r.shortcut, arg_paths["shortcut"], sc_ctx)
        else:
            shortcut = self._shortcut(r, source, body, scope, span, ctx)
        if shortcut is None:
            return None
        # Shortcut nodes read only the residual's input, so they may move before the body;
        # keras.applications computes the shortcut first, and weight order follows node order.
        self.em.hoist(mark, scope + ("shortcut",))
        if r.scale != 1:  # InceptionResNetV2: shortcut + scale * body, one merge
            return self.em.emit(MergeOp.SCALED_ADD, "add", ScaledAddAttrs(r.scale),
                                [shortcut, body], span, ctx, scope)
        return self.em.emit(MergeOp.ADD, "add", NoAttrs(), [shortcut, body], span, ctx, scope)

    def _shortcut(self, r: Residual, source: str, body: str, scope: tuple[str, ...],
                  span: SourceSpan, ctx: Ctx) -> str | None:
        src, out = self.em.shapes.get(source), self.em.shapes.get(body)
        if src is None or out is None:
            return None
        if r.shortcut == "identity" or (r.shortcut == "auto" and src == out):
            return source
        if len(src) != 3 or len(out) != 3:
            self.sink.error("G002", f"cannot project a shortcut from {format_shape(src)} to "
                            f"{format_shape(out)}", span)
            return None
        stride = max(1, -(-src[0] // out[0]))
        if (src[0] - 1) // stride + 1 != out[0] or (src[1] - 1) // stride + 1 != out[1]:
            self.sink.error("G002", "no 1x1 projection maps the shortcut "
                            f"{format_shape(src)} to the body's {format_shape(out)}", span,
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
        result = self.em.emit(ConvOp.CONV2D, "conv", conv, [source], span, ctx, sc_scope)
        if r.projection.batch_norm and result is not None:
            # The spec's `defaults: {batch_norm: ...}` apply to the generated one too.
            bn = BatchNormAttrs(**{k: self.values.default("batch_norm", k, v, ctx.env)
                                   for k, v in BatchNormAttrs().items()})
            result = self.em.emit(NormOp.BATCH_NORM, "bn", bn, [result], span, ctx, sc_scope)
        return result


    def _repeat(self, r: Repeat, local: str, window: list[str | None],
                arg_paths: dict[str, Path], span: SourceSpan, ctx: Ctx
                ) -> tuple[str | None, dict[str, str | None]]:
        """The last copy's output, and what `<repeat>.<name>` reads afterwards: the last
        copy's named inputs and outputs (a repeat of a block with `inputs:` or `outputs:`).

        `window` holds what the next copy reads, one tensor per input of the block: each
        copy reads the previous copy's output first, then the first inputs of the previous
        copy (a cell reads the two cells before it)."""
        if r.times > self.caps.max_repeat:
            self.sink.error("C002", f"`times: {r.times:,}` exceeds the repeat cap of "
                            f"{self.caps.max_repeat:,}", span, "raise it with --max-repeat")
            return None, {}
        if (r.block is None) == (r.layers is None):
            self.sink.error("S003", "`repeat` needs either `block` or `layers`", span,
                            "add `block: <name>` or `layers: [...]`")
            return None, {}
        if r.block is not None and r.block not in self.header.blocks:
            self.sink.error("S005", f"unknown block `{r.block}`",
                            self.doc.span(arg_paths["block"]),
                            did_you_mean(r.block, self.header.blocks))
            return None, {}
        if r.layers is not None:
            for key, instead in (("with", "use `$index` and variables in the layers"),
                                 ("first", "write `when: $index == 1` in the layers"),
                                 ("last", "write `when: $index == $count` in the layers")):
                if key in arg_paths:
                    self.sink.error("S002", f"`{key}` gives a block's arguments; this repeat "
                                    "has `layers`", self.doc.key_span(arg_paths[key]),
                                    f"{instead} instead")
                    return None, {}
        scope = self.em.open_scope(ctx, local, "repeat", span)
        current = window[0]
        exposed: dict[str, str | None] = {}
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
                block = self.header.blocks[r.block]
                expansion = self.blocks.expand(
                    r.block, copy, params, span, sub,
                    dict(zip(declared_inputs(block), window, strict=False)))
                current = expansion.out
                exposed = (expansion.inputs if block.inputs else {}) | expansion.outputs
                window = [current, *window[:-1]]
            else:
                bscope = scope + (copy,)
                self.em.scopes.append(Scope(bscope, "repetition", span))
                # In a repeated list, `input` is the copy's input (not the network's).
                names = Names(ctx.names)
                names.local[INPUT_NAME] = current
                names.reserved.add(INPUT_NAME)
                names.reserved_for = "in a repeated list, `{name}` is the copy's input"
                sub = Ctx(env, names, bscope, current, ctx.blocks)
                assert r.layers is not None
                current = self.walk.sequence(r.layers, arg_paths["layers"], sub)
        return current, exposed


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
