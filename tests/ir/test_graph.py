"""The IR: frozen nodes, Graph.lint for malformed graphs, and the printer's golden text."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from spec_helpers import SPECS

from archc.ir import Graph, Node, Op
from archc.ir.ops import DenseAttrs, DenseOp, InputOp, NoAttrs
from archc.ir.printer import format_graph, format_shape
from archc.pipeline import Stage, compile_file

GOLDEN = Path(__file__).parent / "golden"


def _node(name: str, op: Op = DenseOp.FLATTEN, inputs: tuple[str, ...] = ()) -> Node:
    return Node(name, op, inputs, NoAttrs(), None)


def test_well_formed_graph() -> None:
    g = Graph("g", None, (_node("x", InputOp.INPUT), _node("f", inputs=("x",))), ("x",), ("f",))
    assert g.lint() == []
    assert len(g) == 2 and "f" in g and g["f"].inputs == ("x",)
    assert g.consumers() == {"x": ["f"], "f": []}


def test_lint_catches_malformed_graphs() -> None:
    g = Graph("g", None, (
        _node("x", InputOp.INPUT),
        _node("a", inputs=("later",)),
        _node("a", inputs=("x",)),
        _node("later", inputs=("x",)),
        _node("y", InputOp.INPUT, inputs=("x",)),
    ), ("x",), ("missing",))
    assert g.lint() == [
        "'a' reads 'later' before it is defined",
        "duplicate node name 'a'",
        "input node 'y' has inputs",
        "output 'missing' is not a node",
    ]


def test_nodes_are_immutable() -> None:
    n = Node("a", DenseOp.DENSE, (), DenseAttrs(3), None, ("blk",))
    with pytest.raises(dataclasses.FrozenInstanceError):
        n.name = "b"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        n.attrs.units = 4  # type: ignore[attr-defined]
    assert n.local_name == "a"
    assert Node("s/t/u", DenseOp.DENSE, (), DenseAttrs(3), None).local_name == "u"


def test_printer_golden_lenet5() -> None:
    c = compile_file(str(SPECS / "lenet5.yaml"), stop_after=Stage.LOWER)
    assert c.lowered is not None
    text = format_graph(c.graph, c.lowered.shapes) + "\n"
    assert text == (GOLDEN / "lenet5.ir").read_text(encoding="utf-8")


def test_printer_without_shapes_and_str() -> None:
    g = Graph("g", "v1", (_node("x", InputOp.INPUT), _node("f", inputs=("x",))), ("x",), ("f",))
    assert str(g) == format_graph(g) == "graph g [v1]:\n  %x = input()\n  %f = flatten(%x)\n" \
        "  return %f"
    assert format_shape(None) == "?" and format_shape((2, 3)) == "2x3"
