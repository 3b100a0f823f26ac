"""What a backend cannot run, as data: each backend declares its `BackendLimits` (the Keras
backend in archc/backends/keras/limits.py) and the compile path checks them before anything
is built, so `archc check` refuses what `archc build` would fail on, at the spec line.

The checks are generic; only the figures and the wording come from the backend. Keeping
them here, rather than in the spec schema, the shape rules and the cost pass, means a
backend with other limits changes one declaration, and the schema and rules say only what
the language itself allows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from archc.diagnostics import Problem
from archc.ir.ops import Attrs, Shape, window_of
from archc.ir.shape_rules import format_pair

PaddedInput = Callable[[Attrs, Shape], tuple[int, int] | None]
"""(a node's record, its input shape) -> the (height, width) of a padded copy of the input
the backend materialises for it, or None when it makes none."""


@dataclass(frozen=True)
class BackendLimits:
    """A backend's limits; the defaults mean "no limit"."""

    backend: str = "any"
    """How messages name the backend (`the Keras backend ...`)."""
    max_size: int | None = None
    """The largest integer a layer field may hold (kernel, strides, filters, ...)."""
    max_size_why: str | None = None
    """The hint printed with a size over `max_size`."""
    strides_with_dilation: bool = True
    """Whether a window may have strides above 1 and dilation above 1 at once."""
    padded_input: PaddedInput | None = None
    """The padded copies of inputs the backend makes, which count against the memory cap."""

    def check_node(self, op_name: str, attrs: Attrs) -> None:
        """Raise `Problem` (G010) for a node this backend cannot run."""
        window = window_of(attrs)
        if window is None or self.strides_with_dilation:
            return
        _, strides, dilation, _ = window
        if max(strides) > 1 and max(dilation) > 1:
            raise Problem(
                "G010",
                f"`{op_name}` has both strides {format_pair(strides)} and dilation "
                f"{format_pair(dilation)}; the {self.backend} backend supports strides above 1 or "
                "dilation above 1, not both",
                "downsample in a separate layer (a pool or a strided 1x1 conv), or drop the "
                "dilation",
            )


NO_LIMITS = BackendLimits()
"""For passes run on their own (tests, tools): nothing is refused."""
