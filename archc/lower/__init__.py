"""Lowering: validated spec -> IR graph (name resolution, blocks, repeat, residual, parallel)."""

from archc.lower.lowerer import Caps, Lowered, lower

__all__ = ["Caps", "Lowered", "lower"]
