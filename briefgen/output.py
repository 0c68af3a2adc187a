"""Writing outputs so that nothing is ever lost or half-written.

Each file is written to a temporary file beside its target, flushed to disk and
renamed into place, so a reader sees the old file or the new one, never a part.
A lock per brief serialises two builds of the same brief.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path


def write_atomic(path: Path, data: bytes) -> None:
    """Replace `path` with `data` in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextmanager
def brief_lock(output_dir: Path, brief_id: str) -> Iterator[None]:
    """Hold an exclusive lock for one brief's outputs while they are replaced."""
    lock_dir = output_dir / ".briefgen"
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / f"{brief_id}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_outputs(output_dir: Path, brief_id: str, files: Mapping[str, bytes]) -> list[Path]:
    """Write every output of one brief (e.g. {'.html': ..., '.pdf': ...}) under its lock."""
    written = []
    with brief_lock(output_dir, brief_id):
        for suffix, data in files.items():
            target = output_dir / f"{brief_id}{suffix}"
            write_atomic(target, data)
            written.append(target)
    return written
