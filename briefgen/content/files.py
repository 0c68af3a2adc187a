"""Reading content files safely: regular files only, never through a link, never too much.

Content arrives in pull requests, and git stores symbolic links, so a brief, a person
file or an image may be a link to a secret outside the project, to `/dev/zero`, or to
nothing at all; it may even be a named pipe. Every content file is therefore opened
without following a link (O_NOFOLLOW) and without blocking on a pipe (O_NONBLOCK), is
checked to be a regular file on the descriptor that is then read (no window between the
check and the read), and is read up to a size cap before anything parses it. The folder
a file sits in (content/, people/, assets/) must not be a link either.

Every refusal is an `UnsafeFile` with a plain-English reason; the loader turns it into a
diagnostic at the file's path, so one bad file never stops the others.
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from io import BufferedReader
from pathlib import Path

_OPEN_FLAGS = (os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY
               | getattr(os, "O_CLOEXEC", 0))
_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))

# The largest image a brief may use: checked at validation and again by the PDF stage's
# fetcher (which imports only this module, so a worker never loads the content model).
MAX_ASSET_BYTES = 5 * 1024 * 1024


class UnsafeFile(Exception):
    """A content path that is not a regular file we may read; `str()` says why."""


class TooBig(UnsafeFile):
    """A regular file over the size cap."""

    def __init__(self, size: int, limit: int):
        super().__init__(f"the file is {size:,} bytes; a content file may be at most {limit:,} bytes")
        self.size = size


def linked_folder(path: Path) -> Path | None:
    """The folder holding `path` when it is a symbolic link (None when it is a real folder)."""
    return path.parent if path.parent.is_symlink() else None


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of `path`, a regular file that is not a link, in a folder that is not a
    link, at most `limit` bytes long. Raises UnsafeFile (with the reason) otherwise."""
    folder = linked_folder(path)
    if folder is not None:
        raise UnsafeFile(f"the folder {folder.name}/ is a symbolic link; content folders must be "
                         "real folders inside the project")
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise UnsafeFile(_open_problem(path, exc)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise UnsafeFile(f"the file is {kind_of(info.st_mode)}, not a regular file; content "
                             "files must be regular files")
        if info.st_size > limit:
            raise TooBig(info.st_size, limit)
        data = _read_at_most(fd, limit + 1)
    finally:
        os.close(fd)
    if len(data) > limit:  # it grew after fstat
        raise TooBig(len(data), limit)
    return data


def kind_of(mode: int) -> str:
    """'a named pipe', 'a device'... for a file mode that is not a regular file."""
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def _open_problem(path: Path, exc: OSError) -> str:
    if exc.errno == errno.ELOOP or (path.is_symlink()):
        return ("the file is a symbolic link; content files must be regular files inside the "
                "project (replace the link with the file itself)")
    if exc.errno == errno.ENOENT:
        return "the file does not exist"
    return f"cannot read the file: {exc.strerror or exc}"


def _read_at_most(fd: int, count: int) -> bytes:
    chunks, left = [], count
    while left > 0:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            break
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def file_digest(path: Path) -> str:
    """The file's SHA-256, read without following a link or waiting on a pipe ("missing"
    when it is not a regular file): what a build's fingerprint records of each input."""
    with open_regular(path) as handle:
        return "missing" if handle is None else hashlib.file_digest(handle, "sha256").hexdigest()


@contextmanager
def open_regular(path: Path) -> Iterator[BufferedReader | None]:
    """`path` open for reading if it is a regular file, never following a link or waiting
    on a pipe; else None."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError:
        yield None
        return
    with os.fdopen(fd, "rb") as handle:
        yield handle if stat.S_ISREG(os.fstat(fd).st_mode) else None
