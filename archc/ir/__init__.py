"""The intermediate representation: a small, closed, immutable, printable graph.

It imports nothing outside the standard library and `archc.diagnostics`, so every backend
and pass can depend on it without pulling in YAML, pydantic or TensorFlow.
"""

from archc.ir.graph import Graph, Node, Op, Scope, Shape

__all__ = ["Graph", "Node", "Op", "Scope", "Shape"]
