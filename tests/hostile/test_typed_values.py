"""No value a user can type gives exit 4 (internal error).

Every numeric option of every command is swept with the values that broke archc before
(`nan`, `inf`, `1e308`, a 400-digit integer, huge byte caps) and more; each must end in
success, a usage error (exit 2) or a located diagnostic (exit 1), never a crash. The
options are found by walking the argument parser, so a new option is swept too.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import pytest

import archc.cli
from archc.cli import EXIT_INTERNAL, build_parser

from .hostile_helpers import run_child

_SPEC = "archc: 1\nname: t\ninput: [8, 8, 1]\nlayers:\n  - conv2d: {filters: 4, kernel_size: 3}\n"
_BROKEN = _SPEC.replace("filters: 4", "filters: 0")  # build and export stop before TF
_VALUES = ["nan", "inf", "-inf", "1e308", "-1e308", "1e-308", "0", "-1", "1",
           "9" * 400, str(2**63), str(2**64 + 1), "100000000000"]


def _numeric_options() -> list[tuple[str, str]]:
    """(command, flag) for every option whose value is converted to int or float."""
    found = []
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    for command, p in sub.choices.items():
        for action in p._actions:
            if action.type in (int, float) and action.option_strings:
                found.append((command, action.option_strings[-1]))
    return found


_OPTIONS = _numeric_options()


def test_the_sweep_sees_the_options_that_crashed_before() -> None:
    flags = {flag for _, flag in _OPTIONS}
    assert {"--max-bytes", "--max-activation-gib", "--max-params", "--timeout", "--depth",
            "--max-layers", "--max-nodes"} <= flags


def _argv(command: str, flag: str, value: str, tmp_path: Path) -> list[str]:
    spec = tmp_path / "net.yaml"
    spec.write_text(_BROKEN if command in ("build", "export") else _SPEC, encoding="utf-8")
    base = {"summary": ["summary", str(spec)], "check": ["check", str(spec)],
            "lint": ["lint", str(spec)], "compare": ["compare", str(spec), str(spec)],
            "build": ["build", str(spec), "-o", str(tmp_path / "out")],
            "export": ["export", str(spec), "--format", "onnx", "-o", str(tmp_path / "m.onnx")],
            "diagram": ["diagram", str(spec), "--format", "gv", "-o", str(tmp_path / "d.gv")],
            "report": ["report", str(spec), "-o", str(tmp_path / "r.html")]}
    return [*base[command], f"{flag}={value}"]


@pytest.mark.parametrize(("command", "flag"), _OPTIONS, ids=[f"{c}{f}" for c, f in _OPTIONS])
def test_no_numeric_option_value_gives_an_internal_error(
        command: str, flag: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for value in _VALUES:
        try:
            rc = archc.cli.main(_argv(command, flag, value, tmp_path))
        except SystemExit as exc:  # argparse's own refusal of a non-integer: exit 2
            rc = exc.code
        err = capsys.readouterr().err
        assert rc != EXIT_INTERNAL and "internal error" not in err, (value, err)
        assert rc in (0, 1, 2), (value, rc, err)


@pytest.mark.parametrize(("flag", "value"), [
    ("--max-bytes", "100000000000"), ("--max-bytes", str(2**64)),
    ("--max-activation-gib", "1e308"), ("--max-params", "1e308"),
])
def test_huge_caps_mean_no_cap_and_allocate_nothing(
        flag: str, value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "net.yaml"
    spec.write_text(_SPEC, encoding="utf-8")
    assert archc.cli.main(["summary", str(spec), flag, value]) == 0
    assert "Total params:         40" in capsys.readouterr().out  # 3*3*1*4 + 4


def test_a_huge_byte_cap_on_an_endless_device_stops_at_the_first_chunk() -> None:
    run = run_child(["check", "/dev/zero", "--max-bytes", "100000000000"])
    assert run.rc == 1 and "error[Y000]" in run.stderr and "U+0000" in run.stderr
    run = run_child(["check", "/dev/urandom", "--max-bytes", str(2**70)])
    assert run.rc == 1 and "error[Y011]" in run.stderr


@pytest.mark.parametrize("value", ["nan", "inf", "1e308", "0", "-5"])
def test_timeouts_that_are_not_a_sane_number_of_seconds_are_usage_errors(
        value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "net.yaml"
    spec.write_text(_SPEC, encoding="utf-8")
    rc = archc.cli.main(["diagram", str(spec), "-o", str(tmp_path / "n.svg"),
                         f"--timeout={value}"])
    assert rc == 2
    assert "--timeout must be a number of seconds between 0 and 86,400" in \
        capsys.readouterr().err
    assert not (tmp_path / "n.svg").exists()


@pytest.mark.parametrize("item", ["x=\udcff", "\udcfe=1", "x=caf\udce9"])
def test_set_with_bytes_that_are_not_utf8_is_a_usage_error(
        item: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # A non-UTF-8 byte in argv reaches Python as a lone surrogate (surrogateescape).
    spec = tmp_path / "net.yaml"
    spec.write_text(_SPEC.replace("layers:", "variables: {x: 1}\nlayers:"), encoding="utf-8")
    assert archc.cli.main(["summary", str(spec), "--set", item]) == 2
    err = capsys.readouterr().err
    assert "is not valid UTF-8 text" in err
    err.encode("utf-8")  # and the message itself is printable


def test_an_empty_variant_name_is_refused(tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "net.yaml"
    spec.write_text(_SPEC.replace("layers:", "variables: {x: 1}\nvariants: {a: {x: 2}}\n"
                                  "default_variant: a\nlayers:"), encoding="utf-8")
    assert archc.cli.main(["summary", str(spec), "--variant", ""]) == 2
    assert "--variant needs a name" in capsys.readouterr().err
    assert archc.cli.main(["compare", str(spec), "--variants", "", "a"]) == 2


@pytest.mark.parametrize("command", ["check", "summary", "build", "diagram", "lint"])
def test_an_empty_outputs_list_is_a_located_diagnostic_everywhere(
        command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "net.yaml"
    spec.write_text(_SPEC.replace("layers:", "outputs: []\nlayers:"), encoding="utf-8")
    extra = {"build": ["-o", str(tmp_path / "out")],
             "diagram": ["--format", "gv", "-o", str(tmp_path / "d.gv")]}.get(command, [])
    assert archc.cli.main([command, str(spec), *extra]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"{spec}:4:10: error[S004]: invalid value for `outputs`")


def test_a_spec_can_be_piped_to_standard_input(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(_SPEC.encode())))
    assert archc.cli.main(["summary", "-"]) == 0
    assert capsys.readouterr().out.startswith("t\n")
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(_BROKEN.encode())))
    assert archc.cli.main(["check", "-"]) == 1
    err = capsys.readouterr().err
    # Located in `<stdin>`, with the source line although standard input cannot be re-read.
    assert err.startswith("<stdin>:5:23: error[S004]")
    assert "5 |   - conv2d: {filters: 0, kernel_size: 3}" in err


@pytest.mark.parametrize("path", ["-", "/dev/stdin"])
def test_a_piped_spec_works_as_dash_and_as_dev_stdin(path: str, tmp_path: Path) -> None:
    import subprocess

    proc = subprocess.run([sys.executable, "-m", "archc", "summary", path], input=_SPEC,
                          capture_output=True, text=True, check=False, cwd=tmp_path,
                          env={**__import__("os").environ,
                               "PYTHONPATH": str(Path(archc.cli.__file__).parents[1])})
    assert proc.returncode == 0, proc.stderr
    assert "Total params:         40" in proc.stdout
