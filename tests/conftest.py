"""Shared fixtures: a copy of the sample project in a temporary folder, and the CLI driven in-process."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from briefgen.cli.main import main

REPO = Path(__file__).resolve().parent.parent

# --- the two lanes ---------------------------------------------------------------------------
# `make test-fast` (pytest -m "not slow") is what a developer runs while working; `make test`
# runs every test. A test is slow from what it uses, decided here at collection, so that a new
# test lands in its lane without anyone remembering to mark it: a folder of slow tests, or a
# fixture that lays out many PDFs, starts a browser or sends mail. A test whose own body is
# slow (it starts processes, or lays out PDFs itself) says so with @pytest.mark.slow, or its
# module with `pytestmark = pytest.mark.slow`. tests/test_suite.py keeps the rule honest.
SLOW_FOLDERS = {
    "browser",          # real headless Chromium driving `briefgen serve`
    "accessibility",    # PDF/UA and PDF/A checkers over every sample's PDF
}
SLOW_FIXTURES = {
    "sample_build",     # every sample brief laid out (once a session)
    "built_trip",       # the sample trip's book laid out (once a session)
    "full_project",     # every sample brief, which the test then builds
    "browser",          # headless Chromium (tests/browser/conftest.py)
    "built",            # test_audiences: every version of the audience briefs laid out
    "history",          # test_audiences: a git history of the audience briefs, each laid out
    "built_project",    # test_mail: the sample built once, then emailed
    "handler",          # test_mail: what the real SMTP server on 127.0.0.1 received
    "smtp",             # test_book: the book sent to a real SMTP server
    "record_build",     # test_record: the sample laid out with its record copy
    "wheel",            # test_wheel: the wheel built from a copy of the checkout
}


def slow_reason(test_file: Path, fixturenames: list[str]) -> str | None:
    """Why a test is slow by the rule above (its folder, or a fixture it uses), or None."""
    folders = SLOW_FOLDERS.intersection(test_file.relative_to(REPO / "tests").parts[:-1])
    if folders:
        return f"in tests/{min(folders)}/"
    fixtures = SLOW_FIXTURES.intersection(fixturenames)
    if fixtures:
        return "uses " + ", ".join(sorted(fixtures))
    return None


@pytest.hookimpl(tryfirst=True)     # before -m "not slow" deselects by the mark
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if slow_reason(item.path, getattr(item, "fixturenames", [])):
            item.add_marker(pytest.mark.slow)

# The sample's own annex line, for tests that choose another.
SAMPLE_ANNEX = "annex: [agenda, deliverables, background, quotes, sources]\n"
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


@pytest.fixture(autouse=True, scope="session")
def local_secret(tmp_path_factory) -> Iterator[Path]:
    """briefgen's local secret (engine/seal.py) in a temporary config folder, never the one
    of the machine running the tests."""
    from briefgen.engine.seal import local_key, secret_path

    config = tmp_path_factory.mktemp("config")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CONFIG_HOME", str(config))
        assert local_key() is not None
        SESSION_SECRET.append(secret_path())
        yield config


SESSION_SECRET: list[Path] = []


def config_home(monkeypatch: pytest.MonkeyPatch, folder: Path) -> None:
    """Point XDG_CONFIG_HOME at `folder` (no settings file of the machine's), keeping the
    session's local secret, so what the session built is still briefgen's own."""
    target = folder / "briefgen" / "secret"
    if SESSION_SECRET and not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(SESSION_SECRET[0], target)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder))


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


# --- how often a command validates and reads each brief (issue 24: one prepared value) -------

_OPENED: list[Path] | None = None


def _count_opens(event: str, args: tuple) -> None:
    if event == "open" and _OPENED is not None and isinstance(args[0], (str, bytes, os.PathLike)):
        _OPENED.append(Path(os.fsdecode(args[0])))


sys.addaudithook(_count_opens)   # process-wide and never removed: it counts only while asked


@dataclass
class Counts:
    """Validations (by brief file) and opens of any file, in this process, while counting."""

    validations: list[Path] = field(default_factory=list)
    opened: list[Path] = field(default_factory=list)

    def reads_of(self, path: Path) -> int:
        return sum(p.resolve() == path.resolve() for p in self.opened if p.exists())

    def validations_of(self, path: Path) -> int:
        return sum(p.resolve() == path.resolve() for p in self.validations)

    def restart(self) -> None:
        """Forget what the test's own set-up opened and validated."""
        self.validations.clear()
        self.opened.clear()


@pytest.fixture
def counts(monkeypatch) -> Iterator[Counts]:
    """Count every validation of a brief and every file opened in this process (the workers
    never read a brief: they are given it prepared). The CLI runs in this process."""
    global _OPENED
    from briefgen.content import validate

    found = Counts()
    real = validate.validate_document

    def counted(doc, people):
        found.validations.append(doc.path)
        return real(doc, people)

    monkeypatch.setattr(validate, "validate_document", counted)
    _OPENED = found.opened
    try:
        yield found
    finally:
        _OPENED = None
