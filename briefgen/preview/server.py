"""The live preview's web server: 127.0.0.1 only, pages plus one server-sent-events stream.

Routes:
  /                          the index of every brief (title, date, status, PDF link) and book
  /books/<id>.pdf            a briefing book's PDF, re-assembled when one of its briefs is built
  /briefs/<id>               the brief's last good one-pager, with the preview script added
  /briefs/<id>.pdf           its last good PDF, from output/
  /briefs/<id>/changes       what changed in it since the last commit (on demand: git is read
                             only when this page is asked for)
  /briefs/<id>/for/<aud>     one audience's version: its one-pager, made from the version's
                             model, so it holds nothing the audience may not see
  /briefs/<id>/for/<aud>.pdf           its PDF, output/<id>.<aud>.pdf
  /briefs/<id>/for/<aud>/changes       what changed in the version since the last commit
                                       (`briefgen diff HEAD <id> --audience <aud>`)
  /_preview/overlay.js       the preview script (reloads the page, shows problems)
  /_preview/state/<id>.json  the brief's status and problems, for the overlay
  /_preview/state/<id>/for/<aud>.json  a version's own status and problems
  /_preview/events           server-sent events: a page reloads or updates its overlay
                             (?brief=<id>[&audience=<aud>]: only that page's events)

The preview script is added to the page only as it is served; output/<id>.html on disk
never contains it. A version's pages link only to the version's own pages: never to the
full brief, the index or another audience's version.

Only requests addressed to this server are answered: the Host header must be 127.0.0.1,
localhost or [::1] with our port (421 otherwise, 400 without one), so a web page that
points its own name at 127.0.0.1 (DNS rebinding) cannot read the briefs. A PDF is served
only when output/<id>.pdf is a regular file in a real folder (never through a link):
every file a route serves is read by `served_file` (no link, a regular file, capped, directly
inside output/ or the preview's own assets). A page's event stream carries only what that
page may show: a brief's page hears of its own brief, a version's page of nothing but "your
version may have changed" (no statuses, no version numbers, no other brief's name); only
the index hears of every brief.
"""

from __future__ import annotations

import json
import queue
import re
import secrets
import socket
import sys
from dataclasses import dataclass
from functools import lru_cache
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jinja2
from markupsafe import Markup

from briefgen.content.files import UnsafeFile, read_regular_file
from briefgen.content.ids import ID_PATTERN
from briefgen.errors import BriefgenError
from briefgen.preview.state import ChangeFeed, Json, Preview, Subscriber
from briefgen.render.changes import as_html
from briefgen.workflows.diff import NoSuchAudience, diff_project

HOST = "127.0.0.1"
LOOPBACK_NAMES = ("127.0.0.1", "localhost", "[::1]")   # the Host headers answered (with our port)
MAX_PDF_BYTES = 200 * 1024 * 1024
MAX_SCRIPT_BYTES = 1024 * 1024
KEEPALIVE_SECONDS = 15     # a comment line on an idle stream, so a dead tab is noticed
RECONNECT_MS = 1000        # how soon a page reconnects when the server restarts
# A brief's id is its file name, which nothing refuses for an underscore (`camp_david.yaml`
# builds), so its page is reachable too; an audience's id is checked by the model.
_BRIEF_ID = r"([a-z0-9][a-z0-9_-]*)"
_VERSION = rf"{_BRIEF_ID}/for/({ID_PATTERN})"     # a brief, and an audience's id
ROUTES = [
    (re.compile(r"/"), "index"),
    (re.compile(rf"/briefs/{_BRIEF_ID}"), "brief_page"),
    (re.compile(rf"/briefs/{_BRIEF_ID}\.pdf"), "brief_pdf"),
    (re.compile(rf"/briefs/{_BRIEF_ID}/changes"), "brief_changes"),
    (re.compile(rf"/briefs/{_VERSION}"), "version_page"),
    (re.compile(rf"/briefs/{_VERSION}\.pdf"), "version_pdf"),
    (re.compile(rf"/briefs/{_VERSION}/changes"), "version_changes"),
    (re.compile(rf"/_preview/state/{_VERSION}\.json"), "version_state"),
    (re.compile(rf"/books/{_BRIEF_ID}\.pdf"), "book_pdf"),
    (re.compile(r"/_preview/overlay\.js"), "overlay_script"),
    (re.compile(rf"/_preview/state/{_BRIEF_ID}\.json"), "brief_state"),
    (re.compile(r"/_preview/events"), "events"),
]


class PreviewServer(ThreadingHTTPServer):
    """Serves one Preview on 127.0.0.1; `port=0` picks a free port (see `.port`)."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, preview: Preview, feed: ChangeFeed, port: int) -> None:
        self.preview = preview
        self.feed = feed
        self.instance = secrets.token_hex(4)   # a page from an earlier server reloads
        self.assets_dir = preview.project.templates_dir / "preview"
        super().__init__((HOST, port), PreviewHandler)

    def handle_error(self, request: socket.socket | tuple[bytes, socket.socket], client_address: Any) -> None:
        """A browser that went away mid-request (or a socket closed as the server stops) is
        not worth a traceback; anything else is a bug and keeps it."""
        if isinstance(sys.exc_info()[1], OSError):
            return
        super().handle_error(request, client_address)

    @property
    def port(self) -> int:
        return self.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "briefgen-preview"

    def do_GET(self) -> None:
        refusal = host_refusal(self.headers.get_all("Host") or [], self.server.port)
        if refusal is not None:
            self.close_connection = True
            self.send_text(refusal, "this preview answers only http://127.0.0.1:"
                           f"{self.server.port}/ (or localhost, [::1])")
            return
        path = urlsplit(self.path).path
        for pattern, name in ROUTES:
            match = pattern.fullmatch(path)
            if match:
                getattr(self, name)(*match.groups())
                return
        self.send_text(HTTPStatus.NOT_FOUND, "not found")

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the terminal shows builds, not every request."""

    # --- pages ---------------------------------------------------------------------------

    def index(self) -> None:
        preview, sequence = self.server.preview, self.server.feed.sequence  # before the states
        briefs = [{**state, "has_pdf": preview.pdf_path(state["brief"]) is not None}
                  for state in preview.all_states()]
        books = [{**state, "has_pdf": preview.book_pdf_path(state["book"]) is not None}
                 for state in preview.all_books()]
        html = preview_template(self.server.assets_dir, "index.html.j2").render(
            briefs=briefs, books=books, project=preview.project.display(preview.project.content_dir))
        self.send_html(with_preview_script(html, "", sequence, self.server.instance))

    def brief_page(self, brief_id: str) -> None:
        self.send_page(brief_id, None, self.server.preview.snapshot(brief_id))

    def version_page(self, brief_id: str, audience: str) -> None:
        self.send_page(brief_id, audience, self.server.preview.version_snapshot(brief_id, audience))

    def send_page(self, brief_id: str, audience: str | None, snapshot: tuple[str | None, Json] | None) -> None:
        """A brief's page, or a version's: its last good HTML with the preview script."""
        if snapshot is None:
            self.send_not_found(brief_id, audience)
            return
        html, state = snapshot
        if html is None:
            html = preview_template(self.server.assets_dir, "no-version.html.j2").render(brief=state)
        self.send_html(with_preview_script(html, brief_id, state["html_version"],
                                           self.server.instance, state, audience))

    def send_not_found(self, brief_id: str, audience: str | None) -> None:
        audiences = self.server.preview.audiences_of(brief_id)
        if audiences is None:
            self.send_text(HTTPStatus.NOT_FOUND, f"no brief named {brief_id} under content/")
        else:
            self.send_text(HTTPStatus.NOT_FOUND, f"{brief_id} has no audience `{audience}` (its "
                           f"audiences: {', '.join(audiences) or 'none'})")

    def brief_pdf(self, brief_id: str) -> None:
        self.send_pdf(brief_id, None)

    def version_pdf(self, brief_id: str, audience: str) -> None:
        self.send_pdf(brief_id, audience)

    def send_pdf(self, brief_id: str, audience: str | None) -> None:
        pdf = served_file(self.server.preview.project.output_dir,
                          self.server.preview.pdf_path(brief_id, audience), MAX_PDF_BYTES)
        if pdf is None:
            what = f"the version of {brief_id} for `{audience}`" if audience else brief_id
            self.send_text(HTTPStatus.NOT_FOUND, f"no PDF of {what} has been built yet")
            return
        self.send_bytes(HTTPStatus.OK, "application/pdf", pdf)

    def brief_changes(self, brief_id: str) -> None:
        self.send_changes(brief_id, None)

    def version_changes(self, brief_id: str, audience: str) -> None:
        if self.server.preview.version_snapshot(brief_id, audience) is None:
            self.send_not_found(brief_id, audience)
            return
        self.send_changes(brief_id, audience)

    def send_changes(self, brief_id: str, audience: str | None) -> None:
        """The brief (or its version for `audience`) compared with HEAD, as `briefgen diff
        HEAD <brief> [--audience <aud>]` sees it."""
        project = self.server.preview.project
        file = project.display(project.content_dir / f"{brief_id}.yaml")
        values = {"brief_id": brief_id, "audience": audience, "file": file, "base": "HEAD", "problem": "",
                  "changed": False, "body": ""}
        try:
            result = diff_project(project, "HEAD", [project.content_dir / f"{brief_id}.yaml"],
                                  audience=audience)
            values["base"] = f"HEAD ({result.base.short})"
            changed = result.changed
            values["changed"] = bool(changed or result.template_files)
            values["body"] = Markup("\n".join(as_html(diff) for diff in changed)) + (
                Markup("<p>Templates changed: {}</p>").format(", ".join(result.template_files))
                if result.template_files else "")
        except NoSuchAudience:           # its message names the brief's other audiences
            values["problem"] = f"{file} has no audience `{audience}` now"
        except BriefgenError as exc:
            values["problem"] = " ".join(exc.messages())
        html = preview_template(self.server.assets_dir, "changes.html.j2").render(**values)
        self.send_html(html)

    def book_pdf(self, book_id: str) -> None:
        pdf = served_file(self.server.preview.project.output_dir,
                          self.server.preview.book_pdf_path(book_id), MAX_PDF_BYTES)
        if pdf is None:
            self.send_text(HTTPStatus.NOT_FOUND, f"no PDF of the book {book_id} has been built yet")
            return
        self.send_bytes(HTTPStatus.OK, "application/pdf", pdf)

    def overlay_script(self) -> None:
        script = served_file(self.server.assets_dir, self.server.assets_dir / "overlay.js", MAX_SCRIPT_BYTES)
        if script is None:
            self.send_text(HTTPStatus.NOT_FOUND, "the preview script is missing")
            return
        self.send_bytes(HTTPStatus.OK, "text/javascript; charset=utf-8", script)

    def brief_state(self, brief_id: str) -> None:
        self.send_state(brief_id, None, self.server.preview.snapshot(brief_id))

    def version_state(self, brief_id: str, audience: str) -> None:
        self.send_state(brief_id, audience, self.server.preview.version_snapshot(brief_id, audience))

    def send_state(self, brief_id: str, audience: str | None, snapshot: tuple[str | None, Json] | None) -> None:
        if snapshot is None:
            self.send_not_found(brief_id, audience)
            return
        self.send_bytes(HTTPStatus.OK, "application/json", json.dumps(snapshot[1]).encode())

    # --- the event stream ----------------------------------------------------------------

    def events(self) -> None:
        """Hold the connection open and send each change as it happens, limited to what the
        page asking may show (`?brief=<id>`, `&audience=<aud>`; the index asks for all)."""
        scope = EventScope.of(urlsplit(self.path).query)
        subscriber = self.server.feed.subscribe()
        try:
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            hello = {"instance": self.server.instance, "sequence": self.server.feed.sequence,
                     "versions": self.server.preview.html_versions()}
            self.send_event("hello", scope.hello(hello), retry=RECONNECT_MS)
            self.stream_events(subscriber, scope)
        except (BrokenPipeError, ConnectionResetError):
            pass                                  # the tab closed or reloaded
        finally:
            self.server.feed.unsubscribe(subscriber)

    def stream_events(self, subscriber: Subscriber, scope: EventScope) -> None:
        while True:
            try:
                event = subscriber.get(timeout=KEEPALIVE_SECONDS)
            except queue.Empty:
                self.wfile.write(b": still here\n\n")
                self.wfile.flush()
                continue
            if event is None:                     # the server is stopping
                return
            shown = scope.event(event)
            if shown is not None:
                self.send_event(event["kind"], shown)

    def send_event(self, kind: str, data: Json, retry: int | None = None) -> None:
        lines = f"retry: {retry}\n" if retry else ""
        lines += f"event: {kind}\ndata: {json.dumps(data)}\n\n"
        self.wfile.write(lines.encode())
        self.wfile.flush()

    # --- responses -----------------------------------------------------------------------

    def send_html(self, html: str) -> None:
        # "replace": a file name that is not UTF-8 must not stop the page (nor the index)
        self.send_bytes(HTTPStatus.OK, "text/html; charset=utf-8", html.encode("utf-8", "replace"))

    def send_text(self, status: HTTPStatus, text: str) -> None:
        self.send_bytes(status, "text/plain; charset=utf-8", f"{text}\n".encode())

    def send_bytes(self, status: HTTPStatus, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)


def served_file(folder: Path, path: Path | None, limit: int) -> bytes | None:
    """The one way a route reads a file to serve: a regular file directly inside `folder`
    (output/ for PDFs), neither of them a link, opened without following one and without
    blocking on a pipe, at most `limit` bytes; None for anything else (the route says 404)."""
    if path is None or path.parent != folder or folder.is_symlink():
        return None
    try:
        return read_regular_file(path, limit)
    except UnsafeFile:    # missing, a link, a pipe, a device, too big: never served
        return None


def host_refusal(hosts: list[str], port: int) -> HTTPStatus | None:
    """Why a request's Host headers are refused (400 none or several, 421 another host), or
    None when there is exactly one and it names this server on the loopback interface."""
    if len(hosts) != 1:
        return HTTPStatus.BAD_REQUEST
    if hosts[0].strip().lower() not in {f"{name}:{port}" for name in LOOPBACK_NAMES}:
        return HTTPStatus.MISDIRECTED_REQUEST
    return None


@dataclass(frozen=True)
class EventScope:
    """What one page's event stream may carry: every brief (the index, brief None), one
    brief's own events (its page), or one version's bare "changed" (a version's page, which
    may not learn the full brief's status or version numbers, nor any other brief's name)."""

    brief: str | None = None
    audience: str | None = None

    @classmethod
    def of(cls, query: str) -> EventScope:
        asked = parse_qs(query)
        brief = next(iter(asked.get("brief", [])), None)
        audience = next(iter(asked.get("audience", [])), None)
        if brief is not None and not re.fullmatch(_BRIEF_ID, brief):
            brief = ""            # matches no brief: a malformed scope hears nothing
        return cls(brief, audience if brief else None)

    def hello(self, hello: Json) -> Json:
        if self.brief is None:
            return hello
        if self.audience is not None:
            return {"instance": hello["instance"]}
        versions = hello["versions"]
        return {"instance": hello["instance"], "sequence": 0,
                "versions": {self.brief: versions[self.brief]} if self.brief in versions else {}}

    def event(self, event: Json) -> Json | None:
        if self.brief is None:
            return event
        if event.get("brief") != self.brief:
            return None
        if self.audience is not None:
            return {"kind": event["kind"], "brief": self.brief}
        return event


@lru_cache(maxsize=2)
def _environment(assets_dir: Path) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(assets_dir)), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def preview_template(assets_dir: Path, name: str) -> jinja2.Template:
    return _environment(assets_dir).get_template(name)


def with_preview_script(html: str, brief_id: str, version: int, instance: str,
                        state: Json | None = None, audience: str | None = None) -> str:
    """The page with the preview script (and the state it starts from) added before </body>.
    On a version's page (`audience`) the script follows the version's own state."""
    state_json = json.dumps(state or {}).replace("<", "\\u003c").replace(">", "\\u003e") \
                                        .replace("&", "\\u0026")
    state_url = f"/_preview/state/{brief_id}/for/{audience}.json" if audience else \
        f"/_preview/state/{brief_id}.json" if brief_id else ""
    tag = str(Markup('<script type="application/json" id="briefgen-preview-state">{}</script>\n'
                     '<script src="/_preview/overlay.js" data-brief="{}" data-audience="{}" '
                     'data-state="{}" data-version="{}" data-instance="{}"></script>\n')
              .format(Markup(state_json), brief_id, audience or "", state_url, version, instance))
    at = html.rfind("</body>")
    return html[:at] + tag + html[at:] if at >= 0 else html + tag

