"""IR nodes and graphs.

A node is one primitive operation (a Keras layer, give or take: `squeeze_excitation` and
`padding: 2` are lowered into several nodes). Nodes are named by their full scope path
(`inception_3a/branch2/conv2d_1`), which is what reports, DOT and Keras names derive from,
so outputs never depend on object identity.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from archc.diagnostics import SourceSpan
from archc.ir.ops import Attrs, InputOp, Op
from archc.ir.printer import format_graph


@dataclass(frozen=True)
class Scope:
    """A named block instance (an Inception module, a residual unit, a branch, a repeat)."""

    path: tuple[str, ...]
    kind: str
    span: SourceSpan | None
    inputs: tuple[tuple[str, str | None], ...] = ()
    """For a use of a block that declares `inputs:`, each input's name and the node it
    read (None where an error left it unknown): what the editor shows on hover."""
    outputs: tuple[tuple[str, str | None], ...] = ()
    """For a use of a block with `outputs:`, each exposed name and its node."""

    @property
    def name(self) -> str:
        return "/".join(self.path)


@dataclass(frozen=True)
class Node:
    """One operation: its unique name, op, input node names, attributes and origin."""

    name: str
    op: Op
    inputs: tuple[str, ...]
    attrs: Attrs
    span: SourceSpan | None
    scope: tuple[str, ...] = ()
    label: str = ""

    @property
    def local_name(self) -> str:
        """The name without its scope, as the spec's author wrote (or we generated) it."""
        return self.name.rsplit("/", 1)[-1]


@dataclass(frozen=True)
class Graph:
    """Nodes in spec order (which is also a topological order), inputs, outputs, scopes."""

    name: str
    variant: str | None
    nodes: tuple[Node, ...]
    inputs: tuple[str, ...]
    outputs: tuple[str, ...]
    scopes: tuple[Scope, ...] = ()
    _index: Mapping[str, Node] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_index", MappingProxyType({n.name: n for n in self.nodes}))

    def __getitem__(self, name: str) -> Node:
        return self._index[name]

    def __contains__(self, name: object) -> bool:
        return name in self._index

    def __iter__(self) -> Iterator[Node]:
        return iter(self.nodes)

    def __len__(self) -> int:
        return len(self.nodes)

    def consumers(self) -> dict[str, list[str]]:
        """Map each node name to the names of the nodes that read it."""
        out: dict[str, list[str]] = {n.name: [] for n in self.nodes}
        for node in self.nodes:
            for src in node.inputs:
                out[src].append(node.name)
        return out

    def lint(self) -> list[str]:
        """Structural invariants; an empty list means the graph is well formed.

        These are compiler bugs, not user errors: the lowerer must never produce them.
        """
        problems: list[str] = []
        seen: set[str] = set()
        for node in self.nodes:
            if node.name in seen:
                problems.append(f"duplicate node name {node.name!r}")
            for src in node.inputs:
                if src not in seen:
                    problems.append(f"{node.name!r} reads {src!r} before it is defined")
            if node.op is InputOp.INPUT and node.inputs:
                problems.append(f"input node {node.name!r} has inputs")
            seen.add(node.name)
        for name in self.outputs:
            if name not in seen:
                problems.append(f"output {name!r} is not a node")
        return problems

    def __str__(self) -> str:
        return format_graph(self)
