"""Attack classes: the preview serves files off the guards, and a version's page hears
everything.

`/books/<id>.pdf` followed links and read files whole: a book PDF planted as a link to a
secret, a pipe (which held the server's thread forever) or a sparse file of gigabytes was
served or read. Every route now reads through one guarded function (no link, a regular file,
capped, directly inside output/). And a version's preview page received the whole project's
event stream, naming every other brief: each page's stream is limited to what it may show.
Against a real preview over HTTP.
"""

from __future__ import annotations

import http.client
import json
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from hostile import MINI_BRIEF, make_project

from briefgen.preview.server import MAX_PDF_BYTES, PreviewServer
from briefgen.preview.state import ChangeFeed, Preview
from briefgen.project import Project
from briefgen.workflows.brief import build_brief

SECRET = "TOP-SECRET-OUTSIDE-THE-PROJECT"
BOOK = "title: A trip\nclassification: UNCLASSIFIED\nprepared_by: Test office\nas_of: 2023-08-18\nbriefs:\n  - mini\n"
VERSIONED = MINI_BRIEF.replace("classification: UNCLASSIFIED\n", "") + (
    "markings:\n  scheme: us\naudiences:\n  - id: press\n    ceiling: U\n")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[PreviewServer, Path]]:
    project = make_project(tmp_path)
    project.brief.write_text(VERSIONED)
    (tmp_path / "content" / "other-secret-name.yaml").write_text(MINI_BRIEF.replace("Mini brief", "Other"))
    (tmp_path / "content" / "books").mkdir()
    (tmp_path / "content" / "books" / "trip.yaml").write_text(BOOK)
    site = Project.at(tmp_path)
    preview = Preview(site, ChangeFeed(), lambda path, **kw: build_brief(site, path, **kw))
    preview.refresh_all()
    (tmp_path / "output").mkdir(exist_ok=True)
    running = PreviewServer(preview, ChangeFeed(), 0)
    threading.Thread(target=running.serve_forever, daemon=True).start()
    yield running, tmp_path
    running.shutdown()
    running.server_close()


def get(server: PreviewServer, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)
    try:
        connection.request("GET", path, headers={"Host": f"127.0.0.1:{server.port}"})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def _plant(kind: str, target: Path, root: Path) -> None:
    if kind == "link to a secret":
        secret = root.parent / f"{root.name}-secret.pdf"
        secret.write_text(f"%PDF-1.7 {SECRET}")
        target.symlink_to(secret)
    elif kind == "link to /dev/zero":
        target.symlink_to("/dev/zero")
    elif kind == "named pipe":
        os.mkfifo(target)
    elif kind == "sparse file over the cap":
        with target.open("wb") as file:
            file.truncate(MAX_PDF_BYTES + 1)
    elif kind == "folder":
        target.mkdir()


PLANTS = ["link to a secret", "link to /dev/zero", "named pipe", "sparse file over the cap", "folder"]


@pytest.mark.parametrize("kind", PLANTS)
@pytest.mark.parametrize("route", ["/books/trip.pdf", "/briefs/mini.pdf", "/briefs/mini/for/press.pdf"])
def test_a_planted_pdf_is_never_served(served, kind: str, route: str):
    server, root = served
    name = {"/books/trip.pdf": "trip.pdf", "/briefs/mini.pdf": "mini.pdf",
            "/briefs/mini/for/press.pdf": "mini.press.pdf"}[route]
    target = root / "output" / name
    if target.exists() or target.is_symlink():
        target.unlink()
    _plant(kind, target, root)
    status, body = get(server, route)
    assert status == 404, (status, body[:200])
    assert SECRET.encode() not in body
    assert not body.startswith(b"%PDF")


def test_a_book_pdf_in_a_linked_output_folder_is_not_served(served):
    server, root = served
    elsewhere = root.parent / f"{root.name}-elsewhere"
    elsewhere.mkdir()
    (elsewhere / "trip.pdf").write_text(f"%PDF-1.7 {SECRET}")
    (root / "output").rename(root / "output-real")
    (root / "output").symlink_to(elsewhere)
    status, body = get(server, "/books/trip.pdf")
    assert status == 404
    assert SECRET.encode() not in body


def test_a_real_book_pdf_is_served(served):
    server, root = served
    (root / "output" / "trip.pdf").write_bytes(b"%PDF-1.7 a real book")
    assert get(server, "/books/trip.pdf") == (200, b"%PDF-1.7 a real book")


# --- the event stream ----------------------------------------------------------------------

def _events(server: PreviewServer, query: str, publish) -> list[tuple[str, dict]]:
    """Open the stream, publish through the server's feed, and read what arrives until a
    `stop` event (published last, for the brief `mini`, which every scope may hear of)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)
    connection.request("GET", f"/_preview/events{query}", headers={"Host": f"127.0.0.1:{server.port}"})
    response = connection.getresponse()
    assert response.status == 200
    received: list[tuple[str, dict]] = []
    kind = ""
    published = False
    try:
        while True:
            line = response.fp.readline().decode().rstrip("\n")
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                received.append((kind, json.loads(line[6:])))
                if kind == "hello" and not published:
                    publish(server.feed)
                    published = True
                if kind == "removed":
                    return received
    finally:
        connection.close()


def _publish_around(feed: ChangeFeed) -> None:
    feed.publish("state", "other-secret-name", html_version=7, status="invalid")
    feed.publish("reload", "mini", html_version=3, status="ok")
    feed.publish("removed", "mini")


def test_a_version_s_page_hears_only_that_its_version_may_have_changed(served):
    server, _ = served
    received = _events(server, "?brief=mini&audience=press", _publish_around)
    text = json.dumps(received)
    assert "other-secret-name" not in text, text
    assert "html_version" not in text, text
    assert "status" not in text, text
    assert [kind for kind, _ in received] == ["hello", "reload", "removed"]
    assert all(set(data) <= {"kind", "brief", "instance"} for _, data in received), received


def test_a_brief_s_page_hears_only_its_own_brief(served):
    server, _ = served
    received = _events(server, "?brief=mini", _publish_around)
    assert "other-secret-name" not in json.dumps(received), received
    assert [kind for kind, _ in received] == ["hello", "reload", "removed"]
    assert set(received[0][1]["versions"]) <= {"mini"}


def test_a_malformed_scope_hears_of_no_brief(served):
    server, _ = served
    received = _events(server, "?brief=../x", lambda feed: (
        feed.publish("state", "other-secret-name"), feed.publish("removed", "mini"),
        feed.publish("removed", "")))
    assert "other-secret-name" not in json.dumps(received)
    assert '"mini"' not in json.dumps(received)


def test_the_index_hears_every_brief(served):
    server, _ = served
    received = _events(server, "", _publish_around)
    assert "other-secret-name" in json.dumps(received)


def test_every_page_asks_for_its_own_events(served):
    """The overlay script opens the scoped stream (the server limits what each scope gets)."""
    server, _ = served
    _, script = get(server, "/_preview/overlay.js")
    assert b"/_preview/events${scope}" in script
    assert b"&audience=" in script
