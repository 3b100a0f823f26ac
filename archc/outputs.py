"""Writing output files: one policy for every file archc writes (see docs/reliability.md).

1. Only regular files are written. A target that exists as a directory, a device (`/dev/null`
   run as root), a FIFO, a socket or a symlink is refused, never replaced.
2. Never over an input of the same run: a target that is the spec (same path or same inode)
   is refused.
3. Every target is checked before any expensive work (`check_target`): the kind of an
   existing file, its write permission, and that its directory exists or can be created
   and is writable. The CLI calls it before TensorFlow is imported or `dot` runs.
4. Writes are atomic (`atomic_output`): the content goes to a temporary file beside the
   target and is renamed over it only when complete, so a failed or killed run (or an
   empty render, which the caller refuses before the rename) leaves the old file intact.
5. A directory output (`export --format savedmodel`) follows the same rules as a whole
   (`check_directory_target`, `atomic_directory`): it is written under a temporary name,
   renamed into place when complete, and replaces only a directory that is a SavedModel
   (never a file, a symlink, any other directory, or one that holds an input of the run).
6. Only archc's own temporaries are swept: a temporary's name embeds the writer's process id,
   a nonce and a check value over both and the host name, so the sweep can verify that a
   `.archc-tmp-...` file is archc's, from this machine, owned by this user, older than a
   minute, and that its writer is gone. Anything else is left alone.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import secrets
import shutil
import socket
import stat
import time
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

TMP_PREFIX = ".archc-tmp-"
STALE_AFTER_SECONDS = 60.0

_TMP_NAME = re.compile(
    r"\.archc-tmp-([1-9][0-9]{0,9})-([0-9a-f]{12})-([0-9a-f]{8})(\.[A-Za-z0-9]{1,16})?")


class OutputPathError(Exception):
    """A target archc refuses to write (the CLI maps it to a usage error, exit code 2)."""


def safe_output_path(directory: str | os.PathLike[str], name: str) -> Path:
    """`directory/name`, refusing names that would write outside `directory`."""
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\x00" in name:
        raise OutputPathError(f"refusing the output name {name!r}: it must be a plain file name")
    base = Path(directory).resolve()
    target = base / name
    if target.is_symlink():
        raise OutputPathError(f"refusing to write through the symlink {target}")
    if target.resolve().parent != base:
        raise OutputPathError(f"refusing to write {target}: it is outside {base}")
    return target


def _lstat_target(target: Path) -> os.stat_result | None:
    """The target's own status (a symlink is not followed), None when it does not exist yet."""
    try:
        return os.lstat(target)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputPathError(f"cannot write {target}: {exc.strerror or exc}") from None


def check_target(target: str | os.PathLike[str],
                 inputs: Iterable[str | os.PathLike[str]] = ()) -> None:
    """Refuse, before any work, a target this run must not write (OutputPathError).

    `inputs` are the files the run reads (the spec); `-` (standard input) is skipped.
    """
    target = Path(target)
    info = _lstat_target(target)
    if info is not None:
        if not stat.S_ISREG(info.st_mode):
            raise OutputPathError(f"refusing to write {target}: it is {_kind(info.st_mode)}, "
                                  "and archc writes only regular files")
        for source in inputs:
            if _same_file(info, source):
                raise OutputPathError(f"refusing to write {target}: it is the input spec "
                                      f"{os.fspath(source)} of this run; choose another output "
                                      "name with -o")
        if _read_only(info) or not os.access(target, os.W_OK):
            raise OutputPathError(f"refusing to replace {target}: the file is read-only")
    _check_directory(target.parent)


def check_output_directory(directory: str | os.PathLike[str]) -> None:
    """Refuse a directory archc cannot write into (or create) before any work."""
    path = Path(directory)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        _check_directory(path)
        return
    except OSError as exc:
        raise OutputPathError(f"cannot write into {path}: {exc.strerror or exc}") from None
    if not stat.S_ISDIR(info.st_mode):
        raise OutputPathError(f"refusing to write into {path}: it is {_kind(info.st_mode)}, "
                              "not a directory")
    _check_directory(path / "x")


SAVED_MODEL_ENTRIES = frozenset({"saved_model.pb", "variables", "assets", "fingerprint.pb",
                                 "keras_metadata.pb", "saved_model.pbtxt"})
"""What a TensorFlow SavedModel directory holds; a directory with anything else is not one."""


def check_directory_target(target: str | os.PathLike[str],
                           inputs: Iterable[str | os.PathLike[str]] = ()) -> None:
    """Refuse, before any work, a directory target this run must not write or replace.

    Missing: its parent must be writable. Existing: it must be a real directory (not a
    symlink), a SavedModel (`saved_model.pb` and only SavedModel entries), hold none of
    `inputs`, and sit in a directory archc may rename entries in.
    """
    target = Path(target)
    info = _lstat_target(target)
    if info is not None:
        if not stat.S_ISDIR(info.st_mode):
            raise OutputPathError(f"refusing to write {target}: it is {_kind(info.st_mode)}, "
                                  "and a SavedModel is a directory")
        try:
            entries = set(os.listdir(target))
        except OSError as exc:
            raise OutputPathError(f"cannot read {target}: {exc.strerror or exc}") from None
        if "saved_model.pb" not in entries or not entries <= SAVED_MODEL_ENTRIES:
            raise OutputPathError(f"refusing to replace {target}: it is a directory that is "
                                  "not a SavedModel; choose a new name with -o")
        for source in inputs:
            if _inside(source, target):
                raise OutputPathError(f"refusing to replace {target}: it holds the input spec "
                                      f"{os.fspath(source)} of this run")
    _check_directory(target.parent)


def _inside(source: str | os.PathLike[str], directory: Path) -> bool:
    if os.fspath(source) == "-":
        return False
    try:
        return Path(source).resolve().is_relative_to(directory.resolve())
    except OSError:
        return False


def _check_directory(directory: Path) -> None:
    """The nearest existing ancestor of `directory` must be a directory archc may write in."""
    current = directory
    while True:
        try:
            info = os.stat(current)
            break
        except FileNotFoundError:
            if current.parent == current:
                raise OutputPathError(f"cannot create {directory}") from None
            current = current.parent
        except OSError as exc:
            raise OutputPathError(f"cannot write into {current}: {exc.strerror or exc}") from None
    if not stat.S_ISDIR(info.st_mode):
        raise OutputPathError(f"cannot write into {directory}: {current} is "
                              f"{_kind(info.st_mode)}, not a directory")
    if not os.access(current, os.W_OK | os.X_OK):
        raise OutputPathError(f"cannot write into {current}: permission denied")


def _read_only(info: os.stat_result) -> bool:
    """Read-only by its mode bits: no write bit at all. `os.access` alone says yes to root
    for a 0444 file, which was then silently replaced."""
    return info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) == 0


def _keep_mode_and_owner(tmp: Path, info: os.stat_result | None) -> None:
    """Give the finished temporary the replaced file's mode and, where permitted, its owner
    and group (a `-rw------- nobody` target must not come back `-rw-r--r-- root`); a new
    file gets the mode a plain open() would give it."""
    if info is None:
        os.chmod(tmp, 0o666 & ~_umask())
        return
    mine = os.stat(tmp)
    if (mine.st_uid, mine.st_gid) != (info.st_uid, info.st_gid):
        # Owner first: chown may clear set-id bits, which the chmod below then restores.
        with contextlib.suppress(OSError):  # not permitted (not root): keep our own
            os.chown(tmp, info.st_uid, info.st_gid)
    os.chmod(tmp, stat.S_IMODE(info.st_mode))


def _same_file(info: os.stat_result, source: str | os.PathLike[str]) -> bool:
    if os.fspath(source) == "-":
        return False
    try:
        other = os.stat(source)
    except OSError:
        return False
    return (other.st_dev, other.st_ino) == (info.st_dev, info.st_ino)


def _kind(mode: int) -> str:
    kinds = ((stat.S_ISREG, "a regular file"), (stat.S_ISDIR, "a directory"),
             (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
             (stat.S_ISFIFO, "a named pipe"), (stat.S_ISSOCK, "a socket"),
             (stat.S_ISLNK, "a symlink"))
    return next((name for test, name in kinds if test(mode)), "not a regular file")


# -- temporaries ---------------------------------------------------------------------------------


def _check_value(pid: str, nonce: str) -> str:
    text = f"archc-tmp:{pid}:{nonce}:{socket.gethostname()}"
    return hashlib.blake2s(text.encode("utf-8", "surrogateescape"), digest_size=4).hexdigest()


def temporary_name(suffix: str = "", pid: int | None = None) -> str:
    """A fresh temporary file name that `is_own_temporary` recognises."""
    pid_text = str(os.getpid() if pid is None else pid)
    nonce = secrets.token_hex(6)
    return f"{TMP_PREFIX}{pid_text}-{nonce}-{_check_value(pid_text, nonce)}{suffix}"


def is_own_temporary(name: str) -> int | None:
    """The writer's process id if `name` is a temporary archc wrote on this host, else None."""
    match = _TMP_NAME.fullmatch(name)
    if match is None or match.group(3) != _check_value(match.group(1), match.group(2)):
        return None
    return int(match.group(1))


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: a process of another user has that id
        return True
    return True


def clean_stale_temporaries(directory: str | os.PathLike[str]) -> int:
    """Remove temporaries of killed archc runs; return how many.

    Only files that `is_own_temporary` verifies, that are regular files of this user, older
    than a minute, and whose writing process no longer exists. Directories are never
    swept: a killed directory export leaves its `.archc-tmp-*` directory for the user.
    """
    removed = 0
    now = time.time()
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return 0
    for entry in entries:
        pid = is_own_temporary(entry.name)
        if pid is None:
            continue
        with contextlib.suppress(OSError):
            info = entry.stat(follow_symlinks=False)
            if (stat.S_ISREG(info.st_mode) and info.st_uid == os.getuid()
                    and now - info.st_mtime > STALE_AFTER_SECONDS and not _alive(pid)):
                os.unlink(entry.path)
                removed += 1
    return removed


def _create_temporary(directory: Path, suffix: str) -> Path:
    for _ in range(100):
        path = directory / temporary_name(suffix)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0),
                         0o600)
        except FileExistsError:
            continue
        os.close(fd)
        return path
    raise FileExistsError(errno.EEXIST, "no free temporary file name", str(directory))


@contextlib.contextmanager
def atomic_output(target: str | os.PathLike[str], suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path next to `target`; rename it over `target` on success.

    `suffix` keeps the extension on the temporary name for writers that insist on one
    (Keras refuses to save a model to a path that does not end in `.keras`). The target is
    checked again just before the rename: something that is not a regular file is never
    replaced, even if it appeared after `check_target`.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_temporaries(target.parent)
    tmp = _create_temporary(target.parent, suffix or target.suffix)
    try:
        yield tmp
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        try:
            info: os.stat_result | None = os.lstat(target)
        except FileNotFoundError:
            info = None
        if info is not None and not stat.S_ISREG(info.st_mode):
            raise OutputPathError(f"refusing to write {target}: it is {_kind(info.st_mode)}, "
                                  "and archc writes only regular files")
        if info is not None and _read_only(info):  # became read-only since the check
            raise OutputPathError(f"refusing to replace {target}: the file is read-only")
        _keep_mode_and_owner(tmp, info)
        os.replace(tmp, target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_text_atomic(target: str | os.PathLike[str], text: str) -> None:
    with atomic_output(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes_atomic(target: str | os.PathLike[str], data: bytes) -> None:
    with atomic_output(target) as tmp:
        tmp.write_bytes(data)


@contextlib.contextmanager
def atomic_directory(target: str | os.PathLike[str],
                     inputs: Sequence[str | os.PathLike[str]] = ()) -> Iterator[Path]:
    """Yield a fresh temporary directory path beside `target`; move it into place on success.

    The path does not exist yet (writers such as Keras's `export` create it). Before the
    move the target is checked again (`check_directory_target`): an existing SavedModel is
    first renamed to a temporary name, the new one renamed into place, then the old one
    removed. A failure before the move leaves the old directory as it was; a kill between
    the two renames leaves the old one under its temporary name (`.archc-tmp-*`), which
    is never swept: nothing is lost, and the user renames it back.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_temporaries(target.parent)
    tmp = target.parent / temporary_name()
    old: Path | None = None
    try:
        yield tmp
        if not tmp.is_dir():
            raise OutputPathError(f"the export wrote no directory for {target}")
        check_directory_target(target, inputs)
        if os.path.lexists(target):
            old = target.parent / temporary_name()
            os.replace(target, old)
        try:
            os.replace(tmp, target)
        except BaseException:
            if old is not None and not os.path.lexists(target):
                os.replace(old, target)  # put the previous SavedModel back
                old = None
            raise
    finally:
        for leftover in (tmp, old):
            if leftover is not None and leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover, ignore_errors=True)
