"""What the diagram draws: which nodes show, which blocks collapse or fold, which edges.

This is pure data computed from the `Analysis`; `dot.py` only formats it. Keeping the
decisions here lets tests count drawn units and clusters against the IR without parsing DOT,
and lets the node cap try shallower depths cheaply before any text is produced.

Depth semantics are those of `archc summary --depth`: with depth N, a node nested fewer than
N scopes deep is drawn as itself, and every scope N deep is drawn as one unit (so depth 1
shows only top-level items). `None` draws everything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from archc.ir import Shape
from archc.ir.cost_rules import Cost
from archc.ir.ops import InputOp
from archc.passes.analysis import Analysis, NodeInfo

Path = tuple[str, ...]
UnitKey = tuple[bool, str]
"""(collapsed, id): a collapsed scope and a node of the same spelling never collide."""


@dataclass(frozen=True)
class Unit:
    """One drawn box: a single IR node, or a collapsed scope (folded: `count` of them)."""

    id: str
    """The node's name, or the collapsed scope's path joined with `/`."""
    members: tuple[NodeInfo, ...]
    container: Path
    """The scope whose cluster holds this unit (() for the top level)."""
    scope: Path | None = None
    """The collapsed scope (the first one when folded); None for a single node."""
    kind: str = ""
    count: int = 1
    last_scope: Path | None = None
    cost: Cost = field(default_factory=Cost)
    """The node's cost, or the collapsed scopes' subtotals from the analysis."""

    @property
    def collapsed(self) -> bool:
        return self.scope is not None

    @property
    def key(self) -> UnitKey:
        return (self.collapsed, self.id)

    @property
    def node(self) -> NodeInfo:
        """The IR node a single-node unit draws."""
        return self.members[0]

    @property
    def shape(self) -> Shape:
        return self.members[-1].shape



@dataclass(frozen=True)
class Edge:
    src: UnitKey
    dst: UnitKey
    tensor: str
    """The IR node whose output flows along this edge (its shape is the edge label)."""
    shape: Shape


@dataclass(frozen=True)
class Plan:
    units: tuple[Unit, ...]
    edges: tuple[Edge, ...]
    clusters: tuple[Path, ...]
    """Scopes drawn as clusters (those holding a unit), in order of first appearance."""
    outputs: tuple[tuple[UnitKey, str, Shape], ...]
    """(unit, output node name, shape) for each graph output."""
    depth: int | None

    @property
    def drawn_nodes(self) -> int:
        """Boxes in the drawing: units plus one marker per output (the legend excluded)."""
        return len(self.units) + len(self.outputs)


def max_depth(analysis: Analysis) -> int:
    """The deepest scope nesting in the graph (0 for a flat network)."""
    return max((len(i.node.scope) for i in analysis.nodes), default=0)


def make_plan(analysis: Analysis, depth: int | None = None, fold: bool = True) -> Plan:
    """Units, edges and clusters for `analysis` drawn at `depth` (None: fully expanded)."""
    units = _units(analysis, depth, analysis.scope_kinds)
    if fold:
        units = _fold(units, analysis)
    unit_of = {info.node.name: u.key for u in units for info in u.members}
    edges: list[Edge] = []
    seen: set[tuple[UnitKey, UnitKey, str]] = set()
    for info in analysis.nodes:
        dst = unit_of[info.node.name]
        for src_name in info.node.inputs:
            src = unit_of[src_name]
            if src == dst or (src, dst, src_name) in seen:
                continue
            seen.add((src, dst, src_name))
            edges.append(Edge(src, dst, src_name, analysis.shape(src_name)))
    clusters: list[Path] = []
    known: set[Path] = set()
    for unit in units:
        for i in range(1, len(unit.container) + 1):
            if unit.container[:i] not in known:
                known.add(unit.container[:i])
                clusters.append(unit.container[:i])
    outputs = tuple((unit_of[name], name, analysis.shape(name))
                    for name in analysis.graph.outputs)
    return Plan(tuple(units), tuple(edges), tuple(clusters), outputs, depth)


def _units(analysis: Analysis, depth: int | None, kinds: Mapping[Path, str]) -> list[Unit]:
    order: list[UnitKey] = []
    members: dict[UnitKey, list[NodeInfo]] = {}
    meta: dict[UnitKey, tuple[Path, Path | None]] = {}
    for info in analysis.nodes:
        scope = info.node.scope
        key: UnitKey
        if depth is not None and len(scope) >= depth:
            prefix = scope[:depth]
            key = (True, "/".join(prefix))
            meta.setdefault(key, (prefix[:-1], prefix))
        else:
            key = (False, info.node.name)
            meta[key] = (scope, None)
        if key not in members:
            members[key] = []
            order.append(key)
        members[key].append(info)
    units = []
    for key in order:
        container, collapsed = meta[key]
        kind = kinds.get(collapsed, "block") if collapsed is not None else ""
        cost = (analysis.scope_total(collapsed) if collapsed is not None
                else members[key][0].cost)
        units.append(Unit(key[1], tuple(members[key]), container, collapsed, kind, 1,
                          collapsed, cost))
    return units


def _signature(unit: Unit, inside: set[str], analysis: Analysis) -> tuple[object, ...]:
    """What must match for two collapsed units to count as repetitions of one block."""
    entering = tuple(analysis.shape(src) for info in unit.members
                     for src in info.node.inputs if src not in inside)
    ops = tuple((i.node.op, i.shape) for i in unit.members)
    return (unit.kind, unit.container, entering, ops, unit.cost)


def _fold(units: list[Unit], analysis: Analysis) -> list[Unit]:
    """Merge runs of identical collapsed units that feed only each other into one `x N` unit.

    A run may fold only when the drawing loses no edge: each unit reads nothing but the one
    before it, and nothing outside the run reads a unit other than the last.
    """
    consumers = analysis.graph.consumers()
    outputs = set(analysis.graph.outputs)
    names = [{i.node.name for i in u.members} for u in units]
    result: list[Unit] = []
    i = 0
    while i < len(units):
        unit = units[i]
        j = i
        if unit.collapsed:
            sig = _signature(unit, names[i], analysis)
            while j + 1 < len(units) and units[j + 1].collapsed:
                nxt = units[j + 1]
                if _signature(nxt, names[j + 1], analysis) != sig:
                    break
                reads = {s for info in nxt.members for s in info.node.inputs} - names[j + 1]
                if not reads <= names[j]:
                    break
                leaks = {c for n in names[j] for c in consumers[n]} - names[j] - names[j + 1]
                if leaks or names[j] & outputs:
                    break
                j += 1
        if j == i:
            result.append(unit)
        else:
            run = units[i:j + 1]
            result.append(Unit(unit.id, tuple(m for u in run for m in u.members),
                               unit.container, unit.scope, unit.kind, len(run),
                               run[-1].scope, sum((u.cost for u in run), Cost())))
        i = j + 1
    return result


def is_input(unit: Unit) -> bool:
    return not unit.collapsed and unit.node.node.op is InputOp.INPUT
