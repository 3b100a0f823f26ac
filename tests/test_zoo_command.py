"""`archc zoo` and `archc zoo copy`: the packaged zoo is `specs/`, listed and copied out.

(tests/test_packaging.py runs the same commands from an installed wheel.)
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from spec_helpers import SPECS

from archc import zoo
from archc.cli import EXIT_OK, EXIT_USAGE, main

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]) -> Run:
    def go(*argv: str) -> tuple[int, str, str]:
        code = main(list(argv))
        out, err = capsys.readouterr()
        return code, out, err

    return go


def test_the_packaged_zoo_is_the_specs_directory() -> None:
    assert zoo.names() == sorted(p.stem for p in SPECS.glob("*.yaml"))
    for name in zoo.names():
        assert zoo.read_bytes(name) == (SPECS / f"{name}.yaml").read_bytes()


def test_zoo_lists_name_variants_and_source(run: Run) -> None:
    code, out, err = run("zoo")
    assert (code, err) == (EXIT_OK, "")
    rows = out.splitlines()
    assert rows[0].split() == ["NAME", "VARIANTS", "(*", "default)", "SOURCE"]
    assert [r.split()[0] for r in rows[1:]] == zoo.names()
    resnet = next(r for r in rows if r.startswith("resnet "))
    # specs/resnet.yaml: five variants in file order, resnet50 the default.
    assert "resnet18, resnet34, resnet50*, resnet101, resnet152" in resnet
    assert resnet.rstrip().endswith("He et al. 2015, Table 1; keras.applications.resnet; "
                                    "docs/numbers.md")
    lenet = next(r for r in rows if r.startswith("lenet5 "))
    assert lenet.split()[1] == "-"  # no variants


def test_zoo_copy_writes_the_exact_file(run: Run, tmp_path: Path) -> None:
    code, out, err = run("zoo", "copy", "lenet5", "-o", str(tmp_path / "specs"))
    target = tmp_path / "specs" / "lenet5.yaml"
    assert (code, out) == (EXIT_OK, "")
    assert err.startswith(f"archc: wrote {target}\n")
    assert target.read_bytes() == (SPECS / "lenet5.yaml").read_bytes()
    # Again, unchanged: fine. A different file is not replaced without --force.
    assert run("zoo", "copy", "lenet5.yaml", "-q", "-o", str(target.parent))[0] == EXIT_OK
    target.write_text("my edits\n")
    code, _, err = run("zoo", "copy", "lenet5", "-o", str(target.parent))
    assert code == EXIT_USAGE and "exists and differs from the zoo's; --force" in err
    assert target.read_text() == "my edits\n"
    assert run("zoo", "copy", "lenet5", "--force", "-q", "-o", str(target.parent))[0] == 0
    assert target.read_bytes() == (SPECS / "lenet5.yaml").read_bytes()


def test_zoo_copy_says_how_to_write_the_schema_its_comment_names(
        run: Run, tmp_path: Path) -> None:
    # The zoo's specs start `# yaml-language-server: $schema=../docs/archc.schema.json`:
    # next to a copy in DIR/specs that is DIR/docs/archc.schema.json, which a user of the
    # wheel does not have. The note names the command; following it silences the note.
    first = (SPECS / "lenet5.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=../docs/archc.schema.json"
    schema = tmp_path / "docs" / "archc.schema.json"
    code, _, err = run("zoo", "copy", "lenet5", "-o", str(tmp_path / "specs"))
    assert code == EXIT_OK
    assert err.splitlines()[1] == (
        f"archc: note: its `$schema` comment points at {schema}, which does not exist; for "
        f"completion in editors write it with: mkdir -p {schema.parent} && "
        f"archc schema > {schema}")
    schema.parent.mkdir()
    assert run("schema")[0] == EXIT_OK  # what `archc schema > PATH` writes:
    schema.write_text(run("schema")[1])
    code, _, err = run("zoo", "copy", "resnet", "-o", str(tmp_path / "specs"))
    assert (code, err) == (EXIT_OK, f"archc: wrote {tmp_path / 'specs' / 'resnet.yaml'}\n")
    # -q: nothing at all, note included.
    schema.unlink()
    assert run("zoo", "copy", "vgg16", "-q", "-o", str(tmp_path / "specs"))[1:] == ("", "")


def test_zoo_copy_of_an_unknown_name_suggests_one(run: Run, tmp_path: Path) -> None:
    code, out, err = run("zoo", "copy", "resnt", "-o", str(tmp_path))
    assert (code, out) == (EXIT_USAGE, "")
    assert err.startswith("archc: error: the zoo has no spec `resnt` (it has: alexnet, ")
    assert err.rstrip().endswith("did you mean `resnet`?")
    code, _, _ = run("zoo", "copy", "../specs/lenet5", "-o", str(tmp_path))
    assert code == EXIT_USAGE
    assert list(tmp_path.iterdir()) == []
