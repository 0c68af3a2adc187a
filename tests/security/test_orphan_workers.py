"""Attack class: orphan workers.

`kill -9` of the build's parent process used to leave its worker processes running for
ever (about 75 MB each): each worker held both ends of its own pipe, so it never saw the
parent go. Workers now close every parent end they inherit and ask the kernel to stop
them when the parent dies, so they are gone soon after it.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from hostile import MINI_BRIEF, briefgen, make_project

GENEROUS = 60  # seconds for the workers to go; it takes well under one


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    """Running or sleeping: not gone, and not a zombie waiting to be reaped."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def test_workers_exit_when_the_build_is_killed(tmp_path: Path):
    project = make_project(tmp_path)
    for number in range(6):
        (project.root / "content" / f"brief-{number}.yaml").write_text(
            MINI_BRIEF.replace("title: Mini brief", f"title: Brief {number}"), encoding="utf-8")
    parent = briefgen("build", "--root", tmp_path, "--jobs", "2")
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + GENEROUS
        while len(workers) < 2 and time.monotonic() < deadline and parent.poll() is None:
            workers |= _children(parent.pid)
            time.sleep(0.02)
        assert workers, "the build started no worker"
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + GENEROUS
        while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [pid for pid in workers if _alive(pid)], "workers outlived their parent"
    finally:
        for pid in workers:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        if parent.poll() is None:
            parent.kill()
        parent.communicate()
