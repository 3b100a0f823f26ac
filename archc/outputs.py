"""Writing output files safely: atomically, inside the chosen directory, never half-done.

Every file archc writes (a `.keras` model, a `.gv`, an `.svg`) goes through `atomic_output`:
the content is written to a temporary file in the same directory and renamed over the
target only when complete, so an interrupted or failed run leaves any earlier file intact
and byte-identical. Temporary files carry a recognisable prefix; stale ones (from a killed
run) are removed by the next run.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

TMP_PREFIX = ".archc-tmp-"
STALE_AFTER_SECONDS = 60.0


class OutputPathError(Exception):
    """An output name that would escape the output directory (`..`, absolute, symlink)."""


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


def clean_stale_temporaries(directory: str | os.PathLike[str]) -> int:
    """Remove temporary files left by killed runs (older than a minute); return how many."""
    removed = 0
    now = time.time()
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return 0
    for entry in entries:
        if entry.name.startswith(TMP_PREFIX) and entry.is_file(follow_symlinks=False):
            with contextlib.suppress(OSError):
                if now - entry.stat(follow_symlinks=False).st_mtime > STALE_AFTER_SECONDS:
                    os.unlink(entry.path)
                    removed += 1
    return removed


@contextlib.contextmanager
def atomic_output(target: str | os.PathLike[str], suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path next to `target`; rename it over `target` on success.

    `suffix` keeps the extension on the temporary name for writers that insist on one
    (Keras refuses to save a model to a path that does not end in `.keras`).
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    clean_stale_temporaries(target.parent)
    fd, tmp_name = tempfile.mkstemp(prefix=TMP_PREFIX, suffix=suffix or target.suffix,
                                    dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        # mkstemp creates the file 0600; give the result the mode a plain open() would.
        os.chmod(tmp, 0o666 & ~_umask())
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
