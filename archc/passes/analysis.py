"""The analysis: every node's shape, parameters, MACs, activation memory and receptive field,
and totals.

Pure data in, pure data out. Renderers (table, JSON, DOT) only format `Analysis`; they never
recompute a figure, so every output agrees with every other.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

from archc.diagnostics import DiagnosticSink
from archc.ir import Graph, Node, Scope, Shape
from archc.ir.cost_rules import Cost
from archc.ir.limits import NO_LIMITS, BackendLimits
from archc.ir.ops import cost_of
from archc.passes.receptive import Field, receptive_fields

BYTES_PER_VALUE = 4  # float32 activations


@dataclass(frozen=True)
class CostCaps:
    """Static cost limits, checked before anything is built (defaults fit a laptop)."""

    max_params: int = 2_000_000_000
    max_activation_bytes: int = 16 * 1024**3


@dataclass(frozen=True)
class NodeInfo:
    node: Node
    input_shapes: tuple[Shape, ...]
    shape: Shape
    cost: Cost

    @property
    def activation_bytes(self) -> int:
        size = 1
        for d in self.shape:
            size *= d
        return size * BYTES_PER_VALUE


@dataclass(frozen=True)
class Analysis:
    """Per-node figures in graph order, plus totals."""

    graph: Graph
    nodes: tuple[NodeInfo, ...]

    @property
    def total(self) -> Cost:
        total = Cost()
        for info in self.nodes:
            total = total + info.cost
        return total

    @property
    def activation_bytes(self) -> int:
        return sum(i.activation_bytes for i in self.nodes)

    def info(self, name: str) -> NodeInfo:
        return self._by_name[name]

    @property
    def _by_name(self) -> Mapping[str, NodeInfo]:
        cached = self.__dict__.get("_cache")
        if cached is None:
            cached = {i.node.name: i for i in self.nodes}
            object.__setattr__(self, "_cache", cached)
        return cached

    def shape(self, name: str) -> Shape:
        return self._by_name[name].shape

    @property
    def fields(self) -> Mapping[str, Field]:
        """Every node's receptive field (archc/passes/receptive.py), computed on first use:
        `archc check` never needs them."""
        cached = self.__dict__.get("_field_cache")
        if cached is None:
            cached = receptive_fields(self.graph, {i.node.name: i.shape for i in self.nodes})
            object.__setattr__(self, "_field_cache", cached)
        return cached

    def field(self, name: str) -> Field:
        return self.fields[name]

    @cached_property
    def scope_info(self) -> Mapping[tuple[str, ...], Scope]:
        """Every scope (block instance, branch, repetition, ...) by its path."""
        return {s.path: s for s in self.graph.scopes}

    @cached_property
    def scope_kinds(self) -> Mapping[tuple[str, ...], str]:
        """The kind of every scope (`residual`, `branch`, a block's name, ...) by its path."""
        return {s.path: s.kind for s in self.graph.scopes}

    def scope_total(self, prefix: tuple[str, ...]) -> Cost:
        """The summed cost of every node inside the scope `prefix` (() is the whole graph)."""
        return self._scopes.get(prefix, (Cost(), 0))[0]

    def scope_activation_bytes(self, prefix: tuple[str, ...]) -> int:
        return self._scopes.get(prefix, (Cost(), 0))[1]

    @property
    def _scopes(self) -> Mapping[tuple[str, ...], tuple[Cost, int]]:
        # One pass for all scopes: summing per scope on demand made reports quadratic
        # (a block repeated 1,000 times took seconds).
        cached = self.__dict__.get("_scope_cache")
        if cached is None:
            cached = {}
            for info in self.nodes:
                scope = info.node.scope
                for i in range(len(scope) + 1):
                    cost, size = cached.get(scope[:i], (Cost(), 0))
                    cached[scope[:i]] = (cost + info.cost, size + info.activation_bytes)
            object.__setattr__(self, "_scope_cache", cached)
        return cached


def analyse(graph: Graph, shapes: Mapping[str, Shape | None], sink: DiagnosticSink,
            caps: CostCaps = CostCaps(),
            known: Mapping[int, NodeInfo] | None = None,
            limits: BackendLimits = NO_LIMITS) -> Analysis | None:
    """Cost every node; None if any shape is unknown (an error was already reported).

    `known`: figures of an earlier analysis with the same caps, by node identity (`id`);
    a node object seen there, with the same shapes, keeps its figures and passed the padding
    check already (the language server's memo, `lower.memo`). `limits`: the backend's,
    whose padded inputs count against the activation cap."""
    if any(shapes.get(n.name) is None for n in graph.nodes):
        return None
    infos = []
    params = 0
    activations = 0
    for node in graph.nodes:
        ins = tuple(shapes[s] or () for s in node.inputs)
        out = shapes[node.name] or ()
        info = known.get(id(node)) if known is not None else None
        reused = info is not None and info.node is node and info.input_shapes == ins \
            and info.shape == out
        if info is None or not reused:
            info = NodeInfo(node, ins, out, cost_of(node.op, node.attrs, ins, out))
        params += info.cost.params
        activations += info.activation_bytes
        if params > caps.max_params:
            sink.error("C005", f"the network needs {params:.3g} parameters by this layer; the "
                       f"cap is {caps.max_params:.3g}", node.span, "raise it with --max-params")
            return None
        padded, sizes = (0, None) if reused else backend_padded_bytes(node, ins, limits)
        if sizes is not None and padded > caps.max_activation_bytes:
            h, w, c = ins[0]
            sink.error("C006", f"the dilated kernel of this layer makes the {limits.backend} "
                       f"backend pad "
                       f"its {h}x{w}x{c} input to {sizes[0]:,}x{sizes[1]:,}x{c}: "
                       f"{padded / 1024**3:.3g} GiB per sample; the cap is "
                       f"{caps.max_activation_bytes / 1024**3:.3g} GiB", node.span,
                       "a dilated kernel wider than its input reads mostly padding: lower "
                       "the dilation, or raise the cap with --max-activation-gib")
            return None
        if activations > caps.max_activation_bytes:
            sink.error("C006", f"activations need {activations / 1024**3:.3g} GiB per sample by "
                       f"this layer; the cap is {caps.max_activation_bytes / 1024**3:.3g} GiB",
                       node.span, "raise it with --max-activation-gib")
            return None
        infos.append(info)
    return Analysis(graph, tuple(infos))


def backend_padded_bytes(node: Node, inputs: tuple[Shape, ...],
                         limits: BackendLimits) -> tuple[int, tuple[int, int] | None]:
    """Bytes and (height, width) of a padded copy of the input that the backend makes for
    this node (TensorFlow's for a dilated `same` window; archc/backends/keras/limits.py);
    (0, None) when it makes none. Not a layer output, but memory all the same."""
    size = limits.padded_input(node.attrs, inputs[0]) \
        if inputs and limits.padded_input is not None else None
    if size is None:
        return 0, None
    return size[0] * size[1] * inputs[0][-1] * BYTES_PER_VALUE, size
