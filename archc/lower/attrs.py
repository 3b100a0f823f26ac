"""Normalise validated layer arguments into IR attributes.

The spec lets people write `kernel_size: 3` or `[3, 5]`, `padding: 2` or `same`; the IR
holds one canonical form (pairs as tuples, explicit padding as ((top, bottom), (left,
right))), so shape, cost and lowering rules never re-interpret user shorthand.
"""

from __future__ import annotations

from typing import Any

from archc.ir import Op

_COMMON = {"name", "inputs", "when", "output"}


def pair(value: Any) -> tuple[int, int]:
    if isinstance(value, int):
        return (value, value)
    return (int(value[0]), int(value[1]))


def padding(value: Any) -> str | tuple[tuple[int, int], tuple[int, int]]:
    """'valid' | 'same' | ((top, bottom), (left, right))."""
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return ((value, value), (value, value))
    if isinstance(value[0], int):
        return ((value[0], value[0]), (value[1], value[1]))
    return (pair(value[0]), pair(value[1]))


def to_attrs(op: Op, fields: dict[str, Any], tables: dict[str, list[list[int]]]) -> dict[str, Any]:
    """Canonical IR attributes for `op` from its validated fields (common fields dropped)."""
    attrs = {k: v for k, v in fields.items() if k not in _COMMON}
    for key in ("kernel_size", "strides", "dilation", "pool_size"):
        if key in attrs and attrs[key] is not None:
            attrs[key] = pair(attrs[key])
    if op in (Op.MAX_POOL2D, Op.AVG_POOL2D, Op.SUBSAMPLING2D) and attrs.get("strides") is None:
        attrs["strides"] = attrs["pool_size"]
    if op is Op.SUBSAMPLING2D:
        attrs["padding"] = "valid"
    if "padding" in attrs:
        attrs["padding"] = padding(attrs["padding"])
    table = attrs.get("connections")
    if isinstance(table, str):
        table = tables[table]
    if table is not None:
        attrs["connections"] = tuple(tuple(row) for row in table)
    return attrs
