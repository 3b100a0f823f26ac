"""Lower a validated spec into the IR: the driver of one walk over the layer items.

The walk goes in spec order, from the network's inputs (`network_inputs.py`). For each
item (taken apart by `spec.items.split_item`) it substitutes `$` expressions (`values.py`),
validates the arguments against the layer's schema model, resolves `inputs` (`names.py`),
and either emits a node (`nodes.py`, which also infers its shape) or hands the item to an
expander: `blocks.py` (block calls) or `structures.py` (repeat, parallel, residual,
squeeze-excitation). The expanders are objects the walk holds; they call back into it
through the `Walker` protocol (`walker.py`) to walk a body.

Errors never stop the walk early: a failed item "poisons" its output (None), later items
are still validated, and every problem is reported in one run.
"""

from __future__ import annotations

from collections import ChainMap
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from archc.diagnostics import DiagnosticSink, Problem, SourceSpan, did_you_mean
from archc.ir import Graph, Shape
from archc.ir.limits import NO_LIMITS, BackendLimits
from archc.ir.ops import InputOp, make_attrs, op_named
from archc.lower.blocks import Blocks, declared_inputs, declared_outputs
from archc.lower.expr import INPUT, Budget, InputShape, is_expression
from archc.lower.functions import FunctionTable, SpecFunction
from archc.lower.memo import ExpansionMemo
from archc.lower.names import Ctx, Names, unknown_reference
from archc.lower.network_inputs import input_nodes
from archc.lower.nodes import Abort, Caps, Emitter
from archc.lower.structures import Structures
from archc.lower.values import BAD, Values
from archc.spec.items import LAYER_KINDS, STRUCTURE_KINDS, split_item
from archc.spec.loader import Document, Path
from archc.spec.validate import validate_model, within_size_limit

if TYPE_CHECKING:
    from archc.spec.schema import LayerCommon, SpecHeader

__all__ = ["Caps", "Lowered", "lower"]


@dataclass(frozen=True)
class Lowered:
    """The IR graph plus the shape of every node (None where an error made it unknown)."""

    graph: Graph
    shapes: Mapping[str, Shape | None]
    cost: int = 0
    """What the layer cap bounds: nodes made plus items walked without making one."""


_DEFAULT_CAPS = Caps()


def lower(doc: Document, header: SpecHeader, variables: dict[str, Any], variant: str | None,
          sink: DiagnosticSink, caps: Caps = _DEFAULT_CAPS,
          functions: Mapping[str, SpecFunction] | None = None,
          reuse: bool | ExpansionMemo = False, budget: Budget | None = None,
          limits: BackendLimits = NO_LIMITS) -> Lowered | None:
    """Lower `header` (validated) with resolved `variables` into a graph (`reuse`: copy
    repeated expansions, with a memo kept across lowerings if one is given; `lower.memo`;
    `budget` is the spec's cost account, see `expr_context.Budget`; `limits`: what the
    backend cannot run, `archc.ir.limits`)."""
    expansions: ExpansionMemo | None = None
    if isinstance(reuse, ExpansionMemo):
        reuse.begin(doc, variables, (variant, caps, limits))
        expansions = reuse
    elif reuse:
        expansions = ExpansionMemo(variables)
    lowerer = _Lowerer(doc, header, variables, sink, caps, functions or {}, budget, expansions,
                       limits)
    try:
        return lowerer.run(variant)
    except Abort:
        return None


class _Lowerer:
    """The walk; a `Walker` for the block and structure expanders it holds."""

    def __init__(self, doc: Document, header: SpecHeader, variables: dict[str, Any],
                 sink: DiagnosticSink, caps: Caps, functions: Mapping[str, SpecFunction],
                 budget: Budget | None = None, expansions: ExpansionMemo | None = None,
                 limits: BackendLimits = NO_LIMITS) -> None:
        self.doc = doc
        self.header = header
        self.variables = variables
        self.sink = sink
        self.caps = caps
        self.limits = limits
        self.em = Emitter(sink, caps, limits)
        self.values = Values(doc, header, sink, FunctionTable(functions, variables), budget)
        self.expansions = expansions
        self.blocks = Blocks(self)
        self.structures = Structures(self, self.blocks)

    # -- driver -----------------------------------------------------------------------------

    def run(self, variant: str | None) -> Lowered:
        names = Names()
        first = input_nodes(self, names)
        ctx = Ctx(ChainMap({}, self.variables), names, (), first)
        last = self.sequence(self.doc.data["layers"], ("layers",), ctx)
        outputs = self._outputs(names, last)
        graph = Graph(self.header.name, variant, tuple(self.em.nodes),
                      tuple(n.name for n in self.em.nodes if n.op is InputOp.INPUT),
                      tuple(outputs), tuple(self.em.scopes))
        return Lowered(graph, self.em.shapes, self.em.size)

    def _outputs(self, names: Names, last: str | None) -> list[str]:
        if self.header.outputs is None:
            outs = [last] if last is not None else []
            return outs + [o for o in self.em.extra_outputs if o not in outs]
        outs = []
        for i, ref in enumerate(self.header.outputs):
            found, target = names.lookup(ref)
            if not found:
                self.sink.error("N001", f"unknown output `{ref}`", self.doc.span(("outputs", i)),
                                did_you_mean(ref, names.visible()))
            elif target is not None:
                outs.append(target)
        # Layers flagged `output: true` are outputs too, after the listed ones.
        return outs + [o for o in self.em.extra_outputs if o not in outs]

    # -- sequences and items ----------------------------------------------------------------

    def sequence(self, items: Any, path: Path, ctx: Ctx) -> str | None:
        if not isinstance(items, list):
            self.sink.error("S001", "expected a list of layers", self.doc.span(path))
            return None
        current = ctx.current
        budget = self.values.budget
        try:  # every nested list of items is a level of the one depth budget (C012)
            budget.enter("this list of layers")
        except Problem as exc:
            self.sink.add(exc.at(self.doc.span(path)))
            raise Abort from None
        try:
            for i, item in enumerate(items):
                before = self.em.size
                # (a direct constructor: `dataclasses.replace` per item cost 10 % of lowering)
                current = self._item(item, path + (i,), Ctx(ctx.env, ctx.names, ctx.scope,
                                                             current, ctx.blocks, items, i))
                if self.em.size == before:
                    self.em.walked_idle(self.doc.span(path + (i,)))
        finally:
            budget.level -= 1
        return current

    def _item(self, item: Any, path: Path, ctx: Ctx) -> str | None:
        split = self._split(item, path)
        if split is None:
            return None
        kind, raw, arg_paths = split
        # `$in` is what this item reads: its `inputs` (the first, for a merge) or the
        # previous item's output. Structures and block calls pass it on as their input.
        # (layered, not copied: the variables may be many, the items too)
        ctx = Ctx(ctx.env.new_child({INPUT: self._incoming(kind, raw, arg_paths, path, ctx)}),
                  ctx.names,
                  ctx.scope, ctx.current, ctx.blocks, ctx.items, ctx.index)
        when = raw.get("when", True)
        if is_expression(when):
            when = self.values.compute(when, arg_paths.get("when", path), ctx.env)
        if when is False:
            if isinstance(raw.get("name"), str):  # so that reading it says why it is missing
                where = self.doc.span(arg_paths.get("when", path))
                ctx.names.removed[raw["name"]] = where
                for exposed in self._exposed_names(kind, raw):  # `<call>.<output>` too
                    ctx.names.removed[f"{raw['name']}.{exposed}"] = where
            return ctx.current
        if when is not True:
            if when is not BAD:
                self.sink.error("S004", f"`when` must be true or false; received `{when}`",
                                self.doc.span(arg_paths["when"]))
            return None
        raw = {k: v for k, v in raw.items() if k != "when"}
        if kind in LAYER_KINDS:
            return self._layer(kind, raw, arg_paths, path, ctx)
        if kind in STRUCTURE_KINDS:
            return self.structures.expand(kind, raw, arg_paths, path, ctx)
        if kind in self.header.blocks:
            return self.blocks.call(kind, raw, arg_paths, path, ctx)
        known = [*LAYER_KINDS, *STRUCTURE_KINDS, *self.header.blocks]
        self.sink.error("S005", f"unknown layer type `{kind}`", self.doc.key_span(path + (kind,)),
                        did_you_mean(kind, known) or "see docs/spec-language.md for the types")
        return None

    def _exposed_names(self, kind: str, raw: dict[str, Any]) -> list[str]:
        """The `<call>.<name>` suffixes a block call (or a repeat of a block) would add."""
        name = raw.get("block") if kind == "repeat" else kind
        block = self.header.blocks.get(name) if isinstance(name, str) else None
        if block is None:
            return []
        inputs = list(block.inputs or []) if kind == "repeat" else []
        return inputs + list(declared_outputs(block))

    def _incoming(self, kind: str, raw: dict[str, Any], arg_paths: dict[str, Path],
                  path: Path, ctx: Ctx) -> InputShape:
        refs = raw.get("inputs")
        source = ctx.current
        if refs is not None:
            ref_path = arg_paths.get("inputs", path)
            refs = self.values.subst(refs, ref_path, ctx.env)
            if isinstance(refs, list) and refs:
                refs, ref_path = refs[0], ref_path + (0,)
            elif isinstance(refs, dict) and kind in self.header.blocks:
                # Inputs by name: `$in` is the block's first input (left out: the previous).
                first = declared_inputs(self.header.blocks[kind])[0]
                refs, ref_path = refs.get(first), ref_path + (first,)
                if refs is None:
                    return InputShape(self.em.shapes.get(source) if source else None)
            found, source = ctx.names.lookup(refs) if isinstance(refs, str) else (True, None)
            if not found:
                # Said when `$in` is read (an item left out by `when` may name anything);
                # `_sources` says the same for the item itself, and the sink keeps one.
                missing = str(refs)
                return InputShape(None, lambda: unknown_reference(
                    self.sink, self.doc, missing, ref_path, ctx))
        return InputShape(self.em.shapes.get(source) if source is not None else None)

    def _split(self, item: Any, path: Path) -> tuple[str, dict[str, Any], dict[str, Path]] | None:
        """The item's type, its arguments (a copy) and where each is written; a malformed
        item is reported (S001, S006) and reads as None."""
        split = split_item(item)
        if split is None:
            what = "a mapping with several keys" if isinstance(item, dict) else "not a mapping"
            self.sink.error("S001", f"a layer is a one-key mapping such as `conv2d: {{...}}`; "
                            f"this is {what}", self.doc.span(path),
                            "indent the layer's arguments under its type" if isinstance(item, dict)
                            else None)
            return None
        if split.stray:
            kind = split.kind
            self.sink.error("S006", f"`{kind}` takes a mapping of arguments; received "
                            f"`{item[kind]}`", self.doc.span(path + (kind,)),
                            f"write `{kind}: {{...}}`")
            return None
        return split.kind, dict(split.args), split.arg_paths(path)

    def validate(self, model: str, kind: str, args: dict[str, Any],
                  arg_paths: dict[str, Path], path: Path) -> Any:
        def span_of(sub: Path, key: bool) -> SourceSpan:
            if sub and sub[0] in arg_paths:
                full = arg_paths[str(sub[0])] + sub[1:]
                return self.doc.key_span(full) if key else self.doc.span(full)
            return self.doc.key_span(path + (kind,))

        what = f"`{kind}`"
        valid = validate_model(model, args, span_of, self.sink, what)
        if valid is not None and not within_size_limit(args, span_of, self.sink, what,
                                                       self.limits):
            return None
        return valid


    # -- plain layers -----------------------------------------------------------------------

    def _layer(self, kind: str, raw: dict[str, Any], arg_paths: dict[str, Path], path: Path,
               ctx: Ctx) -> str | None:
        defaults = self.header.defaults.get(kind, {})
        merged_paths = {k: ("defaults", kind, k) for k in defaults} | arg_paths
        merged = {k: v for k, v in defaults.items() if k not in raw} | raw
        args = self.values.subst_args(merged, merged_paths, ctx.env)
        if args is None:
            return self.poison(raw, ctx, path, kind)
        parsed = self.validate(kind, kind, args, merged_paths, path)
        if parsed is None:
            return self.poison(raw, ctx, path, kind)
        span = self.doc.key_span(path + (kind,))
        # `inputs` may come from `defaults` too: locate it wherever it was written.
        sources = self.sources(parsed, merged_paths, path, ctx,
                                merge=kind in ("concat", "add", "multiply", "scaled_add"),
                                several=kind == "dfl", pair=kind == "scaled_add")
        if sources is None:
            return self.poison(raw, ctx, path, kind)
        if kind == "squeeze_excitation":
            return self.structures.squeeze_excitation(parsed, sources[0], span, ctx, frozenset(raw))
        op = op_named(kind)
        fields = parsed.model_dump()
        table = fields.get("connections")
        if isinstance(table, str) and table not in self.header.tables:
            self.sink.error("N003", f"unknown connection table `{table}`",
                            self.doc.span(arg_paths.get("connections", path)),
                            did_you_mean(table, self.header.tables)
                            or "define it under `tables:` or write the rows inline")
            return self.poison(raw, ctx, path, kind)
        attrs = make_attrs(op, fields, self.header.tables)
        local = parsed.name or self.em.auto(ctx.scope, kind)
        node = self.em.emit(op, local, attrs, sources, span, ctx)
        return self.finish(node, parsed, ctx, span, local)

    def poison(self, raw: dict[str, Any], ctx: Ctx, path: Path, kind: str) -> str | None:
        """Register a failed layer's name (so later references don't cascade) -> no output.

        Without a given name, its automatic one (`conv2d_1`) reads as failed, not unknown."""
        name = raw.get("name")
        if isinstance(name, str):
            ctx.names.local.setdefault(name, None)
        elif name is None:
            ctx.names.local.setdefault(self.em.auto(ctx.scope, kind), None)
        return None

    def finish(self, node: str | None, parsed: LayerCommon, ctx: Ctx,
                span: SourceSpan, local: str | None = None) -> str | None:
        if parsed.name is not None:
            self.em.register(ctx.names, parsed.name, node, span)
        elif local is not None and (node is not None or local not in ctx.names.local):
            # An automatic name (`conv2d_1`) reads the layer as the docs promise; it has no
            # span, so a given name equal to it is still a duplicate (N002, in `emit`). A
            # failed layer's automatic name reads as failed (None): no false "unknown name".
            ctx.names.local[local] = node
        if parsed.output and node is not None:
            self.em.extra_outputs.append(node)
        return node

    def sources(self, parsed: LayerCommon, arg_paths: dict[str, Path], path: Path, ctx: Ctx,
                 merge: bool = False, several: bool = False, pair: bool = False
                 ) -> list[str] | None:
        """The nodes a layer reads. A merge needs a list of two or more (a `pair`,
        scaled_add, exactly two); a layer that reads `several` (dfl: one box map per level)
        takes one or more; any other exactly one."""
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
        if pair and len(listed) != 2:
            self.sink.error("S004", f"`scaled_add` reads exactly two inputs, [x, y] for "
                            f"x + scale * y; received {len(listed)}",
                            self.doc.span(arg_paths["inputs"]))
            return None
        if several and not listed:
            self.sink.error("S004", "this layer reads one or more inputs; received 0",
                            self.doc.span(arg_paths["inputs"]),
                            "name the layers, or drop `inputs` to read the previous one")
            return None
        if not merge and not several and len(listed) != 1:  # merges read several layers
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
                unknown_reference(self.sink, self.doc, ref, ref_path, ctx)
                ok = False
            elif target is None:
                ok = False
            else:
                out.append(target)
        return out if ok else None

