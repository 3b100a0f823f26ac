"""`archc compare`, `summary --all-variants` and `summary --costs`: golden outputs, and the
figures checked against numbers.md and against the analysis.

Regenerate the golden files after an intended change with
`ARCHC_UPDATE_GOLDEN=1 .venv/bin/pytest tests/lint/test_lint_reports.py` and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from archc.backends.compare import compare, render_table, top_level
from archc.backends.formulas import formula
from archc.cli import main
from archc.pipeline import Options, compile_file

ROOT = Path(__file__).resolve().parents[2]
SPECS = ROOT / "specs"
GOLDEN = Path(__file__).resolve().parent / "golden"

# numbers.md, "Totals": (params, trainable, MACs)
RESNET = {
    "resnet18": (11_699_112, 11_689_512, 1_814_073_344),
    "resnet34": (21_814_696, 21_797_672, 3_663_761_408),
    "resnet50": (25_636_712, 25_583_592, 3_857_973_248),
    "resnet101": (44_707_176, 44_601_832, 7_570_194_432),
    "resnet152": (60_419_944, 60_268_520, 11_282_415_616),
}

CASES = {
    "all_variants_resnet.txt": ["summary", "specs/resnet.yaml", "--all-variants"],
    "all_variants_resnet.md": ["summary", "specs/resnet.yaml", "--all-variants",
                               "--format", "markdown"],
    "all_variants_googlenet.json": ["summary", "specs/googlenet.yaml", "--all-variants",
                                    "--format", "json"],
    "compare_resnet18_resnet50.txt": ["compare", "specs/resnet.yaml", "--variants",
                                      "resnet18", "resnet50"],
    "compare_alexnet_vgg16.txt": ["compare", "specs/alexnet.yaml", "specs/vgg16.yaml"],
    "compare_alexnet_groups.json": ["compare", "specs/alexnet.yaml", "--variants",
                                    "one_tower", "two_gpu", "--format", "json"],
    "costs_lenet5.txt": ["summary", "specs/lenet5.yaml", "--costs"],
    "costs_alexnet_two_gpu.txt": ["summary", "specs/alexnet.yaml", "--costs",
                                  "--variant", "two_gpu"],
    "costs_xception.txt": ["summary", "specs/xception.yaml", "--costs"],
}


@pytest.mark.parametrize("golden", list(CASES))
def test_golden(golden: str, capsys: pytest.CaptureFixture[str],
                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert main(CASES[golden]) == 0
    out = capsys.readouterr().out
    path = GOLDEN / golden
    if os.environ.get("ARCHC_UPDATE_GOLDEN"):
        path.write_text(out, encoding="utf-8")
    assert out == path.read_text(encoding="utf-8")


def test_resnet_table_equals_numbers_md(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summary", str(SPECS / "resnet.yaml"), "--all-variants",
                 "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["variants"]
    got = {r["variant"]: (r["params"], r["trainable_params"], r["macs"]) for r in rows}
    assert got == RESNET
    assert all(r["flops"] == 2 * r["macs"] for r in rows)


@pytest.mark.parametrize(("name", "expected"), [
    ("alexnet", {"one_tower": (62_378_344, 1_135_256_096), "two_gpu": (60_965_224, 724_406_816)}),
    ("googlenet", {"default": (6_998_552, 1_582_671_872),
                   "with_aux": (13_378_280, 1_591_044_096)}),
])
def test_other_variant_tables_equal_numbers_md(name: str, expected: dict[str, tuple[int, int]],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["summary", str(SPECS / f"{name}.yaml"), "--all-variants",
                 "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)["variants"]
    assert {r["variant"]: (r["params"], r["macs"]) for r in rows} == expected


def test_compare_blocks_sum_to_the_totals() -> None:
    a = compile_file(str(SPECS / "resnet.yaml"), Options(variant="resnet18")).analysis
    b = compile_file(str(SPECS / "resnet.yaml"), Options(variant="resnet50")).analysis
    assert a is not None and b is not None
    c = compare(a, b)
    assert (c.total_a.params, c.total_a.macs) == (RESNET["resnet18"][0], RESNET["resnet18"][2])
    assert (c.total_b.params, c.total_b.macs) == (RESNET["resnet50"][0], RESNET["resnet50"][2])
    assert c.total_a.activation_bytes == a.activation_bytes
    assert sum(f.macs for f in top_level(b).values()) == b.total.macs
    assert [r.name for r in c.rows][5:9] == ["conv2", "conv3", "conv4", "conv5"]


def test_compare_fields_at_block_ends() -> None:
    # ResNet-18 vs ResNet-50 at the end of each stage (tests/passes/test_receptive.py derives
    # these): conv2 43 vs 35, conv3 99 both, conv4 211 vs 291, conv5 435 vs 483
    a = compile_file(str(SPECS / "resnet.yaml"), Options(variant="resnet18")).analysis
    b = compile_file(str(SPECS / "resnet.yaml"), Options(variant="resnet50")).analysis
    assert a is not None and b is not None
    c = compare(a, b)
    sizes = {r.name: (r.field_a.size, r.field_b.size) for r in c.rows  # type: ignore[union-attr]
             if r.name in ("conv2", "conv3", "conv4", "conv5")}
    assert sizes == {"conv2": ((43, 43), (35, 35)), "conv3": ((99, 99), (99, 99)),
                     "conv4": ((211, 211), (291, 291)), "conv5": ((435, 435), (483, 483))}
    assert c.last_window_a is not None and c.last_window_b is not None
    assert (c.last_window_a.size, c.last_window_b.size) == ((435, 435), (483, 483))
    text = render_table(c)
    assert "last window   435x435 /32  483x483 /32            +48          1.11x" in text


def test_compare_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    spec = str(SPECS / "resnet.yaml")
    assert main(["compare", spec]) == 2
    assert main(["compare", spec, spec, "--variants", "resnet18", "resnet34"]) == 2
    assert main(["compare", spec, "--variants", "resnet18", "resnet20"]) == 2
    assert "unknown variant `resnet20`" in capsys.readouterr().err


ZOO = [("lenet5", None), ("alexnet", "one_tower"), ("alexnet", "two_gpu"), ("vgg16", None),
       ("googlenet", "with_aux"), ("resnet", "resnet18"), ("resnet", "resnet50"),
       ("xception", None), ("se_resnet50", None), ("yolov8", "n")]


@pytest.mark.parametrize(("name", "variant"), ZOO)
def test_every_formula_equals_the_analysis(name: str, variant: str | None) -> None:
    analysis = compile_file(str(SPECS / f"{name}.yaml"), Options(variant=variant)).analysis
    assert analysis is not None
    shown = 0
    for info in analysis.nodes:
        f = formula(info)
        if info.cost.macs:
            assert f is not None, info.node.name
            assert f.value == info.cost.macs, (info.node.name, f)
            if f.parts:
                assert sum(p.value for p in f.parts) == f.value
            shown += f.value
    assert shown == analysis.total.macs


def test_costs_formula_text_for_the_seed_cases() -> None:
    xception = compile_file(str(SPECS / "xception.yaml")).analysis
    assert xception is not None
    sep = formula(xception.info("middle/block1/residual_1/sep/block1/sepconv"))
    assert sep is not None
    assert (sep.symbols, sep.numbers) == ("M x Dp^2 x (Dk^2 + N)", "728 x 19^2 x (3^2 + 728)")
    assert sep.value == 728 * 19**2 * (3**2 + 728)
    depthwise, pointwise = sep.parts
    assert (depthwise.numbers, depthwise.value) == ("728 x 19^2 x 3^2", 728 * 19**2 * 3**2)
    assert (pointwise.numbers, pointwise.value) == ("728 x 19^2 x 728", 728 * 19**2 * 728)
    lenet = compile_file(str(SPECS / "lenet5.yaml")).analysis
    assert lenet is not None
    c3 = formula(lenet.info("c3"))
    assert c3 is not None and c3.value == 150_000  # numbers.md, C3 MACs: 10^2 x 5^2 x 60
    assert (c3.symbols, c3.numbers) == ("Dp^2 x Dk^2 x links", "10^2 x 5^2 x 60")


def test_costs_rejects_other_modes(capsys: pytest.CaptureFixture[str]) -> None:
    spec = str(SPECS / "lenet5.yaml")
    assert main(["summary", spec, "--costs", "--format", "json"]) == 2
    assert main(["summary", spec, "--all-variants", "--costs"]) == 2
    assert "cannot be combined" in capsys.readouterr().err
