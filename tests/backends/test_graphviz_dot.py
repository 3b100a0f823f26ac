"""The DOT emitter: golden files, determinism, structure against the IR, escaping, caps.

Regenerate the golden files with `ARCHC_REGEN_GOLDEN=1 pytest tests/backends` after a
deliberate change, and review the diff.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from graphviz_helpers import (
    GOLDEN,
    HOSTILE,
    ROOT,
    analysis_of,
    dot_clusters,
    dot_edges,
    dot_nodes,
    draw,
)

from archc.backends.graphviz import DiagramOptions, build_diagram, make_plan, to_digraph
from archc.backends.graphviz.escape import graph_id, html_text, quote_id
from archc.diagnostics import SpecError
from archc.pipeline import compile_file


def _check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("ARCHC_REGEN_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"{path} is missing; create it with ARCHC_REGEN_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


def test_lenet5_golden_dot() -> None:
    _check_golden("lenet5.gv", draw("lenet5").source)


def test_inception_module_golden_dot() -> None:
    _check_golden("inception_module.gv", draw(GOLDEN / "inception_module.yaml").source)


def test_lenet5_shows_seven_layers_with_shapes_and_c3_table() -> None:
    source = draw("lenet5").source
    for name in ("c1", "s2", "c3", "s4", "c5", "f6", "output"):
        assert f'\t"{name}" [' in source
    # numbers.md: C3 has 60 links of the 6 x 16 = 96 possible.
    assert "60 of 96 links" in source
    # numbers.md, LeNet-5 table: every layer's output shape appears on an edge.
    for shape in ("28x28x6", "14x14x6", "10x10x16", "5x5x16", "1x1x120", "84", "10"):
        assert f"[label=<{shape}>]" in source
    assert "60,850 params" in source and "326,520 MACs" in source


def test_output_is_deterministic_across_processes() -> None:
    """Different hash seeds in fresh interpreters give byte-identical DOT."""
    outputs = set()
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        result = subprocess.run(
            [sys.executable, "-m", "archc", "diagram", str(ROOT / "specs" / "googlenet.yaml"),
             "--variant", "with_aux", "--format", "gv", "-o", "-"],
            capture_output=True, env=env, check=True, timeout=120)
        outputs.add(result.stdout)
    assert len(outputs) == 1
    assert draw("googlenet", "with_aux").source.encode() in outputs


def test_digraph_source_equals_written_dot() -> None:
    diagram = draw("lenet5")
    assert to_digraph(diagram).source == diagram.source


@pytest.mark.parametrize(("spec", "variant"), [("googlenet", "with_aux"), ("se_resnet50", None),
                                               ("xception", None), ("resnet", "resnet18")])
def test_full_depth_draws_every_ir_node_and_scope(spec: str, variant: str | None) -> None:
    analysis = analysis_of(spec, variant)
    source = build_diagram(analysis).source
    graph = analysis.graph
    assert len(dot_nodes(source)) == len(graph.nodes) + len(graph.outputs)
    # Every scope holds at least one node, so each is one cluster.
    assert len(dot_clusters(source)) == len({s.path for s in graph.scopes})
    wired = sum(len(set(n.inputs)) for n in graph.nodes)
    assert len(dot_edges(source)) == wired + len(graph.outputs)


def test_googlenet_depth1_has_nine_inception_nodes() -> None:
    diagram = draw("googlenet", depth=1)
    collapsed = [u for u in diagram.plan.units if u.collapsed]
    assert [u.kind for u in collapsed] == ["inception"] * 9
    assert diagram.source.count("shape=box3d") == 9
    assert dot_clusters(diagram.source) == []
    # 7 stem layers + input, 9 modules, 2 pools between them, 4 head layers, 1 output marker.
    assert len(dot_nodes(diagram.source)) == 8 + 9 + 2 + 4 + 1


def test_resnet50_depth1_has_four_stages() -> None:
    diagram = draw("resnet", "resnet50", depth=1)
    stages = [u for u in diagram.plan.units if u.collapsed]
    assert [u.scope for u in stages] == [("conv2",), ("conv3",), ("conv4",), ("conv5",)]
    assert sum(u.cost.params for u in diagram.plan.units) == 25_636_712  # numbers.md


def test_resnet50_depth2_folds_repeated_blocks() -> None:
    """Blocks [3, 4, 6, 3]: the first of each stage projects, the rest are identical."""
    diagram = draw("resnet", "resnet50", depth=2)
    collapsed = [u for u in diagram.plan.units if u.collapsed]
    assert [u.count for u in collapsed] == [1, 3 - 1, 1, 4 - 1, 1, 6 - 1, 1, 3 - 1]
    assert "bottleneck x 5" in diagram.source
    assert "block2 .. block6" in diagram.source
    unfolded = draw("resnet", "resnet50", depth=2, fold=False)
    assert len([u for u in unfolded.plan.units if u.collapsed]) == 3 + 4 + 6 + 3


def test_fold_keeps_a_block_read_from_outside() -> None:
    """GoogLeNet's aux head reads 4a and 4d, so those may never be hidden inside a fold."""
    plan = make_plan(analysis_of("googlenet", "with_aux"), 1)
    assert all(u.count == 1 for u in plan.units)
    targets = {e.dst for e in plan.edges}
    assert {(True, "aux1"), (True, "aux2")} <= targets


def test_depth_matches_summary_depth() -> None:
    """Depth N draws the nodes fewer than N scopes deep and one box per scope N deep."""
    analysis = analysis_of("se_resnet50")
    for depth in (1, 2, 3, 4):
        plan = make_plan(analysis, depth, fold=False)
        singles = [u for u in plan.units if not u.collapsed]
        boxes = {u.scope for u in plan.units if u.collapsed}
        assert len(singles) == sum(1 for i in analysis.nodes if len(i.node.scope) < depth)
        assert boxes == {i.node.scope[:depth] for i in analysis.nodes
                         if len(i.node.scope) >= depth}


def test_se_multiply_gets_a_heavy_main_edge() -> None:
    source = draw("se_resnet50").source
    heavy = [e for e in dot_edges(source) if "weight=8" in e]
    assert len(heavy) == 16  # one SE block per bottleneck: 3 + 4 + 6 + 3
    assert all(e.split(" -> ")[1].startswith('"conv') and "/se/scale" in e for e in heavy)


def test_node_cap_collapses_with_a_notice() -> None:
    full = draw("resnet", "resnet152")
    assert full.notices == ()
    capped = draw("resnet", "resnet152", max_nodes=100)
    assert capped.plan.drawn_nodes <= 100
    assert capped.plan.depth is not None
    deeper = make_plan(analysis_of("resnet", "resnet152"), capped.plan.depth + 1)
    assert deeper.drawn_nodes > 100  # the deepest depth that fits was chosen
    assert capped.notices == (
        f"the diagram would draw {full.plan.drawn_nodes:,} nodes, over the cap of 100; "
        f"collapsed to --depth {capped.plan.depth} ({capped.plan.drawn_nodes:,} nodes). "
        "Raise the cap with --max-nodes.",)


def test_node_cap_too_small_even_collapsed_is_d002() -> None:
    with pytest.raises(SpecError) as info:
        draw("lenet5", max_nodes=5)
    (diag,) = info.value.diagnostics
    assert diag.code == "D002"
    assert diag.message == ("the diagram needs 10 nodes even with every block collapsed; "
                            "the cap is 5")
    assert diag.help == "raise it with --max-nodes, or group the layers into blocks"
    assert diag.span is not None and diag.span.line > 0


def test_receptive_fields_only_with_the_flag() -> None:
    plain, with_fields = draw("lenet5").source, draw("lenet5", fields=True).source
    assert "field" not in plain
    # c3: 5 (c1) -> 6, jump 2 (s2) -> 6 + 4 x 2 = 14; c5: 16 + 4 x 4 = 32
    assert '"c3" [fillcolor="#cfe2f3", label=<<B>c3</B> conv2d 16@5x5, lecun_tanh, 60 of 96 ' \
        'links<BR/><FONT POINT-SIZE="9">1,516 params, 150,000 MACs; field 14x14 /2</FONT>>]' \
        in with_fields
    assert "48,000 MACs; field 32x32 /4" in with_fields
    assert '<B>flatten_1</B> flatten<BR/><FONT POINT-SIZE="9">field whole input</FONT>' \
        in with_fields
    # the flag changes labels only: same nodes and edges
    assert len(dot_nodes(plain)) == len(dot_nodes(with_fields))
    # a collapsed block shows its last layer's field: VGG16's block5 ends in pool5, 212 /32
    collapsed = draw("vgg16", depth=1, fields=True).source
    assert "7x7x512, 7,079,424 params, 1,387,266,048 MACs; field 212x212 /32" in collapsed


def test_quote_id_cannot_break_out_and_is_injective() -> None:
    names = ['a"b', "a\\b", "a%22b", "a b", "a\nb", "a]b", "ä", "cluster_x"]
    quoted = [quote_id(n) for n in names]
    assert len(set(quoted)) == len(names)
    for q in quoted:
        assert re.fullmatch(r'"[A-Za-z0-9_./:%-]*"', q)
    assert quote_id("x", "cluster") != quote_id("cluster%zx")


def test_graph_id_avoids_dot_keywords() -> None:
    # `digraph NODE {` is a DOT syntax error (keywords are case-insensitive); the fuzz test
    # in tests/hostile found it
    assert [graph_id(n) for n in ("NODE", "graph", "Strict", "nodes", "9x")] == \
        ["g_NODE", "g_graph", "g_Strict", "nodes", "g_9x"]


def test_html_text_escapes_markup() -> None:
    assert html_text('<b>&"x"\\\n') == "&#60;b&#62;&#38;&#34;x&#34;&#92; "
    assert html_text("\ud800") == "&#65533;"




def test_hostile_names_are_escaped(tmp_path: Path) -> None:
    spec = tmp_path / "hostile.yaml"
    spec.write_text(HOSTILE, encoding="utf-8")
    compiled = compile_file(str(spec))
    assert compiled.analysis is not None
    source = build_diagram(compiled.analysis, DiagramOptions()).source
    assert source.isascii()
    assert "<b>pwn" not in source and '"evil"' not in source
    # The injected `x [label=...]` did not become a statement: only archc's own nodes exist.
    assert len(dot_nodes(source)) == 4  # input, two convs, output marker
    assert "<B>evil&#34; ] &#59; x [label=&#60;&#60;b&#62;pwn&#60;/b&#62;&#62;] //</B>" in source
    assert source.splitlines()[0] == "digraph evil______x__label___b_pwn__b______ {"


def test_layer_norm_is_drawn_as_a_normalisation() -> None:
    from archc.backends.graphviz.style import NORM
    from archc.pipeline import compile_text

    compiled = compile_text("archc: 1\nname: t\ninput: [4, 4, 8]\nlayers:\n"
                            "  - layer_norm: {name: ln}\n", "t.yaml")
    assert compiled.analysis is not None
    dot = build_diagram(compiled.analysis).source
    [line] = [x for x in dot.splitlines() if x.strip().startswith('"ln" [')]
    assert f'fillcolor="{NORM.fill}"' in line
    assert "16 params" in line  # gamma and beta over 8 channels


def test_a_scaled_residual_add_says_its_scale() -> None:
    from archc.pipeline import compile_text

    compiled = compile_text("archc: 1\nname: t\ninput: [4, 4, 8]\nlayers:\n"
                            "  - residual: {name: r, scale: 0.17, body: [{conv2d: "
                            "{filters: 8, kernel_size: 1}}]}\n", "t.yaml")
    assert compiled.analysis is not None
    dot = build_diagram(compiled.analysis).source
    [line] = [x for x in dot.splitlines() if x.strip().startswith('"r/add" [')]
    assert "add, x0.17 on the 2nd input" in line
