"""Attack class: state in output/ trusted as briefgen's own (issue 29, class 4).

output/ may come from the repository. A PDF committed there with a stamp whose digests match
(every digest is of public inputs) was emailed as the brief; a committed record of sent mail
wrote the "What changed" box of an amended email, was read through a link and without a
cap, and tracebacked on odd fields or deep nesting; a committed cached part became a book's
cover. Now every bookkeeping file is read without following a link and within a cap, the
sent record is checked against its shape, and what decides what is built or sent is sealed
with an HMAC keyed by a local secret outside the repository (engine/seal.py): anything
without this machine's seal is absent (rebuilt, or "no record" with a warning).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
from pathlib import Path

import pytest
from conftest import run_cli
from mail_server import smtp_server
from pypdf import PdfReader

sys.path.insert(0, str(Path(__file__).parent))
from hostile import make_project

ALICE = "alice@example.org"
BOOK = "title: A trip\nclassification: UNCLASSIFIED\nprepared_by: Test office\nas_of: 2023-08-18\nbriefs:\n  - mini\n"


@pytest.fixture(autouse=True)
def mail_environment(monkeypatch):
    for name in [n for n in os.environ if n.startswith("BRIEFGEN_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("BRIEFGEN_MAIL_FROM", "Briefing Staff <briefs@example.org>")
    monkeypatch.setenv("BRIEFGEN_SMTP_RETRY_DELAY", "0.01")


@pytest.fixture
def built(tmp_path: Path) -> Path:
    make_project(tmp_path)
    result = run_cli("build", "--root", tmp_path)
    assert result.code == 0, result.out + result.err
    return tmp_path


def _pdf_saying(*pages: str) -> bytes:
    """A tagged PDF with one page per text, made as briefgen lays out a page (so a book would
    join it like one of its own parts)."""
    from briefgen.content.sourcemap import ContentText
    from briefgen.render.pdf import lay_out_document

    body = "".join(f'<p style="break-before: page">{text}</p>' for text in pages)
    html = f'<html lang="en"><head><title>Forged</title></head><body>{body}</body></html>'
    return lay_out_document(html, ContentText(Path("forged.yaml"), "forged.yaml", ()), ()).write()


def _text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _send(root: Path, monkeypatch) -> tuple[object, list]:
    with smtp_server(monkeypatch) as handler:
        result = run_cli("email", "mini", "--root", root, "--send", "--no-distribution", "--to", ALICE)
    return result, handler.received


def _forge_stamp(root: Path, output_id: str, suffix: str, data: bytes) -> None:
    """What a pull request can commit: the file, and its stamp with the file's digest (the
    fingerprint is copied from a real build here; it is a hash of public inputs)."""
    (root / "output" / f"{output_id}{suffix}").write_bytes(data)
    stamp_file = root / "output" / ".briefgen" / f"{output_id}.json"
    stamp = json.loads(stamp_file.read_text())
    stamp.pop("seal", None)
    stamp["outputs"][suffix] = hashlib.sha256(data).hexdigest()
    stamp_file.write_text(json.dumps(stamp))


def test_a_planted_pdf_with_a_forged_stamp_is_not_emailed(built: Path, monkeypatch):
    forged = _pdf_saying("FORGEDBRIEF")
    _forge_stamp(built, "mini", ".pdf", forged)
    result, received = _send(built, monkeypatch)
    assert result.code == 0, result.out + result.err
    [message] = [r.message for r in received]
    attached = next(message.iter_attachments()).get_content()
    assert "FORGEDBRIEF" not in _text(attached)
    assert "Mini brief" in _text(attached)
    assert (built / "output" / "mini.pdf").read_bytes() != forged      # built again, in its place


def test_a_forged_stamp_does_not_skip_the_build(built: Path):
    _forge_stamp(built, "mini", ".pdf", _pdf_saying("FORGEDBRIEF"))
    result = run_cli("build", "--root", built)
    assert result.code == 0, result.err
    assert "FORGEDBRIEF" not in _text((built / "output" / "mini.pdf").read_bytes())


def _record(root: Path, title: str) -> dict:
    brief = (root / "content" / "mini.yaml").read_text(encoding="utf-8")
    return {"messages": {"sha256:older": {
        "subject": "Mini brief", "revision": 1,
        "delivered": {ALICE: {"at": "2026-11-01T09:30:00Z", "message_id": "<1@x>", "server": "x:25"}},
        "sent_content": {"content/mini.yaml": brief.replace("title: Mini brief", f"title: {title}")}}}}


@pytest.mark.parametrize("how", ["committed", "linked"])
def test_a_planted_sent_record_does_not_write_the_amended_email(built: Path, tmp_path_factory, monkeypatch,
                                                                how: str):
    path = built / "output" / "mini.sent.json"
    text = json.dumps(_record(built, "FORGEDCHANGE"))
    if how == "linked":
        outside = tmp_path_factory.mktemp("elsewhere") / "record.json"
        outside.write_text(text)
        path.symlink_to(outside)
    else:
        path.write_text(text)
    result, received = _send(built, monkeypatch)
    assert result.code == 0, result.out + result.err
    assert "ignoring the record of sent mail" in result.err, result.err
    [message] = [r.message for r in received]
    assert "FORGEDCHANGE" not in message.as_string()
    assert not message["Subject"].startswith("AMENDED")


DEEP = "[" * 200_000 + "]" * 200_000
ODD = [
    {"messages": {"k": {"subject": "s", "delivered": {ALICE: "not an entry"}}}},
    {"messages": {"k": {"subject": "s", "delivered": {ALICE: {"at": 5, "message_id": "m", "server": "s"}}}}},
    {"messages": {"k": {"subject": "s", "revision": "9", "delivered": {}}}},
    {"messages": {"k": {"subject": "s", "delivered": {}, "sent_content": {"content/mini.yaml": ["x"]}}}},
    {"messages": {"k": {"subject": "s", "delivered": {ALICE: {"at": "2026-11-01T09:30:00Z", "message_id": "m",
                                                             "server": "s"}}, "sent_content": "text"}}},
    {"messages": {"k": []}},
    {"messages": []},
    [],
]


@pytest.mark.parametrize("text", [DEEP, '{"messages": ' * 5000 + "{}" + "}" * 5000, "\x00\xff not json",
                                  *map(json.dumps, ODD)], ids=lambda t: t[:30])
def test_a_deep_or_odd_sent_record_is_no_record_without_a_traceback(built: Path, monkeypatch, text: str):
    (built / "output" / "mini.sent.json").write_text(text, encoding="utf-8", errors="surrogateescape")
    result, received = _send(built, monkeypatch)
    assert "Traceback" not in result.out + result.err
    assert result.code == 0, result.out + result.err
    assert "ignoring the record of sent mail" in result.err, result.err
    assert [r.rcpt_tos for r in received] == [[ALICE]]


def test_a_sent_record_that_is_a_link_to_a_device_is_not_read(built: Path, monkeypatch):
    (built / "output" / "mini.sent.json").symlink_to("/dev/zero")
    result, received = _send(built, monkeypatch)
    assert result.code == 0, result.out + result.err
    assert "symbolic link" in result.err, result.err
    assert len(received) == 1


def test_briefgen_s_own_record_is_still_trusted(built: Path, monkeypatch):
    first, _ = _send(built, monkeypatch)
    assert first.code == 0, first.err
    again, received = _send(built, monkeypatch)
    assert again.code == 0, again.err
    assert received == []                          # alice has this version already
    assert "ignoring" not in again.err


def test_a_committed_cached_book_part_is_not_the_cover(built: Path):
    (built / "content" / "books").mkdir()
    (built / "content" / "books" / "trip.yaml").write_text(BOOK, encoding="utf-8")
    first = run_cli("book", "trip", "--root", built)
    assert first.code == 0, first.out + first.err
    index_file = built / "output" / ".briefgen" / "trip.front.json"
    index = json.loads(index_file.read_text())
    forged = _pdf_saying(*["FORGEDCOVER"] * int(index["pages"]))
    (built / "output" / ".briefgen" / "trip.front.pdf").write_bytes(forged)
    index.pop("seal", None)
    index["pdf"] = hashlib.sha256(forged).hexdigest()
    index_file.write_text(json.dumps(index))
    again = run_cli("book", "trip", "--root", built, "--force")
    assert again.code == 0, again.out + again.err
    book = (built / "output" / "trip.pdf").read_bytes()
    assert "FORGEDCOVER" not in _text(book)
    assert "A trip" in _text(book)
