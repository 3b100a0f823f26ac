"""Each head of a network with several outputs has its own receptive field: heads reading a
backbone's stages through a block's named outputs see 7, 15 and 31 pixels.

Hand arithmetic (3x3 `same` convolutions, stride 2 each): r = 3, j = 2 after the first;
then r = 3 + 2 x 2 = 7 (j 4), 7 + 2 x 4 = 15 (j 8), 15 + 2 x 8 = 31 (j 16). A 1x1 head
keeps its input's field.
"""

from __future__ import annotations

from spec_helpers import compile_yaml

SPEC = """
    archc: 1
    name: heads
    input: [64, 64, 3]
    outputs: [head.p3, head.p4, head.p5]
    defaults:
      conv2d: {kernel_size: 3, strides: 2, padding: same}
    blocks:
      backbone:
        outputs: [p3, p4, p5]
        layers:
          - conv2d: {filters: 8}
          - conv2d: {name: p3, filters: 16}
          - conv2d: {name: p4, filters: 32}
          - conv2d: {name: p5, filters: 64}
      detect:
        inputs: [p3, p4, p5]
        outputs: {p3: o3, p4: o4, p5: o5}
        layers:
          - conv2d: {name: o3, inputs: p3, filters: 6, kernel_size: 1, strides: 1}
          - conv2d: {name: o4, inputs: p4, filters: 6, kernel_size: 1, strides: 1}
          - conv2d: {name: o5, inputs: p5, filters: 6, kernel_size: 1, strides: 1}
    layers:
      - backbone: {name: net}
      - detect: {name: head, inputs: [net.p3, net.p4, net.p5]}
"""


def test_each_head_has_the_field_of_the_stage_it_reads() -> None:
    compiled = compile_yaml(SPEC)
    analysis = compiled.analysis
    assert analysis is not None
    assert compiled.graph.outputs == ("head/o3", "head/o4", "head/o5")
    fields = [analysis.field(o) for o in compiled.graph.outputs]
    assert [(f.size, f.jump) for f in fields] == [((7, 7), (4, 4)), ((15, 15), (8, 8)),
                                                  ((31, 31), (16, 16))]
