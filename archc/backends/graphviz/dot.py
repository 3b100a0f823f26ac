"""DOT text from a `Plan`: formatting only, every figure taken from the analysis.

The output is deterministic by construction: identifiers come from IR names, units, edges
and clusters are written in graph order, and nothing depends on object identity, hash order
or the clock. Labels are HTML-like and built only from `html_text`, so no text from a spec
reaches the DOT unescaped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from archc.backends.graphviz.escape import graph_id, html_text, quote_id
from archc.backends.graphviz.plan import (
    Path,
    Plan,
    Unit,
    UnitKey,
    is_input,
    make_plan,
    max_depth,
)
from archc.backends.graphviz.style import BLOCK, INPUT, OP_LABELS, SWATCH_ORDER, Swatch, swatch
from archc.diagnostics import Diagnostic, SpecError
from archc.ir.ops import MergeOp
from archc.ir.printer import format_shape
from archc.passes.analysis import Analysis
from archc.passes.receptive import Field, format_field

DEFAULT_MAX_NODES = 2_000
RANKDIRS = ("TB", "LR", "BT", "RL")
FONT = "Helvetica"

# Cluster outline per scope kind: the structure the author wrote should read at a glance.
_CLUSTER_STYLE = {
    "shortcut": 'style="rounded,dashed", color="#7f7f7f"',
    "branch": 'style="rounded,dotted", color="#9f9f9f"',
    "squeeze_excitation": 'style="rounded,filled", color="#b4a7d6", fillcolor="#f3f0fa"',
}
_DEFAULT_CLUSTER_STYLE = 'style="rounded", color="#5f5f5f"'


@dataclass(frozen=True)
class DiagramOptions:
    depth: int | None = None
    rankdir: str = "TB"
    fold: bool = True
    """Fold consecutive identical collapsed blocks into one `x N` box."""
    max_nodes: int = DEFAULT_MAX_NODES
    legend: bool = True
    fields: bool = False
    """Add each box's receptive field (`field 11x11 /4`); off, the DOT is what it always was."""
    spelling: str = "cli"
    """How notices name the options: "cli" (`--max-nodes`) or "python" (`max_nodes=`), so
    that the advice names an option the caller actually has."""


_OPTION_NAMES = {
    "cli": {"depth": "--depth {}", "max_nodes": "--max-nodes"},
    "python": {"depth": "depth={}", "max_nodes": "max_nodes=N"},
}


def _option(options: DiagramOptions, name: str, value: object = "") -> str:
    return _OPTION_NAMES.get(options.spelling, _OPTION_NAMES["cli"])[name].format(value)


@dataclass(frozen=True)
class Diagram:
    """A drawing: the DOT body lines, the plan they came from, and notices for the user."""

    name: str
    body: tuple[str, ...]
    plan: Plan
    notices: tuple[str, ...] = field(default=())
    hints: tuple[str, ...] = field(default=())
    """Advice that changes nothing drawn (how to get a shorter drawing); the CLI prints it."""

    @property
    def source(self) -> str:
        """The whole DOT file, byte-identical to what `graphviz.Digraph(...).source` gives."""
        return f"digraph {self.name} {{\n" + "".join(self.body) + "}\n"


def build_diagram(analysis: Analysis, options: DiagramOptions = DiagramOptions()) -> Diagram:
    """Plan and emit; over the node cap, draw at the deepest depth that fits, with a notice.

    Raises `SpecError` (D002) when even the top-level items alone exceed the cap.
    """
    if options.rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}")
    plan = make_plan(analysis, options.depth, options.fold)
    notices: list[str] = []
    if plan.drawn_nodes > options.max_nodes:
        wanted = plan.drawn_nodes
        start = options.depth if options.depth is not None else max_depth(analysis) + 1
        for depth in range(start - 1, 0, -1):
            plan = make_plan(analysis, depth, options.fold)
            if plan.drawn_nodes <= options.max_nodes:
                notices.append(f"the diagram would draw {wanted:,} nodes, over the cap of "
                               f"{options.max_nodes:,}; collapsed to "
                               f"{_option(options, 'depth', depth)} ({plan.drawn_nodes:,} "
                               f"nodes). Raise the cap with {_option(options, 'max_nodes')}.")
                break
        else:
            plan = make_plan(analysis, 1, options.fold)
            culprit = plan.units[min(options.max_nodes, len(plan.units) - 1)].members[0]
            raise SpecError([Diagnostic(
                "D002", f"the diagram needs {plan.drawn_nodes:,} nodes even with every block "
                f"collapsed; the cap is {options.max_nodes:,}", culprit.node.span,
                f"raise it with {_option(options, 'max_nodes')}, or group the layers into "
                "blocks")])
    return Diagram(graph_id(analysis.graph.name), tuple(_body(analysis, plan, options)), plan,
                   tuple(notices), _tall_hint(analysis, plan, options))


TALL = 60
"""Boxes in one chain beyond which a drawing stops being readable as a picture: ResNet-50 at
full depth is a chain of 180 boxes, a PNG 829 x 13,369 px; at `--depth 2`, 22 boxes."""


def longest_chain(plan: Plan) -> int:
    """Boxes on the longest path of the drawing: what sets its height (TB) or width (LR)."""
    length: dict[UnitKey, int] = {}
    into: dict[UnitKey, list[UnitKey]] = {}
    for edge in plan.edges:
        into.setdefault(edge.dst, []).append(edge.src)
    for unit in plan.units:  # graph order: every source comes before what it feeds
        length[unit.key] = 1 + max((length.get(src, 0) for src in into.get(unit.key, ())),
                                   default=0)
    return max(length.values(), default=0)


def _tall_hint(analysis: Analysis, plan: Plan, options: DiagramOptions) -> tuple[str, ...]:
    """How to get a readable drawing when this one is one long column of boxes."""
    chain = longest_chain(plan)
    if chain <= TALL:
        return ()
    start = plan.depth if plan.depth is not None else max_depth(analysis) + 1
    for depth in range(start - 1, 0, -1):
        shorter = longest_chain(make_plan(analysis, depth, options.fold))
        if shorter <= TALL:
            return (f"the drawing is a chain of {chain:,} boxes, too long to read as one "
                    f"picture; {_option(options, 'depth', depth)} draws {shorter:,} boxes in "
                    "its longest chain, and `archc report` opens and closes blocks in place",)
    return (f"the drawing is a chain of {chain:,} boxes, too long to read as one picture; "
            "`archc report` opens and closes blocks in place",)


def _body(analysis: Analysis, plan: Plan, options: DiagramOptions) -> list[str]:
    lines = [
        f'\tgraph [rankdir={options.rankdir}, newrank=true, ordering=out, fontname="{FONT}", '
        f'fontsize=16, labelloc=t, nodesep=0.25, ranksep=0.1, '
        f"label=<{_title(analysis, plan, options.legend)}>]\n",
        f'\tnode [shape=box, style="rounded,filled", fontname="{FONT}", fontsize=11, height=0.3, '
        'margin="0.12,0.04"]\n',
        f'\tedge [fontname="{FONT}", fontsize=9, color="#555555", arrowsize=0.7]\n',
    ]
    scopes = _ScopeFacts.of(analysis)
    children: dict[Path, list[Path | Unit]] = {}
    for cluster in plan.clusters:
        children.setdefault(cluster[:-1], []).append(cluster)
    for unit in plan.units:
        children.setdefault(unit.container, []).append(unit)
    ordered = _ordered_children(plan, children)
    fields = analysis.fields if options.fields else None
    _emit_container((), ordered, scopes, lines, 1, fields)
    for uid, name, shape in plan.outputs:
        marker = quote_id(name, "out")
        # With several outputs (GoogLeNet's auxiliary heads) the markers need their names.
        named = f" {html_text(name)}" if len(plan.outputs) > 1 else ""
        lines.append(f'\t{marker} [shape=ellipse, style=filled, fillcolor="{INPUT.fill}", '
                     f"label=<<B>output</B>{named}>]\n")
        lines.append(f"\t{_dot_id(uid)} -> {marker} [label=<{format_shape(shape)}>]\n")
    side = _side_path_inputs(analysis, plan)
    # Edge labels are `label`s, not `xlabel`s: they get a rank of their own, which keeps
    # them off the edge lines and keeps dot from reordering parallel branches.
    for edge in plan.edges:
        weight = ", weight=8" if (edge.tensor, edge.dst) in side else ""
        lines.append(f"\t{_dot_id(edge.src)} -> {_dot_id(edge.dst)} "
                     f"[label=<{format_shape(edge.shape)}>{weight}]\n")
    return lines


@dataclass(frozen=True)
class _ScopeFacts:
    """Kind and subtotal of every scope (both from the analysis, which computes them once)
    and the kinds of each scope's children."""

    analysis: Analysis
    inner: dict[Path, list[str]]

    @staticmethod
    def of(analysis: Analysis) -> _ScopeFacts:
        inner: dict[Path, list[str]] = {}
        for scope in analysis.graph.scopes:
            inner.setdefault(scope.path[:-1], []).append(scope.kind)
        return _ScopeFacts(analysis, inner)


def _dot_id(key: UnitKey) -> str:
    collapsed, name = key
    return quote_id(name, "block") if collapsed else quote_id(name)


def _side_path_inputs(analysis: Analysis, plan: Plan) -> set[tuple[str, UnitKey]]:
    """(tensor, unit) pairs of the main-line edge into each drawn SE `multiply`.

    A heavy edge from the SE block's input straight to its `multiply` keeps the main path
    vertical, so dot draws squeeze -> reduce -> expand beside it as a side path.
    """
    kinds = analysis.scope_kinds
    heavy = set()
    for unit in plan.units:
        if unit.collapsed:
            continue
        node = unit.node.node
        if node.op is MergeOp.MULTIPLY and kinds.get(node.scope) == "squeeze_excitation":
            heavy.add((node.inputs[0], unit.key))
    return heavy


def _ordered_children(plan: Plan, children: dict[Path, list[Path | Unit]]
                      ) -> dict[Path, list[Path | Unit]]:
    """Each container's clusters and units in order of their first node in the graph."""
    first: dict[Path, int] = {}
    position = {u.key: i for i, u in enumerate(plan.units)}
    for unit in plan.units:
        for i in range(1, len(unit.container) + 1):
            first.setdefault(unit.container[:i], position[unit.key])

    def key(item: Path | Unit) -> tuple[int, int]:
        if isinstance(item, Unit):
            return (position[item.key], 1)
        return (first[item], 0)

    return {path: sorted(items, key=key) for path, items in children.items()}


_LEFT = '<BR ALIGN="LEFT"/>'
"""A line break that left-aligns the line before it (a cluster label's lines)."""


def _emit_container(path: Path, children: dict[Path, list[Path | Unit]], scopes: _ScopeFacts,
                    lines: list[str], indent: int, fields: Mapping[str, Field] | None) -> None:
    pad = "\t" * indent
    for item in children.get(path, []):
        if isinstance(item, Unit):
            lines.append(f"{pad}{_dot_id(item.key)} [{_unit_attrs(item, scopes, fields)}]\n")
            continue
        kind = scopes.analysis.scope_kinds.get(item, "block")
        style = _CLUSTER_STYLE.get(kind, _DEFAULT_CLUSTER_STYLE)
        cost = scopes.analysis.scope_total(item)
        # Name, kind and subtotal on three short left-aligned lines: on one line the label
        # reached the middle of the frame, where the edge into the frame's first box runs
        # (ResNet's conv5 at --depth 2 had its edge through "14,998,528 params").
        label = f"<B>{html_text(item[-1])}</B>{_LEFT}{html_text(kind)}{_LEFT}"
        if cost.params:
            label += f'<FONT POINT-SIZE="9">{cost.params:,} params</FONT>{_LEFT}'
        lines.append(f"{pad}subgraph {quote_id('/'.join(item), 'cluster')} {{\n")
        lines.append(f'{pad}\tgraph [{style}, fontsize=11, labeljust=l, label=<{label}>]\n')
        _emit_container(item, children, scopes, lines, indent + 1, fields)
        lines.append(f"{pad}}}\n")


def _unit_attrs(unit: Unit, scopes: _ScopeFacts, fields: Mapping[str, Field] | None) -> str:
    """Two lines per box, name and what it is, then its figures: tall labels would push a
    network like GoogLeNet off the page. With `fields`, the receptive field of the box's
    last layer joins the figures."""
    cost = unit.cost
    params = f"{cost.params:,} params"
    field = "" if fields is None else "field " + format_field(fields[unit.members[-1].node.name])
    if unit.collapsed:
        assert unit.scope is not None and unit.last_scope is not None
        name = html_text(unit.scope[-1])
        kind = html_text(unit.kind + _contents(unit.scope, scopes))
        if unit.count > 1:
            name += " .. " + html_text(unit.last_scope[-1])
            kind += f" x {unit.count}"
            params += f" ({cost.params // unit.count:,} each)"
        text = f"{format_shape(unit.shape)}, {params}, {cost.macs:,} MACs"
        if field:
            text += f"; {html_text(field)}"
        return (f'shape=box3d, style=filled, margin="0.14,0.07", fillcolor="{BLOCK.fill}", '
                f'label=<<B>{name}</B> {kind}<BR/><FONT POINT-SIZE="9">{text}</FONT>>')
    info = unit.node
    if is_input(unit):
        return (f'shape=ellipse, style=filled, fillcolor="{INPUT.fill}", '
                f"label=<<B>{html_text(info.node.name)}</B> {format_shape(info.shape)}>")
    local = _local_name(info.node.name, info.node.scope)
    label = f"<B>{html_text(local)}</B>"
    detail = OP_LABELS[info.node.op](info)
    if detail != local:  # `concat` named concat needs no repetition
        label += f" {html_text(detail)}"
    figures = [f"{params}, {cost.macs:,} MACs"] if cost.params or cost.macs else []
    if field:
        figures.append(html_text(field))
    if figures:
        label += f'<BR/><FONT POINT-SIZE="9">{"; ".join(figures)}</FONT>'
    return f'fillcolor="{swatch(info.node.op).fill}", label=<{label}>'


def _contents(scope: Path, scopes: _ScopeFacts) -> str:
    """` 3 x bottleneck` for a collapsed scope whose children are several blocks of one kind
    (a ResNet stage), so a collapsed stage still says what it repeats."""
    inner = scopes.inner.get(scope, [])
    if len(inner) > 1 and len(set(inner)) == 1 and inner[0] not in ("branch", "repetition"):
        return f" {len(inner)} x {inner[0]}"
    return ""


def _families(plan: Plan) -> list[Swatch]:
    present: set[str] = set()
    for unit in plan.units:
        present.add(BLOCK.name if unit.collapsed else swatch(unit.node.node.op).name)
    if plan.outputs:
        present.add(INPUT.name)
    return [f for f in SWATCH_ORDER if f.name in present]


def _legend(families: list[Swatch]) -> str:
    """One row of colour swatches under the title: it costs no rank and no node."""
    cells = "".join(f'<TD BGCOLOR="{f.fill}" BORDER="1" WIDTH="14"> </TD>'
                    f'<TD ALIGN="LEFT">{html_text(f.name)}</TD>' for f in families)
    return ('<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="4" CELLPADDING="2">'
            f'<TR>{cells}</TR></TABLE>')


def _title(analysis: Analysis, plan: Plan, legend: bool) -> str:
    """Name, variant and totals, with the legend below (an HTML label is text or a table,
    never both, so the whole title is one borderless table)."""
    graph = analysis.graph
    total = analysis.total
    name = html_text(graph.name) + (f" [{html_text(graph.variant)}]" if graph.variant else "")
    inputs = ", ".join(format_shape(analysis.shape(n)) for n in graph.inputs)
    depth = f", drawn at depth {plan.depth}" if plan.depth is not None else ""
    rows = [f"<TR><TD><B>{name}</B></TD></TR>",
            f'<TR><TD><FONT POINT-SIZE="11">input {inputs}: {total.params:,} params '
            f"({total.trainable:,} trainable), {total.macs:,} MACs{depth}</FONT></TD></TR>"]
    if legend:
        rows.append(f'<TR><TD><FONT POINT-SIZE="9">{_legend(_families(plan))}</FONT></TD></TR>')
    return '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0">' + "".join(rows) + "</TABLE>"


def _local_name(name: str, scope: Path) -> str:
    """The name inside its scope; unlike `Node.local_name`, safe for names containing `/`."""
    prefix = "/".join(scope) + "/" if scope else ""
    return name[len(prefix):] if name.startswith(prefix) else name

