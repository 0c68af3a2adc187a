"""Markings and audiences end to end: every audience's outputs hold nothing it may not see.

The test project (tests/audiences/content) has two briefs over two schemes (US-style and a
custom PUBLIC < INTERNAL < CONFIDENTIAL) and five audiences. Each portion an audience must
not see holds a unique marker word; the list below says, independently of briefgen's own
rules, which markers each audience must never get. Every output of every audience is then
searched for them: the PDF's extracted text, every string in its object graph (metadata,
bookmarks, tags, alt text, annotations), its metadata and bookmarks by name, each of its
streams decoded, its raw bytes, the HTML, the email (subject, plain text, HTML, attachment
name, the whole message as built, the draft written, the message the SMTP server received)
and the sent record. The markers it may see are searched for too, so the search is shown
to find what is there. Run with -s to see the counts.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import zlib
from email import message_from_bytes
from email.policy import default as default_policy
from pathlib import Path

import pytest
from conftest import REPO, run_cli
from mail_server import ScriptedHandler, start_server
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, StreamObject

from briefgen.content.markings import BUILT_IN, may_see, parse

CONTENT = REPO / "tests" / "audiences" / "content"

US_SECRET = {"QUOKKAVEIL", "MARMOSETHUSH", "WOMBATSPIRE", "ANTEATERGLOW", "SLOTHBEACON", "NARWHALCREST",
             "LEMURTIDE", "JACKALMOSS", "YAKMIRROR", "CHINCHILLAVOW", "DINGOCREST", "MONGOOSEPATH"}
US_REL_JPN = {"PANGOLINDRIFT", "OCELOTMIRE", "BOBCATRIDGE", "TAPIRSHADE", "IBEXLANTERN", "FERRETCOVE"}
US_OMITTED_FOR_PRESS = {"GIRAFFEHAZE"}          # an unclassified sensitivity: the press gets none
CUSTOM_CONFIDENTIAL = {"HERONVAULT", "OSPREYFIELD", "EGRETLOOM", "CRANEHOLLOW"}
CUSTOM_INTERNAL = {"HYRAXBLOOM", "PELICANDUSK", "PUFFINGRAIN"}
CUSTOM_OMITTED_FOR_PUBLIC = {"TOUCANWHISPER"}   # a public quote: the public version has no quotes
MARKERS = {"ally-talks": US_SECRET | US_REL_JPN | US_OMITTED_FOR_PRESS,
           "board-review": CUSTOM_CONFIDENTIAL | CUSTOM_INTERNAL | CUSTOM_OMITTED_FOR_PUBLIC}
WITHHELD = {
    ("ally-talks", "staff"): set(),
    ("ally-talks", "partner"): US_SECRET,
    ("ally-talks", "press"): US_SECRET | US_REL_JPN | US_OMITTED_FOR_PRESS,
    ("board-review", "staff"): CUSTOM_CONFIDENTIAL,
    ("board-review", "public"): CUSTOM_CONFIDENTIAL | CUSTOM_INTERNAL | CUSTOM_OMITTED_FOR_PUBLIC,
}
BANNERS = {("ally-talks", None): "SECRET//NOFORN", ("ally-talks", "staff"): "SECRET//NOFORN",
           ("ally-talks", "partner"): "CONFIDENTIAL//REL TO USA, JPN",
           ("ally-talks", "press"): "UNCLASSIFIED", ("board-review", None): "CONFIDENTIAL",
           ("board-review", "staff"): "INTERNAL", ("board-review", "public"): "PUBLIC"}
RECIPIENTS = {("ally-talks", "partner"): ["partner.desk@example.org"],
              ("ally-talks", "press"): ["press.office@example.org", "records@example.org"]}


def make_project(root: Path) -> Path:
    shutil.copytree(CONTENT, root / "content")
    shutil.copytree(REPO / "content" / "people", root / "content" / "people")
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
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("BRIEFGEN_MAIL_FROM", "Briefing Staff <briefs@example.org>")
    monkeypatch.setenv("BRIEFGEN_SMTP_TIMEOUT", "10")


# --- where to look -----------------------------------------------------------------------------

def pdf_places(path: Path) -> dict[str, str]:
    """Every place in a PDF where text can hide, as searchable text."""
    reader = PdfReader(path)
    raw = path.read_bytes()
    strings, streams = _object_graph(reader)
    metadata = reader.metadata or {}
    return {
        "pdf text": "\n".join(page.extract_text() or "" for page in reader.pages),
        "pdf metadata (title, subject, keywords, author...)": "\n".join(str(v) for v in metadata.values()),
        "pdf bookmarks": "\n".join(_outline_titles(reader.outline)),
        "pdf strings (tags, alt text, annotations, names)": "\n".join(strings),
        "pdf streams, decompressed": "\n".join(_as_text(data) for data in streams),
        "pdf raw bytes": _as_text(raw),
        "pdf raw bytes, every zlib run inflated": "\n".join(_as_text(d) for d in _inflate_all(raw)),
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

SEARCHES: dict[tuple[str, str], tuple[int, int, int]] = {}


@pytest.mark.parametrize(("brief_id", "audience"), sorted(WITHHELD))
def test_no_output_of_an_audience_holds_a_withheld_portion(built: Path, brief_id: str, audience: str,
                                                          monkeypatch, tmp_path):
    withheld = WITHHELD[(brief_id, audience)]
    visible = MARKERS[brief_id] - withheld
    output = built / "output"
    stem = f"{brief_id}.{audience}"
    places = pdf_places(output / f"{stem}.pdf")
    html = (output / f"{stem}.html").read_text(encoding="utf-8")
    places["html"] = html
    # The markers it may see are there: the search finds what is there.
    for marker in visible:
        assert marker in places["pdf text"], (stem, marker)
        assert marker in html, (stem, marker)

    places.update(_composed_message(built, brief_id, audience))
    draft = run_cli("email", brief_id, "--root", built, "--audience", audience)
    assert draft.code == 0, draft.err
    places.update(message_places((output / f"{stem}.eml").read_bytes(), "email draft"))
    if (brief_id, audience) in RECIPIENTS:
        places.update(_sent(built, brief_id, audience, monkeypatch))
    searches = search(places, withheld, visible, stem)
    SEARCHES[(brief_id, audience)] = (len(withheld), len(places), searches)
    assert f"[{BANNERS[(brief_id, audience)]}]" in places["email draft: subject"]


def _composed_message(root: Path, brief_id: str, audience: str) -> dict[str, str]:
    """The email as briefgen composes it (mail/message.py), before anything is sent."""
    from briefgen.build.pipeline import check_brief
    from briefgen.mail.message import build_message, compose_parts
    from briefgen.project import Project

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
    handler = ScriptedHandler()
    controller = start_server(handler)
    try:
        monkeypatch.setenv("BRIEFGEN_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("BRIEFGEN_SMTP_PORT", str(controller.port))
        monkeypatch.setenv("BRIEFGEN_SMTP_TLS", "none")
        result = run_cli("email", brief_id, "--root", root, "--audience", audience, "--send", "--resend")
    finally:
        controller.stop()
    assert result.code == 0, result.err
    assert [r.rcpt_tos for r in handler.received] == [RECIPIENTS[(brief_id, audience)]]
    record = root / "output" / f"{brief_id}.{audience}.sent.json"
    places = message_places(handler.received[0].raw, "sent message")
    places["sent record"] = record.read_text(encoding="utf-8")
    places["email command's report"] = result.out + result.err
    return places


def test_zz_report_the_count_of_markers_and_places_searched():
    """Printed for the record (pytest -s); runs after the leak tests."""
    assert len(SEARCHES) == len(WITHHELD)
    planted = set().union(*MARKERS.values())
    print(f"\nleak test: {len(planted)} unique markers planted in 2 briefs (us, custom schemes), "
          f"{len(WITHHELD)} audiences")
    for (brief_id, audience), (markers, places, searches) in sorted(SEARCHES.items()):
        print(f"  {brief_id}.{audience}: {markers} withheld markers x {places} places = {searches} searches")
    print(f"  total: {sum(s for _, _, s in SEARCHES.values())} searches, no marker found")


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
    assert "Version for Japanese delegation · 7 portions withheld" in partner
    assert 'style="background: #0033a0; color: #ffffff"' in partner


def test_a_version_is_a_new_brief_and_the_full_one_is_unchanged(built: Path):
    from briefgen.build.pipeline import check_brief
    from briefgen.project import Project

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


def test_each_version_is_one_more_layout_for_the_workers():
    """Known before validating, so a brief with audiences gets workers for its versions."""
    from briefgen.build.pipeline import _layouts_at_least
    assert _layouts_at_least([CONTENT / "ally-talks.yaml", CONTENT / "board-review.yaml"]) == 4 + 3
    assert _layouts_at_least([REPO / "content" / "camp-david-2023.yaml"]) == 1


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
