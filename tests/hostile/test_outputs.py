"""Outputs: atomic, contained, never half-written, and stale temporaries cleaned up.

The kill test is the real one: a child process rewrites one file through `atomic_output` in
a loop, alternating two large contents, and is killed with SIGKILL at random moments; after
every kill the file must hold one of the complete contents, never a mix or a truncation.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import archc.cli
from archc.outputs import (
    STALE_AFTER_SECONDS,
    TMP_PREFIX,
    OutputPathError,
    atomic_output,
    clean_stale_temporaries,
    is_own_temporary,
    safe_output_path,
    temporary_name,
    write_bytes_atomic,
    write_text_atomic,
)

from .hostile_helpers import ROOT


class _Boom(Exception):
    pass


def test_an_exception_inside_the_with_leaves_the_old_file_byte_identical(
        tmp_path: Path) -> None:
    target = tmp_path / "model.gv"
    old = b"digraph old {}\n" + bytes(range(256))
    target.write_bytes(old)
    with pytest.raises(_Boom), atomic_output(target) as tmp:
        tmp.write_bytes(b"digraph new { half")
        raise _Boom
    assert target.read_bytes() == old
    assert [p.name for p in tmp_path.iterdir()] == ["model.gv"]  # no temporary left


def test_success_replaces_the_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out" / "model.svg"
    write_text_atomic(target, "<svg/>")
    assert target.read_text(encoding="utf-8") == "<svg/>"
    write_bytes_atomic(target, b"<svg>2</svg>")
    assert target.read_bytes() == b"<svg>2</svg>"
    assert sorted(p.name for p in target.parent.iterdir()) == ["model.svg"]


def test_the_temporary_keeps_the_suffix(tmp_path: Path) -> None:
    with atomic_output(tmp_path / "m.keras") as tmp:
        assert tmp.name.startswith(TMP_PREFIX) and tmp.name.endswith(".keras")
        assert tmp.parent == tmp_path
        tmp.write_bytes(b"x")


def _dead_pid() -> int:
    """The id of a process that has exited (a child we started and reaped)."""
    proc = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(proc.stdout)


def _age(*paths: Path) -> None:
    old = time.time() - STALE_AFTER_SECONDS - 5
    for p in paths:
        os.utime(p, (old, old), follow_symlinks=False)


def test_stale_temporaries_are_removed_by_the_next_run(tmp_path: Path) -> None:
    dead = _dead_pid()
    stale = tmp_path / temporary_name(".gv", pid=dead)
    fresh = tmp_path / temporary_name(".gv", pid=dead)
    other = tmp_path / "keep.gv"
    for p in (stale, fresh, other):
        p.write_bytes(b"partial")
    _age(stale, other)
    # A run that writes anything into the directory cleans up first.
    write_text_atomic(tmp_path / "new.gv", "digraph {}")
    assert not stale.exists()
    assert fresh.exists()  # younger than a minute: maybe another run's, left alone
    assert other.read_bytes() == b"partial"  # not ours: never touched
    _age(fresh)
    assert clean_stale_temporaries(tmp_path) == 1
    assert not fresh.exists()


def test_the_sweep_removes_only_files_archc_verifiably_wrote(tmp_path: Path) -> None:
    dead = _dead_pid()
    ours = temporary_name(".gv", pid=dead)
    assert is_own_temporary(ours) == dead
    prefix, pid, nonce, check = ours.removesuffix(".gv").rsplit("-", 3)
    forged_check = f"{prefix}-{pid}-{nonce}-{'0' * 8 if check != '0' * 8 else '1' * 8}.gv"
    other_pid = f"{prefix}-{int(pid) + 1}-{nonce}-{check}.gv"  # the check covers the pid
    keep = [f"{TMP_PREFIX}killed.gv", f"{TMP_PREFIX}x", forged_check, other_pid,
            f"{TMP_PREFIX}{dead}-abc.gv", temporary_name(".gv")]  # the last: this process's
    for name in keep:
        assert is_own_temporary(name) in (None, os.getpid())
        (tmp_path / name).write_bytes(b"someone's data")
    (tmp_path / ours).write_bytes(b"partial")
    _age(*(tmp_path / n for n in [*keep, ours]))
    assert clean_stale_temporaries(tmp_path) == 1
    assert not (tmp_path / ours).exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(keep)


def test_a_stale_temporary_that_is_a_directory_or_symlink_is_left_alone(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("precious", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    dead = _dead_pid()
    link = out / temporary_name(pid=dead)
    link.symlink_to(outside)
    folder = out / temporary_name(pid=dead)
    folder.mkdir()
    _age(link, folder)
    assert clean_stale_temporaries(out) == 0
    assert outside.read_text(encoding="utf-8") == "precious"
    assert folder.is_dir()


@pytest.mark.parametrize("name", ["../escape.gv", "..", ".", "", "/etc/passwd", "a/b.gv",
                                  "..\\win.gv", "nul\x00.gv", "sub/../../x.gv"])
def test_names_that_leave_the_directory_are_refused(name: str, tmp_path: Path) -> None:
    with pytest.raises(OutputPathError):
        safe_output_path(tmp_path, name)
    assert list(tmp_path.iterdir()) == []


def test_a_symlink_pointing_out_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "victim.txt"
    outside.write_text("precious", encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    (out / "model.gv").symlink_to(outside)
    with pytest.raises(OutputPathError, match="symlink"):
        safe_output_path(out, "model.gv")
    assert outside.read_text(encoding="utf-8") == "precious"


def test_a_plain_name_is_accepted(tmp_path: Path) -> None:
    assert safe_output_path(tmp_path, "lenet5.gv") == tmp_path.resolve() / "lenet5.gv"
    # A name that merely contains dots is a file name, not a path.
    assert safe_output_path(tmp_path, "..lenet5..gv").name == "..lenet5..gv"


_WRITER = r"""
import sys
from archc.outputs import atomic_output
target, size = sys.argv[1], int(sys.argv[2])
contents = [bytes([65 + i]) * size for i in range(2)]
print("ready", flush=True)
i = 0
while True:
    with atomic_output(target) as tmp:
        with open(tmp, "wb") as handle:
            for start in range(0, size, 65536):
                handle.write(contents[i % 2][start:start + 65536])
    i += 1
"""


def test_the_target_survives_repeated_sigkill(tmp_path: Path) -> None:
    kills = int(os.environ.get("ARCHC_KILL_ROUNDS", "20"))
    size = 4 * 1024 * 1024
    target = tmp_path / "model.keras"
    initial = b"initial model\n"
    target.write_bytes(initial)
    allowed = {initial, b"A" * size, b"B" * size}
    rng = random.Random(6)
    seen: set[bytes] = set()
    for _ in range(kills):
        proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(target), str(size)],
                                stdout=subprocess.PIPE, cwd=ROOT)
        assert proc.stdout is not None
        assert proc.stdout.readline() == b"ready\n"
        time.sleep(rng.uniform(0.0, 0.15))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        data = target.read_bytes()
        assert data in allowed, f"torn file: {len(data)} bytes"
        seen.add(data[:1])
    # The kills landed at different moments: both new contents were seen complete.
    assert {b"A", b"B"} & seen
    # Killed runs leave temporaries; none of them is the target, and aged, they go.
    leftovers = [p for p in tmp_path.iterdir() if p.name.startswith(TMP_PREFIX)]
    old = time.time() - STALE_AFTER_SECONDS - 5
    for p in leftovers:
        os.utime(p, (old, old))
    assert clean_stale_temporaries(tmp_path) == len(leftovers)
    assert [p.name for p in tmp_path.iterdir()] == ["model.keras"]


_SPEC = "archc: 1\nname: t\ninput: [8, 8, 1]\nlayers:\n  - conv2d: {filters: 4, kernel_size: 3}\n"


def test_a_failing_dot_leaves_the_previous_drawing_byte_identical(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    # A fake `dot` that writes half a file to its -o target and then fails.
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "dot"
    fake.write_text('#!/bin/sh\nwhile [ "$1" != "-o" ]; do shift; done\n'
                    'printf "<svg half" > "$2"\nexit 1\n', encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
    spec = tmp_path / "net.yaml"
    spec.write_text(_SPEC, encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    previous = b"<svg>the drawing from yesterday</svg>\n"
    (out / "net.svg").write_bytes(previous)
    rc = archc.cli.main(["diagram", str(spec), "-o", str(out / "net.svg")])
    err = capsys.readouterr().err
    assert rc != 0 and "Traceback" not in err
    assert (out / "net.svg").read_bytes() == previous
    assert not [p for p in out.iterdir() if p.name.startswith(TMP_PREFIX)]


def test_a_build_of_a_broken_spec_leaves_the_previous_model_byte_identical(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The spec fails in the TF-free stages, so this runs without TensorFlow.
    spec = tmp_path / "net.yaml"
    spec.write_text(_SPEC.replace("filters: 4", "filters: 0"), encoding="utf-8")
    out = tmp_path / "out"
    out.mkdir()
    previous = b"PK\x03\x04 an earlier model"
    (out / "net.keras").write_bytes(previous)
    assert archc.cli.main(["build", str(spec), "-o", str(out)]) == 1
    assert "error[S004]" in capsys.readouterr().err
    assert sorted(p.name for p in out.iterdir()) == ["net.keras"]
    assert (out / "net.keras").read_bytes() == previous
