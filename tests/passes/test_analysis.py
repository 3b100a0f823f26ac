"""The analysis: per-node figures, totals and activation memory over a compiled spec."""

from __future__ import annotations

from spec_helpers import compile_yaml

from archc.ir.cost_rules import Cost


def test_analysis_totals_and_activation_memory() -> None:
    c = compile_yaml("""
        archc: 1
        name: t
        input: [8, 8, 2]
        layers:
          - conv2d: {filters: 4, kernel_size: 3, padding: same}
          - batch_norm: {}
          - global_avg_pool2d: {}
          - dense: {units: 3}
    """)
    a = c.analysis
    assert a is not None
    conv = 3 * 3 * 2 * 4 + 4
    assert a.total == Cost(conv + 8 + 4 * 3 + 3, 8, 8 * 8 * 4 * 18 + 12)
    # float32 outputs: input 8*8*2, conv and bn 8*8*4 each, pool 4, dense 3
    assert a.activation_bytes == 4 * (128 + 256 + 256 + 4 + 3)
    assert a.scope_total(()) == a.total
