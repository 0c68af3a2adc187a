"""Attack class 1, last line: HTML that somehow got past validation and sanitising.

The PDF engine itself is handed hostile HTML (as if a template or the sanitiser had a
hole) and must still read no file outside the asset folders and open no connection;
each refusal fails the build naming the URL. Real WeasyPrint, real files, real sockets.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from hostile import RED_PNG, embedded_files, http_trap, image_sizes, make_project

from briefgen.content.validate import PeopleRegistry, validate_brief
from briefgen.errors import RenderError
from briefgen.render.fetcher import SafeFetcher
from briefgen.render.pdf import write_pdf
from briefgen.workflows.brief import Project

OUTSIDE = "only files inside the project's asset folders may be used"
NO_NETWORK = "URLs are not allowed; briefs may not reach the network"


@pytest.fixture(scope="module")
def trap():
    with http_trap() as server:
        yield server
    assert server.connections == [], "the PDF engine reached the network"


@pytest.fixture
def setting(tmp_path):
    """(project, validated brief, asset roots) of a fresh mini project."""
    mini = make_project(tmp_path)
    project = Project.at(tmp_path)
    validated = validate_brief(mini.brief, PeopleRegistry(mini.brief.parent / "people", tmp_path),
                               display_path="content/mini.yaml")
    return mini, validated, project.asset_roots


def page(body: str) -> str:
    return f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8></head><body>{body}</body></html>"


def refused(setting, body: str) -> str:
    _, validated, roots = setting
    with pytest.raises(RenderError) as caught:
        write_pdf(page(body), validated, roots)
    return str(caught.value)


@pytest.mark.parametrize(("body", "url", "reason"), [
    ('<link rel="attachment" href="file:///etc/passwd"><p>x</p>', "file:///etc/passwd", OUTSIDE),
    ('<a rel="attachment" href="file:///etc/passwd">x</a>', "file:///etc/passwd", OUTSIDE),
    ('<img src="file:///etc/passwd">', "file:///etc/passwd", OUTSIDE),
    ('<img src="{trap}/img.png">', "{trap}/img.png", "http " + NO_NETWORK),
    ('<p style="background: url({trap}/bg.png)">x</p>', "{trap}/bg.png", "http " + NO_NETWORK),
    ('<style>@import url("{trap}/x.css");</style><p>x</p>', "{trap}/x.css", "http " + NO_NETWORK),
    ('<style>@font-face {{ font-family: F; src: url({trap}/f.woff) }} p {{ font-family: F }}</style>'
     '<p>x</p>', "{trap}/f.woff", "http " + NO_NETWORK),
    ('<link rel="stylesheet" href="https://127.0.0.1:1/x.css"><p>x</p>', "https://127.0.0.1:1/x.css",
     "https " + NO_NETWORK),
    ('<img src="ftp://127.0.0.1/x.png">', "ftp://127.0.0.1/x.png", "ftp " + NO_NETWORK),
    ('<img src="file://evil.example/x.png">', "file://evil.example/x.png",
     "file URLs on other hosts are not allowed"),
    ('<img src="assets/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd">',
     "assets/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", OUTSIDE),
    ('<img src="assets/missing.png">', "assets/missing.png", "no such file"),
])
def test_hostile_html_fails_naming_the_url(setting, trap, body, url, reason):
    message = refused(setting, body.format(trap=trap.url))
    assert message == (f"content/mini.yaml: error: refused to fetch {url.format(trap=trap.url)}: "
                       f"{reason} (from content/mini.yaml)")


def test_svg_data_image_cannot_fetch_through_its_own_links(setting, trap):
    svg = (f'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
           f'width="10" height="10"><image xlink:href="{trap.url}/svg.png" width="10" height="10"/>'
           f'<image href="file:///etc/passwd" width="10" height="10"/></svg>')
    import base64
    message = refused(setting, f'<img src="data:image/svg+xml;base64,{base64.b64encode(svg.encode()).decode()}">')
    assert f"refused to fetch {trap.url}/svg.png: http {NO_NETWORK}" in message
    assert f"refused to fetch file:///etc/passwd: {OUTSIDE}" in message


def test_symlink_in_assets_to_a_secret_is_refused(setting, tmp_path):
    mini, _, _ = setting
    secret = tmp_path / "secret.png"
    secret.write_bytes(RED_PNG)
    (mini.assets / "innocent.png").symlink_to(secret)
    (mini.assets / "zero.png").symlink_to("/dev/zero")
    assert refused(setting, '<img src="assets/innocent.png">').endswith(
        f"refused to fetch assets/innocent.png: {OUTSIDE} (from content/mini.yaml)")
    assert f"refused to fetch assets/zero.png: {OUTSIDE}" in refused(setting, '<img src="assets/zero.png">')


def test_special_files_inside_assets_are_refused_without_hanging(setting):
    mini, _, _ = setting
    os.mkfifo(mini.assets / "pipe.png")  # reading it would block forever
    assert "refused to fetch assets/pipe.png: no such file" in refused(setting, '<img src="assets/pipe.png">')
    assert f"refused to fetch assets/: {OUTSIDE}" in refused(setting, '<img src="assets/">')


def test_oversized_asset_is_refused(setting):
    mini, _, _ = setting
    with open(mini.assets / "huge.png", "wb") as handle:
        handle.write(RED_PNG)
        handle.truncate(6 * 1024 * 1024)  # sparse: costs no disk
    assert ("refused to fetch assets/huge.png: the file is larger than 5,242,880 bytes"
            in refused(setting, '<img src="assets/huge.png">'))


def test_an_asset_inside_the_folder_is_drawn_and_nothing_is_attached(setting, tmp_path):
    _, validated, roots = setting
    pdf = tmp_path / "ok.pdf"
    pdf.write_bytes(write_pdf(page('<img src="assets/red.png" alt="A red rectangle">'), validated, roots))
    assert image_sizes(pdf) == [(4, 2)]
    assert embedded_files(pdf) == []


@pytest.mark.parametrize(("url", "reason"), [
    ("file:///etc/passwd%00.png", "the file name contains a NUL character"),
    ("FILE:///etc/passwd", OUTSIDE),
    ("javascript:alert(1)", "javascript " + NO_NETWORK),
    ("//127.0.0.1/x.png", "this kind of " + NO_NETWORK),
])
def test_fetcher_refuses_odd_urls(tmp_path, url, reason):
    fetcher = SafeFetcher((tmp_path,))
    with pytest.raises(ValueError):
        fetcher.fetch(url)
    assert fetcher.refused == [(url, reason)]
