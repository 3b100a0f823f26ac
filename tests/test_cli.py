"""The command line, in-process: exit codes, diagnostics on stderr, `check` of many files."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from spec_helpers import SPECS

from archc.cli import EXIT_OK, EXIT_SPEC, EXIT_USAGE, main

Run = Callable[..., tuple[int, str, str]]

GOOD = """\
archc: 1
name: tiny
input: [8, 8, 1]
variables: {width: 2}
variants:
  wide: {width: 4}
layers:
  - conv2d: {filters: $width, kernel_size: 3}
  - flatten: {}
"""

BAD = """\
archc: 1
name: bad
input: [8, 8, 1]
layers:
  - conv2d: {filters: 2, kernal_size: 3}
  - dense: {units: 0}
"""


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def go(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return go


def test_summary_ok(run: Run, write_spec: Callable[..., Path]) -> None:
    path = write_spec(GOOD)
    code, out, err = run("summary", str(path))
    assert code == EXIT_OK and err == ""
    # conv 3*3*1*2 + 2 = 20 params on a 6x6x2 output: 6*6*2*9 = 648 MACs
    assert "Total params:         20" in out
    assert "MACs:                 648 (multiply-accumulates)" in out


def test_variant_and_set(run: Run, write_spec: Callable[..., Path]) -> None:
    path = str(write_spec(GOOD))
    code, out, _ = run("summary", path, "--variant", "wide", "--format", "json")
    assert code == EXIT_OK
    assert json.loads(out)["total_params"] == 3 * 3 * 4 + 4
    code, out, _ = run("summary", path, "--set", "width=8", "--format", "json")
    assert code == EXIT_OK and json.loads(out)["total_params"] == 3 * 3 * 8 + 8


def test_spec_errors_exit_1_with_located_diagnostics(run: Run,
                                                     write_spec: Callable[..., Path]) -> None:
    path = write_spec(BAD, "bad.yaml")
    code, out, err = run("summary", str(path))
    assert code == EXIT_SPEC and out == ""
    lines = err.splitlines()
    assert lines[0] == f"{path}:5:26: error[S002]: unknown field `kernal_size` in `conv2d`"
    assert lines[2] == "5 |   - conv2d: {filters: 2, kernal_size: 3}"
    assert lines[3] == "  |                          ^^^^^^^^^^^"
    assert lines[4] == "  = help: did you mean `kernel_size`?"
    assert lines[5].startswith(f"{path}:6:20: error[S004]: invalid value for `units`")
    assert lines[-1] == "2 errors"
    assert "Traceback" not in err


def test_unknown_variant_is_a_usage_error(run: Run, write_spec: Callable[..., Path]) -> None:
    code, out, err = run("summary", str(write_spec(GOOD)), "--variant", "wdie")
    assert code == EXIT_USAGE and out == ""
    assert err == ("archc: error: unknown variant `wdie` (variants: wide); did you mean "
                   "`wide`?\n")


def test_bad_set(run: Run, write_spec: Callable[..., Path]) -> None:
    path = str(write_spec(GOOD))
    code, _, err = run("summary", path, "--set", "widht=3")
    assert code == EXIT_USAGE
    assert err == "archc: error: --set widht: the spec has no variable `widht`; did you mean " \
                  "`width`?\n"
    code, _, err = run("summary", path, "--set", "width")
    assert code == EXIT_USAGE and "--set expects KEY=VALUE" in err


def test_missing_file(run: Run, tmp_path: Path) -> None:
    code, out, err = run("summary", str(tmp_path / "nope.yaml"))
    assert code == EXIT_USAGE and out == ""
    assert err.startswith("archc: error: cannot access ")
    assert "nope.yaml" in err


def test_bad_arguments_exit_2(run: Run) -> None:
    with pytest.raises(SystemExit) as info:
        main(["summary"])
    assert info.value.code == EXIT_USAGE
    with pytest.raises(SystemExit) as info:
        main(["frobnicate"])
    assert info.value.code == EXIT_USAGE


def test_depth_must_be_positive(run: Run) -> None:
    code, _, err = run("summary", str(SPECS / "lenet5.yaml"), "--depth", "0")
    assert code == EXIT_USAGE and "--depth must be at least 1" in err


def test_check_many_files(run: Run, write_spec: Callable[..., Path]) -> None:
    specs = sorted(str(p) for p in SPECS.glob("*.yaml"))
    code, out, err = run("check", *specs)
    # The verdict is the command's result: stdout (diagnostics go to stderr).
    assert (code, out, err) == (EXIT_OK, f"{len(specs)} specs ok\n", "")
    code, out, err = run("check", "-q", *specs)
    assert (code, out, err) == (EXIT_OK, "", "")
    bad = write_spec(BAD, "bad.yaml")
    code, out, err = run("check", specs[0], str(bad), specs[1])
    assert code == EXIT_SPEC and out == ""
    assert err.count("error[") == 2 and err.splitlines()[-1] == "2 errors"
    code, _, err = run("check", str(bad), str(bad.parent / "missing.yaml"))
    assert code == EXIT_USAGE  # the worst outcome wins
    assert "cannot read" in err and "error[S002]" in err


def test_dump_ir(run: Run) -> None:
    code, out, _ = run("summary", str(SPECS / "lenet5.yaml"), "--dump", "ir")
    assert code == EXIT_OK
    assert out.splitlines()[0] == "graph lenet5:"
    assert out.splitlines()[-1] == "  return %output"


def test_schema_is_json(run: Run) -> None:
    code, out, _ = run("schema")
    assert code == EXIT_OK
    assert "conv2d" in json.loads(out)["$defs"]


def test_diagram_receptive_field_flag(run: Run) -> None:
    lenet = str(SPECS / "lenet5.yaml")
    code, out, _ = run("diagram", lenet, "--format", "gv", "-o", "-", "--receptive-field")
    assert code == EXIT_OK
    assert "field 32x32 /4" in out  # c5: the whole 32x32 input, jump 4
    code, plain, _ = run("diagram", lenet, "--format", "gv", "-o", "-")
    assert code == EXIT_OK and "field" not in plain


class _Stdin:
    """Stands in for sys.stdin: `buffer` is what archc reads a `-` spec from."""

    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


def test_dash_reads_the_spec_from_standard_input(run: Run,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    text = (SPECS / "lenet5.yaml").read_bytes()
    monkeypatch.setattr("sys.stdin", _Stdin(text))
    code, out, _ = run("summary", "-", "--format", "json")
    assert code == EXIT_OK
    assert json.loads(out)["total_params"] == 60_850  # numbers.md: LeNet-5
    monkeypatch.setattr("sys.stdin", _Stdin(text))
    assert run("check", "-", str(SPECS / "vgg16.yaml")) == (EXIT_OK, "2 specs ok\n", "")


def test_dash_diagnostics_show_the_standard_input_line(
        run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", _Stdin(BAD.encode()))
    code, out, err = run("check", "-")
    assert code == EXIT_SPEC and out == ""
    assert err.splitlines()[:4] == [
        "<stdin>:5:26: error[S002]: unknown field `kernal_size` in `conv2d`",
        "  |",
        "5 |   - conv2d: {filters: 2, kernal_size: 3}",
        "  |                          ^^^^^^^^^^^",
    ]


def test_dash_is_read_once_and_reused(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    # `compare - --variants` compiles the spec twice; standard input is read once.
    stdin = _Stdin(GOOD.encode())
    monkeypatch.setattr("sys.stdin", stdin)
    code, out, err = run("compare", "-", "--variants", "wide", "wide", "--format", "json")
    assert (code, err) == (EXIT_OK, "")
    assert stdin.buffer.tell() == len(GOOD.encode())
    compared = json.loads(out)
    assert (compared["a"], compared["b"]) == ("tiny [wide] (A)", "tiny [wide] (B)")
    monkeypatch.setattr("sys.stdin", _Stdin(GOOD.encode()))
    assert run("check", "-", "-") == (EXIT_OK, "2 specs ok\n", "")


def test_dash_caps_apply_to_standard_input(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", _Stdin(GOOD.encode()))
    code, _, err = run("check", "-", "--max-bytes", "20")
    assert code == EXIT_SPEC and "<stdin>:1:1: error[Y009]" in err
