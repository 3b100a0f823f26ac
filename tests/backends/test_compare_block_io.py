"""`compare` on a detection-shaped network (docs/spec-language.md, "Blocks with several
outputs"): blocks with several inputs and outputs compare row by row like any block.

The head has three 1x1 convolutions from 16, 32 and 64 channels to k outputs, with bias:
(16 + 32 + 64 + 3) x k = 115k parameters, 2,415 for k = 21 and 4,830 for k = 42.
"""

from __future__ import annotations

import re

from graphviz_helpers import ROOT

from archc.backends.compare import compare
from archc.passes.analysis import Analysis
from archc.pipeline import compile_text

DOC = ROOT / "docs" / "spec-language.md"


def _analysis(outputs: int) -> Analysis:
    found = re.search(r"```yaml\n(archc: 1\nname: detection_shape\n.*?)```",
                      DOC.read_text(encoding="utf-8"), re.S)
    assert found is not None
    text = found.group(1).replace("outputs: 21}", f"outputs: {outputs}}}")
    analysis = compile_text(text, "spec.yaml").analysis
    assert analysis is not None
    return analysis


def test_compare_rows_of_multi_input_and_multi_output_blocks() -> None:
    c = compare(_analysis(21), _analysis(42))
    rows = {r.name: r for r in c.rows}
    assert list(rows) == ["input", "net", "top4", "top3", "bottom4", "bottom5", "head"]
    head = rows["head"]
    assert head.a is not None and head.b is not None
    assert (head.a.params, head.b.params) == (2_415, 4_830)
    assert rows["top4"].a == rows["top4"].b
    assert c.total_b.params - c.total_a.params == 4_830 - 2_415
