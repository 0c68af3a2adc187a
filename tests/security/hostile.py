"""Helpers for the security tests: a tiny project to attack, a trap HTTP server, PDF inspection."""

from __future__ import annotations

import http.server
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader

REPO = Path(__file__).resolve().parents[2]

# A small brief that fits on one page; every Markdown field and every text field appears once,
# each on its own line, so a test can put a payload in any of them and know its line.
MINI_BRIEF = """\
title: Mini brief
subtitle: A subtitle
classification: UNCLASSIFIED
prepared_by: Test office
as_of: 2023-08-18
event:
  kind: meeting
  date: 2023-08-18
  location: Somewhere
  host: alice
  purpose: The purpose [@src].
participants:
  - person: alice
    role: host
    note: A note
agenda:
  - date: 2023-08-18
    title: An agenda item
    note: expected
    location: A room
    participants: [alice]
    sources: [src]
deliverables:
  - id: thing
    title: A deliverable
    status: expected
    summary: The summary.
    caveats: The caveats.
    owners: [alice]
    sources: [src]
key_messages:
  - A message.
sensitivities:
  - topic: A topic
    context: The context.
    guidance: The guidance.
    sources: [src]
background: The background.
quotes:
  - text: The quote.
    by: alice
    where: A place
    source: src
sources:
  - id: src
    title: A source
    publisher: A publisher
    url: https://example.org/source
    note: A source note
"""

MINI_PERSON = """\
name: Alice Example
title: Director
country: NO
bio: A short bio.
"""

# (field as the test names it, the line in MINI_BRIEF it sits on, the text to replace there)
MARKDOWN_FIELDS = [
    ("event.purpose", "  purpose: The purpose [@src]."),
    ("deliverables[0].summary", "    summary: The summary."),
    ("deliverables[0].caveats", "    caveats: The caveats."),
    ("key_messages[0]", "  - A message."),
    ("sensitivities[0].context", "    context: The context."),
    ("sensitivities[0].guidance", "    guidance: The guidance."),
    ("background", "background: The background."),
    ("quotes[0].text", "  - text: The quote."),
]

# A real 4x2 PNG: red pixels, made once with Pillow and kept as bytes.
RED_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000004000000020802000000f0caea34"
    "0000001049444154789c63fccf80004c486c0600193501031b2f4b120000000049454e44ae426082")


@dataclass
class Project:
    """A throw-away project folder with the mini brief and one person."""

    root: Path

    @property
    def brief(self) -> Path:
        return self.root / "content" / "mini.yaml"

    @property
    def person(self) -> Path:
        return self.root / "content" / "people" / "alice.yaml"

    @property
    def assets(self) -> Path:
        return self.root / "content" / "assets"

    def output(self, suffix: str) -> Path:
        return self.root / "output" / f"mini{suffix}"

    def replace_line(self, old_line: str, new_line: str, path: Path | None = None) -> int:
        """Replace one whole line; returns its line number (1-based)."""
        path = path or self.brief
        lines = path.read_text(encoding="utf-8").split("\n")
        number = lines.index(old_line)
        lines[number] = new_line
        path.write_text("\n".join(lines), encoding="utf-8")
        return number + 1


def make_project(root: Path) -> Project:
    (root / "content" / "people").mkdir(parents=True)
    (root / "content" / "assets").mkdir()
    project = Project(root)
    project.brief.write_text(MINI_BRIEF, encoding="utf-8")
    project.person.write_text(MINI_PERSON, encoding="utf-8")
    (project.assets / "red.png").write_bytes(RED_PNG)
    return project


@dataclass
class Trap:
    """An HTTP server on 127.0.0.1 that counts every connection made to it."""

    url: str
    connections: list[str] = field(default_factory=list)


@contextmanager
def http_trap() -> Iterator[Trap]:
    trap_holder: list[Trap] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(RED_PNG)

        def log_message(self, *args):
            pass

    class Server(http.server.ThreadingHTTPServer):
        def verify_request(self, request, client_address):
            trap_holder[0].connections.append(str(client_address))
            return True

    server = Server(("127.0.0.1", 0), Handler)
    trap_holder.append(Trap(f"http://127.0.0.1:{server.server_address[1]}"))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield trap_holder[0]
    finally:
        server.shutdown()
        server.server_close()


# --- what a PDF carries -------------------------------------------------------------------

def embedded_files(path: Path) -> list[str]:
    """Names of files embedded in the PDF, in the name tree or as file-attachment annotations."""
    reader = PdfReader(path)
    found = []
    names = reader.trailer["/Root"].get("/Names")
    if names is not None and "/EmbeddedFiles" in names.get_object():
        found.append("/EmbeddedFiles")
    for page in reader.pages:
        found.extend("/FileAttachment" for annotation in page.get("/Annots") or []
                     if annotation.get_object().get("/Subtype") == "/FileAttachment")
    return found


def image_sizes(path: Path) -> list[tuple[int, int]]:
    """(width, height) of every image in the PDF's pages, each image once (pages after the
    first may share the first page's resources)."""
    sizes, seen = [], set()
    for page in PdfReader(path).pages:
        for image in page.images:
            key = image.indirect_reference.idnum if image.indirect_reference else id(image)
            if key not in seen:
                seen.add(key)
                sizes.append(image.image.size)
    return sizes


def link_targets(path: Path) -> list[str]:
    """Every URI a link annotation in the PDF points to."""
    targets = []
    for page in PdfReader(path).pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action is not None and "/URI" in action:
                targets.append(str(action["/URI"]))
    return targets


def briefgen(*args: str | Path, cwd: Path | None = None, **kwargs) -> subprocess.Popen:
    """Start `python -m briefgen ARGS` as its own process group (so a test can kill all of it)."""
    return subprocess.Popen([sys.executable, "-m", "briefgen", *map(str, args)], cwd=cwd or REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True, **kwargs)
