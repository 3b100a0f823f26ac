"""The layer types added for the modern families (issue 12) lower to their records, with
the defaults the catalogue sets, `defaults:` applied, and located errors."""

from __future__ import annotations

from spec_helpers import compile_yaml

from archc.ir import Op


def test_layer_scale_lowers_with_its_init() -> None:
    g = compile_yaml("""
        archc: 1
        name: t
        input: [4, 4, 8]
        defaults:
          layer_scale: {init: 0.1}
        layers:
          - layer_scale: {name: a}
          - layer_scale: {name: b, init: 1.0e-6}
    """).graph
    assert (g["a"].op, g["a"].attrs.init, g["b"].attrs.init) == (Op.LAYER_SCALE, 0.1, 1e-6)
