"""The static lower bound on layers (archc/lower/estimate.py) never exceeds the real count.

If it did, a spec under the layer cap would be refused. Checked on every zoo network and
variant (each must pass a cap set to its own exact node count) and on constructs whose
count is known by arithmetic.
"""

from __future__ import annotations

import pytest
from spec_helpers import SPECS

from archc.lower import Caps
from archc.lower.estimate import first_over_cap
from archc.pipeline import Options, compile_file, compile_text


def _zoo() -> list[tuple[str, str | None]]:
    cases: list[tuple[str, str | None]] = []
    for path in sorted(SPECS.glob("*.yaml")):
        header = compile_file(str(path)).header
        assert header is not None
        cases += [(path.name, None)] + [(path.name, v) for v in sorted(header.variants)]
    return cases


_ZOO = _zoo()


def _bound(text: str, cap: int) -> int | None:
    compiled = compile_text(text, "spec.yaml", Options(caps=Caps(max_nodes=10**12)))
    assert compiled.header is not None
    over = first_over_cap(compiled.doc.data["layers"], compiled.header.blocks,
                          compiled.variables, 1, cap, Caps().max_repeat,
                          Caps().max_block_depth)
    return None if over is None else over.total


@pytest.mark.parametrize(("spec", "variant"), _ZOO)
def test_every_zoo_network_fits_a_cap_of_its_own_size(spec: str, variant: str | None) -> None:
    compiled = compile_file(str(SPECS / spec), Options(variant=variant))
    assert compiled.lowered is not None
    # The cap bounds the nodes plus the items walked without one (removed by `when`).
    nodes = compiled.lowered.cost
    assert nodes >= len(compiled.graph.nodes)
    assert compiled.header is not None
    inputs = len(compiled.graph.inputs)
    assert first_over_cap(compiled.doc.data["layers"], compiled.header.blocks,
                          compiled.variables, inputs, nodes, Caps().max_repeat,
                          Caps().max_block_depth) is None
    # ... and the same spec compiles with --max-layers at exactly that count.
    compile_file(str(SPECS / spec), Options(variant=variant, caps=Caps(max_nodes=nodes)))


_HEAD = "archc: 1\nname: t\ninput: [8, 8, 4]\n"


def test_the_bound_counts_blocks_repeats_branches_and_bodies() -> None:
    text = _HEAD + (
        "variables: {n: 3, flag: true}\n"
        "blocks:\n"
        "  pair: {layers: [activation: relu, activation: relu]}\n"      # 2
        "  quad: {layers: [pair, pair]}\n"                              # 4
        "layers:\n"
        "  - quad\n"                                                    # 4
        "  - repeat: {times: $n, block: pair}\n"                        # 3 x 2 = 6
        "  - parallel: {branches: [[pair], [quad]]}\n"                  # 6 (+ merge)
        "  - residual: {body: [pair]}\n"                                # 2 (+ add)
        "  - {activation: {function: relu, when: true}}\n"              # 1
        "  - {activation: {function: relu, when: $flag}}\n"             # 1: known now
        "  - {activation: {function: relu, when: false}}\n"              # 1: removed
        "  - repeat: {times: 2, layers: [{activation: {function: relu, when: $flag}}]}\n")
    # The last: 2 x 1, since in a repeat `when` may read `$index`, unknown before lowering,
    # but a layer item costs one walk either way (a removed item counts against the cap).
    # 1 input + 4 + 6 + 6 + 2 + 1 + 1 + 1 + 2 = 24 counted; lowering makes 21 + concat +
    # add + 2 nodes and walks one removed item: 26.
    assert _bound(text, 23) == 24
    assert _bound(text, 24) is None
    compiled = compile_text(text, "spec.yaml")
    assert len(compiled.graph.nodes) == 25
    assert compiled.lowered is not None and compiled.lowered.cost == 26

