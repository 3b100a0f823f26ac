"""The Python API where notebooks use it: Summary's displays and tables, str(SpecError),
archc.diagram's options. (tests/test_notebook.py runs the same through a real kernel.)

Figures: numbers.md for totals; ResNet's conv1 is 7x7x3 -> 64 with a bias:
7 * 7 * 3 * 64 + 64 = 9,472 params and 112 * 112 * 64 * 7 * 7 * 3 = 118,013,952 MACs.
"""

from __future__ import annotations

import html
import inspect
import json
import textwrap
import warnings

import pytest
from spec_helpers import SPECS

import archc
from archc.backends.graphviz import DEFAULT_MAX_NODES

HOSTILE = textwrap.dedent("""\
    archc: 1
    name: "<script>alert('x')</script> & <b>bold</b> | _x_"
    input: [8]
    layers:
      - dense: {name: out, units: 2}
    """)


@pytest.fixture(scope="module")
def resnet50() -> archc.Summary:
    return archc.load(str(SPECS / "resnet.yaml"), variant="resnet50")


def test_repr_is_short(resnet50: archc.Summary) -> None:
    assert repr(resnet50) == ("Summary(name='resnet', variant='resnet50', "
                              "total_params=25636712, total_macs=3857973248, "
                              f"layers=<{len(resnet50.layers)} layers>)")


def test_table_formats(resnet50: archc.Summary) -> None:
    text = resnet50.table()
    assert text == resnet50.table("text")
    assert "Total params:         25,636,712" in text  # numbers.md, ResNet-50
    markdown = resnet50.table("markdown")
    assert markdown.startswith("### resnet [resnet50]\n")
    assert "| conv1 | conv2d | 112x112x64 | 9,472 | 118,013,952 |" in markdown
    assert "- Total params: 25,636,712" in markdown
    assert json.loads(resnet50.table("json"))["total_macs"] == 3_857_973_248
    assert resnet50.table("csv").splitlines()[1].startswith("conv1,conv2d,")
    folded = resnet50.table("text", depth=1)
    assert "conv2/" in folded and "conv2/block1" not in folded
    with pytest.raises(ValueError, match="unknown table format 'table'; use one of: text"):
        resnet50.table("table")
    with pytest.raises(ValueError, match="depth"):
        resnet50.table(depth=0)


def test_notebook_displays(resnet50: archc.Summary) -> None:
    shown = resnet50._repr_html_()
    assert shown.startswith('<div class="archc-summary">') and shown.count("<table>") == 2
    assert "<th>Total params</th><td>25,636,712</td>" in shown
    assert '<td style="padding-left: 0.5em">conv1</td><td>conv2d</td><td>112x112x64</td>' in shown
    assert resnet50._repr_markdown_() == resnet50.table("markdown")


def test_displays_escape_what_a_spec_names() -> None:
    s = archc.load(HOSTILE)
    shown = s._repr_html_()
    assert "<script>" not in shown and "<b>bold" not in shown
    assert html.escape(s.name) in shown
    markdown = s._repr_markdown_()
    assert "<script>" not in markdown and "<b>" not in markdown
    assert markdown.startswith("### &lt;script&gt;alert('x')&lt;/script&gt; &amp; "
                               "&lt;b&gt;bold&lt;/b&gt; \\| \\_x\\_\n")


def test_str_of_spec_error_is_the_rendered_diagnostic() -> None:
    text = HOSTILE.replace("units: 2", "unitz: 2")
    with pytest.raises(archc.SpecError) as info:
        archc.load(text)
    assert str(info.value) == textwrap.dedent("""\
        <string>:5:24: error[S002]: unknown field `unitz` in `dense`
          |
        5 |   - dense: {name: out, unitz: 2}
          |                        ^^^^^
          = help: did you mean `units`?
        1 error""")


def test_str_of_spec_error_from_a_file(tmp_path: object) -> None:
    with pytest.raises(archc.SpecError) as info:
        archc.load(str(SPECS / "resnet.yaml"), overrides={"stages": [3, 4, 6]})
    rendered = str(info.value)
    assert rendered.startswith(f"{SPECS / 'resnet.yaml'}:87:14: error[E003]: cannot evaluate")
    assert "87 |       times: $stages[3]" in rendered and rendered.endswith("\n1 error")


def test_diagram_takes_the_commands_options() -> None:
    # At depth 2 the identical bottlenecks 2 and 3 of conv2 fold into one `x 2` box.
    folded = archc.diagram(str(SPECS / "resnet.yaml"), depth=2).source
    unfolded = archc.diagram(str(SPECS / "resnet.yaml"), depth=2, fold=False).source
    assert "conv2/block3" not in folded and "conv2/block3" in unfolded
    assert inspect.signature(archc.diagram).parameters["max_nodes"].default == DEFAULT_MAX_NODES
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        archc.diagram(str(SPECS / "resnet.yaml"), max_nodes=30)
    (warning,) = caught
    message = str(warning.message)
    assert "Raise the cap with max_nodes=N." in message and "collapsed to depth=" in message
    assert "--" not in message  # no CLI flag: the caller has keyword arguments
    with pytest.raises(archc.SpecError) as info:
        archc.diagram(str(SPECS / "resnet.yaml"), max_nodes=3)
    rendered = str(info.value)
    assert "error[D002]" in rendered and "help: raise it with max_nodes=N" in rendered
    assert " | " in rendered  # the source line is shown
    with pytest.raises(ValueError):
        archc.diagram(str(SPECS / "resnet.yaml"), depth=0)
