"""Shared fixtures: a copy of the sample project in a temporary folder, and the CLI driven in-process."""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from briefgen.cli.main import main

REPO = Path(__file__).resolve().parent.parent
# The sample's own annex line, for tests that choose another.
SAMPLE_ANNEX = "annex: [agenda, background, quotes, sources]\n"
SAMPLE_ID = "camp-david-2023"


@dataclass
class CliRun:
    code: int
    out: str
    err: str


def run_cli(*argv: str | Path) -> CliRun:
    """Run `briefgen ARGV...` in this process, capturing its streams."""
    out, err = io.StringIO(), io.StringIO()
    code = main([str(a) for a in argv], stdout=out, stderr=err)
    return CliRun(code, out.getvalue(), err.getvalue())


def other_briefs(folder: str, names: list[str]) -> list[str]:
    """For copytree: leave out every brief in content/ but the Camp David sample, and the
    books (tests/test_book.py builds those), so what a test counts is that one brief."""
    if Path(folder) != REPO / "content":
        return []
    return [n for n in names if n == "books" or (n.endswith(".yaml") and n != f"{SAMPLE_ID}.yaml")]


def copy_sample(target: Path) -> None:
    """The sample brief with every person file and asset, and no other brief or book."""
    shutil.copytree(REPO / "content", target, ignore=other_briefs)


def git(root: Path, *args: str) -> str:
    """Run git in `root` as a test author; its output."""
    return subprocess.run(["git", "-C", str(root), "-c", "user.name=Test", "-c", "user.email=test@example.org",
                           *args], capture_output=True, text=True, check=True).stdout


def commit(root: Path, message: str) -> None:
    """Commit everything in `root`'s working tree, as a test author."""
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A fresh project folder holding the Camp David sample and every person file (and no
    output yet). The other samples stay out, so what a test counts is that one brief."""
    copy_sample(tmp_path / "content")
    return tmp_path


@pytest.fixture
def full_project(tmp_path: Path) -> Path:
    """A fresh project folder holding every sample brief."""
    shutil.copytree(REPO / "content", tmp_path / "content")
    return tmp_path


@pytest.fixture
def brief_file(project: Path) -> Path:
    return project / "content" / f"{SAMPLE_ID}.yaml"


def edit(path: Path, old: str, new: str, count: int = 1) -> None:
    """Replace text in a content file; fails loudly if the text is not there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory) -> Path:
    """Every sample brief (not the books: tests/test_book.py builds those) built once for the
    session; returns the output folder."""
    root = tmp_path_factory.mktemp("sample")
    shutil.copytree(REPO / "content", root / "content",
                    ignore=lambda folder, names: ["books"] if Path(folder) == REPO / "content" else [])
    result = run_cli("build", "--root", root)
    assert result.code == 0, result.err
    return root / "output"


# The sample trip: a book of two briefs (content/books/).
BOOK = "hiroshima-g7-2023"
BOOK_BRIEFS = ["hiroshima-bilateral-2023", "hiroshima-trilateral-2023"]


def copy_trip(root: Path) -> Path:
    """The sample trip: its briefs, its book and every person file."""
    content = root / "content"
    shutil.copytree(REPO / "content" / "people", content / "people")
    shutil.copytree(REPO / "content" / "books", content / "books")
    for brief in BOOK_BRIEFS:
        shutil.copy(REPO / "content" / f"{brief}.yaml", content)
    return root


@pytest.fixture(scope="session")
def built_trip(tmp_path_factory) -> Path:
    """The sample trip's book built once for the session; returns the project folder."""
    root = copy_trip(tmp_path_factory.mktemp("trip"))
    result = run_cli("book", "--root", root, BOOK)
    assert result.code == 0, result.err
    assert result.err == ""
    return root


def tiny_png() -> bytes:
    """A valid 2x2 red PNG, made here rather than shipped."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
