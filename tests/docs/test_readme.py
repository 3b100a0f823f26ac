"""The README is true: its opening commands exist, its pasted output is what archc prints
today, its Python session runs, and every relative link in the documentation resolves.
"""

from __future__ import annotations

import doctest
import re
import shlex
from pathlib import Path

import pytest

from archc.cli import main

from .markdown_blocks import ROOT, fenced_blocks, markdown_files

README = ROOT / "README.md"


def test_readme_opens_with_make_demo_and_make_test() -> None:
    first = fenced_blocks(README)[0]
    assert first.text == "make demo\nmake test\n"
    assert first.line <= 5
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^demo:", makefile, re.MULTILINE)
    assert re.search(r"^test:", makefile, re.MULTILINE)


def _sessions() -> list[tuple[str, str, str]]:
    """(where, command, shown output) for every `$ archc ...` in README console blocks."""
    found = []
    for block in fenced_blocks(README):
        if block.info != "console":
            continue
        command: str | None = None
        output: list[str] = []
        for line in block.text.splitlines():
            if line.startswith("$ "):
                if command is not None:
                    found.append((block.where, command, "\n".join(output)))
                command, output = line[2:], []
            else:
                output.append(line)
        if command is not None:
            found.append((block.where, command, "\n".join(output)))
    return found


SESSIONS = _sessions()


def test_readme_has_sessions() -> None:
    assert len(SESSIONS) >= 4


@pytest.mark.parametrize(("where", "command", "shown"), SESSIONS,
                         ids=[c for _, c, _ in SESSIONS])
def test_readme_output_is_real(where: str, command: str, shown: str,
                               monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(ROOT)
    argv, _, pipe = command.partition(" | ")
    args = shlex.split(argv)
    assert args[0] == "archc"
    main(args[1:])
    out, err = capsys.readouterr()
    printed = (out + err).rstrip("\n").splitlines()
    if pipe:
        head = shlex.split(pipe)
        assert head[:2] == ["head", "-n"], f"{where}: only `| head -n N` is supported"
        printed = printed[: int(head[2])]
    assert "\n".join(printed) == shown, f"{where}: `{command}` prints something else now"


def test_readme_python_session_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    blocks = [b for b in fenced_blocks(README) if b.info == "pycon"]
    assert blocks
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=doctest.NORMALIZE_WHITESPACE)
    for block in blocks:
        test = parser.get_doctest(block.text, {}, block.where, str(README), block.line)
        assert test.examples
        result = runner.run(test)
        assert result.failed == 0, f"{block.where}: the Python session fails"


_LINK = re.compile(r"\]\(([^)\s]+)\)")


def _anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to dashes."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {_anchor(line.lstrip("#")) for line in lines if re.match(r"^#{1,6} ", line)}


def _links() -> list[tuple[Path, str]]:
    found = []
    for path in markdown_files():
        if path.exists():
            for target in _LINK.findall(path.read_text(encoding="utf-8")):
                if not re.match(r"^[a-z]+:", target):  # skip http:, mailto:, ...
                    found.append((path, target))
    return found


@pytest.mark.parametrize(("source", "target"), _links(),
                         ids=[f"{p.name}->{t}" for p, t in _links()])
def test_relative_links_resolve(source: Path, target: str) -> None:
    file_part, _, anchor = target.partition("#")
    path = (source.parent / file_part).resolve() if file_part else source
    assert path.exists(), f"{source.name}: the link target {file_part} does not exist"
    if anchor and path.suffix == ".md":
        assert anchor in _anchors(path), f"{source.name}: no heading for #{anchor} in {path.name}"


def _paragraphs(text: str) -> list[str]:
    return [p for p in re.split(r"\n\s*\n", text) if p.strip()]


def test_pypi_install_lines_are_marked_once_published() -> None:
    # archc-cnn is not on PyPI: a bare `pip install archc-cnn` fails for a reader, so every
    # paragraph that offers it says it is for later. Messages archc prints (pasted lines
    # starting `archc:`) quote their install line as they are.
    for path in (README, *markdown_files()):
        for paragraph in _paragraphs(path.read_text(encoding="utf-8")):
            offered = "\n".join(line for line in paragraph.splitlines()
                                if not line.lstrip().startswith("archc:"))
            if re.search(r"pip install '?archc-cnn", offered):
                assert "once published" in paragraph.lower(), (path.name, paragraph)


def test_readme_installs_from_a_checkout_and_a_wheel() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    name = re.search(r'^name = "([^"]+)"', pyproject, re.MULTILINE)
    version = re.search(r'^version = "([^"]+)"', pyproject, re.MULTILINE)
    assert name and version
    # The file `pip wheel` writes for a pure-Python project (tests/test_packaging.py builds
    # it the same way and installs it into a fresh venv).
    wheel = f"{name[1].replace('-', '_')}-{version[1]}-py3-none-any.whl"
    text = README.read_text(encoding="utf-8")
    commands = [line.split("#")[0].strip() for block in fenced_blocks(README)
                if block.info == "sh" for line in block.text.splitlines()]
    assert "pip install ." in commands
    assert "python -m pip wheel --no-deps -w dist ." in commands
    assert f"pip install 'dist/{wheel}[keras]'" in commands
    assert f"dist/{wheel}" in text
