"""The summary report: depth collapsing, block subtotals, four formats, deterministic bytes."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys

import pytest
from spec_helpers import ROOT, SPECS

import archc
from archc.backends.summary import RENDERERS, build_report, render_json

GOOGLENET = SPECS / "googlenet.yaml"


def _analysis(spec: str = "googlenet.yaml", variant: str | None = None) -> archc.Summary:
    return archc.load(SPECS / spec, variant=variant)


def test_block_subtotals_equal_the_sum_of_their_layers() -> None:
    s = _analysis("resnet.yaml", "resnet50")
    report = s.report()
    blocks = [r for r in report.rows if r.is_block]
    assert blocks, "resnet50 has blocks"
    for block in blocks:
        path = "/".join(filter(None, (block.scope, block.name)))
        inside = [r for r in report.layers
                  if r.scope == path or r.scope.startswith(path + "/")]
        assert inside, path
        assert block.cost.params == sum(r.cost.params for r in inside), path
        assert block.cost.macs == sum(r.cost.macs for r in inside), path
        assert block.cost.trainable == sum(r.cost.trainable for r in inside), path
        assert block.activation_bytes == sum(r.activation_bytes for r in inside), path


def test_depth_collapses_blocks() -> None:
    s = _analysis()
    full = s.report()
    one = s.report(depth=1)
    assert all(r.depth == 0 for r in one.rows)
    collapsed = [r for r in one.rows if r.collapsed]
    assert [r.name for r in collapsed] == [
        "inception_3a", "inception_3b", "inception_4a", "inception_4b", "inception_4c",
        "inception_4d", "inception_4e", "inception_5a", "inception_5b"]
    # collapsing hides rows but never changes a figure
    assert sum(r.cost.params for r in one.rows) == s.total_params
    assert one.total == full.total and one.layers == full.layers
    two = s.report(depth=2)
    assert max(r.depth for r in two.rows) == 1
    assert [r.name for r in two.rows if r.collapsed][:1] == ["branches"]
    assert len(one.rows) < len(two.rows) < len(full.rows)


def test_rows_are_in_spec_order_with_blocks_before_their_layers() -> None:
    rows = _analysis().report().rows
    names = [("/".join(filter(None, (r.scope, r.name)))) for r in rows]
    assert names[:3] == ["conv1", "pool1", "norm1"]
    i = names.index("inception_3a")
    assert names[i + 1] == "inception_3a/branches"
    assert names[i + 2] == "inception_3a/branches/branch1"


def test_json_fields() -> None:
    data = json.loads(render_json(_analysis("lenet5.yaml").report()))
    for key in ("name", "variant", "inputs", "outputs", "total_params", "trainable_params",
                "non_trainable_params", "total_macs", "total_flops", "layers"):
        assert key in data
    assert data["inputs"] == [{"name": "input", "shape": [32, 32, 1]}]
    assert data["outputs"] == [{"name": "output", "shape": [10]}]
    layer = data["layers"][0]
    assert {k: layer[k] for k in ("name", "type", "scope", "inputs", "output_shape", "params",
                                  "trainable_params", "macs")} == {
        "name": "c1", "type": "conv2d", "scope": "", "inputs": ["input"],
        "output_shape": [28, 28, 6], "params": 156, "trainable_params": 156,
        "macs": 117_600}
    assert data["total_params"] == sum(x["params"] for x in data["layers"]) == 60_850


def test_a_folded_block_shows_its_last_layers_field() -> None:
    # ResNet-50 at --depth 1: each stage's row carries the field of the stage's last layer,
    # its final relu (conv2 35, conv3 99, conv4 291, conv5 483, jumps 4 to 32; see
    # tests/passes/test_receptive.py for the arithmetic)
    report = _analysis("resnet.yaml", "resnet50").report(depth=1)
    stages = {r.name: r.field for r in report.rows if r.is_block}
    assert {name: (f.size, f.jump) for name, f in stages.items() if f is not None} == {
        "conv2": ((35, 35), (4, 4)), "conv3": ((99, 99), (8, 8)),
        "conv4": ((291, 291), (16, 16)), "conv5": ((483, 483), (32, 32))}
    table = RENDERERS["table"](report)
    assert table.splitlines()[2].split() == ["Layer", "Type", "Output", "shape", "Params",
                                             "MACs", "Field"]
    assert any(line.startswith("conv5/") and line.endswith("  483x483 /32")
               for line in table.splitlines())
    blocks = json.loads(render_json(report))["blocks"]
    assert [b["receptive_field"]["size"] for b in blocks if b["name"] == "conv5"] == [[483, 483]]


def test_field_notes_follow_the_table() -> None:
    # ResNet-18's three strided basic blocks: the 3x3/2 `same` body sits one jump off its
    # 1x1/2 projection; the notes stay even when --depth folds the adds away
    table = RENDERERS["table"](_analysis("resnet.yaml", "resnet18").report(depth=1))
    lines = table.splitlines()
    notes = lines[lines.index("Field notes:") + 1:]
    assert [n.split(":")[0].strip() for n in notes] == [
        f"{stage}/block1/residual_1/add" for stage in ("conv3", "conv4", "conv5")]


def test_table_markdown_csv() -> None:
    report = _analysis("lenet5.yaml").report()
    table = RENDERERS["table"](report)
    assert table.splitlines()[0] == "lenet5"
    assert "Total params:         60,850" in table
    assert "MACs:                 326,520 (multiply-accumulates)" in table
    assert "FLOPs:                653,040 (2 x MACs)" in table
    md = RENDERERS["markdown"](report)
    # c3's field: c1 5; s2 (2x2/2) 5 + 1 = 6, jump 2; c3 (5x5) 6 + 4 x 2 = 14
    assert "| c3 | conv2d | 10x10x16 | 1,516 | 150,000 | 14x14 /2 |" in md.splitlines()
    assert "| flatten\\_1 | flatten | 120 | 0 | 0 | whole input |" in md.splitlines()
    rows = list(csv.DictReader(io.StringIO(RENDERERS["csv"](report))))
    assert [r["name"] for r in rows][:3] == ["c1", "s2", "c3"]
    assert sum(int(r["params"]) for r in rows) == 60_850
    assert sum(int(r["macs"]) for r in rows) == 326_520
    # c5 (5x5 on s4's 16, jump 4): 16 + 4 x 4 = 32, the whole 32x32 input, centred at 15.5
    c5 = rows[4]
    assert [c5[k] for k in ("field_height", "field_width", "jump_height", "start_width",
                            "field_global")] == ["32", "32", "4", "15.5", "0"]
    assert [rows[5][k] for k in ("name", "field_height", "field_global")] == \
        ["flatten_1", "", "1"]
    assert "Field notes" not in table  # LeNet-5 has no merges


@pytest.mark.parametrize("fmt", ["table", "json"])  # two processes each: keep it quick
def test_byte_identical_across_processes(fmt: str) -> None:
    outputs = []
    for seed in ("1", "2"):  # different hash seeds: no output may depend on set/dict order
        env = dict(os.environ, PYTHONHASHSEED=seed)
        proc = subprocess.run(
            [sys.executable, "-m", "archc", "summary", str(GOOGLENET), "--variant", "with_aux",
             "--format", fmt], capture_output=True, check=True, env=env, cwd=ROOT)
        outputs.append(proc.stdout)
    assert outputs[0] == outputs[1] and outputs[0]


def test_same_report_twice_in_process() -> None:
    a = build_report(_analysis().analysis)
    b = build_report(_analysis().analysis)
    assert all(render(a) == render(b) for render in RENDERERS.values())


def test_activation_memory_keeps_a_small_networks_figure() -> None:
    from archc.backends.summary import format_bytes, totals

    # LeNet-5: its layer outputs (plus the input) hold a few ten thousand bytes, so MiB
    # printed `0.0 MiB`; the text now keeps three figures in KiB.
    report = _analysis("lenet5.yaml").report()
    assert 1024 <= report.activation_bytes < 1024**2
    memory = dict(totals(report))["Activation memory"]
    assert memory == f"{report.activation_bytes / 1024:.1f} KiB per sample " \
                     "(float32, all layer outputs)"
    assert memory != "0.0 KiB per sample (float32, all layer outputs)"
    # Boundaries: bytes below 1 KiB, KiB below 1 MiB, MiB from there on.
    assert [format_bytes(n) for n in (0, 1023, 1024, 1024**2 - 1, 1024**2, 27_369_472)] == \
        ["0 bytes", "1,023 bytes", "1.0 KiB", "1,024.0 KiB", "1.0 MiB", "26.1 MiB"]
