"""The docs' generated parts are what `python -m archc.docgen` renders from the catalogue
today: an op added without regenerating them fails here, with the command to run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from spec_helpers import ROOT

from archc.docgen import hand, render, source
from archc.docgen.__main__ import main
from archc.docgen.generate import MARKDOWN, WHOLE, rendered, stale
from archc.docgen.splice import COMMAND


def test_the_committed_docs_are_the_generated_ones() -> None:
    found = stale(ROOT)
    message = "\n".join(f"{s.path}: {s.part}\n{s.diff}" for s in found)
    assert found == [], f"stale generated docs; run `{COMMAND}` (or `make docs`)\n{message}"


def test_rendering_is_deterministic() -> None:
    assert rendered(ROOT) == rendered(ROOT)


def _copy(tmp: Path) -> Path:
    for path in [*MARKDOWN, *WHOLE]:
        (tmp / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(ROOT / path, tmp / path)
    return tmp


def test_a_new_op_without_regenerated_docs_fails_the_check(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    root = _copy(tmp_path)
    widths = [*source.looks_through("width_passthrough"), "instance_norm"]
    monkeypatch.setattr(source, "looks_through", lambda trait: widths
                        if trait == "width_passthrough" else [])
    assert main(["--check", "--root", str(root)]) == 1
    out = capsys.readouterr().out
    assert "stale: docs/lint-rules.md: wide-reduction-through" in out
    assert "stale: docs/lint-rules.md: linear-stack-through" in out
    assert "+`batch_norm`, `layer_norm`" in out and "`spatial_dropout2d` or `instance_norm`." in out
    assert f"2 generated part(s) stale: run `{COMMAND}` (or `make docs`)" in out
    assert main(["--root", str(root)]) == 0  # regenerating makes the check pass again
    assert main(["--check", "--root", str(root)]) == 0
    text = (root / "docs" / "lint-rules.md").read_text(encoding="utf-8")
    assert "`spatial_dropout2d` or `instance_norm`." in text


def test_a_hand_edited_schema_is_stale(tmp_path: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    root = _copy(tmp_path)
    (root / "docs" / "archc.schema.json").write_text("{}\n", encoding="utf-8")
    assert main(["--check", "--root", str(root)]) == 1
    assert "stale: docs/archc.schema.json: (whole file)" in capsys.readouterr().out


def test_every_layer_type_has_its_keras_layer() -> None:
    # an op's from its Keras lowering, a structure's from the hand table: each exactly once
    for layer_type in source.layer_types():
        declared = (source.keras_layer_of(layer_type) is not None,
                    layer_type in hand.STRUCTURE_KERAS)
        assert declared in ((True, False), (False, True)), layer_type
    assert set(hand.SEE) <= set(source.layer_types())


def test_every_receptive_field_kind_has_its_text() -> None:
    kinds = {source.rule_kind_of(op) for op in source.ops()}
    assert kinds <= set(hand.RULE_TEXT)
    # the kind a whole-map statistic (group norm) will use is written before it is needed
    assert "map statistics" in hand.RULE_TEXT


def test_an_op_without_keras_text_names_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    from archc.backends.keras import op_rules
    from archc.ir.ops import op_named

    monkeypatch.delitem(op_rules.KERAS_LAYERS, op_named("dfl"))
    with pytest.raises(KeyError, match=r"`dfl` has no Keras layer: add its rule to "):
        render.layer_table()


def test_a_kind_without_text_names_the_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(hand.RULE_TEXT, "listed")
    with pytest.raises(KeyError, match=r"kind\(s\) \['listed'\]"):
        render.receptive_table()


def test_the_lint_lists_are_the_catalogue_traits() -> None:
    # L008 looks through the normalisations too, not only batch norm, activation, dropout
    assert render.wide_reduction_list() == (
        "`batch_norm`, `layer_norm`, `group_norm`, `layer_scale`, `rescaling`, "
        "`normalization`, `activation`, `dropout` or `spatial_dropout2d`.\n")
    assert render.linear_stack_list().endswith(", `channel_slice` or a `linear` activation.\n")


def test_lost_markers_are_an_error_not_a_skip(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    root = _copy(tmp_path)
    doc = root / "docs" / "receptive-field.md"
    doc.write_text(doc.read_text(encoding="utf-8").replace("<!-- end generated -->", ""),
                   encoding="utf-8")
    assert main(["--check", "--root", str(root)]) == 2
    assert "markers missing for ['receptive-rules']" in capsys.readouterr().err
