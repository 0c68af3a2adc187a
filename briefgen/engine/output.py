"""Writing outputs so that nothing is ever lost or half-written.

Each file is written to a temporary file beside its target, flushed to disk and
renamed into place, so a reader sees the old file or the new one, never a part.
A lock per brief serialises two builds of the same brief, and the newer content wins:
each build carries the newest modification time of its inputs, and a build whose
inputs are older than those of the output already in place writes nothing. Temporary
files that a killed build left behind are removed the next time the brief is written.

Nothing here follows a link: output/ and output/.briefgen/ may not be links (a pull
request can add one, as git stores them), the lock file is opened with O_NOFOLLOW and
never truncated, bookkeeping is read only from regular files, and outputs replace
whatever is at their name (a planted link is replaced, its target untouched).
"""

from __future__ import annotations

import fcntl
import os
import stat
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from briefgen.content.files import UnsafeFile, read_regular_file
from briefgen.engine.names import BOOKKEEPING_FOLDER, bookkeeping_path, output_path
from briefgen.errors import BriefgenError

_LOCK_FLAGS = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class UnsafeOutput(BriefgenError):
    """The output folder, or a file in it, is a link or a special file; nothing was written."""


def check_output_folder(output_dir: Path) -> None:
    """Refuse an output folder (or its bookkeeping folder) that is a symbolic link."""
    for folder in (output_dir, output_dir / BOOKKEEPING_FOLDER):
        if folder.is_symlink():
            raise UnsafeOutput(f"{folder} is a symbolic link; outputs are written only into a real "
                               "folder (remove the link)")



def write_atomic(path: Path, data: bytes, *, durable: bool = True, mode: int = 0o644) -> None:
    """Replace `path` with `data` in one step. `durable` flushes it to disk first; the
    bookkeeping beside the outputs skips that, as losing it only costs a rebuild."""
    # The folder, and for bookkeeping (output/.briefgen/) the output folder above it too.
    folders = (path.parent, path.parent.parent) if path.parent.name == BOOKKEEPING_FOLDER else (path.parent,)
    for folder in folders:
        if folder.is_symlink():
            raise UnsafeOutput(f"{folder} is a symbolic link; outputs are written only into a "
                               "real folder (remove the link)")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        Path(temporary).chmod(mode)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextmanager
def brief_lock(output_dir: Path, brief_id: str, suffix: str = ".lock") -> Iterator[None]:
    """Hold an exclusive lock for one brief's outputs while they are replaced (`suffix`
    names another lock of the same brief, e.g. `.mail.lock` while it is sent)."""
    check_output_folder(output_dir)
    lock_path = bookkeeping_path(output_dir, brief_id, suffix)
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(lock_path, _LOCK_FLAGS, 0o644)   # never truncated, never through a link
    except OSError as exc:
        raise UnsafeOutput(f"{lock_path}: cannot open the lock file ({exc.strerror}); if it is a "
                           "link, remove it") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise UnsafeOutput(f"{lock_path} is not a regular file; remove it")
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def write_outputs(output_dir: Path, brief_id: str, files: Mapping[str, bytes], *,
                  version: int = 0) -> list[Path]:
    """Write every output of one brief (e.g. {'.html': ..., '.pdf': ...}) under its lock.

    `version` orders builds of the same brief (the newest modification time of its inputs,
    in ns). Returns the files written: none when a build of newer content got there first.
    """
    marker = bookkeeping_path(output_dir, brief_id, ".version")
    written = []
    with brief_lock(output_dir, brief_id):
        _remove_leftovers(output_dir, brief_id, files)
        if version and _read_version(marker) > version:
            return []
        for suffix, data in files.items():
            target = output_path(output_dir, brief_id, suffix)
            write_atomic(target, data)
            written.append(target)
        if version:
            write_atomic(marker, str(version).encode(), durable=False)
    return written


def _read_version(marker: Path) -> int:
    try:
        return int(read_regular_file(marker, 64).decode().strip() or 0)
    except (UnsafeFile, ValueError):
        return 0


def _remove_leftovers(output_dir: Path, brief_id: str, files: Mapping[str, bytes]) -> None:
    """Temporary files of this brief's outputs left by a build that was killed mid-write
    (safe under the lock: no other build of this brief is writing now)."""
    for suffix in files:
        for leftover in output_dir.glob(f".{brief_id}{suffix}.*.part"):
            leftover.unlink(missing_ok=True)
