"""Rendering with Graphviz and the `archc diagram` command: SVGs of the zoo, missing `dot`,
failing `dot`, output naming, the Python API, and no TensorFlow anywhere on this path.

Tests that need `dot` skip with a reason when Graphviz is not installed; CI installs it.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from graphviz_helpers import GOLDEN, HOSTILE, ROOT, SPECS, ZOO, analysis_of, draw
from hypothesis import given, settings
from hypothesis import strategies as st

import archc
from archc.backends.graphviz import DiagramOptions, build_diagram
from archc.backends.graphviz import render as render_module
from archc.backends.graphviz.output import DiagramWriteError, write_diagram
from archc.cli import main
from archc.diagnostics import SpecError
from archc.pipeline import compile_text

needs_dot = pytest.mark.skipif(shutil.which("dot") is None,
                               reason="Graphviz `dot` is not installed (CI installs it)")
SVG = "{http://www.w3.org/2000/svg}"


def _svg_groups(path: Path) -> dict[str, list[ET.Element]]:
    root = ET.parse(path).getroot()
    groups: dict[str, list[ET.Element]] = {"node": [], "cluster": [], "edge": []}
    for g in root.iter(f"{SVG}g"):
        if g.get("class") in groups:
            groups[g.get("class", "")].append(g)
    return groups


@needs_dot
@pytest.mark.parametrize(("spec", "variant"), ZOO)
@pytest.mark.parametrize("depth", [None, 1])
def test_zoo_renders_to_svg_with_the_planned_nodes(tmp_path: Path, spec: str,
                                                   variant: str | None,
                                                   depth: int | None) -> None:
    diagram = draw(spec, variant, depth=depth)
    target = tmp_path / "out.svg"
    args = [str(SPECS / f"{spec}.yaml"), "-o", str(target), "-q"]
    args += ["--variant", variant] if variant else []
    args += ["--depth", str(depth)] if depth else []
    assert main(["diagram", *args]) == 0
    groups = _svg_groups(target)
    assert len(groups["node"]) == diagram.plan.drawn_nodes
    assert len(groups["cluster"]) == len(diagram.plan.clusters)
    assert len(groups["edge"]) == len(diagram.plan.edges) + len(diagram.plan.outputs)
    if depth is None:  # fully expanded: one box per IR node, one cluster per scope
        graph = analysis_of(spec, variant).graph
        assert len(groups["node"]) == len(graph.nodes) + len(graph.outputs)
        # one per scope that holds a layer (an empty `parallel` branch, the identity,
        # opens a scope with nothing in it: YOLOv8's C2f copies)
        held = {n.scope[:i] for n in graph.nodes for i in range(1, len(n.scope) + 1)}
        assert held <= {s.path for s in graph.scopes}
        assert len(groups["cluster"]) == len(held)


@needs_dot
def test_inception_branches_are_side_by_side_in_order(tmp_path: Path) -> None:
    target = tmp_path / "inception.svg"
    assert main(["diagram", str(GOLDEN / "inception_module.yaml"), "-o", str(target), "-q"]) == 0
    centres: dict[str, float] = {}
    for g in _svg_groups(target)["node"]:
        title = g.find(f"{SVG}title")
        shape = g.find(f"{SVG}polygon")
        if shape is None:
            shape = g.find(f"{SVG}path")
        assert title is not None and title.text is not None
        text = [t.text for t in g.iter(f"{SVG}text")]
        xs = [float(t.get("x", "0")) for t in g.iter(f"{SVG}text")]
        if text:
            centres[title.text] = sum(xs) / len(xs)
    firsts = ["branch1/conv1x1", "branch2/reduce3x3", "branch3/reduce5x5", "branch4/pool"]
    xs = [centres[f"inception_3a/branches/{name}"] for name in firsts]
    assert xs == sorted(xs) and len(set(xs)) == 4


@needs_dot
def test_hostile_names_render_as_plain_text(tmp_path: Path) -> None:
    spec = tmp_path / "hostile.yaml"
    spec.write_text(HOSTILE, encoding="utf-8")
    target = tmp_path / "hostile.svg"
    assert main(["diagram", str(spec), "-o", str(target), "-q"]) == 0
    root = ET.parse(target).getroot()
    texts = [t.text or "" for t in root.iter(f"{SVG}text")]
    assert 'evil" ] ; x [label=<<b>pwn</b>>] //' in texts
    # No spec text became markup or an attribute: no italic/bold text, nothing red.
    assert not any(el.tag in (f"{SVG}i", f"{SVG}b") for el in root.iter())
    assert not any(el.get("fill") == "red" or el.get("stroke") == "red" for el in root.iter())


def test_default_output_name_uses_stem_and_variant(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["diagram", str(SPECS / "resnet.yaml"), "--format", "gv", "-q"]) == 0
    assert main(["diagram", str(SPECS / "lenet5.yaml"), "--format", "gv", "-q"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lenet5.gv", "resnet-resnet50.gv"]
    assert (tmp_path / "lenet5.gv").read_text() == draw("lenet5").source


def test_format_follows_the_output_suffix(tmp_path: Path) -> None:
    target = tmp_path / "drawing.gv"
    assert main(["diagram", str(SPECS / "lenet5.yaml"), "-o", str(target), "-q"]) == 0
    assert target.read_text() == draw("lenet5").source


def _no_dot(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


def test_missing_dot_writes_gv_and_exits_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    _no_dot(monkeypatch, tmp_path)
    target = tmp_path / "lenet.svg"
    assert main(["diagram", str(SPECS / "lenet5.yaml"), "-o", str(target)]) == 3
    assert not target.exists()
    assert (tmp_path / "lenet.gv").read_text() == draw("lenet5").source
    err = capsys.readouterr().err
    assert err == (
        f"archc: error: [D001] Graphviz `dot` was not found on PATH; wrote the DOT text to "
        f"{tmp_path / 'lenet.gv'} instead. To render, install Graphviz: `apt-get install "
        "graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS), `conda install graphviz`, "
        "or see https://graphviz.org/download/; or use --format gv\n")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".archc-tmp-")]
    with pytest.raises(render_module.RenderError) as info:
        render_module.render("digraph g {}", "svg", tmp_path / "g.svg")
    assert info.value.code == "D001"


def test_missing_dot_is_no_problem_for_gv(tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    _no_dot(monkeypatch, tmp_path)
    assert main(["diagram", str(SPECS / "lenet5.yaml"), "-o", str(tmp_path / "x.gv"),
                 "-q"]) == 0


def _fake_dot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str) -> None:
    fake = tmp_path / "fake-dot"
    fake.write_text("#!/bin/sh\n" + script + "\n")
    fake.chmod(fake.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setattr(render_module, "find_dot", lambda: str(fake))


def test_failing_dot_is_d004_and_keeps_the_old_file(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "lenet.svg"
    target.write_text("previous drawing")
    _fake_dot(tmp_path, monkeypatch, "echo 'Error: out of memory' >&2; exit 7")
    assert main(["diagram", str(SPECS / "lenet5.yaml"), "-o", str(target)]) == 4
    assert target.read_text() == "previous drawing"
    with pytest.raises(DiagramWriteError) as info:
        write_diagram(draw("lenet5"), target, "svg")
    assert info.value.code == "D004"
    assert capsys.readouterr().err == (
        "archc: error: [D004] `dot` failed with exit code 7: Error: out of memory; wrote the "
        f"DOT text to {tmp_path / 'lenet.gv'} instead (this is a bug in archc or Graphviz; "
        "please report it with the spec)\n")


def test_slow_dot_is_d003(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                          capsys: pytest.CaptureFixture[str]) -> None:
    _fake_dot(tmp_path, monkeypatch, "exec sleep 5")
    target = tmp_path / "lenet.svg"
    assert main(["diagram", str(SPECS / "lenet5.yaml"), "-o", str(target),
                 "--timeout", "0.2"]) == 2
    assert not target.exists()
    with pytest.raises(DiagramWriteError) as info:
        write_diagram(draw("lenet5"), target, "svg", timeout=0.2)
    assert info.value.code == "D003"
    assert capsys.readouterr().err == (
        "archc: error: [D003] `dot` did not finish within 0.2 seconds; wrote the DOT text to "
        f"{tmp_path / 'lenet.gv'} instead (raise --timeout or draw less with --depth N)\n")


def test_node_cap_notice_goes_to_stderr(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "r.gv"
    assert main(["diagram", str(SPECS / "resnet.yaml"), "--variant", "resnet152",
                 "--max-nodes", "100", "-o", str(target), "-q"]) == 0
    capped = draw("resnet", "resnet152", max_nodes=100)
    assert capsys.readouterr().err == f"archc: note: {capped.notices[0]}\n"
    assert target.read_text() == capped.source


def test_node_cap_d002_is_a_located_diagnostic(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diagram", str(SPECS / "lenet5.yaml"), "--max-nodes", "5",
                 "-o", str(tmp_path / "x.gv")]) == 1
    err = capsys.readouterr().err
    assert f"{SPECS / 'lenet5.yaml'}:" in err.splitlines()[0]
    assert "error[D002]: the diagram needs 10 nodes even with every block collapsed; the cap " \
           "is 5" in err
    assert not (tmp_path / "x.gv").exists()


@pytest.mark.parametrize("argv", [["--depth", "0"], ["--max-nodes", "0"],
                                  ["--timeout", "0"], ["--format", "svg", "-o", "-"]])
def test_bad_arguments_are_usage_errors(argv: list[str], tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["diagram", str(SPECS / "lenet5.yaml"), "-o", "x.gv", *argv]) == 2
    assert list(tmp_path.iterdir()) == []


def test_api_returns_a_digraph_with_the_same_source() -> None:
    import graphviz

    digraph = archc.diagram(str(SPECS / "googlenet.yaml"), depth=1)
    assert isinstance(digraph, graphviz.Digraph)
    assert digraph.source == draw("googlenet", None, depth=1).source
    assert hasattr(digraph, "_repr_mimebundle_")  # what Jupyter calls to show it inline


def test_diagram_never_imports_tensorflow(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from archc.cli import main\n"
        f"rc = main(['diagram', {str(SPECS / 'se_resnet50.yaml')!r}, '--format', 'gv', "
        f"'-o', {str(tmp_path / 'x.gv')!r}, '-q'])\n"
        "import archc\n"
        f"archc.diagram({str(SPECS / 'lenet5.yaml')!r})\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras'))\n"
        "print(rc, heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            timeout=120, check=True, cwd=ROOT,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert result.stdout.strip() == "0 []"


def test_diagrams_doc_covers_every_option_and_picture() -> None:
    from archc.cli import build_parser

    doc = (ROOT / "docs" / "diagrams.md").read_text(encoding="utf-8")
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    diagram = sub.choices["diagram"]  # type: ignore[index]
    hidden = {"--help", "--max-bytes", "--max-layers", "--max-repeat", "--max-input-dim",
              "--max-params", "--max-activation-gib"}  # shared caps, documented with summary
    missing = [a.option_strings for a in diagram._actions
               if a.option_strings and not hidden & set(a.option_strings)
               and not any(f"`{o}" in doc for o in a.option_strings)]
    assert missing == []
    pictures = sorted(p.name for p in (ROOT / "docs" / "diagrams").glob("*.png"))
    assert pictures and all(f"(diagrams/{name})" in doc for name in pictures)


_NAMES = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")),
                 min_size=1, max_size=24).filter(lambda s: s.strip() != "")


@needs_dot
@settings(max_examples=25, deadline=None)
@given(name=_NAMES)
def test_any_layer_name_renders_as_its_own_text(name: str) -> None:
    """Whatever a layer is called, dot parses the DOT and the SVG shows exactly that name."""
    quoted = json.dumps(name, ensure_ascii=False)
    spec = ("archc: 1\nname: fuzz\ninput: [8, 8, 1]\nlayers:\n"
            f"  - conv2d: {{name: {quoted}, filters: 2, kernel_size: 3}}\n")
    try:
        compiled = compile_text(spec)
    except SpecError:
        return  # a name the spec language itself refuses never reaches the drawing
    assert compiled.analysis is not None
    source = build_diagram(compiled.analysis, DiagramOptions()).source
    result = subprocess.run(["dot", "-Tsvg"], input=source.encode(), capture_output=True,
                            timeout=60, check=False)
    assert result.returncode == 0, result.stderr.decode()
    root = ET.fromstring(result.stdout)
    texts = {" ".join((t.text or "").split()) for t in root.iter(f"{SVG}text")}
    assert " ".join(name.split()) in texts
