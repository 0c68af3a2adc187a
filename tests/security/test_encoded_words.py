"""Attack class: mail headers through RFC 2047 encoded words (`=?utf-8?q?...?=`).

The email library decodes an encoded word when it writes a header, so text that passed
the raw-text checks could add headers (a `Bcc:` in a draft) or make `To:` name another
address than the one validated. Content holding an encoded word in a field that reaches
a header is refused by `check`, at its line; and the message builder refuses any header
text that the library would decode, checking the written message by parsing it back.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from hostile import make_project

sys.path.insert(0, str(Path(__file__).parents[1]))
from conftest import run_cli

from briefgen.mail.message import Addressee, MailParts, UnsafeHeader, build_message

ADD_BCC = "=?utf-8?q?Hi=0D=0ABcc=3A_outsider=40evil.example?="
OTHER_ADDRESS = "=?utf-8?q?outsider=40evil=2Eexample_=3Cx=40y=2Eorg=3E=2C?="


@pytest.mark.parametrize(("old", "new", "key"), [
    ("title: Mini brief", f"title: Mini {ADD_BCC} brief", "title"),
    ("title: Mini brief", "title: =?iso-8859-1?b?QmNjOiB4QGV2aWwuZXhhbXBsZQ==?=", "title"),
])
def test_encoded_word_in_the_title_is_refused_at_its_line(tmp_path: Path, old, new, key):
    project = make_project(tmp_path)
    line = project.replace_line(old, new)
    result = run_cli("check", "--root", tmp_path)
    assert result.code == 1, result.err
    assert f"content/mini.yaml:{line}:" in result.err
    assert "encoded word" in result.err
    assert f"({key})" in result.err


@pytest.mark.parametrize("name", [ADD_BCC, OTHER_ADDRESS, "Desk =?UTF-8?B?T3V0c2lkZXI=?="])
def test_encoded_word_in_a_recipient_name_is_refused_at_its_line(tmp_path: Path, name: str):
    project = make_project(tmp_path)
    with project.brief.open("a", encoding="utf-8") as brief:
        brief.write(f"distribution:\n  to:\n    - address: desk@example.org\n      name: \"{name}\"\n")
    line = len(project.brief.read_text().splitlines())
    result = run_cli("check", "--root", tmp_path)
    assert result.code == 1, result.err
    assert f"content/mini.yaml:{line}:" in result.err, result.err
    assert "encoded word" in result.err
    assert "(distribution.to[0].name)" in result.err


def _parts(subject: str = "[UNCLASSIFIED] Mini, 1 Jan", attachment: str = "mini.pdf") -> MailParts:
    return MailParts(subject=subject, text="text", html="<p>html</p>", pdf=b"%PDF-1.7",
                     attachment_name=attachment)


def _written(parts: MailParts, recipients: list[Addressee]) -> email.message.EmailMessage:
    message = build_message(parts, None, recipients, now=dt.datetime(2023, 8, 18, tzinfo=dt.UTC),
                            include_bcc=True)
    return email.message_from_bytes(message.as_bytes(), policy=email.policy.default)


def test_a_clean_message_parses_back_as_written():
    parsed = _written(_parts(), [Addressee("desk@example.org", "Duty Desk", "to")])
    assert parsed["Subject"] == "[UNCLASSIFIED] Mini, 1 Jan"
    assert [(a.display_name, a.addr_spec) for a in parsed["To"].addresses] == \
        [("Duty Desk", "desk@example.org")]
    assert [p.get_filename() for p in parsed.iter_attachments()] == ["mini.pdf"]


@pytest.mark.parametrize(("parts", "recipients"), [
    (_parts(subject=f"[UNCLASSIFIED] {ADD_BCC}"), [Addressee("desk@example.org", None, "to")]),
    (_parts(), [Addressee("desk@example.org", ADD_BCC, "to")]),
    (_parts(), [Addressee("desk@example.org", OTHER_ADDRESS, "cc")]),
    (_parts(attachment="=?utf-8?q?a=0D=0AX-Evil:_1?=.pdf"), [Addressee("desk@example.org", None, "to")]),
], ids=["subject", "name adds Bcc", "name names another address", "attachment name"])
def test_the_message_builder_refuses_text_the_mail_library_would_decode(parts, recipients):
    with pytest.raises(UnsafeHeader):
        _written(parts, recipients)
