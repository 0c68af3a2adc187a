"""Every subject a brief can have reaches the recipient as written (issue 22).

A corpus of subjects, 40 to 300 characters, with an en dash, an accented letter or a CJK
character at the start, around every place a header line folds, and at the end, is made
into messages (as a draft is) and read back with the standard parser; a representative
part of it is delivered to a real SMTP server on 127.0.0.1 and read back from what the
server received.
"""

from __future__ import annotations

import datetime as dt
import email.policy
from email.headerregistry import Address
from email.parser import BytesParser

import pytest
from conftest import config_home
from mail_server import ScriptedHandler, start_server

from briefgen.mail.message import Addressee, MailParts, UnsafeHeader, build_message
from briefgen.mail.settings import load_settings
from briefgen.mail.smtp import DELIVERED, deliver

NOW = dt.datetime(2026, 11, 28, 9, 30, tzinfo=dt.UTC)
SENDER = Address("Briefing Staff", "briefs", "example.org")
TO = [Addressee("principal.office@example.org", "Principal's Office", "to")]
# Ordinary subject text: words of every length, so folds fall at every kind of place.
WORDS = ("AMENDED: [PROTECTED] Quad Leaders' Summit, September 20, 2024 – September 21, 2024 "
         "Trilateral Meeting at Hiroshima on the margins of the G7 with a Joint Statement on "
         "Maritime Security Cooperation and the Indo-Pacific Economic Framework for Prosperity ")
# Where a header line folds: "Subject: " takes 9 of the first line's 78 characters, a
# continuation line's space takes 1, and encoded words take room of their own, so positions
# on both sides of each boundary are tried.
FOLD_BOUNDARIES = (69, 76, 145, 152, 221, 228, 297)
NON_ASCII = (" – ", "é", "岸田")   # a word of its own, a letter in a word, characters with no space
LENGTHS = [*range(40, 121), *range(127, 300, 7), 300]


def ascii_subject(length: int) -> str:
    text = (WORDS * (length // len(WORDS) + 1)).replace("–", "-")[:length]
    return text[:-1] + "x" if text.endswith(" ") else text


def with_non_ascii(text: str, position: int, insert: str) -> str:
    """`text` with `insert` written over it at `position` (kept the same length where it can)."""
    position = min(position, len(text) - len(insert))
    subject = text[:position] + insert + text[position + len(insert):]
    return " ".join(subject.split())


def positions(length: int) -> list[int]:
    """The start, the end, and two characters either side of every fold boundary."""
    near_folds = (p for boundary in FOLD_BOUNDARIES for p in range(boundary - 2, boundary + 3))
    return sorted({0, length - 1, *(p for p in near_folds if p < length)})


def corpus() -> list[str]:
    """Each length plain, then with one non-ASCII insert at each position; the insert turns
    with the length and the position, so each kind meets each position within three lengths."""
    subjects = []
    for length in LENGTHS:
        plain = ascii_subject(length)
        subjects.append(plain)
        subjects.extend(with_non_ascii(plain, position, NON_ASCII[(length + index) % len(NON_ASCII)])
                        for index, position in enumerate(positions(length)))
    subjects += ["岸田文雄" * 75, "é" * 300, "x" * 300, ("Ü" + "x" * 99) * 3, "– " * 149 + "–",
                 "[C//REL TO USA, JPN] Quad Leaders' Summit, September 20, 2024 – September 22, 2024",
                 "AMENDED: [PROTECTED] Quad Leaders' Summit, September 20, 2024 – September 21, 2024"]
    return list(dict.fromkeys(subjects))


def parts_with(subject: str) -> MailParts:
    return MailParts(subject=subject, text="The brief.\n", html="<p>The brief.</p>", pdf=b"%PDF-1.7\n",
                     attachment_name="camp-david-2023.pdf")


def read_back(raw: bytes):
    return BytesParser(policy=email.policy.default).parsebytes(raw)


def header_lines(raw: bytes) -> list[bytes]:
    return raw.split(b"\r\n\r\n", 1)[0].split(b"\r\n")


def test_the_corpus_covers_every_length_and_position():
    subjects = corpus()
    assert 1000 < len(subjects) < 2500
    assert {len(s) for s in subjects} >= set(range(40, 121))
    assert max(len(s) for s in subjects) == 300
    for insert in (text.strip() for text in NON_ASCII):
        found = {s.index(insert) for s in subjects if insert in s}
        for boundary in (0, *FOLD_BOUNDARIES):
            assert found & set(range(boundary - 2, boundary + 3)), (insert, boundary)
        ends = {len(s) for s in subjects if s.endswith(insert) and len(s) >= 40}
        assert len(ends) > 20, insert


@pytest.mark.slow   # the whole corpus of subjects drafted
def test_every_subject_in_the_corpus_is_drafted_as_written():
    wrong = {}
    for subject in corpus():
        try:
            message = build_message(parts_with(subject), SENDER, TO, now=NOW, include_bcc=True)
        except UnsafeHeader as refused:
            wrong[subject] = f"refused: {refused}"
            continue
        raw = message.as_bytes()
        read = str(read_back(raw)["Subject"])
        if read != subject:
            wrong[subject] = f"read back as {read!r}"
        elif any(len(line) > 78 for line in header_lines(raw) if not line.startswith(b"X-Briefgen")):
            wrong[subject] = "a header line longer than 78 characters"
    assert not wrong, f"{len(wrong)} subjects: " + "\n".join(f"{s!r}: {w}" for s, w in list(wrong.items())[:5])


@pytest.mark.slow   # sent through a real SMTP server
def test_a_representative_part_of_the_corpus_is_delivered_as_written(tmp_path, monkeypatch):
    subjects = corpus()[::30] + corpus()[-7:]
    assert len(subjects) >= 40
    handler = ScriptedHandler()
    controller = start_server(handler)
    try:
        config_home(monkeypatch, tmp_path)     # no settings file of the machine's
        settings = load_settings(tmp_path, {
            "BRIEFGEN_SMTP_HOST": "127.0.0.1", "BRIEFGEN_SMTP_PORT": str(controller.port),
            "BRIEFGEN_SMTP_TLS": "none", "BRIEFGEN_MAIL_FROM": "Briefing Staff <briefs@example.org>",
            "BRIEFGEN_SMTP_TIMEOUT": "10"})
        for subject in subjects:
            message = build_message(parts_with(subject), SENDER, TO, now=NOW, include_bcc=False)
            [outcome] = deliver(message, TO, settings, lambda delivered: None)
            assert outcome.status == DELIVERED, outcome
    finally:
        controller.stop()
    assert [str(read_back(r.raw)["Subject"]) for r in handler.received] == subjects


@pytest.mark.parametrize(("subject", "character"), [
    ("Camp David\rBcc: attacker@example.net", "U+000D"),
    ("Camp David\nBcc: attacker@example.net", "U+000A"),
    ("Camp David\x00Summit", "U+0000"),
    ("Camp David\u2028Summit", "U+2028"),
    ("Camp David\x85Summit", "U+0085"),
])
def test_a_subject_that_could_not_survive_is_refused_saying_what_to_change(subject, character):
    with pytest.raises(UnsafeHeader) as refused:
        build_message(parts_with(subject), SENDER, TO, now=NOW, include_bcc=True)
    assert str(refused.value) == (
        f"the subject contains a control character ({character}), which cannot be written in an "
        "email header; remove it from the title or the classification. Nothing was written or sent")
