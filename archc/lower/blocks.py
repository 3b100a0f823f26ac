"""Blocks: a call's inputs, arguments and outputs, and the expansion of the block's body.

A block reads one input (named `input` in its body) unless it declares `inputs:`; a call
passes its inputs positionally (`inputs: [up, enc3]`) or by name (`inputs: {skip: enc3}`),
and inside the body each input is a layer name and a shape (`$skip.height`), like `$in`.
A block that declares `outputs:` exposes those layers to the caller as `<call>.<output>`,
so a backbone can hand three stages to a neck. `repeat` reuses the expansion here for
each copy (`structures.py`), sliding its window of inputs from copy to copy.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from archc.diagnostics import SourceSpan, did_you_mean
from archc.lower.expr import INPUT, InputShape
from archc.lower.names import INPUT_NAME, Ctx, Names, unknown_reference
from archc.lower.values import BAD
from archc.lower.walker import Walker
from archc.spec.items import COMMON_FIELDS
from archc.spec.loader import Path

if TYPE_CHECKING:
    from archc.spec.schema import BlockDef


def declared_inputs(block: BlockDef) -> list[str]:
    """The names of a block's inputs in call order: `input` alone when it declares none."""
    return list(block.inputs) if block.inputs else [INPUT_NAME]


def declared_outputs(block: BlockDef) -> dict[str, str]:
    """A block's exposed outputs: exposed name -> the layer of the body it reads."""
    if block.outputs is None:
        return {}
    if isinstance(block.outputs, dict):
        return dict(block.outputs)
    return {name: name for name in block.outputs}


@dataclass
class Expansion:
    """One expanded use of a block: its output (the body's last layer), what each declared
    input read, and the nodes its `outputs:` name (None where an error left one unknown)."""

    out: str | None
    inputs: dict[str, str | None] = field(default_factory=dict)
    outputs: dict[str, str | None] = field(default_factory=dict)


class Blocks:
    """Block calls and their expansion, for the walk that meets them (`Walker`)."""

    def __init__(self, walk: Walker) -> None:
        self.walk = walk
        self.doc = walk.doc
        self.header = walk.header
        self.variables = walk.variables
        self.sink = walk.sink
        self.caps = walk.caps
        self.em = walk.em
        self.values = walk.values

    # -- calls ------------------------------------------------------------------------------

    def call(self, kind: str, raw: dict[str, Any], arg_paths: dict[str, Path],
                    path: Path, ctx: Ctx) -> str | None:
        # `inputs` (and `name`) may be expressions, as on layers and structures. The call's
        # own fields are COMMON_FIELDS (`when` is gone: the walk read it); the rest are
        # the block's arguments.
        common = self.values.subst_args({k: v for k, v in raw.items() if k in COMMON_FIELDS},
                                        arg_paths, ctx.env)
        if common is None:
            return self.walk.poison(raw, ctx, path, kind)
        parsed = self.walk.validate("BlockCall", kind, common, arg_paths, path)
        if parsed is None:
            return self.walk.poison(raw, ctx, path, kind)
        span = self.doc.key_span(path + (kind,))
        block = self.header.blocks[kind]
        sources = self.inputs_of(kind, block, parsed.inputs, arg_paths.get("inputs", path),
                                      span, ctx)
        params = {k: (v, arg_paths[k]) for k, v in raw.items() if k not in COMMON_FIELDS}
        local = parsed.name or self.em.auto(ctx.scope, kind)
        expansion = self.expand(kind, local, params, span, ctx, sources)
        out = self.walk.finish(expansion.out, parsed, ctx, span, local)
        self.expose(ctx, local, expansion.outputs, span if parsed.name else None)
        return out

    def inputs_of(self, kind: str, block: BlockDef, refs: Any, ref_path: Path,
                       span: SourceSpan, ctx: Ctx) -> dict[str, str | None] | None:
        """What each declared input of `block` reads at this call, in declared order.

        None (reported) for a wrong count or an unknown input name; an input whose layer is
        unknown reads None, so the body is still walked (and checked) but emits nothing."""
        declared = declared_inputs(block)
        listing = ", ".join(declared)
        given: dict[str, tuple[str, Path]] = {}
        written = refs is not None  # without `inputs`, a call reads the previous layer
        if refs is None:
            refs = []
        if isinstance(refs, dict):
            for key in refs:
                if key not in declared:
                    self.sink.error("S012", f"block `{kind}` has no input `{key}`",
                                    self.doc.key_span(ref_path + (key,)),
                                    f"{hint} (its inputs: {listing})" if (
                                        hint := did_you_mean(key, declared))
                                    else f"its inputs: {listing}")
                    return None
            given = {k: (str(v), ref_path + (k,)) for k, v in refs.items()}
            missing = [k for k in declared[1:] if k not in given]
        else:
            listed = [refs] if isinstance(refs, str) else list(refs)
            paths = [ref_path] if isinstance(refs, str) else [ref_path + (i,)
                                                              for i in range(len(listed))]
            if (written and len(listed) != len(declared)) or (not written and len(declared) > 1):
                self.sink.error("S011", f"block `{kind}` reads {_count(declared)}; received "
                                f"{len(listed)}", self.doc.span(ref_path) if written else span,
                                _count_help(declared, listing, len(listed)))
                return None
            given = {k: (ref, p) for k, ref, p in zip(declared, listed, paths, strict=False)}
            missing = []
        if missing:
            self.sink.error("S011", f"block `{kind}` reads {_count(declared)}; `inputs` does not "
                            f"give {', '.join(f'`{m}`' for m in missing)}",
                            self.doc.span(ref_path), "only the first input may be left out: "
                            "it reads the previous layer")
            return None
        out: dict[str, str | None] = {}
        for name in declared:
            if name not in given:  # the first input, left out: the previous layer
                out[name] = ctx.current
                continue
            ref, where = given[name]
            found, target = ctx.names.lookup(ref)
            if not found:
                unknown_reference(self.sink, self.doc, ref, where, ctx)
            out[name] = target
        return out

    def expose(self, ctx: Ctx, local: str, outputs: Mapping[str, str | None],
                span: SourceSpan | None) -> None:
        """Make `<local>.<output>` readable after the call (a given name's duplicates are
        N002 through `register`; automatic names just read)."""
        for name, node in outputs.items():
            if span is not None:
                self.em.register(ctx.names, f"{local}.{name}", node, span)
            else:
                ctx.names.local.setdefault(f"{local}.{name}", node)

    # -- expansion --------------------------------------------------------------------------

    def expand(self, kind: str, local: str, params: dict[str, tuple[Any, Path]],
                      span: SourceSpan, ctx: Ctx,
                      sources: dict[str, str | None] | None) -> Expansion:
        if kind in ctx.blocks:
            chain = " -> ".join((*ctx.blocks[ctx.blocks.index(kind):], kind))
            self.sink.error("N004", f"block `{kind}` uses itself: {chain}", span,
                            "blocks cannot be recursive; use `repeat`")
            return Expansion(None)
        if len(ctx.blocks) >= self.caps.max_block_depth:
            self.sink.error("C004", f"blocks nest deeper than {self.caps.max_block_depth} levels",
                            span)
            return Expansion(None)
        block = self.header.blocks[kind]
        declared = declared_inputs(block)
        inputs = sources if sources is not None else dict.fromkeys(declared)
        first = inputs[declared[0]]
        shapes = {name: InputShape(self.em.shapes.get(src) if src else None, label=name)
                  for name, src in inputs.items() if block.inputs}
        caller = ctx.env.new_child({INPUT: InputShape(self.em.shapes.get(first) if first
                                                      else None)}) \
            if sources is not None else ctx.env  # layered: never a copy of the variables
        env = self._bind(kind, block.params, params, span, caller, shapes)
        at = len(self.em.scopes)
        scope = self.em.open_scope(ctx, local, kind, span,
                                   tuple(inputs.items()) if block.inputs else ())
        if env is None:
            return Expansion(None, inputs)
        names = Names()
        names.local[INPUT_NAME] = first  # `inputs: input` reads the block's (first) input
        names.reserved.add(INPUT_NAME)
        for name, src in inputs.items():
            names.local[name] = src
            names.reserved.add(name)
        sub = Ctx(env | shapes | {INPUT: caller.get(INPUT, InputShape(None))}, names, scope,
                  first, ctx.blocks + (kind,))
        if self.walk.expansions is None or block.inputs or block.outputs:
            out = self.walk.sequence(block.layers, ("blocks", kind, "layers"), sub)
        else:  # one input, no named outputs: the body's output is all the caller reads
            out = self.walk.expansions.expand(
                self.em, self.sink, kind, ctx.blocks, env, scope, first,
                lambda: self.walk.sequence(block.layers, ("blocks", kind, "layers"), sub))
        outputs = self._block_outputs(kind, block, names)
        if outputs:  # recorded on the scope for the editor's hover
            self.em.scopes[at] = replace(self.em.scopes[at], outputs=tuple(outputs.items()))
        return Expansion(out, inputs, outputs)

    def _block_outputs(self, kind: str, block: BlockDef, names: Names
                       ) -> dict[str, str | None]:
        outputs: dict[str, str | None] = {}
        for i, (exposed, layer) in enumerate(declared_outputs(block).items()):
            found, node = names.lookup(layer)
            if not found:
                key: str | int = exposed if isinstance(block.outputs, dict) else i
                where: Path = ("blocks", kind, "outputs", key)
                self.sink.error("N001", f"block `{kind}` has no layer `{layer}` to output",
                                self.doc.span(where), did_you_mean(layer, names.visible()))
            outputs[exposed] = node
        return outputs

    def _bind(self, kind: str, declared: list[str | dict[str, Any]],
              given: dict[str, tuple[Any, Path]], span: SourceSpan,
              caller_env: Mapping[str, Any], shapes: Mapping[str, InputShape]
              ) -> ChainMap[str, Any] | None:
        """Bind a block's parameters: the caller's values (evaluated in the caller) or the
        defaults, evaluated at the call over the variables, the parameters before them,
        `$in` (the block's first input) and its named inputs' shapes (a mistake in a default
        is reported where it is written)."""
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
                                did_you_mean(key, order) or (
                                    "parameters: " + ", ".join(order) if order else
                                    f"block `{kind}` takes no parameters; a call's own "
                                    "fields are " + ", ".join(f"`{f}`" for f in
                                                              sorted(COMMON_FIELDS))))
                ok = False
                continue
            resolved = self.values.subst(value, vpath, caller_env)
            ok = ok and resolved is not BAD
            env[key] = resolved
        for key in order:
            if key not in given:
                if key in defaults:
                    value, where = defaults[key]
                    scope = env | dict(shapes)
                    if INPUT in caller_env:
                        scope[INPUT] = caller_env[INPUT]
                    env[key] = self.values.subst(value, where, scope)
                    ok = ok and env[key] is not BAD
                elif did_you_mean(key, unknown):  # `filter: 8` is one mistake, not two
                    ok = False
                else:
                    self.sink.error("S003", f"block `{kind}` needs the parameter `{key}`", span,
                                    f"add `{key}: ...`")
                    ok = False
        return env if ok else None


def _count(declared: list[str]) -> str:
    if len(declared) == 1:
        return "one input"
    return f"{len(declared)} inputs ({', '.join(declared)})"


def _count_help(declared: list[str], listing: str, received: int) -> str:
    if len(declared) > 1:
        return (f"pass `inputs: [{listing}]` in this order, or by name: "
                f"`inputs: {{{declared[-1]}: ...}}`")
    if received == 0:
        return "name one layer, or drop `inputs` to read the previous one"
    return ("merge them first with `concat`, `add` or `multiply`, or declare the block's "
            "`inputs: [a, b]`")
