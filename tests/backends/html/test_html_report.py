"""`archc report` without a browser: the command, the embedded data, escaping, determinism.

The page's behaviour is tested in a real browser in test_html_browser.py; here everything
that can be checked from the file itself: the data equals `archc summary --format json`,
lint findings point at the right nodes, hostile text cannot leave the JSON block, and the
Content-Security-Policy admits exactly the inlined script and style.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from html_helpers import ROOT, SPECS, embedded_data, parse_page, summary_json, write_report

from archc.backends.html import data as data_module
from archc.backends.html import embed_json, model_data, render_page
from archc.cli import main
from archc.pipeline import Options, compile_file

HOSTILE = ("</script><script>alert(1)</script><!-- <img src=x onerror=alert(2)> &amp; "
           "\u2028\u2029 \x00\x01\x1b\x7f\x85 ]]> '\" `${x}` \ud800")


# -- the JSON block ---------------------------------------------------------------------------


def test_embedded_json_cannot_close_its_element_or_hold_raw_separators() -> None:
    text = embed_json({"name": HOSTILE, HOSTILE: [HOSTILE]})
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in text
    assert all(32 <= ord(ch) < 127 for ch in text)  # ASCII, no control characters
    assert json.loads(text) == {"name": HOSTILE, HOSTILE: [HOSTILE]}


def test_a_hostile_comment_on_a_spec_line_stays_inside_the_json(tmp_path: Path) -> None:
    spec = tmp_path / "hostile.yaml"
    spec.write_text(
        "archc: 1\nname: hostile\ninput: [8, 8, 1]\nlayers:\n"
        "  - conv2d: {filters: 2, kernel_size: 3}  # </script><script>alert(1)</script>\n"
        "  - flatten  # <!-- <img src=x onerror=alert(2)> &lt; \u00e9\n"
        "  - dense: {units: 2}\n", encoding="utf-8")
    page = write_report(tmp_path, str(spec)).read_text(encoding="utf-8")
    parsed = parse_page(page)
    assert [a.get("type") for a, _ in parsed.scripts] == ["application/json", None]
    assert "img" not in parsed.tags
    assert page.count("<script") == 2 and page.count("</script>") == 2
    data = embedded_data(page)
    lines = data["models"][0]["lines"]
    assert lines["5"].endswith("# </script><script>alert(1)</script>")
    assert lines["6"].endswith("# <!-- <img src=x onerror=alert(2)> &lt; \u00e9")


# -- the data is the summary's ----------------------------------------------------------------


@pytest.mark.parametrize(("spec", "variant"), [("googlenet.yaml", None),
                                               ("resnet.yaml", "resnet50"),
                                               ("lenet5.yaml", None),
                                               ("se_resnet50.yaml", None),
                                               ("unet.yaml", None)])  # two-input decoders
def test_every_layer_carries_its_summary_json_object(tmp_path: Path, spec: str,
                                                     variant: str | None) -> None:
    args = [str(SPECS / spec)] + (["--variant", variant] if variant else [])
    model = embedded_data(write_report(tmp_path, *args).read_text("utf-8"))["models"][0]
    assert model["variant"] == variant or variant is None
    summary = summary_json(spec, model["variant"])
    layers = [n["layer"] for n in model["nodes"] if n["op"] != "input"]
    assert layers == summary["layers"]
    expected_totals = {k: v for k, v in summary.items() if k not in ("layers", "blocks")}
    assert model["summary"] == expected_totals
    blocks = {s["path"]: s["block"] for s in model["scopes"]}
    assert blocks == {b["name"]: b for b in summary["blocks"]}


def test_nodes_carry_arguments_input_shapes_and_their_spec_line(tmp_path: Path) -> None:
    model = embedded_data(write_report(tmp_path, str(SPECS / "googlenet.yaml"))
                          .read_text("utf-8"))["models"][0]
    conv1 = next(n for n in model["nodes"] if n["name"] == "conv1")
    assert conv1["args"]["filters"] == 64 and conv1["args"]["kernel_size"] == [7, 7]
    assert conv1["input_shapes"] == [[224, 224, 3]]
    line, col = conv1["span"]
    source = (SPECS / "googlenet.yaml").read_text("utf-8").splitlines()
    assert model["lines"][str(line)] == source[line - 1].rstrip()
    assert "conv1" in source[line - 1] and col >= 1
    concat = next(n for n in model["nodes"] if n["name"] == "inception_3a/branches/concat")
    assert [model["nodes"][i]["name"].rsplit("/", 1)[-1] for i in concat["inputs"]] == \
        ["conv1x1", "conv3x3", "conv5x5", "pool_proj"]
    assert model["scopes"][concat["scope"]]["path"] == "inception_3a/branches"


def test_fields_added_to_the_layer_json_later_are_embedded_unchanged(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another pass (a receptive field, say) adds keys to the summary's layer objects; the
    page gets them without any change here (the browser test shows them in the panel)."""
    original = data_module.report_dict

    def with_extra(report: Any) -> dict[str, Any]:
        result = original(report)
        for layer in result["layers"]:
            layer["receptive_field"] = [len(layer["name"]), 1]
        return result

    monkeypatch.setattr(data_module, "report_dict", with_extra)
    model = embedded_data(write_report(tmp_path, str(SPECS / "lenet5.yaml"))
                          .read_text("utf-8"))["models"][0]
    layers = [n["layer"] for n in model["nodes"] if n["op"] != "input"]
    assert layers and all(x["receptive_field"] == [len(x["name"]), 1] for x in layers)


def test_lint_findings_point_at_the_node_their_message_names(tmp_path: Path) -> None:
    model = embedded_data(write_report(tmp_path, str(SPECS / "googlenet.yaml"))
                          .read_text("utf-8"))["models"][0]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        main(["lint", str(SPECS / "googlenet.yaml"), "--format", "json"])
    expected = json.loads(out.getvalue())["specs"][0]["diagnostics"]
    assert [f["code"] for f in model["findings"]] == [d["code"] for d in expected]
    assert [f["message"] for f in model["findings"]] == [d["message"] for d in expected]
    names = [n["name"] for n in model["nodes"]]
    l001 = [f for f in model["findings"] if f["code"] == "L001"]
    assert len(l001) == 9  # one 5x5 convolution in each of the nine Inception modules
    for finding in l001:
        (node,) = finding["nodes"]
        assert f"`{names[node]}`" in finding["message"]
        assert names[node].endswith("/branch3/conv5x5")
    for finding in model["findings"]:
        for node in finding["nodes"]:
            assert model["nodes"][node]["span"] == finding["span"]


# -- the page ---------------------------------------------------------------------------------


def _csp(page: str) -> str:
    match = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert match
    return match.group(1)


def test_the_content_security_policy_allows_only_the_inlined_script_and_style(
        tmp_path: Path) -> None:
    page = write_report(tmp_path, str(SPECS / "lenet5.yaml")).read_text("utf-8")
    csp = _csp(page)
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    (script,) = [body for attrs, body in parse_page(page).scripts if not attrs]
    style = page.split("<style>", 1)[1].split("</style>", 1)[0]
    for text, directive in ((script, "script-src"), (style, "style-src")):
        digest = base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        assert f"{directive} 'sha256-{digest}'" in csp


def test_the_page_loads_nothing_from_elsewhere(tmp_path: Path) -> None:
    page = write_report(tmp_path, str(SPECS / "resnet.yaml")).read_text("utf-8")
    assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", page.split(
        '<script type="application/json"', 1)[0].replace("http://www.w3.org/2000/svg", ""))
    assert not re.search(r"\b(src|href)=", page.replace('href="', "").replace("src=x", ""))
    assert "innerHTML" not in page and "outerHTML" not in page
    assert "insertAdjacentHTML" not in page and "document.write" not in page
    assert "eval(" not in page and "new Function" not in page


def test_the_same_spec_gives_a_byte_identical_page(tmp_path: Path) -> None:
    first = write_report(tmp_path, str(SPECS / "googlenet.yaml"), name="a.html").read_bytes()
    second = write_report(tmp_path, str(SPECS / "googlenet.yaml"), name="b.html").read_bytes()
    assert first == second


def test_render_page_is_pure_data_in_text_out() -> None:
    compiled = compile_file(str(SPECS / "lenet5.yaml"), Options())
    assert compiled.analysis is not None
    model = model_data(compiled.analysis, "specs/lenet5.yaml", None)
    assert model["lines"] == {}  # no source given: no lines, still a page
    page = render_page([model], depth=2)
    data = embedded_data(page)
    assert data["archc_report"] == 1 and data["depth"] == 2 and data["initial"] == 0


# -- the command ------------------------------------------------------------------------------


def test_a_spec_with_variants_embeds_every_variant_default_first(tmp_path: Path) -> None:
    data = embedded_data(write_report(tmp_path, str(SPECS / "resnet.yaml")).read_text("utf-8"))
    variants = [m["variant"] for m in data["models"]]
    assert variants == ["resnet18", "resnet34", "resnet50", "resnet101", "resnet152"]
    assert variants[data["initial"]] == "resnet50"  # the spec's default_variant
    for model in data["models"]:
        assert model["summary"]["total_params"] == \
            summary_json("resnet.yaml", model["variant"])["total_params"]


def test_variant_picks_one_and_several_specs_sit_side_by_side(tmp_path: Path) -> None:
    one = embedded_data(write_report(tmp_path, str(SPECS / "resnet.yaml"), "--variant",
                                     "resnet152", name="one.html").read_text("utf-8"))
    assert [m["variant"] for m in one["models"]] == ["resnet152"]
    two = embedded_data(write_report(tmp_path, str(SPECS / "alexnet.yaml"),
                                     str(SPECS / "vgg16.yaml"), name="two.html")
                        .read_text("utf-8"))
    names = [(m["spec"].rsplit("/", 1)[-1], m["variant"]) for m in two["models"]]
    assert names == [("alexnet.yaml", v) for v in ("one_tower", "two_gpu")] + \
        [("vgg16.yaml", None)]


def test_default_output_name_and_message(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["report", str(SPECS / "lenet5.yaml")]) == 0
    assert (tmp_path / "lenet5.html").is_file()
    assert "archc: wrote" in capsys.readouterr().err
    assert main(["report", str(SPECS / "resnet.yaml"), "--variant", "resnet18", "-q"]) == 0
    assert (tmp_path / "resnet-resnet18.html").is_file()
    assert capsys.readouterr().err == ""


def test_dash_writes_the_page_to_standard_output(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", str(SPECS / "lenet5.yaml"), "-o", "-"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("<!DOCTYPE html>") and embedded_data(out)["models"][0]["name"] == \
        "lenet5"


def test_errors_are_located_and_use_the_documented_exit_codes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("archc: 1\nname: x\ninput: [8, 8, 1]\nlayers:\n  - conv2d: {filters: 0, "
                      "kernel_size: 3}\n", encoding="utf-8")
    target = tmp_path / "out.html"
    assert main(["report", str(broken), "-o", str(target)]) == 1
    err = capsys.readouterr().err
    assert re.search(r"broken\.yaml:5:\d+: error\[", err) and "^" in err
    assert not target.exists()
    assert main(["report", str(SPECS / "resnet.yaml"), "--variant", "resnet15"]) == 2
    assert "unknown variant `resnet15`" in capsys.readouterr().err
    assert main(["report", str(SPECS / "lenet5.yaml"), "--depth", "0"]) == 2
    assert main(["report", str(tmp_path / "missing.yaml")]) == 2


def test_an_earlier_page_survives_a_failed_run_and_symlinks_are_refused(
        tmp_path: Path) -> None:
    page = write_report(tmp_path, str(SPECS / "lenet5.yaml"), name="keep.html")
    before = page.read_bytes()
    broken = tmp_path / "broken.yaml"
    broken.write_text("archc: 1\nname: x\n", encoding="utf-8")
    assert main(["report", str(broken), "-o", str(page), "-q"]) == 1
    assert page.read_bytes() == before
    outside = tmp_path / "outside.html"
    outside.write_text("mine", encoding="utf-8")
    (tmp_path / "link.html").symlink_to(outside)
    assert main(["report", str(SPECS / "lenet5.yaml"), "-o", str(tmp_path / "link.html")]) == 2
    assert outside.read_text(encoding="utf-8") == "mine"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".archc-tmp-")]


def test_report_imports_no_heavy_module() -> None:
    probe = (
        "import sys, io, contextlib\n"
        "from archc.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    rc = main(['report', {str(SPECS / 'googlenet.yaml')!r}, '-o', '-'])\n"
        "assert rc == 0, rc\n"
        "print('\\n'.join(sorted(sys.modules)))\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True, cwd=ROOT)
    loaded = set(proc.stdout.split())
    assert "archc.backends.html.page" in loaded
    heavy = sorted(m for m in loaded if m.split(".")[0] in (
        "tensorflow", "keras", "numpy", "graphviz", "jax", "torch"))
    assert heavy == []
