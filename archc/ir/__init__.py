"""The intermediate representation: a small, closed, immutable, printable graph.

It imports nothing outside the standard library and `archc.diagnostics`, so every backend
and pass can depend on it without pulling in YAML, pydantic or TensorFlow. `ops` is the op
catalogue (typed attributes, shape and cost rules); `graph` the nodes and graph.
"""

from archc.ir.graph import Graph, Node, Scope
from archc.ir.ops import CATALOGUE, Attrs, Op, Shape

__all__ = ["CATALOGUE", "Attrs", "Graph", "Node", "Op", "Scope", "Shape"]
