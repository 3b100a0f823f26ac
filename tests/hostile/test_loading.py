"""Bounded loading: bombs, deep nesting, caps, and the YAML corners that silently change data.

The expensive or dangerous cases run in a child process (see `hostile_helpers.run_child`), so
a segfault in libyaml shows up as a negative return code, and time and peak memory are the
child's own. The time limit checked is the CPU time of `main()` in the child (start-up and
imports excluded, and unaffected by a busy machine); peak memory includes everything the
child loaded.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import archc.cli
from archc.diagnostics import SpecError
from archc.spec import loader
from archc.spec.loader import load_text

from .hostile_helpers import run_child

_HEADER = "archc: 1\nname: t\ninput: [8, 8, 1]\n"


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    """The classic alias bomb: `levels` lists each holding `width` aliases of the previous."""
    lines = ["a0: &a0 [" + ", ".join(["lol"] * width) + "]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def _assert_clean_refusal(run_rc: int | None, returncode: int, stderr: str, raw: str,
                          code: str) -> None:
    assert returncode == 0, f"the child died (return code {returncode}): {raw[-2000:]}"
    assert run_rc == 1
    assert f"error[{code}]" in stderr
    assert "Traceback" not in stderr + raw and "RecursionError" not in stderr + raw
    assert "internal error" not in stderr


def test_billion_laughs_is_refused_small(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(billion_laughs(), encoding="utf-8")
    # Expanded, this would be 9**9 = 387,420,489 strings.
    assert len(bomb.read_bytes()) < 1000
    run = run_child(["check", str(bomb)])
    _assert_clean_refusal(run.rc, run.returncode, run.stderr, run.raw_stderr, "Y004")
    assert f"{bomb}:2:10: error[Y004]: aliases (`*a0`) are not allowed in specs" in run.stderr
    assert run.peak_mb < 100
    assert not run.tensorflow


def test_a_million_aliases_stop_at_the_diagnostic_cap(tmp_path: Path) -> None:
    # One alias repeated a million times: each is an error, but printing a million errors
    # took minutes and a gigabyte before the sink stopped at 100 (then C010).
    spec = tmp_path / "many.yaml"
    spec.write_text("a: &a 1\nb: [" + ",".join(["*a"] * 1_000_000) + "]\n", encoding="utf-8")
    run = run_child(["check", str(spec)])
    _assert_clean_refusal(run.rc, run.returncode, run.stderr, run.raw_stderr, "C010")
    assert run.stderr.count("error[Y004]") == 100
    assert "error[C010]: too many problems; stopped after the first 100" in run.stderr
    assert run.peak_mb < 150


_DEEP = {
    "flow-seq-1e5": lambda: "[" * 100_000 + "]" * 100_000,
    "flow-seq-1e6-unclosed": lambda: "[" * 1_000_000,
    "flow-map-1e5": lambda: "{a: " * 100_000 + "1" + "}" * 100_000,
    "block-map-2000": lambda: "".join("  " * i + "a:\n" for i in range(2000)) + "  " * 2000
    + "b: 1\n",
    "block-seq-1e4": lambda: "- " * 10_000 + "1\n",
    "mixed-1e5": lambda: "a: " + "[{b: " * 50_000,
}


@pytest.mark.parametrize("name", list(_DEEP))
def test_deep_nesting_fails_cleanly(name: str, tmp_path: Path) -> None:
    spec = tmp_path / "deep.yaml"
    spec.write_text(_DEEP[name](), encoding="utf-8")
    run = run_child(["check", str(spec)])
    assert run.returncode == 0, f"the child died ({run.returncode}): {run.raw_stderr[-2000:]}"
    assert run.rc == 1
    assert "error[Y008]" in run.stderr or "error[Y000]" in run.stderr, run.stderr[:500]
    assert "Traceback" not in run.raw_stderr and "RecursionError" not in run.stderr
    assert run.peak_mb < 150


def test_the_nesting_cap_names_its_figure() -> None:
    text = "a: " + "[" * 100 + "]" * 100
    with pytest.raises(SpecError) as info:
        load_text(text, "s.yaml")
    (d,) = info.value.diagnostics
    assert (d.code, d.span.line if d.span else 0) == ("Y008", 1)
    assert d.message == f"the spec nests deeper than the cap of {loader.MAX_DEPTH} levels"
    # The first refused level is one past the cap: "a: " is 3 columns, then MAX_DEPTH - 1
    # brackets fit (the root mapping is level 1).
    assert d.span is not None and d.span.col == 3 + loader.MAX_DEPTH


def test_the_size_cap_and_its_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "big.yaml"
    filler = "# " + "x" * 98 + "\n"
    spec.write_text(_HEADER + "layers:\n  - flatten\n" + filler * 50_000, encoding="utf-8")
    assert spec.stat().st_size > loader.MAX_BYTES
    assert archc.cli.main(["check", str(spec)]) == 1
    err = capsys.readouterr().err
    assert (f"{spec}:1:1: error[Y009]: the file is larger than the size cap of "
            f"{loader.MAX_BYTES:,} bytes") in err
    assert archc.cli.main(["check", "--max-bytes", str(10 * 1024 * 1024), str(spec)]) == 0


def test_the_node_cap(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "wide.yaml"
    spec.write_text("x: [" + ",".join(["0"] * (loader.MAX_NODES + 10)) + "]\n",
                    encoding="utf-8")
    assert archc.cli.main(["check", str(spec)]) == 1
    err = capsys.readouterr().err
    # Node 1 is the root mapping, node 2 the key `x`, node 3 the list: the first refused
    # node is list item MAX_NODES - 2, at column 5 + 2 * (MAX_NODES - 3).
    col = 5 + 2 * (loader.MAX_NODES - 3)
    assert (f"{spec}:1:{col}: error[Y010]: the spec has more than {loader.MAX_NODES:,} YAML "
            "nodes") in err


_AMBIGUOUS = {
    "on": "Y001", "off": "Y001", "yes": "Y001", "no": "Y001", "Yes": "Y001", "NO": "Y001",
    "tRUE": "Y001", "010": "Y002", "0x1F": "Y002", "0o17": "Y002", "0b101": "Y002",
    "1_000": "Y002", "1:30": "Y002", "190:20:30": "Y002", "-0x1F": "Y002", "1_0.5": "Y002",
}


@pytest.mark.parametrize("word", list(_AMBIGUOUS))
def test_yaml_1_1_coercions_are_errors(word: str) -> None:
    with pytest.raises(SpecError) as info:
        load_text(f"name: net\nvalue: {word}\n", "s.yaml")
    (d,) = info.value.diagnostics
    assert (d.code, d.span) == (_AMBIGUOUS[word], d.span)
    assert d.span is not None and (d.span.line, d.span.col) == (2, 8)
    assert f"`{word}`" in d.message


@pytest.mark.parametrize("word", ["'on'", '"010"', "'1:30'"])
def test_quoted_ambiguous_words_are_text(word: str) -> None:
    assert load_text(f"value: {word}\n").data == {"value": word[1:-1]}


def test_duplicate_keys_at_any_depth() -> None:
    with pytest.raises(SpecError) as info:
        load_text("a: 1\nb: {c: 1, d: 2, c: 3}\na: 2\n", "s.yaml")
    found = [(d.code, d.span.line if d.span else 0, d.message) for d in info.value.diagnostics]
    assert found == [
        ("Y005", 2, "duplicate key `c` (first defined at line 2)"),
        ("Y005", 3, "duplicate key `a` (first defined at line 1)"),
    ]


def test_numbers_beyond_int64_are_located_errors(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    # 5,000 digits made int() raise ValueError (Python's digit limit) and 400 digits made the
    # cost pass raise OverflowError: both were internal errors before Y020.
    for digits in (19, 400, 5000):
        spec = tmp_path / f"n{digits}.yaml"
        spec.write_text(_HEADER + f"layers:\n  - dense: {{units: {'9' * digits}}}\n",
                        encoding="utf-8")
        assert archc.cli.main(["check", str(spec)]) == 1
        err = capsys.readouterr().err
        shown = "9" * min(digits, 20) + ("..." if digits > 20 else "")
        assert (f"{spec}:5:20: error[Y020]: the number `{shown}` is too large (the limit is "
                "2**63 - 1)") in err, err
        assert "internal error" not in err
    with pytest.raises(SpecError) as info:
        load_text(f"n: {2**63}\n", "s.yaml")
    (d,) = info.value.diagnostics
    assert (d.code, d.message) == ("Y020", f"the number `{2**63}` is too large (the limit is "
                                   "2**63 - 1)")
    # The largest int64 itself still loads.
    assert load_text(f"n: {2**63 - 1}\n").data == {"n": 2**63 - 1}


def test_bytes_that_are_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    cases = {
        "latin1.yaml": (_HEADER + "description: caf\xe9\n").encode("latin-1"),
        "utf16.yaml": (_HEADER + "layers: [flatten]\n").encode("utf-16"),
        "random.yaml": bytes(range(128, 256)),
    }
    for name, data in cases.items():
        spec = tmp_path / name
        spec.write_bytes(data)
        assert archc.cli.main(["check", str(spec)]) == 1
        err = capsys.readouterr().err
        assert f"{spec}:1:1: error[Y011]: the file is not UTF-8 text" in err, (name, err)


def test_nul_and_control_characters_are_located(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    # libyaml reports a byte offset; the loader turns it into line and column (before the
    # fix every such file was reported at 1:1 with libyaml's two-line message).
    spec = tmp_path / "nul.yaml"
    spec.write_bytes(_HEADER.encode() + "description: \"é\x00\"\n".encode())
    assert archc.cli.main(["check", str(spec)]) == 1
    err = capsys.readouterr().err
    assert (f"{spec}:4:16: error[Y000]: invalid YAML: the character U+0000 is not allowed "
            "(control characters are not allowed)") in err
    spec.write_bytes(b"a: 1\r\nb: \x07\r\n")
    assert archc.cli.main(["check", str(spec)]) == 1
    assert f"{spec}:2:4: error[Y000]: invalid YAML: the character U+0007" in \
        capsys.readouterr().err


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    spec = tmp_path / "bom.yaml"
    spec.write_bytes(b"\xef\xbb\xbf" + (_HEADER + "layers: [flatten]\n").encode())
    assert archc.cli.main(["check", "-q", str(spec)]) == 0


# (text, line of the diagnostic): after `---` the empty document's null is on line 2.
_EMPTY = [("", 1), ("\n\n", 1), ("# only a comment\n", 1), ("---\n", 2), ("   \n", 1),
          ("~\n", 1)]


@pytest.mark.parametrize(("text", "line"), _EMPTY)
def test_empty_documents_are_a_located_error(text: str, line: int, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "empty.yaml"
    spec.write_text(text, encoding="utf-8")
    assert archc.cli.main(["check", str(spec)]) == 1
    assert f"{spec}:{line}:1: error[S001]: the spec is empty" in capsys.readouterr().err


def test_multiple_documents(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = tmp_path / "two.yaml"
    spec.write_text(_HEADER + "layers: [flatten]\n---\nname: other\n", encoding="utf-8")
    assert archc.cli.main(["check", str(spec)]) == 1
    assert f"{spec}:5:1: error[Y007]: a spec holds exactly one YAML document" in \
        capsys.readouterr().err


def test_a_directory_or_a_missing_file_is_exit_2(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert archc.cli.main(["check", str(tmp_path)]) == 2
    assert f"archc: cannot read {tmp_path}: Is a directory" in capsys.readouterr().err
    missing = tmp_path / "missing.yaml"
    assert archc.cli.main(["check", str(missing)]) == 2
    assert f"archc: cannot read {missing}: No such file or directory" in capsys.readouterr().err
    assert archc.cli.main(["summary", str(missing)]) == 2
    assert "No such file or directory" in capsys.readouterr().err


def test_an_endless_device_is_not_read_forever(capsys: pytest.CaptureFixture[str]) -> None:
    # /dev/zero never ends: the read stops at the first NUL (no spec holds one), and a
    # stream without one is bounded by the size cap.
    assert archc.cli.main(["check", "/dev/zero"]) == 1
    assert "/dev/zero:1:1: error[Y000]: invalid YAML: the character U+0000" in \
        capsys.readouterr().err
    assert archc.cli.main(["check", "/dev/urandom"]) == 1
    assert "/dev/urandom:1:1: error[Y011]" in capsys.readouterr().err
