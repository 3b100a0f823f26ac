"""The output policy (archc/outputs.py, docs/reliability.md), through the command line.

Only regular files are written; an input of the run is never overwritten; every target is
checked before any expensive work; an empty or failed render never replaces a good file.
Each refusal is a usage error (exit 2) whose message names the target and what it is.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

import archc.cli
from archc.outputs import TMP_PREFIX

from .hostile_helpers import run_child

_SPEC = "archc: 1\nname: t\ninput: [8, 8, 1]\nlayers:\n  - conv2d: {filters: 4, kernel_size: 3}\n"


def _spec(tmp_path: Path, name: str = "net.yaml") -> Path:
    spec = tmp_path / name
    spec.write_text(_SPEC, encoding="utf-8")
    return spec


def _main(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    rc = archc.cli.main(args)
    return rc, capsys.readouterr().err


def _no_temporaries(directory: Path) -> bool:
    return not [p for p in directory.iterdir() if p.name.startswith(TMP_PREFIX)]


def test_a_character_device_given_to_o_stays_a_character_device(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    device = tmp_path / "null"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 3))  # what /dev/null is
    except (PermissionError, OSError) as exc:
        pytest.skip(f"mknod is not permitted here: {exc}")
    spec = _spec(tmp_path)
    for args in (["diagram", "--format", "gv"], ["diagram", "--format", "svg"], ["report"]):
        rc, err = _main([args[0], str(spec), *args[1:], "-o", str(device)], capsys)
        assert rc == 2
        assert "a character device" in err and "only regular files" in err
        assert stat.S_ISCHR(os.lstat(device).st_mode)
    assert _no_temporaries(tmp_path)


def test_a_fifo_given_to_o_is_refused_without_blocking(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "pipe.gv"
    os.mkfifo(fifo)
    rc, err = _main(["diagram", str(_spec(tmp_path)), "-o", str(fifo)], capsys)
    assert rc == 2 and "a named pipe" in err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_directory_given_to_o_is_named_as_such(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "drawings.svg"
    folder.mkdir()
    rc, err = _main(["diagram", str(_spec(tmp_path)), "-o", str(folder)], capsys)
    assert rc == 2
    assert f"refusing to write {folder}: it is a directory" in err
    assert TMP_PREFIX not in err  # not a complaint about a temporary name
    assert folder.is_dir() and list(folder.iterdir()) == []


@pytest.mark.parametrize("how", ["same-name", "output-suffix", "hard-link", "via-dot-dot",
                                 "report"])
def test_the_input_spec_is_never_overwritten(
        how: str, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    if how == "output-suffix":  # a spec whose name ends in the output suffix
        spec = _spec(tmp_path, "net.gv")
        args = ["diagram", "net.gv", "--format", "gv"]
    elif how == "hard-link":
        spec = _spec(tmp_path)
        os.link(spec, tmp_path / "alias.gv")
        args = ["diagram", "net.yaml", "-o", "alias.gv"]
    elif how == "report":  # the HTML report: `archc report net.html` names its page net.html
        spec = _spec(tmp_path, "net.html")
        args = ["report", "net.html"]
    elif how == "via-dot-dot":
        spec = _spec(tmp_path)
        args = ["diagram", "net.yaml", "--format", "gv", "-o", "sub/../net.yaml"]
    else:
        spec = _spec(tmp_path)
        args = ["diagram", "net.yaml", "-o", "net.yaml", "--format", "gv"]
    rc, err = _main(args, capsys)
    assert rc == 2 and "it is the input spec" in err
    assert spec.read_text(encoding="utf-8") == _SPEC


def test_build_never_writes_over_its_input(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    spec = out / "net.keras"  # a spec that happens to be named like the model it yields
    spec.write_text(_SPEC, encoding="utf-8")
    rc, err = _main(["build", str(spec), "-o", str(out)], capsys)
    assert rc == 2 and "it is the input spec" in err
    assert spec.read_text(encoding="utf-8") == _SPEC


def test_build_into_a_file_is_refused_before_tensorflow_loads(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    not_a_dir = tmp_path / "model.keras"
    not_a_dir.write_bytes(b"an earlier model")
    run = run_child(["build", str(spec), "-o", str(not_a_dir)])
    assert run.rc == 2, run.stderr
    assert "not a directory" in run.stderr and "File exists" not in run.stderr
    assert not run.tensorflow  # refused before the import, not after a 5 s build
    assert not_a_dir.read_bytes() == b"an earlier model"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_a_read_only_directory_is_refused_before_any_work(tmp_path: Path) -> None:
    spec = _spec(tmp_path)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        for args in (["build", str(spec), "-o", str(locked)],
                     ["diagram", str(spec), "-o", str(locked / "net.svg")]):
            run = run_child(args)
            assert run.rc == 2 and "permission denied" in run.stderr
            assert not run.tensorflow
        assert list(locked.iterdir()) == []
    finally:
        locked.chmod(0o755)


def test_a_read_only_target_is_not_replaced(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "net.gv"
    target.write_text("keep", encoding="utf-8")
    target.chmod(0o444)
    rc, err = _main(["diagram", str(_spec(tmp_path)), "-o", str(target)], capsys)
    assert rc == 2 and "read-only" in err
    assert target.read_text(encoding="utf-8") == "keep"
    # Judged by the mode bits: root too (os.access says yes to root; issue 18 replaced it).
    assert stat.S_IMODE(target.stat().st_mode) == 0o444


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664])
def test_a_replaced_file_keeps_its_mode(
        mode: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "net.gv"
    target.write_text("old", encoding="utf-8")
    target.chmod(mode)
    rc, _ = _main(["diagram", str(_spec(tmp_path)), "-o", str(target), "--format", "gv"],
                  capsys)
    assert rc == 0
    assert target.read_text(encoding="utf-8").startswith("digraph")
    assert stat.S_IMODE(target.stat().st_mode) == mode


def test_a_new_file_gets_the_mode_open_would_give(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "net.gv"
    mask = os.umask(0o027)
    try:
        rc, _ = _main(["diagram", str(_spec(tmp_path)), "-o", str(target), "--format", "gv"],
                      capsys)
    finally:
        os.umask(mask)
    assert rc == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~0o027


@pytest.mark.skipif(os.geteuid() != 0, reason="only root may give a file to another user")
def test_a_replaced_file_keeps_its_owner_where_permitted(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Issue 18: a `-rw------- nobody` target came back `-rw-r--r-- root`.
    target = tmp_path / "net.gv"
    target.write_text("old", encoding="utf-8")
    os.chown(target, 65534, 65534)
    target.chmod(0o600)
    rc, _ = _main(["diagram", str(_spec(tmp_path)), "-o", str(target), "--format", "gv"],
                  capsys)
    assert rc == 0
    info = target.stat()
    assert (info.st_uid, info.st_gid, stat.S_IMODE(info.st_mode)) == (65534, 65534, 0o600)
    assert target.read_text(encoding="utf-8").startswith("digraph")


def _fake_dot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "dot"
    fake.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")


def test_an_empty_render_never_replaces_a_good_drawing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _fake_dot(tmp_path, monkeypatch, "cat > /dev/null\nexit 0\n")  # succeeds, writes nothing
    out = tmp_path / "out"
    out.mkdir()
    good = b"<svg>yesterday's drawing</svg>\n"
    (out / "net.svg").write_bytes(good)
    rc, err = _main(["diagram", str(_spec(tmp_path)), "-o", str(out / "net.svg")], capsys)
    assert rc != 0 and "[D004]" in err and "wrote no output" in err
    assert (out / "net.svg").read_bytes() == good
    assert _no_temporaries(out)


def test_the_dot_fallback_never_overwrites_the_input(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    _fake_dot(tmp_path, monkeypatch, "exit 1\n")
    spec = _spec(tmp_path, "net.gv")  # the fallback for net.svg would be net.gv
    rc, err = _main(["diagram", str(spec), "-o", str(tmp_path / "net.svg")], capsys)
    assert rc != 0 and "did not save the DOT text" in err and "it is the input spec" in err
    assert spec.read_text(encoding="utf-8") == _SPEC
    assert not (tmp_path / "net.svg").exists()


def test_an_unwritable_directory_is_refused_before_the_build(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # Runs as root too: the permission answer is simulated, the order of the checks is real.
    import archc.backends.keras as keras_backend
    import archc.outputs as outputs

    locked = tmp_path / "locked"
    locked.mkdir()
    real_access = os.access
    monkeypatch.setattr(outputs.os, "access", lambda path, mode: False if Path(path) == locked
                        else real_access(path, mode))

    def no_build(*args: object) -> None:
        raise AssertionError("the model was built before the target was checked")

    monkeypatch.setattr(keras_backend, "build_model", no_build)
    rc, err = _main(["build", str(_spec(tmp_path)), "-o", str(locked)], capsys)
    assert rc == 2 and f"cannot write into {locked}: permission denied" in err
    rc, err = _main(["diagram", str(_spec(tmp_path)), "-o", str(locked / "net.gv")], capsys)
    assert rc == 2 and "permission denied" in err
    assert list(locked.iterdir()) == []
