"""Markings and audiences end to end: every audience's outputs hold nothing it may not see.

The test project (tests/audiences/content) has two briefs over two schemes (US-style and a
custom PUBLIC < INTERNAL < CONFIDENTIAL) and five audiences. Each portion an audience must
not see holds a unique marker word; the list below says, independently of briefgen's own
rules, which markers each audience must never get. Every output of every audience is then
searched for them: the PDF's extracted text, every string in its object graph (metadata,
bookmarks, tags, alt text, annotations), its metadata and bookmarks by name, each of its
streams decoded, its raw bytes, the HTML, the email (subject, plain text, HTML, attachment
name, the whole message as built, the draft written, the message the SMTP server received)
and the sent record. Then the test project is committed to git and changed, in portions
each audience may and may not see, and searched again: `briefgen diff --audience` in every
format (and its picture), the amended email that says what changed since the version
sent, and every page of the live preview that a version's page links to or loads, over
HTTP. The markers it may see are searched for too, so the search is shown to find what is
there. Run with -s to see the counts.
"""

from __future__ import annotations

import datetime as dt
import http.client
import io
import json
import os
import re
import shutil
import threading
import zlib
from email import message_from_bytes
from email.policy import default as default_policy
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from conftest import REPO, config_home, edit, git, run_cli
from mail_server import smtp_server
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

from briefgen.content.markings import BUILT_IN, may_see, parse

CONTENT = REPO / "tests" / "audiences" / "content"

US_SECRET = {"QUOKKAVEIL", "MARMOSETHUSH", "WOMBATSPIRE", "ANTEATERGLOW", "SLOTHBEACON", "NARWHALCREST",
             "LEMURTIDE", "JACKALMOSS", "YAKMIRROR", "CHINCHILLAVOW", "DINGOCREST", "MONGOOSEPATH",
             "OTTERGLADE", "BADGERQUAY", "HEDGEHOGRUNE", "ARMADILLOKNOT"}
US_REL_JPN = {"PANGOLINDRIFT", "OCELOTMIRE", "BOBCATRIDGE", "TAPIRSHADE", "IBEXLANTERN", "FERRETCOVE",
              "CARIBOUFEN", "MEERKATSHOAL", "PLATYPUSARC", "KESTRELWEIR"}
US_OMITTED_FOR_PRESS = {"GIRAFFEHAZE"}          # an unclassified sensitivity: the press gets none
CUSTOM_CONFIDENTIAL = {"HERONVAULT", "OSPREYFIELD", "EGRETLOOM", "CRANEHOLLOW"}
CUSTOM_INTERNAL = {"HYRAXBLOOM", "PELICANDUSK", "PUFFINGRAIN"}
CUSTOM_OMITTED_FOR_PUBLIC = {"TOUCANWHISPER"}   # a public quote: the public version has no quotes
MARKERS = {"ally-talks": US_SECRET | US_REL_JPN | US_OMITTED_FOR_PRESS,
           "board-review": CUSTOM_CONFIDENTIAL | CUSTOM_INTERNAL | CUSTOM_OMITTED_FOR_PUBLIC}
# ally-talks follows the brief of the last meeting (tests/audiences/earlier/), whose deliverables
# and decisions each version's "Since the last meeting" shows as far as its audience may see them.
EARLIER = REPO / "tests" / "audiences" / "earlier" / "ally-talks-2022.yaml"
EARLIER_UNCLASSIFIED = {"LLAMAQUILT", "ALPACADUNE"}
EARLIER_REL_JPN = {"EMUCANTER", "GAZELLEWHARF"}
EARLIER_SECRET = {"MINKHOLLOW", "SABLEFORGE"}
EARLIER_VISIBLE = {"staff": EARLIER_UNCLASSIFIED | EARLIER_REL_JPN | EARLIER_SECRET,
                   "partner": EARLIER_UNCLASSIFIED | EARLIER_REL_JPN, "press": EARLIER_UNCLASSIFIED}
WITHHELD = {
    ("ally-talks", "staff"): set(),
    ("ally-talks", "partner"): US_SECRET | EARLIER_SECRET,
    ("ally-talks", "press"): US_SECRET | US_REL_JPN | US_OMITTED_FOR_PRESS | EARLIER_SECRET | EARLIER_REL_JPN,
    ("board-review", "staff"): CUSTOM_CONFIDENTIAL,
    ("board-review", "public"): CUSTOM_CONFIDENTIAL | CUSTOM_INTERNAL | CUSTOM_OMITTED_FOR_PUBLIC,
}
BANNERS = {("ally-talks", None): "SECRET//NOFORN", ("ally-talks", "staff"): "SECRET//NOFORN",
           ("ally-talks", "partner"): "CONFIDENTIAL//REL TO USA, JPN",
           ("ally-talks", "press"): "UNCLASSIFIED", ("board-review", None): "CONFIDENTIAL",
           ("board-review", "staff"): "INTERNAL", ("board-review", "public"): "PUBLIC"}
PUBLIC_READOUT = {"ally-talks": "press", "board-review": "public"}   # each brief's most public audience
RECIPIENTS = {("ally-talks", "partner"): ["partner.desk@example.org"],
              ("ally-talks", "press"): ["press.office@example.org", "records@example.org"]}


def make_project(root: Path) -> Path:
    shutil.copytree(CONTENT, root / "content")
    shutil.copytree(REPO / "content" / "people", root / "content" / "people")
    shutil.copy(EARLIER, root / "content")
    brief = root / "content" / "ally-talks.yaml"
    text = brief.read_text(encoding="utf-8")
    annex = "annex: [agenda, deliverables, points, if_raised, press_line, background, quotes, sources]\n"
    assert annex in text
    brief.write_text(text.replace(annex, "follows: ally-talks-2022\nannex: [since_last_meeting, "
                                  + annex.removeprefix("annex: [")), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = make_project(tmp_path_factory.mktemp("audiences"))
    result = run_cli("build", "--root", root)
    assert result.code == 0, result.err
    return root


@pytest.fixture(autouse=True)
def mail_environment(monkeypatch, tmp_path):
    for name in [n for n in os.environ if n.startswith("BRIEFGEN_")]:
        monkeypatch.delenv(name)
    config_home(monkeypatch, tmp_path / "config")
    monkeypatch.setenv("BRIEFGEN_MAIL_FROM", "Briefing Staff <briefs@example.org>")
    monkeypatch.setenv("BRIEFGEN_SMTP_TIMEOUT", "10")


# --- where to look -----------------------------------------------------------------------------

def pdf_places(raw: bytes, label: str = "pdf") -> dict[str, str]:
    """Every place in a PDF where text can hide, as searchable text."""
    reader = PdfReader(io.BytesIO(raw))
    strings, streams = _object_graph(reader)
    metadata = reader.metadata or {}
    return {
        f"{label} text": "\n".join(page.extract_text() or "" for page in reader.pages),
        f"{label} metadata (title, subject, keywords, author...)": "\n".join(str(v) for v in metadata.values()),
        f"{label} bookmarks": "\n".join(_outline_titles(reader.outline)),
        f"{label} strings (tags, alt text, annotations, names)": "\n".join(strings),
        f"{label} streams, decompressed": "\n".join(_as_text(data) for data in streams),
        f"{label} raw bytes": _as_text(raw),
        f"{label} raw bytes, every zlib run inflated": "\n".join(_as_text(d) for d in _inflate_all(raw)),
    }


def _object_graph(reader: PdfReader) -> tuple[list[str], list[bytes]]:
    strings: list[str] = []
    streams: list[bytes] = []
    seen: set[tuple[int, int]] = set()
    todo: list = [reader.trailer]
    while todo:
        item = todo.pop()
        if isinstance(item, IndirectObject):
            key = (item.idnum, item.generation)
            if key in seen:
                continue
            seen.add(key)
            item = item.get_object()
        if isinstance(item, StreamObject):
            streams.append(item.get_data())
        if isinstance(item, DictionaryObject):
            todo.extend(item.values())
            strings.extend(str(k) for k in item)
        elif isinstance(item, ArrayObject):
            todo.extend(item)
        elif isinstance(item, str | bytes):
            strings.append(_as_text(item) if isinstance(item, bytes) else str(item))
    return strings, streams


def _outline_titles(outline) -> list[str]:
    titles = []
    for entry in outline:
        titles += _outline_titles(entry) if isinstance(entry, list) else [str(entry.title)]
    return titles


def _inflate_all(raw: bytes) -> list[bytes]:
    """Whatever the PDF parser might miss: inflate every zlib stream found in the raw bytes."""
    found = []
    start = raw.find(b"stream")
    while start != -1:
        body = raw[start + 6:].lstrip(b"\r\n")
        try:
            found.append(zlib.decompressobj().decompress(body))
        except zlib.error:
            pass
        start = raw.find(b"stream", start + 6)
    return found


def _as_text(data: bytes | str) -> str:
    """Bytes as text in every encoding a PDF or a message might use for a marker."""
    if isinstance(data, str):
        return data
    texts = [data.decode("latin-1")]
    texts += [data[offset:].decode(encoding, errors="ignore")
              for encoding in ("utf-16-be", "utf-16-le") for offset in (0, 1)]
    return "\n".join(texts)


def message_places(raw: bytes, label: str) -> dict[str, str]:
    message = message_from_bytes(raw, policy=default_policy)
    places = {f"{label}: subject": str(message["Subject"]),
              f"{label}: whole message": _as_text(raw)}
    for part in message.walk():
        kind = part.get_content_type()
        if kind in ("text/plain", "text/html"):
            places[f"{label}: {kind}"] = part.get_content()
        elif kind == "application/pdf":
            places[f"{label}: attachment name"] = part.get_filename() or ""
            places[f"{label}: attachment bytes"] = _as_text(part.get_content())
    return places


def search(places: dict[str, str], withheld: set[str], visible: set[str], where: str) -> int:
    """Fail on any withheld marker found; return the number of (marker, place) searches."""
    leaks = [(marker, place) for place, text in places.items() for marker in withheld if marker in text]
    assert not leaks, f"{where}: withheld text found: {leaks}"
    return len(places) * len(withheld)


# --- the leak test -------------------------------------------------------------------------------

# (brief, audience) -> where (outputs, diff, preview, amended email) -> (withheld markers, places, searches)
SEARCHES: dict[tuple[str, str], dict[str, tuple[int, int, int]]] = {}


def record_searches(pair: tuple[str, str], where: str, withheld: set[str], places: dict[str, str],
                    searches: int) -> None:
    SEARCHES.setdefault(pair, {})[where] = (len(withheld), len(places), searches)


@pytest.mark.parametrize(("brief_id", "audience"), sorted(WITHHELD))
def test_no_output_of_an_audience_holds_a_withheld_portion(built: Path, brief_id: str, audience: str,
                                                          monkeypatch):
    search_outputs(built, brief_id, audience, monkeypatch)


def search_outputs(built: Path, brief_id: str, audience: str, monkeypatch) -> None:
    withheld = WITHHELD[(brief_id, audience)]
    visible = MARKERS[brief_id] - withheld
    output = built / "output"
    stem = f"{brief_id}.{audience}"
    places = pdf_places((output / f"{stem}.pdf").read_bytes())
    html = (output / f"{stem}.html").read_text(encoding="utf-8")
    places["html"] = html
    # The markers it may see are there: the search finds what is there.
    for marker in visible | (EARLIER_VISIBLE[audience] if brief_id == "ally-talks" else set()):
        assert marker in places["pdf text"], (stem, marker)
        assert marker in html, (stem, marker)

    places.update(_composed_message(built, brief_id, audience))
    if PUBLIC_READOUT[brief_id] == audience:        # the public readout: from this version only
        places.update(_public_readout(built, brief_id))
    draft = run_cli("email", brief_id, "--root", built, "--audience", audience)
    assert draft.code == 0, draft.err
    places.update(message_places((output / f"{stem}.eml").read_bytes(), "email draft"))
    if (brief_id, audience) in RECIPIENTS:
        places.update(_sent(built, brief_id, audience, monkeypatch))
    searches = search(places, withheld, visible, stem)
    record_searches((brief_id, audience), "outputs", withheld, places, searches)
    assert f"[{BANNERS[(brief_id, audience)]}]" in places["email draft: subject"]


def _public_readout(root: Path, brief_id: str) -> dict[str, str]:
    result = run_cli("readout", brief_id, "--root", root)
    assert result.code == 0, result.err
    assert f"(from the version for `{PUBLIC_READOUT[brief_id]}`)" in result.out
    public = (root / "output" / f"{brief_id}.public-readout.md").read_text(encoding="utf-8")
    assert "# Readout: " in public
    assert "[FILL IN: " in public
    return {"public readout": public}


def test_the_readout_holds_the_whole_brief_and_the_public_one_only_what_the_press_may_see(built: Path):
    result = run_cli("readout", "ally-talks", "--root", built)
    assert result.code == 0, result.err
    readout = (built / "output" / "ally-talks.readout.md").read_text(encoding="utf-8")
    public = (built / "output" / "ally-talks.public-readout.md").read_text(encoding="utf-8")
    assert readout.startswith("SECRET//NOFORN\n")
    assert public.startswith("UNCLASSIFIED\n")
    in_readout = {m for m in MARKERS["ally-talks"] if m in readout}
    assert in_readout & US_SECRET, "the staff's readout has the secret decisions and objectives"
    assert not {m for m in MARKERS["ally-talks"] if m in public}
    assert "**Participants:**" in public
    assert "Outcome: [FILL IN: " in readout


def _composed_message(root: Path, brief_id: str, audience: str) -> dict[str, str]:
    """The email as briefgen composes it (mail/message.py), before anything is sent."""
    from briefgen.mail.message import build_message, compose_parts
    from briefgen.project import Project
    from briefgen.workflows.brief import check_brief

    validated, result = check_brief(Project.at(root), root / "content" / f"{brief_id}.yaml")
    assert validated is not None, result.errors
    version = validated.for_audience(audience)
    output = root / "output"
    parts = compose_parts(version, (output / f"{version.output_id}.pdf").read_bytes())
    message = build_message(parts, None, [], now=dt.datetime.now(dt.UTC), include_bcc=True)
    return {"composed: subject": parts.subject, "composed: plain text": parts.text,
            "composed: html": parts.html, "composed: attachment name": parts.attachment_name,
            **message_places(message.as_bytes(), "composed message")}


def _sent(root: Path, brief_id: str, audience: str, monkeypatch) -> dict[str, str]:
    """Send the audience's version to a real SMTP server: it reaches that list only."""
    with smtp_server(monkeypatch) as handler:
        result = run_cli("email", brief_id, "--root", root, "--audience", audience, "--send", "--resend")
    assert result.code == 0, result.err
    assert [r.rcpt_tos for r in handler.received] == [RECIPIENTS[(brief_id, audience)]]
    record = root / "output" / f"{brief_id}.{audience}.sent.json"
    places = message_places(handler.received[0].raw, "sent message")
    places["sent record"] = record.read_text(encoding="utf-8")
    places["email command's report"] = result.out + result.err
    return places


# --- a history: the diff, the amended email and the preview ------------------------------------

# After the test project is committed, each brief is changed in portions of every level: a
# new marker in each, and whole withheld portions deleted (the full diff shows them removed).
EDITS = {
    "ally-talks": [
        ("  - text: The alliance is strong [@open-report].",                               # U
         "  - text: The alliance is strong and KOALAVERSE [@open-report]."),
        ("cooperation on TAPIRSHADE with Japan", "cooperation on TAPIRSHADE and GECKOLATTICE with Japan"),  # REL
        ("position on NARWHALCREST stays", "position on NARWHALCREST and ORCASPIRAL stays"),                 # S
        ("private dinner on QUOKKAVEIL", "private dinner on QUOKKAVEIL with WALRUSDAWN"),   # S participant note
        ("    guidance: Stay on the public line [@open-report].",                    # U, omitted for the press
         "    guidance: Stay on the public line MOOSEQUILL [@open-report]."),
        ("  - text: A private remark about CHINCHILLAVOW.\n    by: campbell\n    marking: S//NOFORN\n"
         "    source: internal-assessment\n", ""),                                    # an S quote, deleted
    ],
    "board-review": [
        ("  - The quarter went to plan.", "  - The quarter went to plan in LYNXHARBOR."),        # PUBLIC
        ("Hiring slows in PUFFINGRAIN.", "Hiring slows in PUFFINGRAIN and STOATBRIDGE."),        # INTERNAL
        ("through CRANEHOLLOW.", "through CRANEHOLLOW and VOLEANCHOR."),                          # CONFIDENTIAL
        ("said at TOUCANWHISPER.", "said at TOUCANWHISPER and BISONECHO."),  # a quote, omitted for the public
        ("  - id: merger\n    title: Merger HERONVAULT\n    status: expected\n"                   # CONFIDENTIAL,
         "    summary: Approval of talks with OSPREYFIELD.\n    marking: CONFIDENTIAL\n    owners: [biden]\n", ""),
    ],
}
EDIT_MARKERS = {"ally-talks": {"KOALAVERSE", "GECKOLATTICE", "ORCASPIRAL", "WALRUSDAWN", "MOOSEQUILL"},
                "board-review": {"LYNXHARBOR", "STOATBRIDGE", "VOLEANCHOR", "BISONECHO"}}
DELETED = {"CHINCHILLAVOW", "HERONVAULT", "OSPREYFIELD"}     # gone from the working tree
EDIT_WITHHELD = {
    ("ally-talks", "staff"): set(),
    ("ally-talks", "partner"): {"ORCASPIRAL", "WALRUSDAWN"},
    ("ally-talks", "press"): {"ORCASPIRAL", "WALRUSDAWN", "GECKOLATTICE", "MOOSEQUILL"},
    ("board-review", "staff"): {"VOLEANCHOR"},
    ("board-review", "public"): {"VOLEANCHOR", "STOATBRIDGE", "BISONECHO"},
}


def after_the_changes(brief_id: str, audience: str) -> tuple[set[str], set[str]]:
    """The markers the audience may never get, once the briefs are changed, and the new
    markers it may see (each change it may see has one)."""
    withheld = WITHHELD[(brief_id, audience)] | EDIT_WITHHELD[(brief_id, audience)]
    return withheld, EDIT_MARKERS[brief_id] - withheld


def change_briefs(root: Path) -> None:
    for brief_id, edits in EDITS.items():
        path = root / "content" / f"{brief_id}.yaml"
        text = path.read_text(encoding="utf-8")
        for old, new in edits:
            assert text.count(old) == 1, (brief_id, old)
            text = text.replace(old, new)
        path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> Path:
    """The test project committed to git, then changed (not committed): HEAD is before."""
    root = make_project(tmp_path_factory.mktemp("history"))
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "content")
    git(root, "commit", "-q", "-m", "briefs")
    change_briefs(root)
    return root


def test_the_full_diff_shows_every_change_the_versions_leave_out(history: Path):
    """The changes reach withheld portions: without --audience, the diff names them."""
    result = run_cli("diff", "--root", history, "HEAD")
    assert result.code == 0, result.err
    for marker in set().union(*EDIT_MARKERS.values()):
        assert marker in result.out, marker
    assert "- removed: Kurt Campbell: A private remark about CHINCHILLAVOW." in result.out
    assert "- removed: Merger HERONVAULT" in result.out
    as_json = run_cli("diff", "--root", history, "HEAD", "--format", "json").out
    for marker in DELETED:                   # what a removed item said, in full
        assert marker in as_json, marker


@pytest.mark.parametrize(("brief_id", "audience"), sorted(WITHHELD))
def test_the_diff_of_a_version_holds_no_withheld_portion(history: Path, brief_id: str, audience: str):
    search_diff(history, brief_id, audience)


def search_diff(history: Path, brief_id: str, audience: str) -> None:
    withheld, changed = after_the_changes(brief_id, audience)
    places: dict[str, str] = {}
    for form in ("text", "markdown", "json"):
        result = run_cli("diff", "--root", history, "HEAD", brief_id, "--audience", audience, "--format", form)
        assert result.code == 0, result.err
        places[f"diff --format {form}"] = result.out + result.err
        for marker in changed:         # the changes it may see are there: the search finds them
            assert marker in result.out, (form, marker)
    [version] = json.loads(places["diff --format json"])["briefs"]
    assert (version["id"], version["audience"], version["state"]) == (brief_id, audience, "changed")
    picture = run_cli("diff", "--root", history, "HEAD", brief_id, "--audience", audience, "--picture")
    assert picture.code == 0, picture.err
    png = history / "output" / f"{brief_id}.{audience}.diff.png"
    assert f"  picture: output/{png.name}\n" in picture.out
    assert png.read_bytes().startswith(b"\x89PNG")
    places["diff --picture (its text)"] = picture.out + picture.err
    places["diff picture (the PNG's bytes: no text in it)"] = _as_text(png.read_bytes())
    if audience == "staff" and brief_id == "ally-talks":      # it may see the deleted quote go
        assert "- removed: Kurt Campbell: A private remark about CHINCHILLAVOW." in places["diff --format text"]
    searches = search(places, withheld, changed, f"diff {brief_id}.{audience}")
    record_searches((brief_id, audience), "diff", withheld, places, searches)


@pytest.mark.slow   # each version built, sent, changed and sent again
@pytest.mark.parametrize(("brief_id", "audience"), sorted(RECIPIENTS))
def test_an_amended_email_to_a_version_says_only_what_changed_in_it(tmp_path: Path, brief_id: str,
                                                                    audience: str, monkeypatch):
    """Sent, changed, sent again: its list gets the version marked AMENDED, starting with what
    changed since the version they have, worked out from the version the record kept."""
    search_amended_email(tmp_path, brief_id, audience, monkeypatch)


def search_amended_email(folder: Path, brief_id: str, audience: str, monkeypatch) -> None:
    root = make_project(folder)
    withheld, changed = after_the_changes(brief_id, audience)
    command = ("email", brief_id, "--root", root, "--audience", audience, "--send")
    with smtp_server(monkeypatch) as handler:
        first = run_cli(*command)
        change_briefs(root)
        again = run_cli(*command)
    assert first.code == 0, first.err
    assert again.code == 0, again.err
    amended = handler.received[1]
    assert amended.rcpt_tos == RECIPIENTS[(brief_id, audience)]
    assert amended.message["Subject"].startswith("AMENDED: ")
    text = amended.message.get_body(("plain",)).get_content()
    what_changed = text.split("-" * 40)[0]
    assert what_changed.startswith("What changed since the version sent on ")
    for marker in changed:
        assert marker in what_changed, marker
    places = message_places(amended.raw, "amended email")
    places["amended email: what changed"] = what_changed
    places["sent record, both versions"] = (root / "output" / f"{brief_id}.{audience}.sent.json").read_text(
        encoding="utf-8")
    places["email command's report"] = again.out + again.err
    searches = search(places, withheld, changed, f"amended email {brief_id}.{audience}")
    record_searches((brief_id, audience), "amended email", withheld, places, searches)


def test_an_old_record_of_the_whole_brief_still_gives_a_version_only_its_changes(tmp_path: Path):
    """A record that kept the whole brief's files for a version (as records once did): the
    earlier side is made into the audience's version, as it was defined then, before comparing."""
    from briefgen.mail.amend import what_changed
    from briefgen.mail.sent_record import EarlierVersion
    from briefgen.project import Project
    from briefgen.workflows.brief import check_brief

    root = make_project(tmp_path)
    files = {f"content/{name}": (root / "content" / name).read_text(encoding="utf-8")
             for name in ("ally-talks.yaml", "people/biden.yaml", "people/kishida.yaml",
                          "people/blinken.yaml", "people/campbell.yaml")}
    change_briefs(root)
    validated, result = check_brief(Project.at(root), root / "content" / "ally-talks.yaml")
    assert validated is not None, result.errors
    earlier = EarlierVersion("key", "2023-08-17T10:00:00Z", files)
    full = " ".join(what_changed(Project.at(root), validated, earlier))
    assert "ORCASPIRAL" in full        # the whole brief's changes
    assert "CHINCHILLAVOW" in full
    press = " ".join(what_changed(Project.at(root), validated.for_audience("press"), earlier))
    assert "KOALAVERSE" in press
    assert not [m for m in after_the_changes("ally-talks", "press")[0] if m in press]
    files["content/ally-talks.yaml"] = files["content/ally-talks.yaml"].replace("  - id: press\n", "  - id: media\n")
    no_press_then = EarlierVersion("key", "2023-08-17T10:00:00Z", files)
    assert what_changed(Project.at(root), validated.for_audience("press"), no_press_then) == []


# --- the preview, over HTTP --------------------------------------------------------------------

@pytest.fixture(scope="module")
def preview_server(history: Path):
    """The real preview server on the changed project, every PDF built (as `briefgen serve`
    does, in this process)."""
    from briefgen.preview.server import PreviewServer
    from briefgen.preview.state import ChangeFeed, Preview
    from briefgen.workflows.brief import Project, build_brief

    site = Project.at(history)
    feed = ChangeFeed()
    events = feed.subscribe()
    preview = Preview(site, feed, lambda path, **kw: build_brief(site, path, **kw))
    preview.refresh_all()
    builder = threading.Thread(target=preview.build_pdfs_until_stopped, daemon=True)
    builder.start()
    while "building" in _statuses(preview):
        events.get(timeout=180)
    assert _statuses(preview) == {"built"}
    server = PreviewServer(preview, feed, 0)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()
    server.server_close()
    preview.stop()
    feed.close()
    builder.join(timeout=60)


def _statuses(preview) -> set[str]:
    """The status of every brief and of every version of each (a brief's page says its PDF
    is built before its versions are laid out)."""
    found = set()
    for state in preview.all_states():
        found.add(state["status"])
        found |= {preview.version_snapshot(state["brief"], audience)[1]["status"]
                  for audience in preview.audiences_of(state["brief"]) or []}
    return found


def fetch(server, path: str) -> tuple[int, str, bytes]:
    """GET over HTTP: status, content type, body (of the event stream, its first event)."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        kind = (response.getheader("Content-Type") or "").split(";")[0]
        if kind == "text/event-stream":
            body = b""
            while not body.endswith(b"\n\n"):
                body += response.readline()
        else:
            body = response.read()
        return response.status, kind, body
    finally:
        connection.close()


class _Links(HTMLParser):
    """Every address an HTML page links to or loads (href, src, and data-* holding one)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        for name, value in attrs:
            if value and (name in ("href", "src") or (name.startswith("data-") and value.startswith("/"))):
                self.found.append(value)


def _addresses(kind: str, text: str) -> list[str]:
    if kind == "text/html":
        parser = _Links()
        parser.feed(text)
        return parser.found
    if kind in ("application/json", "text/event-stream"):
        data = [json.loads(line[5:]) for line in text.splitlines() if line.startswith("data:")] \
            if kind == "text/event-stream" else json.loads(text)
        return [value for value in _strings_of(data) if value.startswith("/")]
    if kind == "text/javascript":
        return re.findall(r"[\"'`](/[^\"'`\s$]*)[\"'`]", text)
    return []


def _strings_of(data) -> list[str]:
    if isinstance(data, str):
        return [data]
    values = data.values() if isinstance(data, dict) else data if isinstance(data, list) else []
    return [s for value in values for s in _strings_of(value)]


def crawl(server, start: str) -> dict[str, tuple[str, bytes]]:
    """`start` and every address of the preview it links to or loads, and theirs in turn."""
    seen: dict[str, tuple[str, bytes]] = {}
    todo = [start]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        status, kind, body = fetch(server, path)
        assert status == 200, (path, status, body[:300])
        seen[path] = (kind, body)
        for address in _addresses(kind, body.decode("utf-8", "replace") if kind != "application/pdf" else ""):
            target = urlsplit(urljoin(path, address))
            if not target.scheme and not target.netloc and target.path.startswith("/"):
                todo.append(target.path)            # the preview's own; not a link out
    return seen


@pytest.mark.parametrize(("brief_id", "audience"), sorted(WITHHELD))
def test_the_preview_page_of_a_version_holds_no_withheld_portion(preview_server, brief_id: str, audience: str):
    search_preview(preview_server, brief_id, audience)


def search_preview(preview_server, brief_id: str, audience: str) -> None:
    withheld, changed = after_the_changes(brief_id, audience)
    visible = (MARKERS[brief_id] | EDIT_MARKERS[brief_id]) - withheld - DELETED
    page = f"/briefs/{brief_id}/for/{audience}"
    pages = crawl(preview_server, page)
    stream = f"/_preview/events?brief={brief_id}&audience={audience}"   # what the overlay opens here
    pages.update(crawl(preview_server, stream))
    assert set(pages) == {page, f"{page}.pdf", f"{page}/changes", f"/_preview/state/{brief_id}/for/{audience}.json",
                          "/_preview/overlay.js", stream}
    others = set(MARKERS) - {brief_id}
    assert not [other for other in others if other in pages[stream][1].decode()], "the stream names another brief"
    places: dict[str, str] = {}
    for path, (kind, body) in sorted(pages.items()):
        if kind == "application/pdf":
            places.update(pdf_places(body, f"preview {path}"))
        else:
            places[f"preview {path}"] = body.decode("utf-8")
    for marker in visible:        # the version's page and PDF show what it may see
        assert marker in places[f"preview {page}"], marker
        assert marker in places[f"preview {page}.pdf text"], marker
    for marker in changed:        # and its changes since the last commit
        assert marker in places[f"preview {page}/changes"], marker
    state = json.loads(places[f"preview /_preview/state/{brief_id}/for/{audience}.json"])
    assert (state["audience"], state["status"]) == (audience, "built")
    assert "versions" not in state                  # the other audiences are not named
    searches = search(places, withheld, visible, f"preview {brief_id}.{audience}")
    record_searches((brief_id, audience), "preview", withheld, places, searches)


NOT_A_VERSION = ["/briefs/ally-talks/for/nobody", "/briefs/ally-talks/for/", "/briefs/ally-talks/for/press/",
                 "/briefs/ally-talks/for", "/briefs/ally-talks.press", "/briefs/ally-talks/for/press/..",
                 "/briefs/ally-talks/for/PRESS", "/briefs/ally-talks/for/press%2F..", "/briefs/board-review/for/press",
                 "/briefs/ally-talks/for/nobody.pdf", "/briefs/ally-talks.press.pdf",
                 "/briefs/ally-talks/for/nobody/changes", "/_preview/state/ally-talks/for/nobody.json",
                 "/_preview/state/ally-talks.press.json", "/briefs/nobody/for/press"]


@pytest.mark.parametrize("path", NOT_A_VERSION)
def test_no_address_of_a_version_gives_the_full_brief(preview_server, path: str):
    status, kind, body = fetch(preview_server, path)
    assert (status, kind) == (404, "text/plain"), body[:300]
    assert not [m for m in MARKERS["ally-talks"] | EDIT_MARKERS["ally-talks"] if m.encode() in body]
    assert b"Alliance Consultations" not in body


def test_an_unknown_audience_is_a_404_naming_the_brief_s_audiences(preview_server):
    status, _, body = fetch(preview_server, "/briefs/ally-talks/for/nobody")
    assert status == 404
    assert body == b"ally-talks has no audience `nobody` (its audiences: staff, partner, press)\n"
    assert fetch(preview_server, "/briefs/nobody/for/press")[2] == b"no brief named nobody under content/\n"


def test_the_full_brief_s_page_links_to_each_version(preview_server):
    status, _, body = fetch(preview_server, "/_preview/state/ally-talks.json")
    assert status == 200
    assert [(v["audience"], v["url"]) for v in json.loads(body)["versions"]] == [
        ("staff", "/briefs/ally-talks/for/staff"), ("partner", "/briefs/ally-talks/for/partner"),
        ("press", "/briefs/ally-talks/for/press")]
    index = fetch(preview_server, "/")[2].decode("utf-8")
    assert '<a href="/briefs/board-review/for/public" title="The public">public</a>' in index


def test_a_version_s_page_follows_what_it_may_see_and_never_quotes_the_brief_s_problems(tmp_path: Path):
    """On a save, a version's page changes only when the version does; when the brief breaks,
    the version keeps its last good page and says how many problems, not what they say."""
    from briefgen.preview.state import ChangeFeed, Preview
    from briefgen.workflows.brief import Project, build_brief

    root = make_project(tmp_path)
    site = Project.at(root)
    preview = Preview(site, ChangeFeed(), lambda path, **kw: build_brief(site, path, **kw))
    preview.refresh_all()
    brief = root / "content" / "ally-talks.yaml"

    def version(audience: str) -> tuple[str, dict]:
        snapshot = preview.version_snapshot("ally-talks", audience)
        assert snapshot is not None
        assert snapshot[0] is not None
        return snapshot[0], snapshot[1]

    press, state = version("press")
    assert "Version for Press office" in press
    assert state["html_version"] == 1
    edit(brief, "position on NARWHALCREST stays", "position on NARWHALCREST and ORCASPIRAL stays")
    preview.files_changed([brief])
    assert version("press") == (press, state)                  # nothing it may see changed
    assert "ORCASPIRAL" in version("staff")[0]
    assert version("staff")[1]["html_version"] == 2
    edit(brief, "The alliance is strong", "The alliance is strong and KOALAVERSE")
    preview.files_changed([brief])
    assert "KOALAVERSE" in version("press")[0]
    assert version("press")[1]["html_version"] == 2

    edit(brief, "stays with us [@internal-assessment].\n    marking: S//NOFORN",
         "stays with us [@internal-assessment].\n    marking: S//NARWHALCREST")
    preview.files_changed([brief])
    _, full = preview.snapshot("ally-talks")
    assert "NARWHALCREST" in json.dumps(full["problems"])        # the full brief's page shows it
    html, state = version("press")
    assert "KOALAVERSE" in html                                  # the last good version stays
    assert (state["status"], [p["message"] for p in state["problems"]]) == ("failing", [
        "the brief has 1 problem; it is listed on the full brief's page, not on a version's (it may "
        "quote what this audience may not see)"])
    assert "NARWHALCREST" not in json.dumps(state)
    assert preview.version_snapshot("ally-talks", "nobody") is None
    assert preview.pdf_path("ally-talks", "nobody") is None


def test_zz_report_the_count_of_markers_and_places_searched(built: Path, history: Path, preview_server,
                                                             monkeypatch, tmp_path: Path):
    """Printed for the record (pytest -s); runs after the leak tests (this file's order). Run
    alone (-k zz), it makes the searches the leak tests would have made first."""
    for brief_id, audience in sorted(WITHHELD):
        done = SEARCHES.get((brief_id, audience), {})
        if "outputs" not in done:
            search_outputs(built, brief_id, audience, monkeypatch)
        if "diff" not in done:
            search_diff(history, brief_id, audience)
        if "preview" not in done:
            search_preview(preview_server, brief_id, audience)
        if (brief_id, audience) in RECIPIENTS and "amended email" not in done:
            search_amended_email(tmp_path / f"{brief_id}.{audience}", brief_id, audience, monkeypatch)
    assert set(SEARCHES) == set(WITHHELD)
    expected = {"outputs", "diff", "preview"}
    for pair, found in SEARCHES.items():
        assert set(found) == expected | ({"amended email"} if pair in RECIPIENTS else set()), pair
    planted = set().union(*MARKERS.values(), *EDIT_MARKERS.values())
    print(f"\nleak test: {len(planted)} unique markers planted in 2 briefs (us, custom schemes), "
          f"{len(set().union(*MARKERS.values()))} in the briefs and {len(set().union(*EDIT_MARKERS.values()))} "
          f"in the changes made after a commit; {len(WITHHELD)} audiences")
    totals: dict[str, list[int]] = {}
    for (brief_id, audience), found in sorted(SEARCHES.items()):
        for where, (markers, places, searches) in found.items():
            print(f"  {brief_id}.{audience}, {where}: {markers} withheld markers x {places} places "
                  f"= {searches} searches")
            total = totals.setdefault(where, [0, 0])
            total[0] += places
            total[1] += searches
    for where, (places, searches) in totals.items():
        print(f"  {where}: {places} places searched, {searches} searches")
    print(f"  total: {sum(p for p, _ in totals.values())} places searched, "
          f"{sum(s for _, s in totals.values())} searches, no withheld marker found")


# --- banners, versions and the build ---------------------------------------------------------

def test_banner_is_computed_for_each_version(built: Path):
    for (brief_id, audience), expected in BANNERS.items():
        stem = f"{brief_id}.{audience}" if audience else brief_id
        text = " ".join(PdfReader(built / "output" / f"{stem}.pdf").pages[0].extract_text().split())
        assert text.count(expected) >= 2, (stem, expected)
        assert len(PdfReader(built / "output" / f"{stem}.pdf").pages) <= 4   # page 1 and its annex


def test_portion_marks_and_withheld_lines(built: Path):
    full = (built / "output" / "ally-talks.html").read_text(encoding="utf-8")
    assert '<span class="portion">(S//NOFORN)</span> Our own position' in full
    assert '<span class="portion">(C//REL TO USA, JPN)</span> We will deepen' in full
    assert "withheld" not in full.replace("withheld {", "")
    partner = (built / "output" / "ally-talks.partner.html").read_text(encoding="utf-8")
    assert "1 message withheld from this version" in partner
    assert "Version for Japanese delegation · 11 portions withheld" in partner
    # CONFIDENTIAL's blue on the banner's text only (7:1 on white), no filled bar.
    assert 'style="color: #0033a0; font-size: 10pt"' in partner
    assert "background: #0033a0" not in partner


# Each section's marked portion in ally-talks: its mark, then the words it is printed before.
SECTION_MARKS = {
    "bottom line": "(U) The talks set the alliance",
    "objectives": "(C//REL TO USA, JPN) Agree the exercise calendar CARIBOUFEN",
    "decisions": "(S//NOFORN) Whether to fund BADGERQUAY",
    "participant notes": "(S//NOFORN) Arrives early for a private dinner on QUOKKAVEIL",
    "deliverables": "(C//REL TO USA, JPN) Exercise plan OCELOTMIRE",
    "key messages": "(S//NOFORN) Our own position on NARWHALCREST",
    "points to make": "(C//REL TO USA, JPN) Propose the joint survey PLATYPUSARC",
    "if-raised lines": "(S//NOFORN) What of ARMADILLOKNOT?",
    "press line": "(U) The leaders had a productive meeting",
    "press line if pressed": "(U) We do not go beyond the readout",
    "sensitivities": "(S//NOFORN) Coalition strains LEMURTIDE",
    "background": "(S//NOFORN) Our own assessment is YAKMIRROR",
    "agenda": "(C//REL TO USA, JPN) Restricted session on PANGOLINDRIFT",
    "quotes": "(S//NOFORN) “A private remark about CHINCHILLAVOW",
}


class _VisibleText(HTMLParser):
    """An HTML page's text as a reader sees it (the <head> left out)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._head = False

    def handle_starttag(self, tag: str, attrs) -> None:
        self._head = self._head or tag == "head"

    def handle_endtag(self, tag: str) -> None:
        self._head = self._head and tag != "head"

    def handle_data(self, data: str) -> None:
        if not self._head:
            self.parts.append(data)


def _words(text: str) -> str:
    return " ".join(text.split())


def _visible(html: str) -> str:
    reader = _VisibleText()
    reader.feed(html)
    return _words(" ".join(reader.parts))


def test_every_section_prints_its_portion_marks_in_every_output(built: Path):
    """The PDF (read back with pypdf), the HTML email and its plain text each print every
    section's portion mark before the portion."""
    pdf = _words("\n".join(page.extract_text() for page in PdfReader(built / "output" / "ally-talks.pdf").pages))
    composed = _composed_message(built, "ally-talks", "staff")
    outputs = {"pdf": pdf, "email html": _visible(composed["composed: html"]),
               "email plain text": _words(composed["composed: plain text"])}
    missing = [(output, section) for output, text in outputs.items()
               for section, marked in SECTION_MARKS.items() if marked not in text]
    assert not missing, missing


def test_the_docx_prints_every_portion_mark_inside_its_portion(tmp_path: Path):
    """The Word file, paragraph by paragraph: each section's mark right before its portion
    (after a label such as `Issue:`), outside the portion's content control."""
    import zipfile

    from lxml import etree
    root = make_project(tmp_path)
    result = run_cli("docx", "--root", root, "--audience", "staff", root / "content" / "ally-talks.yaml")
    assert result.code == 0, result.err
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    with zipfile.ZipFile(root / "output" / "ally-talks.staff.docx") as archive:
        document = etree.fromstring(archive.read("word/document.xml"))
    text = _words(" ".join("".join(t.text or "" for t in p.iter(f"{w}t")) for p in document.iter(f"{w}p")))
    for label in ("Issue: ", "Q: ", "If pressed: "):
        text = text.replace(label, "")
    missing = [section for section, marked in SECTION_MARKS.items() if marked not in text]
    assert not missing, missing
    marks = [t for t in document.iter(f"{w}t") if (t.text or "").startswith("(S//NOFORN)")]
    assert marks
    assert not any(True for t in marks for _ in t.iterancestors(f"{w}sdt"))


def test_a_version_is_a_new_brief_and_the_full_one_is_unchanged(built: Path):
    from briefgen.project import Project
    from briefgen.workflows.brief import check_brief

    validated, _ = check_brief(Project.at(built), built / "content" / "ally-talks.yaml")
    assert validated is not None
    press = validated.for_audience("press")
    assert [d.id for d in press.brief.deliverables] == ["statement"]
    assert press.brief.sensitivities == []
    assert press.brief.audiences == []
    assert [s.id for s in press.brief.sources] == ["open-report"]
    assert "campbell" not in press.people
    assert press.brief.distribution is not None
    assert len(validated.brief.deliverables) == 3
    assert len(validated.brief.audiences) == 3
    assert validated.brief.classification == "SECRET//NOFORN"


@pytest.mark.slow   # every version laid out
def test_no_op_build_skips_every_version_and_a_missing_one_is_rebuilt(tmp_path: Path):
    root = make_project(tmp_path)
    brief = root / "content" / "board-review.yaml"
    assert run_cli("build", "--root", root, brief).code == 0
    again = run_cli("build", "--root", root, brief)
    assert again.code == 0
    assert "0 built, 1 unchanged" in again.out
    (root / "output" / "board-review.public.pdf").unlink()
    third = run_cli("build", "--root", root, brief)
    assert third.code == 0
    assert "1 built" in third.out
    assert (root / "output" / "board-review.public.pdf").is_file()


def test_email_to_an_unknown_audience_is_a_usage_error(built: Path):
    result = run_cli("email", "ally-talks", "--root", built, "--audience", "nobody")
    assert result.code == 2
    assert "has no audience `nobody` (its audiences: staff, partner, press)" in result.err


# --- the schemes ---------------------------------------------------------------------------------

def _contrast(background: str, text: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    high, low = sorted((luminance(background), luminance(text)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_every_banner_colour_has_aa_contrast():
    from briefgen.content.markings import custom_scheme
    for scheme in [*BUILT_IN.values(), custom_scheme([f"L{i}" for i in range(6)])]:
        for level in scheme.levels:
            assert _contrast(level.background, level.text) >= 4.5, (scheme.id, level.name)


def test_us_caveats_combine_by_rule():
    from briefgen.content.markings import banner, combine, portion_mark
    us = BUILT_IN["us"]
    rel = parse("C//REL TO JPN, USA", us)
    assert portion_mark(rel, us) == "(C//REL TO USA, JPN)"
    assert banner(combine([rel, parse("S//REL TO USA, JPN, KOR", us)], us), us) == "SECRET//REL TO USA, JPN"
    assert banner(combine([rel, parse("S//NOFORN", us)], us), us) == "SECRET//NOFORN"
    assert banner(combine([rel, parse("C", us)], us), us) == "CONFIDENTIAL"
    assert banner(combine([parse("C//REL TO KOR", us), rel], us), us) == "CONFIDENTIAL//NOFORN"
    assert banner(combine([parse("U", us)], us), us) == "UNCLASSIFIED"
    assert may_see(parse("C//REL TO USA, JPN", us), rel)
    assert not may_see(parse("C//REL TO USA, JPN", us), parse("C", us))
    assert not may_see(parse("TS", us), parse("S//NOFORN", us))
    assert may_see(parse("TS//NOFORN", us), parse("S//NOFORN", us))


def test_uk_and_australian_schemes():
    from briefgen.content.markings import MarkingError, banner, combine
    uk, au = BUILT_IN["uk"], BUILT_IN["au"]
    assert banner(combine([parse("OFFICIAL", uk), parse("official-sensitive//personal", uk)], uk), uk) \
        == "OFFICIAL-SENSITIVE//PERSONAL"
    assert banner(combine([parse("OS//COMMERCIAL", uk), parse("SECRET//UK EYES ONLY", uk)], uk), uk) \
        == "SECRET//UK EYES ONLY/COMMERCIAL"
    with pytest.raises(MarkingError, match="applies only to OS"):
        parse("SECRET//COMMERCIAL", uk)
    assert banner(parse("OFFICIAL: Sensitive//Legal privilege", au), au) == "OFFICIAL: Sensitive//Legal privilege"
    assert banner(combine([parse("PROTECTED//AUSTEO", au), parse("OFFICIAL", au)], au), au) == "PROTECTED//AUSTEO"
    with pytest.raises(MarkingError, match="contradict"):
        parse("PROTECTED//AUSTEO/REL AUS, USA", au)


UK_BRIEF = """\
title: Ministerial Visit
prepared_by: Private office (test content)
as_of: 2023-08-17
markings:
  scheme: uk
  default: OFFICIAL
event:
  kind: visit
  date: 2023-08-18
  location: London
  purpose: The minister visits a partner.
participants:
  - person: biden
    role: host
key_messages:
  - The visit is routine.
  - text: A personnel matter SPARROWGATE.
    marking: OFFICIAL-SENSITIVE//PERSONAL
audiences:
  - id: public
    name: Freedom of information release
    ceiling: OFFICIAL
"""


@pytest.mark.slow   # every version laid out
def test_a_uk_brief_prints_no_portion_marks_and_no_withheld_lines(tmp_path: Path):
    (tmp_path / "content").mkdir()
    shutil.copytree(REPO / "content" / "people", tmp_path / "content" / "people")
    (tmp_path / "content" / "visit.yaml").write_text(UK_BRIEF, encoding="utf-8")
    result = run_cli("build", "--root", tmp_path)
    assert result.code == 0, result.err
    full = (tmp_path / "output" / "visit.html").read_text(encoding="utf-8")
    public = (tmp_path / "output" / "visit.public.html").read_text(encoding="utf-8")
    assert ">OFFICIAL-SENSITIVE//PERSONAL</div>" in full
    assert 'class="portion"' not in full
    assert "SPARROWGATE" in full
    assert ">OFFICIAL</div>" in public
    assert "SPARROWGATE" not in public
    assert "withheld" not in public.replace(".withheld {", "")


@pytest.mark.slow   # every version laid out
def test_the_preview_shows_the_full_brief_s_pdf_before_its_versions_are_laid_out(tmp_path: Path):
    """In the live preview one worker lays out a brief and then each version: the full
    brief's page hears that its PDF is ready as soon as it is written, with its versions
    still building, and the versions follow."""
    from briefgen.preview.state import ChangeFeed, Preview
    from briefgen.workflows.brief import Project, build_brief

    site = Project.at(make_project(tmp_path))
    feed = ChangeFeed()
    events = feed.subscribe()
    seen: list[tuple[str, list[str], bool]] = []

    def build_pdf(path: Path, **kw):
        def brief_written(result):
            # what the page is told at this moment
            kw["on_brief"](result)
            _, state = preview.snapshot("ally-talks")
            versions = [preview.version_snapshot("ally-talks", a)[1]["status"] for a in ("staff", "partner", "press")]
            seen.append((state["status"], versions, (site.output_dir / "ally-talks.press.pdf").exists()))
        return build_brief(site, path, on_brief=brief_written if path.stem == "ally-talks" else None)

    preview = Preview(site, feed, build_pdf)
    preview.refresh_all()
    builder = threading.Thread(target=preview.build_pdfs_until_stopped, daemon=True)
    builder.start()
    try:
        while "building" in _statuses(preview):
            events.get(timeout=180)
    finally:
        preview.stop()
        builder.join(timeout=60)
    assert seen == [("built", ["building", "building", "building"], False)]
    assert (site.output_dir / "ally-talks.pdf").exists()
    assert (site.output_dir / "ally-talks.press.pdf").exists()
    assert preview.version_snapshot("ally-talks", "press")[1]["status"] == "built"


def test_the_book_s_schedule_and_calendar_repeat_each_portion_with_its_mark(tmp_path: Path):
    """A book repeats the agenda in its schedule (PDF, HTML, the email's plain text) and its
    calendar: each item keeps the portion mark its brief's page prints, and each calendar
    event above the lowest level is CLASS:CONFIDENTIAL (no CLASS reads as PUBLIC)."""
    from icalendar import Calendar

    from briefgen.project import Project
    from briefgen.render.book import PagePlan, book_text, book_view
    from briefgen.workflows.book import check_book

    root = make_project(tmp_path)
    (root / "content" / "books").mkdir()
    (root / "content" / "books" / "trip.yaml").write_text(
        "title: Trip\nclassification: SECRET//NOFORN\nprepared_by: Staff\nas_of: 2023-08-17\n"
        "timezone: Asia/Tokyo\nbriefs: [ally-talks]\n", encoding="utf-8")
    result = run_cli("book", "trip", "--root", root)
    assert result.code == 0, result.err
    marked = {"Opening session": "(U)", "Restricted session on PANGOLINDRIFT": "(C//REL TO USA, JPN)",
              "Working lunch on MARMOSETHUSH": "(S//NOFORN)"}
    pdf = _words("\n".join(p.extract_text() for p in PdfReader(root / "output" / "trip.pdf").pages))
    html = _visible((root / "output" / "trip.html").read_text(encoding="utf-8"))
    events = {str(e["summary"]): e for e in Calendar.from_ical((root / "output" / "trip.ics").read_bytes())
              .walk("VEVENT")}
    checked, _ = check_book(Project.at(root), root / "content" / "books" / "trip.yaml")
    assert checked is not None
    text = _words(book_text(book_view(checked.book, checked.briefs, PagePlan(2, (), (3,), 4, 4)), []))
    missing = [(where, title) for title, mark in marked.items()
               for where, found in (("pdf", pdf), ("html", html), ("plain text", text),
                                    ("calendar", " ".join(events))) if f"{mark} {title}" not in found]
    assert not missing, missing
    classes = {summary: str(event.get("class", "")) for summary, event in events.items()}
    assert classes == {f"{mark} {title}": ("" if mark == "(U)" else "CONFIDENTIAL")
                       for title, mark in marked.items()}
