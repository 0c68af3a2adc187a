"""Attack class: `diff` reads past the content caps.

Working files were read whole to hash them, every base blob was read into memory at once,
and a rename guess ran line by line over big files for minutes. Every read now goes through
the capped reader (sizes from git first: `cat-file --batch-check`, one blob streamed at a
time), and similarity is computed only for files within its line cap. Against real git
histories and `briefgen diff` in its own process, under an address-space limit far below
what reading the planted files whole would take.
"""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from hostile import MINI_BRIEF, REPO, make_project

ADDRESS_SPACE = 1024 * 1024 * 1024     # 1 GiB for the diff's process (and its git)


def _limited() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))


def diff(root: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "briefgen", "diff", *args], cwd=root, capture_output=True,
                          text=True, timeout=timeout, preexec_fn=_limited,
                          env={"PATH": "/usr/bin:/bin", "HOME": str(root), "PYTHONPATH": str(REPO)})


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), "-c", "user.name=T", "-c", "user.email=t@example.org", *args],
                          check=True, capture_output=True, text=True).stdout


def _committed(root: Path) -> None:
    make_project(root)
    (root / "content" / "other.yaml").write_text(MINI_BRIEF.replace("Mini brief", "Other brief"))
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")


def test_a_huge_working_file_is_not_read_to_hash_it(tmp_path: Path):
    _committed(tmp_path)
    with (tmp_path / "content" / "mini.yaml").open("r+b") as brief:
        brief.truncate(4 * 1024 * 1024 * 1024)        # sparse: 4 GiB that cost no disk
    result = diff(tmp_path)
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert "MemoryError" not in result.stderr, result.stderr[-2000:]
    assert result.returncode == 1, result.stdout + result.stderr
    assert "content/mini.yaml" in result.stdout
    assert "bytes; a content file may be at most" in result.stdout


def test_a_huge_person_file_in_the_working_tree_is_not_read(tmp_path: Path):
    _committed(tmp_path)
    with (tmp_path / "content" / "people" / "alice.yaml").open("r+b") as person:
        person.truncate(4 * 1024 * 1024 * 1024)
    result = diff(tmp_path)
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert "content/people/alice.yaml" in result.stdout, result.stdout


def test_a_huge_base_blob_is_measured_not_read(tmp_path: Path):
    """A 640 MiB brief (zeros: about 1 MiB in git) at the base, deleted since."""
    _committed(tmp_path)
    big = tmp_path / "content" / "huge.yaml"
    with big.open("wb") as file:
        file.truncate(640 * 1024 * 1024)
    git(tmp_path, "add", "content/huge.yaml")
    git(tmp_path, "commit", "-qm", "a huge brief")
    git(tmp_path, "tag", "base")
    big.unlink()
    result = diff(tmp_path, "base")
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert "failed" not in result.stderr, result.stderr[-2000:]
    assert result.returncode == 0, result.stdout + result.stderr
    assert "content/huge.yaml: deleted" in result.stdout, result.stdout


def test_a_rename_guess_over_many_lines_is_bounded(tmp_path: Path):
    """A brief of 8,000 short lines (32 KB, far under the cap) deleted, and one with the same
    ten lines in another order added: the line matcher's work grows with the cube of the
    lines on such text (minutes); the guess stays within its own cap."""
    _committed(tmp_path)
    (tmp_path / "content" / "long.yaml").write_text("".join(f"# x{n % 10}\n" for n in range(8_000)))
    git(tmp_path, "add", "-A")
    git(tmp_path, "commit", "-qm", "long")
    (tmp_path / "content" / "long.yaml").unlink()
    (tmp_path / "content" / "long-again.yaml").write_text("".join(f"# x{n * 3 % 10}\n" for n in range(8_000)))
    result = diff(tmp_path, "HEAD", timeout=60)   # far above the fraction of a second it takes
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    assert "content/long-again.yaml: renamed from content/long.yaml" in result.stdout, result.stdout
