"""The network's inputs: the header's `input:` or `inputs:` turned into INPUT nodes.

An input's sizes may be expressions of the variables (`[$resolution, $resolution, 3]`), so
a variant can scale the resolution; each is checked here (a positive integer, within the
`--max-input-dim` cap, not two numbers) before the walk starts from the first input.
"""

from __future__ import annotations

from archc.ir import Node
from archc.ir.ops import InputAttrs, InputOp
from archc.lower.expr import is_expression
from archc.lower.names import Names
from archc.lower.values import BAD
from archc.lower.walker import Walker
from archc.spec.loader import Path


def input_nodes(walk: Walker, names: Names) -> str | None:
    """Emit one INPUT node per declared input (registered in `names`); the first one's name,
    or None when there is none (every problem reported)."""
    h = walk.header
    declared: dict[str, tuple[list[int | str], Path]] = {}
    if h.input is not None and h.inputs is not None:
        walk.sink.error("S007", "give either `input` or `inputs`, not both",
                        walk.doc.key_span(("inputs",)))
    if h.input is not None:
        declared["input"] = (h.input, ("input",))
    elif h.inputs:
        declared = {k: (v, ("inputs", k)) for k, v in h.inputs.items()}
    else:
        walk.sink.error("S003", "the spec needs an `input` shape, e.g. `input: [224, 224, 3]`",
                        walk.doc.span(()), "add `input: [height, width, channels]`")
        return None
    first: str | None = None
    for name, (written, path) in declared.items():
        span = walk.doc.span(path)
        shape = _input_shape(walk, written, path)
        if shape is None:
            continue
        if max(shape) > walk.caps.max_input_dim:
            walk.sink.error("C003", f"input dimension {max(shape):,} exceeds the cap of "
                            f"{walk.caps.max_input_dim:,}", span,
                            "raise it with --max-input-dim if you mean it")
            continue
        if len(shape) == 2:
            walk.sink.error("S004", "an input shape is [features] or [height, width, "
                            "channels]; received two numbers", span,
                            "add the channel count, e.g. [28, 28, 1]")
            continue
        walk.em.add(Node(name, InputOp.INPUT, (), InputAttrs(tuple(shape)), span), names, name,
                  span)
        first = first or name
    return first

def _input_shape(walk: Walker, written: list[int | str], path: Path) -> list[int] | None:
    """An input's sizes, each a number or an expression of the variables
    (`[$resolution, $resolution, 3]`, so a variant can scale the resolution)."""
    shape: list[int] = []
    for i, size in enumerate(written):
        value = walk.values.subst(size, path + (i,), walk.variables)
        if value is BAD:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            shown = f"`{size}` is {value!r}" if is_expression(size) else f"received `{size}`"
            walk.sink.error("S004", f"an input size is a positive integer; {shown}",
                            walk.doc.span(path + (i,)),
                            "write a number, or an expression of the variables")
            return None
        shape.append(value)
    return shape
