"""Attack class: the preview answers any `Host:` header, and serves what a link points at.

A web page can point its own host name at 127.0.0.1 (DNS rebinding) and then read every
page the preview serves, as same-origin. The preview answers only requests addressed to
127.0.0.1, localhost or [::1] on its own port; anything else gets 421 (400 without a
Host). It serves a PDF only when output/<id>.pdf is a regular file (never a link).
"""

from __future__ import annotations

import http.client
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from hostile import make_project

from briefgen.preview.server import PreviewServer
from briefgen.preview.state import ChangeFeed, Preview
from briefgen.project import Project
from briefgen.workflows.brief import build_brief

ROUTES = ["/", "/briefs/mini", "/briefs/mini.pdf", "/_preview/overlay.js",
          "/_preview/state/mini.json", "/_preview/events"]
SECRET = "TOP-SECRET-OUTSIDE-THE-PROJECT"


def _serve(root: Path) -> Iterator[PreviewServer]:
    make_project(root)
    site = Project.at(root)
    preview = Preview(site, ChangeFeed(), lambda path, **kw: build_brief(site, path, **kw))
    preview.refresh_all()
    assert build_brief(site, site.content_dir / "mini.yaml").ok
    running = PreviewServer(preview, ChangeFeed(), 0)
    threading.Thread(target=running.serve_forever, daemon=True).start()
    yield running
    running.shutdown()
    running.server_close()


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[PreviewServer]:
    """One preview for the tests that only read."""
    yield from _serve(tmp_path_factory.mktemp("preview"))


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[PreviewServer]:
    """A preview of its own, for a test that plants links in its output."""
    yield from _serve(tmp_path)


def get(server: PreviewServer, path: str, host: str | None) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        connection.putrequest("GET", path, skip_host=True)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        body = b"" if path == "/_preview/events" and response.status == 200 else response.read()
        return response.status, body
    finally:
        connection.close()


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("host", ["attacker.example:{port}", "attacker.example", "127.0.0.1.nip.io:{port}",
                                  "127.0.0.1:{other}", "localhost:{other}", "127.0.0.1", "0.0.0.0:{port}",
                                  "127.0.0.1:{port}@attacker.example", ""])
def test_a_foreign_host_gets_nothing(server: PreviewServer, route: str, host: str):
    status, body = get(server, route, host.format(port=server.port, other=server.port + 1))
    assert status in (400, 421), (status, body[:200])
    assert b"Mini brief" not in body
    assert b"%PDF" not in body


@pytest.mark.parametrize("route", ROUTES)
def test_a_request_without_host_gets_400(server: PreviewServer, route: str):
    assert get(server, route, None)[0] == 400


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LocalHost:{port}", "[::1]:{port}"])
def test_the_loopback_names_are_answered(server: PreviewServer, host: str):
    status, body = get(server, "/", host.format(port=server.port))
    assert status == 200
    assert b"Mini brief" in body
    status, body = get(server, "/briefs/mini.pdf", host.format(port=server.port))
    assert status == 200
    assert body.startswith(b"%PDF")


def test_a_pdf_that_is_a_link_is_not_served(own_server: PreviewServer, tmp_path: Path):
    server = own_server
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET)
    pdf = tmp_path / "output" / "mini.pdf"
    pdf.unlink()
    pdf.symlink_to(secret)
    status, body = get(server, "/briefs/mini.pdf", f"127.0.0.1:{server.port}")
    assert status == 404
    assert SECRET.encode() not in body
    status, body = get(server, "/", f"127.0.0.1:{server.port}")
    assert status == 200
    assert b"mini.pdf" not in body


def test_a_pdf_in_a_linked_output_folder_is_not_served(own_server: PreviewServer, tmp_path: Path):
    server = own_server
    elsewhere = tmp_path / "elsewhere"
    (tmp_path / "output").rename(elsewhere)
    (tmp_path / "output").symlink_to(elsewhere)
    status, body = get(server, "/briefs/mini.pdf", f"127.0.0.1:{server.port}")
    assert status == 404
    assert not body.startswith(b"%PDF")
