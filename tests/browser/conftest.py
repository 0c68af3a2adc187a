"""Fixtures for the browser tests: Debian's Chromium driven by Playwright, and `briefgen serve`
running as a real process on a copy of the sample project."""

from __future__ import annotations

import queue
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import REPO, SAMPLE_ID
from playwright.sync_api import Browser, Page, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
DESKTOP = {"width": 1280, "height": 800}
ARTIFACTS = REPO / "test-artifacts"
SERVER_START_SECONDS = 60     # budget for the server to print its address


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Chromium from Debian; Playwright's launch() gives it a fresh, empty profile."""
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: the browser tests need Debian's chromium. Run "
                    "scripts/ensure-test-deps as root, or: sudo apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=DESKTOP)
    yield context.new_page()
    context.close()


@dataclass
class LiveServer:
    """`briefgen serve` on a project folder, and where to reach it."""

    url: str
    root: Path
    process: subprocess.Popen
    stderr_path: Path

    @property
    def brief_file(self) -> Path:
        return self.root / "content" / f"{SAMPLE_ID}.yaml"

    def brief_url(self, brief_id: str = SAMPLE_ID) -> str:
        return f"{self.url}briefs/{brief_id}"

    def log(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8")


@pytest.fixture
def live(project: Path, tmp_path: Path) -> Iterator[LiveServer]:
    """The server on a free port; on teardown it must stop cleanly, without a traceback."""
    yield from _serve(project, tmp_path)


@pytest.fixture
def live_versions(tmp_path: Path) -> Iterator[LiveServer]:
    """The server on the audiences test project (tests/audiences): briefs with versions."""
    root = tmp_path / "versions"
    shutil.copytree(REPO / "tests" / "audiences" / "content", root / "content")
    shutil.copytree(REPO / "content" / "people", root / "content" / "people")
    yield from _serve(root, tmp_path)


def _serve(project: Path, tmp_path: Path) -> Iterator[LiveServer]:
    stderr_path = tmp_path / "serve.log"
    with open(stderr_path, "w", encoding="utf-8") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "briefgen", "serve", "--root", str(project), "--port", "0"],
            stdout=subprocess.PIPE, stderr=stderr, text=True, cwd=project)
    lines = _lines_of(process)
    try:
        first = lines.get(timeout=SERVER_START_SECONDS)
    except queue.Empty:
        process.kill()
        pytest.fail(f"briefgen serve printed no address in time:\n{stderr_path.read_text()}")
    assert first.startswith("serving http://127.0.0.1:"), first + stderr_path.read_text()
    server = LiveServer(first.split()[1], project, process, stderr_path)
    yield server
    process.terminate()
    assert process.wait(timeout=30) == 0, server.log()
    assert "Traceback" not in server.log(), server.log()


def _lines_of(process: subprocess.Popen) -> queue.Queue:
    """The process's stdout, line by line, readable with a timeout."""
    lines: queue.Queue = queue.Queue()

    def pump() -> None:
        for line in process.stdout:
            lines.put(line.rstrip("\n"))

    threading.Thread(target=pump, daemon=True).start()
    return lines
