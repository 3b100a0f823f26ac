"""Turning rules on and off: the spec's `lint:` mapping (with located L1xx errors), the
command line (`--enable`, `--disable`, `--strict`) and the exit codes of `archc lint`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from lint_helpers import codes, spec

from archc.cli import main
from archc.diagnostics import Diagnostic, SpecError, render
from archc.pipeline import compile_text

SPECS = Path(__file__).resolve().parents[2] / "specs"
_LRN = "  - lrn: {name: n}\n"
_SE4 = "  - squeeze_excitation: {name: se, ratio: 4}\n"


def _raised(extra: str, layers: str = _LRN) -> tuple[str, list[Diagnostic]]:
    text = spec("[8, 8, 8]", layers, extra)
    # The spec's `lint:` mapping is validated with the rest of the spec (so `check` sees it).
    with pytest.raises(SpecError) as info:
        compile_text(text, "t.yaml")
    return text, info.value.diagnostics


def _errors(extra: str, layers: str = _LRN) -> str:
    text, diagnostics = _raised(extra, layers)
    return "\n".join(render(d, text) for d in diagnostics)


def _codes(extra: str) -> list[str]:
    return [d.code for d in _raised(extra)[1]]


def test_spec_disable_by_code_and_by_name() -> None:
    assert codes(spec("[8, 8, 8]", _LRN)) == ["L003"]
    assert codes(spec("[8, 8, 8]", _LRN, "lint: {disable: [L003]}\n")) == []
    assert codes(spec("[8, 8, 8]", _LRN, "lint: {disable: [lrn]}\n")) == []


def test_spec_enable_and_settings() -> None:
    conv = "  - conv2d: {filters: 64, kernel_size: 3, padding: same, activation: relu}\n"
    assert codes(spec("[8, 8, 64]", conv, "lint: {enable: [separable-candidate]}\n")) == ["L004"]
    assert codes(spec("[8, 8, 64]", _SE4)) == ["L005"]
    assert codes(spec("[8, 8, 64]", _SE4, "lint: {settings: {L005: {min_ratio: 4}}}\n")) == []


def test_l100_unknown_key() -> None:
    assert _codes("lint:\n  disabel: [L003]\n") == ["L100"]
    assert _errors("lint:\n  disabel: [L003]\n") == (
        "t.yaml:5:3: error[L100]: unknown key `disabel` in `lint`\n"
        "  |\n"
        "5 |   disabel: [L003]\n"
        "  |   ^^^^^^^\n"
        "  = help: did you mean `disable`?")


def test_l101_not_a_list() -> None:
    assert _codes("lint:\n  disable: L003\n  settings: [1]\n") == ["L101", "L101"]
    assert _errors("lint:\n  disable: L003\n") == (
        "t.yaml:5:12: error[L101]: `lint.disable` must be a list of rule codes or names\n"
        "  |\n"
        "5 |   disable: L003\n"
        "  |            ^^^^\n"
        "  = help: for example `disable: [L003]`")


def test_l102_unknown_rule() -> None:
    assert _codes("lint:\n  disable: [L999]\n") == ["L102"]
    assert _errors("lint:\n  disable: [L999, lrn]\n") == (
        "t.yaml:5:13: error[L102]: unknown lint rule `L999`\n"
        "  |\n"
        "5 |   disable: [L999, lrn]\n"
        "  |             ^^^^\n"
        "  = help: see `archc lint --list-rules`")
    assert "did you mean `L005`?" in _errors("lint:\n  settings:\n    L0055: {}\n")


def test_l103_unknown_setting() -> None:
    assert _codes("lint:\n  settings:\n    lrn: {k: 1}\n") == ["L103"]
    assert _errors("lint:\n  settings:\n    L005: {max_ration: 24}\n") == (
        "t.yaml:6:12: error[L103]: rule L005 (se-ratio) has no setting `max_ration`\n"
        "  |\n"
        "6 |     L005: {max_ration: 24}\n"
        "  |            ^^^^^^^^^^\n"
        "  = help: did you mean `max_ratio`?")


def test_l104_bad_value() -> None:
    assert _codes("lint:\n  settings:\n    L001: {min_kernel: true}\n") == ["L104"]
    assert _errors("lint:\n  settings:\n    se-ratio: {max_ratio: -1}\n") == (
        "t.yaml:6:27: error[L104]: setting `max_ratio` of L005 must be a positive number; "
        "found `-1`\n"
        "  |\n"
        "6 |     se-ratio: {max_ratio: -1}\n"
        "  |                           ^^\n"
        "  = help: the default is 32")


# -- the command line -------------------------------------------------------------------------


def _write(tmp_path: Path, layers: str, extra: str = "") -> str:
    path = tmp_path / "t.yaml"
    path.write_text(spec("[8, 8, 8]", layers, extra))
    return str(path)


def test_cli_warnings_exit_0_unless_strict(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, _LRN)
    assert main(["lint", path]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{path}:5:5: warning[L003]: local response normalisation `n`")
    assert out.endswith("1 warning\n")
    assert main(["lint", "--strict", path]) == 1


def test_cli_disable_and_enable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, _LRN)
    assert main(["lint", "--strict", "--disable", "L003", path]) == 0
    assert capsys.readouterr().out == ""
    # the command line wins over the spec
    path = _write(tmp_path, _LRN, "lint: {disable: [L003]}\n")
    assert main(["lint", "--strict", "--enable", "lrn", path]) == 1


def test_cli_unknown_rule_is_a_usage_error(tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "--disable", "L03", _write(tmp_path, _LRN)]) == 2
    assert "unknown lint rule `L03`" in capsys.readouterr().err


def test_cli_spec_error_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path, _LRN, "lint: {disable: [L999]}\n")
    assert main(["lint", path]) == 1
    assert "error[L102]: unknown lint rule `L999`" in capsys.readouterr().err


def test_cli_list_rules(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "--list-rules"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == [f"L00{i}" for i in range(1, 10)]
    assert lines[3].split()[1:3] == ["separable-candidate", "off"]
    assert lines[8].split()[1:3] == ["receptive-field", "on"]


def test_lint_compare_and_summary_never_import_tensorflow() -> None:
    code = (
        "import sys\n"
        "from archc.cli import main\n"
        f"spec = {str(SPECS / 'resnet.yaml')!r}\n"
        "main(['lint', spec, '-q'])\n"
        "main(['compare', spec, '--variants', 'resnet18', 'resnet34'])\n"
        "main(['summary', spec, '--all-variants'])\n"
        "main(['summary', spec, '--costs'])\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('tensorflow', 'keras'))\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stderr


def test_cli_json_format(capsys: pytest.CaptureFixture[str]) -> None:
    vgg, lenet = str(SPECS / "vgg16.yaml"), str(SPECS / "lenet5.yaml")
    assert main(["lint", "--format", "json", vgg, lenet]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [s["spec"] for s in data["specs"]] == [vgg, lenet]
    first = data["specs"][0]["diagnostics"]
    assert [(d["code"], d["rule"], d["line"]) for d in first] == [
        ("L002", "filters-not-doubled", 21), ("L006", "dense-heavy", 30)]
    assert data["specs"][1]["diagnostics"] == []
    assert main(["lint", "--format", "json", "--strict", vgg]) == 1
