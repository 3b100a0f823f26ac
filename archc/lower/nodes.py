"""Node emission: unique names, scopes, shape inference as nodes are made, and the node cap.

Shapes are inferred as each node is emitted (with the catalogue's shape rules, the same the
analysis trusts) because one construct needs them during lowering: an `auto` shortcut is
the identity when the body keeps the shape and a projection when not. A shape problem is
reported at the node's spec item and leaves its shape unknown (None), so later nodes that
read it are skipped instead of reported twice.
"""

from __future__ import annotations

from dataclasses import dataclass

from archc.diagnostics import DiagnosticSink, Problem, SourceSpan
from archc.ir import Node, Op, Scope, Shape
from archc.ir.limits import NO_LIMITS, BackendLimits
from archc.ir.ops import Attrs, infer_shape
from archc.lower.names import Ctx, Names


@dataclass(frozen=True)
class Caps:
    """Static limits checked while lowering, before anything is built."""

    max_nodes: int = 20_000  # ResNet-1001 has ~3,300 nodes; lowering costs ~40 us per node
    max_repeat: int = 10_000
    max_block_depth: int = 32
    max_input_dim: int = 16_384


class Abort(Exception):
    """A cap was hit; the diagnostic is in the sink."""


class Emitter:
    """The nodes, shapes and scopes made so far, and the names they took."""

    def __init__(self, sink: DiagnosticSink, caps: Caps,
                 limits: BackendLimits = NO_LIMITS) -> None:
        self.sink = sink
        self.caps = caps
        self.limits = limits
        """The backend's limits (`archc.ir.limits`): a node it cannot run is an error here."""
        self.nodes: list[Node] = []
        self.shapes: dict[str, Shape | None] = {}
        self.scopes: list[Scope] = []
        self.extra_outputs: list[str] = []
        self.taken: set[str] = set()
        self.counters: dict[tuple[tuple[str, ...], str], int] = {}
        self.idle = 0
        """Items walked that made no node (removed by `when: false`, or failed): they cost
        a walk like a layer, so they count against the layer cap too."""

    @property
    def size(self) -> int:
        """What the layer cap bounds: nodes made plus items walked without making one."""
        return len(self.nodes) + self.idle

    def walked_idle(self, span: SourceSpan) -> None:
        """Count an item that made no node; past the cap, stop lowering (`C001`)."""
        self.idle += 1
        if self.size > self.caps.max_nodes:
            self.sink.error("C001", f"the network has more than {self.caps.max_nodes:,} layers "
                            f"after expansion, counting {self.idle:,} items removed by "
                            "`when: false` or left out by an error", span,
                            "raise the cap with --max-layers")
            raise Abort

    def auto(self, scope: tuple[str, ...], kind: str) -> str:
        key = (scope, kind)
        while True:
            self.counters[key] = self.counters.get(key, 0) + 1
            local = f"{kind}_{self.counters[key]}"
            if "/".join(scope + (local,)) not in self.taken:
                return local

    def emit(self, op: Op, local: str, attrs: Attrs, sources: list[str],
             span: SourceSpan, ctx: Ctx, scope: tuple[str, ...] | None = None) -> str | None:
        full = "/".join((ctx.scope if scope is None else scope) + (local,))
        if full in self.taken:
            # A user-named duplicate is reported by `register`. Anything else (a name taken
            # by the input, an automatic name like `conv2d_1`, or a generated part like a
            # residual's `add`) must be reported here, or the node and all after it vanish.
            if scope is not None or local not in ctx.names.spans:
                self.sink.error("N002", f"duplicate layer name `{full}`: an earlier layer, the "
                                "input or a generated part (`add`, `shortcut`, `squeeze`, ...) "
                                "already has it", span, "give every layer a unique name")
            return None
        node = Node(full, op, tuple(sources), attrs, span, ctx.scope if scope is None else scope)
        return self.add(node, None, None, span)

    def add(self, node: Node, names: Names | None, local: str | None,
            span: SourceSpan) -> str | None:
        if self.size >= self.caps.max_nodes:
            self.sink.error("C001", f"the network has more than {self.caps.max_nodes:,} layers "
                            "after expansion", span, "raise the cap with --max-layers")
            raise Abort
        in_shapes = [self.shapes.get(s) for s in node.inputs]
        shape: Shape | None = None
        if all(s is not None for s in in_shapes):
            try:
                shape = infer_shape(node.op, node.attrs, [s for s in in_shapes if s is not None])
                self.limits.check_node(node.op.value, node.attrs)
            except Problem as exc:
                self.sink.add(exc.at(span))
        self.nodes.append(node)
        self.taken.add(node.name)
        self.shapes[node.name] = shape
        if names is not None and local is not None:
            names.local[local] = node.name
        return node.name

    def register(self, names: Names, local: str, target: str | None, span: SourceSpan) -> None:
        if local in names.reserved:
            self.sink.error("N002", f"duplicate layer name `{local}`: "
                            + names.reserved_for.format(name=local), span,
                            "give the layer another name")
            return
        if local in names.local and local in names.spans:
            first = names.spans[local]
            self.sink.error("N002", f"duplicate layer name `{local}` (first used at line "
                            f"{first.line})", span, "give every layer a unique name")
            return
        names.local[local] = target
        names.spans[local] = span

    def open_scope(self, ctx: Ctx, local: str, kind: str, span: SourceSpan,
                   inputs: tuple[tuple[str, str | None], ...] = ()) -> tuple[str, ...]:
        scope = ctx.scope + (local,)
        if "/".join(scope) in self.taken:
            self.sink.error("N002", f"duplicate layer name `{local}`", span,
                            "give every layer a unique name")
        self.taken.add("/".join(scope))
        self.scopes.append(Scope(scope, kind, span, inputs))
        return scope


    def hoist(self, mark: int, prefix: tuple[str, ...]) -> None:
        head = "/".join(prefix) + "/"
        moved = [n for n in self.nodes[mark:] if n.name.startswith(head)]
        if moved:
            rest = [n for n in self.nodes[mark:] if not n.name.startswith(head)]
            self.nodes[mark:] = moved + rest

