"""`archc lint`'s text report gives one finding per spec position (archc/lint/report.py).

GoogLeNet's body line `conv5x5` is expanded in nine Inception modules and L001 fires in
each (tests/lint/test_lint_zoo.py pins the nine); the text shows it once, with the count
and the uses, while `--format json` keeps all nine.
"""

from __future__ import annotations

import json

import pytest
from spec_helpers import SPECS

from archc.cli import EXIT_OK, main

MODULES = ["3a", "3b", "4a", "4b", "4c", "4d", "4e", "5a", "5b"]


def _lint(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    assert main(["lint", str(SPECS / "googlenet.yaml"), *args]) == EXIT_OK
    return capsys.readouterr().out


def test_one_spec_line_is_reported_once(capsys: pytest.CaptureFixture[str]) -> None:
    text = _lint(capsys)
    headers = [line for line in text.splitlines() if ": warning[" in line]
    l001 = [h for h in headers if "warning[L001]" in h]
    assert len(l001) == 1 and l001[0].split(": warning")[0].endswith("googlenet.yaml:37:17")
    # The first module's figures: 16 -> 32 channels, 25 * 16 * 32 + 32 = 12,832 params.
    assert "`inception_3a/branches/branch3/conv5x5` (16 -> 32 channels)" in l001[0]
    assert "12,832 params" in l001[0]
    uses = ", ".join(f"`inception_{m}`" for m in MODULES)
    assert (f"  = note: 9 findings from this line, one per expansion (the figures above are "
            f"the first's; `--format json` lists each): in {uses}") in text.splitlines()
    assert "expanded from the use of" not in text
    # Two L003 (norm1, norm2) and two L002 (pool3, pool4) are on lines of their own.
    assert len(headers) == 5 and text.rstrip().endswith("5 warnings")


def test_json_keeps_every_finding(capsys: pytest.CaptureFixture[str]) -> None:
    data = json.loads(_lint(capsys, "--format", "json"))
    (spec,) = data["specs"]
    l001 = [d for d in spec["diagnostics"] if d["code"] == "L001"]
    assert [d["line"] for d in l001] == [37] * 9
    assert [d["message"].split("`")[1].split("/")[0] for d in l001] == \
        [f"inception_{m}" for m in MODULES]
