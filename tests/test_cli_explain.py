"""`archc explain CODE`, in process: the registry's entry, any case; unknown -> exit 2."""

from __future__ import annotations

import re

import pytest
from spec_helpers import ROOT

from archc.cli import EXIT_OK, EXIT_USAGE, main
from archc.diagnostic_codes import lookup, registry


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_explain_prints_title_severity_area_explanation_and_example(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "explain", "S002")
    assert (code, err) == (EXIT_OK, "")
    lines = out.splitlines()
    assert lines[0] == "S002: unknown field"
    assert lines[1] == "severity: error; area: validation"
    prose = " ".join(out.split())  # wrapped for the terminal
    assert "The help suggests the closest known name, or lists the allowed ones." in prose
    assert "Fix: Correct the spelling" in prose and "**" not in out
    # The example: the spec and the rendered diagnostic, indented as a block.
    assert "\n    spec.yaml:5:26: error[S002]: unknown field `kernal_size` in `conv2d`\n" in out
    assert "\n      - conv2d: {filters: 8, kernal_size: 3}\n" in out


def test_explain_keeps_a_power_operator(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = _run(capsys, "explain", "E003")
    assert "(-8) ** 0.5" in " ".join(out.split())


def test_explain_is_case_insensitive(capsys: pytest.CaptureFixture[str]) -> None:
    upper = _run(capsys, "explain", "L009")
    lower = _run(capsys, "explain", "l009")
    assert upper == lower
    assert upper[1].startswith("L009: receptive field misses the input, or outgrows it early\n")
    assert "severity: warning; area: lint" in upper[1]


@pytest.mark.parametrize("code", sorted(registry()))
def test_every_registered_code_can_be_explained(capsys: pytest.CaptureFixture[str],
                                                code: str) -> None:
    status, out, _ = _run(capsys, "explain", code)
    entry = lookup(code)
    assert status == EXIT_OK and entry is not None
    assert out.startswith(f"{code}: {entry.title}\n")
    first_example_line = entry.example.strip().splitlines()[0]
    assert f"    {first_example_line}" in out


def test_unknown_code_exits_2_with_a_suggestion(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "explain", "c10")
    assert (code, out) == (EXIT_USAGE, "")
    assert err.startswith("archc: error: unknown diagnostic code `c10`; did you mean `C010`")


def test_nonsense_exits_2_without_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "explain", "\x1b[31mzzzz")
    assert (code, out) == (EXIT_USAGE, "")
    assert "unknown diagnostic code" in err and "\x1b" not in err
    assert err.count("\n") == 1


def test_the_session_in_the_catalogue_is_current(capsys: pytest.CaptureFixture[str]) -> None:
    text = (ROOT / "docs" / "diagnostics.md").read_text(encoding="utf-8")
    session = re.search(r"```console\n\$ archc (explain \S+)\n(.*?)```", text, re.DOTALL)
    assert session is not None, "docs/diagnostics.md shows an `archc explain` session"
    status, out, _ = _run(capsys, *session[1].split())
    assert status == EXIT_OK
    assert out == session[2]
