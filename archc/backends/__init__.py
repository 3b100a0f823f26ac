"""Emitters: they format an `Analysis`; they never recompute a figure."""
