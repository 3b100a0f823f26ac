"""The pipeline driver: stage order, stopping early, caps, and all errors of a stage at once."""

from __future__ import annotations

import textwrap

import pytest
from spec_helpers import SPECS

from archc.diagnostics import SpecError
from archc.lower import Caps
from archc.passes.analysis import CostCaps
from archc.pipeline import Options, Stage, compile_file, compile_text

TINY = textwrap.dedent("""\
    archc: 1
    name: tiny
    input: [64, 64, 3]
    layers:
      - conv2d: {filters: 8, kernel_size: 3}
      - flatten: {}
      - dense: {units: 10}
""")


def test_stop_after_each_stage() -> None:
    path = str(SPECS / "lenet5.yaml")
    loaded = compile_file(path, stop_after=Stage.LOAD)
    assert loaded.header is None and loaded.doc.data["name"] == "lenet5"
    validated = compile_file(path, stop_after=Stage.VALIDATE)
    assert validated.header is not None and validated.lowered is None
    lowered = compile_file(path, stop_after=Stage.LOWER)
    assert lowered.lowered is not None and lowered.analysis is None
    full = compile_file(path)
    assert full.analysis is not None and full.analysis.total.params == 60_850


def test_errors_of_one_stage_come_together_and_later_stages_do_not_run() -> None:
    text = TINY.replace("filters: 8", "filters: 0").replace("units: 10", "units: -1")
    with pytest.raises(SpecError) as info:
        compile_text(text, "t.yaml")
    assert [(d.code, d.span.line if d.span else 0) for d in info.value.diagnostics] == [
        ("S004", 5), ("S004", 7)]


def _codes(text: str, options: Options) -> list[str]:
    with pytest.raises(SpecError) as info:
        compile_text(text, "t.yaml", options)
    return [d.code for d in info.value.diagnostics]


def test_caps() -> None:
    assert _codes(TINY, Options(caps=Caps(max_nodes=2))) == ["C001"]
    assert _codes(TINY, Options(caps=Caps(max_input_dim=32))) == ["C003"]
    # params: conv 3*3*3*8 + 8 = 224, dense 62*62*8*10 + 10 = 307,530
    assert _codes(TINY, Options(cost_caps=CostCaps(max_params=300_000))) == ["C005"]
    # activations: 4 bytes * (64*64*3 + 62*62*8 + ...) pass 100 KiB at the conv
    assert _codes(TINY, Options(cost_caps=CostCaps(max_activation_bytes=100_000))) == ["C006"]
    ok = compile_text(TINY, "t.yaml", Options(cost_caps=CostCaps(max_params=307_754)))
    assert ok.analysis is not None and ok.analysis.total.params == 224 + 307_530


def test_analysis_covers_every_node_in_graph_order() -> None:
    c = compile_file(str(SPECS / "googlenet.yaml"))
    assert c.analysis is not None
    assert [i.node.name for i in c.analysis.nodes] == [n.name for n in c.graph.nodes]
    assert c.graph.lint() == []
