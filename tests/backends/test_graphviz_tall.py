"""A drawing too tall to read says how to get a readable one (archc/backends/graphviz/dot.py).

ResNet-50 at full depth is one chain of boxes: the stem (input, conv1, conv1_bn,
activation_1, pool1: 5), 16 bottlenecks whose longest path is conv, bn, relu three times
then add and relu (10 each: 160), and the head (avg_pool, predictions: 2), 167 in all; its
PNG was 829 x 13,369 px. At --depth 3 each bottleneck is its residual unit (one box) and
its activation: 5 + 16 * 2 + 2 = 39 boxes, under dot.TALL = 60.
"""

from __future__ import annotations

import pytest
from graphviz_helpers import SPECS

from archc.backends.graphviz import dot
from archc.backends.graphviz.plan import make_plan
from archc.cli import EXIT_OK, main
from archc.pipeline import Options, compile_file

RESNET = str(SPECS / "resnet.yaml")


def _diagram(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["diagram", *args, "--format", "gv", "-o", "-"]) == EXIT_OK
    return capsys.readouterr().err


def test_a_long_chain_names_a_depth_that_reads(capsys: pytest.CaptureFixture[str]) -> None:
    assert _diagram(capsys, RESNET) == (
        "archc: hint: the drawing is a chain of 167 boxes, too long to read as one picture; "
        "--depth 3 draws 39 boxes in its longest chain, and `archc report` opens and closes "
        "blocks in place\n")
    # The depth named is the deepest that fits: one level more is over the limit.
    analysis = compile_file(RESNET, Options()).analysis
    assert analysis is not None
    assert dot.longest_chain(make_plan(analysis, 4)) > dot.TALL >= 39
    # Following the hint: no hint.
    assert _diagram(capsys, RESNET, "--depth", "3") == ""


def test_short_drawings_and_quiet_runs_have_no_hint(capsys: pytest.CaptureFixture[str]) -> None:
    assert _diagram(capsys, str(SPECS / "lenet5.yaml")) == ""
    assert _diagram(capsys, RESNET, "-q") == ""


def test_the_python_api_keeps_it_out_of_warnings() -> None:
    import warnings

    import archc

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        archc.diagram(RESNET)
