"""A detection neck (docs/lint-rules.md, "Detection necks") is not noisy: no default rule
fires, and the one rule that does when enabled (L004) fires once per 3x3 convolution."""

from __future__ import annotations

import re
from pathlib import Path

from lint_helpers import lint_text

from archc.ir.ops import ConvOp
from archc.pipeline import compile_text

DOC = Path(__file__).resolve().parents[2] / "docs" / "lint-rules.md"


def _neck() -> str:
    section = DOC.read_text(encoding="utf-8").split("## Detection necks", 1)[1]
    found = re.search(r"```yaml\n(.*?)```", section, re.S)
    assert found is not None
    return found.group(1)


def test_the_neck_has_three_heads_read_through_block_outputs() -> None:
    compiled = compile_text(_neck(), "t.yaml")
    assert len(compiled.graph.outputs) == 3
    assert compiled.graph["top4/upsampling2d_1"].inputs == ("net/p5/conv_1/activation_1",)


def test_no_default_rule_fires_on_the_neck() -> None:
    assert lint_text(_neck()) == []


def test_separable_candidate_fires_once_per_3x3_convolution() -> None:
    graph = compile_text(_neck(), "t.yaml").graph
    convs = {n.name for n in graph.nodes
             if n.op is ConvOp.CONV2D and n.attrs.kernel_size == (3, 3)}
    warned = {re.search(r"`([^`]+)`", d.message).group(1)  # type: ignore[union-attr]
              for d in lint_text(_neck(), enable=("L004",))}
    assert warned == convs and len(convs) == 39
