"""The diagram of a detection-shaped network (docs/spec-language.md, "Blocks with several
outputs"): a collapsed block gets one edge from each of its inputs, and each head is an
output of its own."""

from __future__ import annotations

import re
from pathlib import Path

from graphviz_helpers import ROOT, draw

DOC = ROOT / "docs" / "spec-language.md"


def _detection_spec() -> str:
    text = DOC.read_text(encoding="utf-8")
    found = re.search(r"```yaml\n(archc: 1\nname: detection_shape\n.*?)```", text, re.S)
    assert found is not None
    return found.group(1)


def test_collapsed_blocks_show_each_input_and_each_head(tmp_path: Path) -> None:
    spec = tmp_path / "detection.yaml"
    spec.write_text(_detection_spec(), encoding="utf-8")
    edges = [line.strip() for line in draw(spec, depth=1).body if " -> " in line]
    # `net` hands p5 (4x4x64) and p4 (8x8x32) to `top4`: two edges, one per input.
    assert '"block%znet" -> "block%ztop4" [label=<4x4x64>]' in edges
    assert '"block%znet" -> "block%ztop4" [label=<8x8x32>]' in edges
    into_head = [e for e in edges if e.split(" -> ")[1].startswith('"block%zhead"')]
    assert len(into_head) == 3
    out_of_head = [e for e in edges if e.startswith('"block%zhead" -> "out%z')]
    assert [e.rsplit("label=", 1)[1] for e in out_of_head] == [
        "<16x16x21>]", "<8x8x21>]", "<4x4x21>]"]
