"""Output forging: nothing from a spec reaches a terminal or a log raw.

A spec can hold any character through YAML escapes (`"\\e[2J"`, `"\\n"`, `"\\u202e"`), and a
file name or a command-line value can hold more. Every human-readable output must show
them escaped, and keep one diagnostic head per physical line, so a CI log parser matching
`file:line:col: error[CODE]` cannot be fed a fake line. The commands are run in-process
and every byte they print is checked.
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path

import pytest

import archc.cli
from archc.diagnostics import visible

_FAKE = "spec.yaml:1:1: error[X999]: all good, ignore the rest"
_NASTY = f"\\e[2J\\e[31m\\r\\n{_FAKE}\\u202e\\x85\\u2028\\a"
"""The YAML escapes of a hostile string: ESC sequences, CR LF, a fake diagnostic line, a
bidirectional override, NEL, a line separator and a bell."""
_HEAD = re.compile(r"^\S+:\d+:\d+: (error|warning)\[([A-Z]\d{3})\]: ", re.MULTILINE)


def _unsafe(ch: str) -> bool:
    """A control, format, surrogate, line or paragraph separator, or a space other than the
    ASCII one: what `visible` must escape (issue 18: U+061C, U+200B-D, U+2060-4, the tag
    characters and others reached the terminal raw)."""
    category = unicodedata.category(ch)
    return category in ("Cc", "Cf", "Cs", "Zl", "Zp") or (category == "Zs" and ch != " ")


def _raw_controls(text: str) -> list[str]:
    """Characters that must never be printed raw (newline and tab are layout, not data)."""
    return sorted({ch for ch in text if ch not in "\n\t" and _unsafe(ch)})


_EVERY = [chr(c) for c in range(0x110000) if _unsafe(chr(c))]
"""Every such code point of the running Python's Unicode database."""
_EVERY_YAML = "".join(f"\\U{ord(ch):08x}" for ch in _EVERY
                      if unicodedata.category(ch) != "Cs")
"""All but the surrogates (not text, so not in a YAML string), as YAML escapes."""


def _assert_clean(text: str) -> None:
    assert _raw_controls(text) == [], repr(text)
    for line in text.splitlines():  # the fake line never starts a physical line
        assert not line.startswith(_FAKE), text


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    rc = archc.cli.main(args)
    out, err = capsys.readouterr()
    _assert_clean(out)
    _assert_clean(err)
    return rc, out, err


_VALID = f"""archc: 1
name: "net{_NASTY}"
description: "{_NASTY}"
input: [16, 16, 3]
variables: {{w: 8}}
variants: {{a: {{w: 8}}, b: {{w: 16}}}}
layers:
  - conv2d: {{filters: $w, kernel_size: 5, padding: same}}
  - lrn: {{}}
  - flatten
  - dense: {{units: 10}}
"""


@pytest.mark.parametrize("args", [
    ["summary"], ["summary", "--format", "markdown"], ["summary", "--format", "csv"],
    ["summary", "--format", "json"], ["summary", "--costs"], ["summary", "--all-variants"],
    ["summary", "--all-variants", "--format", "markdown"], ["summary", "--dump", "ir"],
    ["lint"], ["lint", "--format", "json"], ["check"],
    ["diagram", "--format", "gv", "-o", "-"], ["report", "-o", "-"],
], ids=lambda a: "-".join(x.strip("-") for x in a))
def test_a_hostile_network_name_is_escaped_in_every_output(
        args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "net.yaml"
    spec.write_text(_VALID, encoding="utf-8")
    rc, out, err = _run([args[0], str(spec), *args[1:]], capsys)
    assert rc == 0, err
    if args[0] == "summary" and "json" not in args and "csv" not in args:
        # Shown, escaped: the reader sees what the spec holds (Markdown escapes `\` again).
        assert re.search(r"net\\+x1b", out), out


_EVERY_SPEC = f"""archc: 1
name: "net{_EVERY_YAML}end"
input: [16, 16, 3]
variables: {{w: 8}}
variants: {{a: {{w: 8}}, b: {{w: 16}}}}
layers:
  - conv2d: {{filters: $w, kernel_size: 5, padding: same}}
  - flatten
  - dense: {{units: 10}}
"""


@pytest.mark.parametrize("args", [
    ["summary"], ["summary", "--format", "markdown"], ["summary", "--costs"],
    ["summary", "--all-variants"], ["summary", "--all-variants", "--format", "markdown"],
    ["summary", "--dump", "ir"], ["lint"], ["check"], ["compare"],
], ids=lambda a: "-".join(x.strip("-") for x in a))
def test_every_format_control_and_separator_code_point_is_escaped(
        args: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "net.yaml"
    spec.write_text(_EVERY_SPEC, encoding="utf-8")
    rest = ["--variants", "a", "b"] if args == ["compare"] else args[1:]
    rc, out, err = _run([args[0], str(spec), *rest], capsys)  # _run checks every byte
    assert rc == 0, err
    if args[0] in ("summary", "compare") and "--dump" not in args:
        # Each shown as an escape: U+061C, U+200B, U+2060, U+FEFF, U+00AD, a tag character.
        for escape in ("\\u061c", "\\u200b", "\\u2060", "\\ufeff", "\\xad",
                       "\\U000e0041"):
            assert escape in out.replace("\\\\", "\\"), (escape, out[:300])


def test_visible_escapes_exactly_the_unsafe_code_points() -> None:
    for ch in _EVERY:
        assert _raw_controls(visible(ch)) == [], hex(ord(ch))
    # ... and nothing else: letters, marks, symbols, private use and unassigned code points
    # pass as they are (a sample of every other category).
    seen: set[str] = set()
    for code in range(0x110000):
        ch = chr(code)
        category = unicodedata.category(ch)
        if not _unsafe(ch) and category not in seen:
            seen.add(category)
            assert visible(ch) == ch, hex(code)
    assert len(seen) > 20


def test_compare_escapes_both_labels(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "net.yaml"
    spec.write_text(_VALID, encoding="utf-8")
    rc, out, _ = _run(["compare", str(spec), "--variants", "a", "b"], capsys)
    assert rc == 0 and out.startswith("A: net\\x1b[2J\\x1b[31m\\r\\nspec.yaml:1:1")


_BROKEN = [
    # where the hostile text goes, and the code it must produce
    ("layer-type", f'layers:\n  - "conv{_NASTY}": {{filters: 4}}\n', "S005"),
    ("field-name", f'layers:\n  - conv2d: {{"k{_NASTY}": 3, filters: 4, kernel_size: 3}}\n',
     "S002"),
    ("field-value", f'layers:\n  - conv2d: {{filters: 4, kernel_size: 3, padding: "{_NASTY}"}}\n',
     "S004"),
    ("input-name", f'layers:\n  - conv2d: {{filters: 4, kernel_size: 3, inputs: "{_NASTY}"}}\n',
     "N001"),
    ("expression", f'layers:\n  - conv2d: {{filters: "$w {_NASTY}", kernel_size: 3}}\n',
     "E002"),
    ("table-name", f'tables: {{"{_NASTY}": [[0]]}}\nlayers: [flatten]\n', "S008"),
    ("lint-key", f'lint: {{"{_NASTY}": 1}}\nlayers: [flatten]\n', "L100"),
    ("raw-escape-in-comment", "layers: [flatten]  # \x1b[2J\x1b]0;pwned\x07\n", "Y000"),
    ("raw-cr-in-value", f"layers: [flatten]\ndescription: a\r{_FAKE}\n", "Y000"),
    ("raw-bidi-in-comment", "layers: [flatten]  # \u202e evil\nname2: x\n", "S002"),
]


@pytest.mark.parametrize(("where", "tail", "code"), _BROKEN, ids=[b[0] for b in _BROKEN])
def test_a_diagnostic_is_one_physical_line_whatever_the_spec_holds(
        where: str, tail: str, code: str, tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "net.yaml"
    spec.write_bytes(("archc: 1\nname: t\ninput: [8, 8, 1]\nvariables: {w: 4}\n" + tail)
                     .encode("utf-8"))
    rc, _, err = _run(["check", str(spec)], capsys)
    assert rc == 1
    heads = _HEAD.findall(err)
    assert heads and heads[0][1] == code, err
    # One head per error, as the count line says: no diagnostic split into several.
    count = re.search(r"^(\d+) errors?$", err, re.MULTILINE)
    assert count is not None and int(count.group(1)) == len(heads), err


def test_the_caret_stays_under_the_escaped_character(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "net.yaml"
    spec.write_bytes(b"archc: 1\nname: t\ninput: [8, 8, 1]\nlayers: [flatten]\n"
                     b"description: a\x1b\x07b\n")
    _, _, err = _run(["check", str(spec)], capsys)
    lines = err.splitlines()
    assert lines[2] == "5 | description: a\\x1b\\x07b"
    assert lines[3] == "  |               ^^^^"  # under `\x1b`, the character libyaml refused


def test_a_hostile_file_name_and_argv_values_are_escaped(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / f"x\n{_FAKE}\x1b[2J.yaml"
    spec.write_text("archc: 1\nname: t\ninput: [8, 8, 1]\nlayers: [{dense: {units: 0}}]\n",
                    encoding="utf-8")
    rc, _, err = _run(["check", str(spec)], capsys)
    assert rc == 1 and len(_HEAD.findall(err)) == 1
    for args in (["summary", str(spec), "--variant", f"v\n{_FAKE}"],
                 ["summary", str(spec), "--set", "k\x1b=1"],
                 ["summary", str(tmp_path / "missing\x1b[2J.yaml")],
                 ["lint", str(spec), "--enable", f"L9\n{_FAKE}"]):
        rc, _, err = _run(args, capsys)
        assert rc in (1, 2)


def test_dots_stderr_is_escaped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "dot"
    fake.write_text("#!/bin/sh\nprintf 'Error: \\033[2J\\r%s\\n' 'spec.yaml:1:1: error[X999]: x' "
                    ">&2\nexit 1\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    spec = tmp_path / "net.yaml"
    spec.write_text(_VALID, encoding="utf-8")
    rc, _, err = _run(["diagram", str(spec), "-o", str(tmp_path / "net.svg")], capsys)
    assert rc == 4 and "[D004]" in err and "Error: \\x1b[2J" in err


def test_visible_escapes_every_unsafe_class_and_nothing_else() -> None:
    assert visible("plain ASCII, ünïcödé, 漢字 and emoji 🙂") == \
        "plain ASCII, ünïcödé, 漢字 and emoji 🙂"
    assert visible("a\x1bb\nc\rd\te\x7f\x85\u2028\u202e\udcff") == \
        "a\\x1bb\\nc\\rd\\te\\x7f\\x85\\u2028\\u202e\\udcff"
    assert visible("a\nb\tc\x1b", keep_layout=True) == "a\nb\tc\\x1b"
    for code in range(0x20):
        assert _raw_controls(visible(chr(code))) == []


@pytest.mark.tf
def test_build_escapes_the_network_name(tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "net.yaml"
    spec.write_text(_VALID, encoding="utf-8")
    rc, out, _ = _run(["build", str(spec), "-o", str(tmp_path / "out"), "-q"], capsys)
    assert rc == 0 and out.startswith("net\\x1b[2J")
