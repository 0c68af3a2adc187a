"""`briefgen email` against a real SMTP server (aiosmtpd on 127.0.0.1), checked by what it received."""

from __future__ import annotations

import io
import json
import os
import re
import socket
import threading
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
from conftest import SAMPLE_ID, CliRun, config_home, copy_sample, edit, run_cli
from mail_server import PASSWORD, USER, ScriptedHandler, authenticate, free_port, make_certificates, start_server
from pypdf import PdfReader

PRINCIPAL, STAFF, RECORDS = "principal.office@example.org", "chief.of.staff@example.org", "records@example.org"
DISTRIBUTION = f"""
distribution:
  to:
    - name: Principal's Office
      address: {PRINCIPAL}
  cc:
    - {STAFF}
  bcc:
    - name: Records Desk
      address: {RECORDS}
"""
SUBJECT = "[UNCLASSIFIED] Camp David Trilateral Summit, August 18, 2023"
SENDER = "briefs@example.org"
# aiosmtpd warns when a test server takes a password without TLS; on 127.0.0.1 that is the point.
AUTH_WITHOUT_TLS = pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")


# --- fixtures -------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def mail_environment(monkeypatch, tmp_path):
    """No settings from the machine running the tests; tiny retry delays, by configuration."""
    for name in [n for n in os.environ if n.startswith("BRIEFGEN_")]:
        monkeypatch.delenv(name)
    config_home(monkeypatch, tmp_path / "config")
    monkeypatch.setenv("BRIEFGEN_MAIL_FROM", f"Briefing Staff <{SENDER}>")
    monkeypatch.setenv("BRIEFGEN_SMTP_RETRY_DELAY", "0.01")
    monkeypatch.setenv("BRIEFGEN_SMTP_TIMEOUT", "10")


@pytest.fixture(scope="module")
def built_project(tmp_path_factory) -> Path:
    """The sample brief with a distribution, built once for this module."""
    root = tmp_path_factory.mktemp("mail-project")
    copy_sample(root / "content")
    with open(root / "content" / f"{SAMPLE_ID}.yaml", "a", encoding="utf-8") as brief:
        brief.write(DISTRIBUTION)
    assert run_cli("build", "--root", root).code == 0
    return root


@pytest.fixture
def mail_project(built_project: Path) -> Path:
    """The built project, with no draft and no record of earlier sends."""
    for leftover in (*built_project.glob("output/*.sent.json"), *built_project.glob("output/*.eml")):
        leftover.unlink()
    return built_project


@pytest.fixture
def handler() -> ScriptedHandler:
    return ScriptedHandler()


@pytest.fixture
def server(handler, monkeypatch):
    """A plain SMTP server on 127.0.0.1, and the environment pointing at it."""
    controller = start_server(handler)
    use_server(monkeypatch, controller.port, "none")
    yield controller
    controller.stop()


@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    return make_certificates(tmp_path_factory.mktemp("tls"))


def use_server(monkeypatch, port: int, tls: str) -> None:
    monkeypatch.setenv("BRIEFGEN_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("BRIEFGEN_SMTP_PORT", str(port))
    monkeypatch.setenv("BRIEFGEN_SMTP_TLS", tls)


def send(project: Path, *extra: str) -> CliRun:
    return run_cli("email", SAMPLE_ID, "--root", project, "--send", *extra)


def report_lines(result: CliRun) -> dict[str, str]:
    """address -> its report line."""
    lines = {}
    for line in result.out.splitlines():
        match = re.match(r"  (delivered|refused|not tried|already sent)\s+(to|cc|bcc)\s+(\S+)", line)
        if match:
            lines[match.group(3).rstrip(":")] = line
    return lines


def record(project: Path) -> dict:
    path = project / "output" / f"{SAMPLE_ID}.sent.json"
    return json.loads(path.read_text()) if path.exists() else {"messages": {}}


def delivered_in_record(project: Path) -> set[str]:
    return {address for entry in record(project)["messages"].values() for address in entry["delivered"]}


def assert_no_password(project: Path, *results: CliRun) -> None:
    for result in results:
        assert PASSWORD not in result.out + result.err
    for path in (project / "output").rglob("*"):
        if path.is_file():
            assert PASSWORD.encode() not in path.read_bytes(), path


def assert_brief_message(message, project: Path) -> None:
    """The parts, their types, the subject, the attachment and the plain text of a brief's email."""
    assert message["Subject"] == SUBJECT
    assert [part.get_content_type() for part in message.walk()] == [
        "multipart/mixed", "multipart/alternative", "text/plain", "text/html", "application/pdf"]
    attachment = next(message.iter_attachments())
    assert attachment.get_filename() == f"{SAMPLE_ID}.pdf"
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_content() == (project / "output" / f"{SAMPLE_ID}.pdf").read_bytes()
    assert parsedate_to_datetime(message["Date"]).tzinfo is not None
    assert re.fullmatch(r"<[^<>@\s]+@[^<>@\s]+>", message["Message-ID"])
    text = message.get_body(("plain",)).get_content()
    lines = text.strip().splitlines()
    assert lines[0] == lines[-1] == "UNCLASSIFIED"
    assert lines[2].startswith("BOTTOM LINE: The leaders will announce a pledge"), lines[:3]
    for expected in ["CAMP DAVID TRILATERAL SUMMIT", "Date:  Friday, August 18, 2023 [5,6]",
                     "- Fumio Kishida 岸田文雄 (Principal), Prime Minister of Japan",
                     "EXPECTED DELIVERABLES", "- Commitment to consult [1]. Each nation commits to consult",
                     "OBJECTIVES", "IF RAISED", "- Is the commitment to consult an alliance?",
                     "SENSITIVITIES",
                     "[6] The Spirit of Camp David: Joint Statement of Japan, the Republic of"]:
        assert expected in text, expected
    # What is attached, from the attachment itself (issue 22: not "one-page" for page 1 and an annex).
    pages = len(PdfReader(io.BytesIO(attachment.get_content())).pages)
    assert pages > 1
    assert (f"The brief is attached as {SAMPLE_ID}.pdf ({pages} pages: page 1, then Annex A)."
            in " ".join(text.split())), text[-300:]
    assert "one-page brief is attached" not in text
    assert "<" not in text, "plain text, not HTML"
    assert "[@" not in text, "plain text, not raw Markdown citations"
    html = message.get_body(("html",)).get_content()
    assert "Camp David Trilateral Summit" in html
    assert "Commitment to consult" in html
    # The marking first (issue 23), then the title (issue 18); the bottom line is the first
    # thing under it (issue 16).
    title_end = html.index("Camp David Trilateral Summit</h1>")
    assert html.index("UNCLASSIFIED") < title_end, "the marking comes first"
    assert title_end < html.index("Bottom line:") < min(html.index("As of"), html.index("Participants")), \
        "the bottom line comes first in the email, under its title"
    # The heading says the status once when every deliverable shares it, as on the page (issue 22).
    assert re.search(r">Expected deliverables</h2>", html)
    assert "status-expected" not in html, "no badge repeats what the heading says"
    assert 'style="' in html
    for forbidden in ("<script", "<style", "<link", "<img", "<iframe", "url(", "@import", " src=", "class="):
        assert forbidden not in html.lower(), forbidden


# --- the draft ----------------------------------------------------------------------------------

def test_draft_is_written_without_connecting(mail_project: Path, server):
    result = run_cli("email", SAMPLE_ID, "--root", mail_project)
    assert result.code == 0, result.err
    assert result.out.splitlines()[0] == f"wrote output/{SAMPLE_ID}.eml: {SUBJECT}"
    assert "to 1, cc 1, bcc 1" in result.out
    assert server.connections == 0
    raw = (mail_project / "output" / f"{SAMPLE_ID}.eml").read_bytes()
    import email
    import email.policy
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert_brief_message(message, mail_project)
    assert message["To"] == f"Principal's Office <{PRINCIPAL}>"
    assert message["Cc"] == STAFF
    assert message["Bcc"] == f"Records Desk <{RECORDS}>", "a draft keeps Bcc for the mail client"
    assert message["From"] == f"Briefing Staff <{SENDER}>"
    assert message["X-Unsent"] == "1"


def test_missing_pdf_is_built_first(project: Path, brief_file: Path, server):
    with open(brief_file, "a", encoding="utf-8") as brief:
        brief.write(DISTRIBUTION)
    assert not (project / "output" / f"{SAMPLE_ID}.pdf").exists()
    result = send(project)
    assert result.code == 0, result.err
    assert_brief_message(server.handler.received[0].message, project)


# --- delivery -----------------------------------------------------------------------------------

def test_plain_delivery_to_to_cc_and_bcc(mail_project: Path, server, handler):
    result = send(mail_project)
    assert result.code == 0, result.out + result.err
    [received] = handler.received
    assert received.mail_from == SENDER
    assert sorted(received.rcpt_tos) == sorted([PRINCIPAL, STAFF, RECORDS])
    message = received.message
    assert_brief_message(message, mail_project)
    assert message["To"] == f"Principal's Office <{PRINCIPAL}>"
    assert message["Cc"] == STAFF
    assert message["Bcc"] is None, "Bcc only in the envelope"
    assert RECORDS.encode() not in received.raw, "Bcc only in the envelope"
    lines = report_lines(result)
    assert lines[PRINCIPAL] == f"  delivered     to   {PRINCIPAL}"
    assert lines[RECORDS] == f"  delivered     bcc  {RECORDS}"
    assert f"3 delivered; record: output/{SAMPLE_ID}.sent.json" in result.out
    assert delivered_in_record(mail_project) == {PRINCIPAL, STAFF, RECORDS}
    [key] = record(mail_project)["messages"]
    assert key == message["X-Briefgen-Content"].strip()


def test_command_line_recipients_alone(mail_project: Path, server, handler):
    result = send(mail_project, "--no-distribution", "--to", "me@example.com", "--bcc", "Archive@Example.COM")
    assert result.code == 0, result.err
    [received] = handler.received
    assert received.rcpt_tos == ["me@example.com", "Archive@example.com"]
    assert received.message["To"] == "me@example.com"


def test_auth_over_starttls_with_a_trusted_private_ca(mail_project: Path, handler, certificates, monkeypatch):
    controller = start_server(handler, tls_context=certificates.server_context, require_starttls=True,
                              authenticator=authenticate, auth_required=True)
    try:
        use_server(monkeypatch, controller.port, "starttls")
        monkeypatch.setenv("BRIEFGEN_SMTP_USER", USER)
        monkeypatch.setenv("BRIEFGEN_SMTP_PASSWORD", PASSWORD)
        monkeypatch.setenv("BRIEFGEN_SMTP_CA_FILE", str(certificates.ca_file))
        result = send(mail_project)
    finally:
        controller.stop()
    assert result.code == 0, result.out + result.err
    [received] = handler.received
    assert received.authenticated
    assert received.encrypted
    assert_brief_message(received.message, mail_project)
    assert_no_password(mail_project, result)


def test_starttls_with_an_untrusted_certificate_sends_nothing(mail_project: Path, handler, certificates,
                                                              monkeypatch):
    controller = start_server(handler, tls_context=certificates.server_context, require_starttls=True)
    try:
        use_server(monkeypatch, controller.port, "starttls")
        result = send(mail_project)
    finally:
        controller.stop()
    assert result.code == 1
    assert (f"{PRINCIPAL}: TLS with 127.0.0.1:{controller.port} failed: its certificate is not trusted "
            "(unable to get local issuer certificate); if the server uses a private certificate "
            "authority, name the authority's certificate in BRIEFGEN_SMTP_CA_FILE\n") in result.out
    assert all(line.startswith("  not tried") for line in report_lines(result).values())
    assert handler.received == []
    assert delivered_in_record(mail_project) == set()


def test_implicit_tls(mail_project: Path, handler, certificates, monkeypatch):
    controller = start_server(handler, ssl_context=certificates.server_context)
    try:
        use_server(monkeypatch, controller.port, "ssl")
        monkeypatch.setenv("BRIEFGEN_SMTP_CA_FILE", str(certificates.ca_file))
        result = send(mail_project)
    finally:
        controller.stop()
    assert result.code == 0, result.out + result.err
    assert handler.received[0].encrypted


@AUTH_WITHOUT_TLS
def test_auth_on_loopback_without_tls_and_a_wrong_password(mail_project: Path, handler, monkeypatch):
    controller = start_server(handler, authenticator=authenticate, auth_required=True,
                              auth_require_tls=False)
    try:
        use_server(monkeypatch, controller.port, "none")
        monkeypatch.setenv("BRIEFGEN_SMTP_USER", USER)
        monkeypatch.setenv("BRIEFGEN_SMTP_PASSWORD", PASSWORD + "-wrong")
        refused = send(mail_project)
        monkeypatch.setenv("BRIEFGEN_SMTP_PASSWORD", PASSWORD)
        accepted = send(mail_project)
    finally:
        controller.stop()
    assert refused.code == 1
    assert f"127.0.0.1:{controller.port} refused the login for user {USER}: 535" in refused.out
    assert accepted.code == 0, accepted.out + accepted.err
    assert len(handler.received) == 1
    assert handler.received[0].authenticated
    assert_no_password(mail_project, refused, accepted)
    assert (PASSWORD + "-wrong") not in refused.out + refused.err


def test_a_server_without_starttls_or_auth_gets_nothing(mail_project: Path, server, handler, monkeypatch):
    monkeypatch.setenv("BRIEFGEN_SMTP_TLS", "starttls")
    no_tls = send(mail_project)
    monkeypatch.setenv("BRIEFGEN_SMTP_TLS", "none")
    monkeypatch.setenv("BRIEFGEN_SMTP_USER", USER)
    monkeypatch.setenv("BRIEFGEN_SMTP_PASSWORD", PASSWORD)
    no_auth = send(mail_project)
    assert no_tls.code == no_auth.code == 1
    assert f"127.0.0.1:{server.port} does not offer STARTTLS; refusing to send unencrypted" in no_tls.out
    assert f"127.0.0.1:{server.port} does not offer a login (AUTH)" in no_auth.out
    assert handler.received == []
    assert delivered_in_record(mail_project) == set()
    assert_no_password(mail_project, no_tls, no_auth)


def test_password_is_never_sent_in_clear_to_another_host(mail_project: Path, monkeypatch):
    monkeypatch.setenv("BRIEFGEN_SMTP_HOST", "smtp.example.org")
    monkeypatch.setenv("BRIEFGEN_SMTP_TLS", "none")
    monkeypatch.setenv("BRIEFGEN_SMTP_USER", USER)
    monkeypatch.setenv("BRIEFGEN_SMTP_PASSWORD", PASSWORD)
    result = send(mail_project)
    assert result.code == 2
    assert "refusing to send the password unencrypted to smtp.example.org" in result.err
    assert_no_password(mail_project, result)


# --- failures and retries ------------------------------------------------------------------------

def test_a_4xx_for_a_recipient_succeeds_on_retry(mail_project: Path, server, handler):
    handler.rcpt_replies[STAFF] = ["451 4.3.0 Mailbox busy, try again later"]
    result = send(mail_project)
    assert result.code == 0, result.out + result.err
    assert [sorted(r.rcpt_tos) for r in handler.received] == [sorted([PRINCIPAL, RECORDS]), [STAFF]]
    assert server.connections == 2
    assert all(line.startswith("  delivered") for line in report_lines(result).values())


def test_a_dropped_connection_is_retried(mail_project: Path, server, handler):
    handler.data_replies = ["drop"]
    result = send(mail_project)
    assert result.code == 0, result.out + result.err
    assert handler.data_replies == []
    assert server.connections == 2
    [received] = handler.received
    assert sorted(received.rcpt_tos) == sorted([PRINCIPAL, STAFF, RECORDS])


def test_a_4xx_that_never_clears_gives_up_after_the_attempts(mail_project: Path, server, handler, monkeypatch):
    monkeypatch.setenv("BRIEFGEN_SMTP_ATTEMPTS", "2")
    handler.rcpt_replies[STAFF] = ["452 4.2.2 Mailbox full"] * 5
    result = send(mail_project)
    assert result.code == 1
    assert report_lines(result)[STAFF] == (f"  refused       cc   {STAFF}: 452 4.2.2 Mailbox full "
                                           "(gave up after 2 attempts)")
    assert len(handler.rcpt_replies[STAFF]) == 3, "tried exactly twice"


def test_a_5xx_for_one_recipient_then_a_rerun_sends_only_to_them(mail_project: Path, server, handler):
    handler.rcpt_replies[RECORDS] = ["550 5.1.1 <records@example.org>: Recipient address rejected"]
    first = send(mail_project)
    assert first.code == 1
    lines = report_lines(first)
    assert lines[PRINCIPAL].startswith("  delivered")
    assert lines[STAFF].startswith("  delivered")
    assert lines[RECORDS] == (f"  refused       bcc  {RECORDS}: 550 5.1.1 <records@example.org>: "
                              "Recipient address rejected")
    assert "2 delivered, 1 refused" in first.out
    assert "error: 1 of 3 recipients did not get the brief" in first.err
    assert delivered_in_record(mail_project) == {PRINCIPAL, STAFF}
    assert len(handler.received) == 1

    second = send(mail_project)
    assert second.code == 0, second.out + second.err
    assert handler.received[1].rcpt_tos == [RECORDS], "only the one who did not get it"
    assert report_lines(second)[PRINCIPAL].startswith(f"  already sent  to   {PRINCIPAL}: on ")
    assert "1 delivered, 2 already sent" in second.out

    third = send(mail_project)
    assert third.code == 0, third.err
    assert len(handler.received) == 2, "nothing sent twice"
    resent = send(mail_project, "--resend")
    assert resent.code == 0
    assert sorted(handler.received[2].rcpt_tos) == sorted([PRINCIPAL, STAFF, RECORDS])


def test_changed_content_is_a_new_message_for_everyone(project: Path, brief_file: Path, server, handler):
    with open(brief_file, "a", encoding="utf-8") as brief:
        brief.write(DISTRIBUTION)
    assert send(project).code == 0
    edit(brief_file, "title: Camp David Trilateral Summit", "title: Camp David Summit")
    again = send(project)
    assert again.code == 0
    assert [len(r.rcpt_tos) for r in handler.received] == [3, 3]
    assert handler.received[1].message["Subject"].startswith("AMENDED: [UNCLASSIFIED] Camp David Summit,")
    assert len(record(project)["messages"]) == 2


def test_a_changed_brief_sent_again_is_marked_amended_with_what_changed(project: Path, brief_file: Path,
                                                                        server, handler):
    """The principal got the first version; the second goes to them marked AMENDED, with
    the changes in plain words first, and to the newcomers as it is; the page of both says
    it is revision 2."""
    with open(brief_file, "a", encoding="utf-8") as brief:
        brief.write(DISTRIBUTION)
    first = run_cli("email", SAMPLE_ID, "--root", project, "--send", "--no-distribution", "--to", PRINCIPAL)
    assert first.code == 0, first.out + first.err
    assert handler.received[0].message["Subject"] == SUBJECT
    first_record = project / "output" / f"{SAMPLE_ID}.sent.json"
    assert first_record.stat().st_mode & 0o777 == 0o600          # it holds the brief as sent
    [entry] = record(project)["messages"].values()
    assert entry["revision"] == 1
    assert entry["sent_content"][f"content/{SAMPLE_ID}.yaml"] == brief_file.read_text(encoding="utf-8")
    assert "content/people/kishida.yaml" in entry["sent_content"]

    edit(brief_file, "  - id: hotline\n    title: Three-way hotline\n    status: expected",
         "  - id: hotline\n    title: Three-way hotline\n    status: announced")
    edit(brief_file, "broader coordination to the next level", "broader coordination to a new level")
    edit(project / "content" / "people" / "kishida.yaml", "title: Prime Minister of Japan",
         "title: Prime Minister of Japan (outgoing)")
    again = send(project)
    assert again.code == 0, again.out + again.err
    amended, fresh = handler.received[1:]
    assert amended.rcpt_tos == [PRINCIPAL]
    assert sorted(fresh.rcpt_tos) == sorted([STAFF, RECORDS])
    assert amended.message["Subject"] == "AMENDED: " + SUBJECT
    assert fresh.message["Subject"] == SUBJECT

    text = amended.message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert re.match(r"What changed since the version sent on \w+ \d+, \d{4} at \d\d:\d\d UTC:\n\n", text)
    summary = text.split("\n\n")[1].splitlines()
    assert summary == [
        ("- An objective was reworded; it now reads: “Take \"our security and broader coordination to a "
         "new level in a really fundamental way,\" through the commitment to consult.”"),
        "- Three-way hotline: status changed from expected to announced.",
        ("- Fumio Kishida's title changed from Prime Minister of Japan to Prime Minister of Japan "
         "(outgoing).")]
    html_body = amended.message.get_body(("html",)).get_content()
    assert "What changed since the version sent on" in html_body
    assert "Three-way hotline: status changed from expected to announced." in html_body
    assert "What changed" not in fresh.message.get_body(("plain",)).get_content()

    for message in (amended.message, fresh.message):
        assert "Revision 2 · " in message.get_body(("html",)).get_content()
        pdf = next(message.iter_attachments()).get_content()
        pages = PdfReader(io.BytesIO(pdf)).pages
        assert "Revision 2" in pages[-1].extract_text()        # the colophon, after the annex
    versions = sorted(record(project)["messages"].values(), key=lambda e: e["revision"])
    assert [v["revision"] for v in versions] == [1, 2]
    assert set(versions[1]["delivered"]) == {PRINCIPAL, STAFF, RECORDS}
    assert "Prime Minister of Japan (outgoing)" in versions[1]["sent_content"]["content/people/kishida.yaml"]

    unchanged = send(project)                          # nothing new: nothing sent, nothing amended
    assert unchanged.code == 0
    assert len(handler.received) == 3


def test_a_long_subject_with_an_en_dash_is_sent_and_sent_again_amended(project: Path, brief_file: Path,
                                                                       server, handler):
    """Issue 22: a three-day event's subject folds around its en dash; the first send and the
    amended one both arrive with the subject as written (the round-trip check refused both)."""
    edit(brief_file, "  date: 2023-08-18\n", "  start: 2023-08-18\n  end: 2023-08-20\n")
    with open(brief_file, "a", encoding="utf-8") as brief:
        brief.write(DISTRIBUTION)
    subject = "[UNCLASSIFIED] Camp David Trilateral Summit, August 18, 2023 – August 20, 2023"
    first = send(project)
    assert first.code == 0, first.out + first.err
    edit(brief_file, "broader coordination to the next level", "broader coordination to a new level")
    again = send(project, "--resend")
    assert again.code == 0, again.out + again.err
    assert [r.message["Subject"] for r in handler.received] == [subject, f"AMENDED: {subject}"]
    for received in handler.received:
        head = received.raw.split(b"\r\n\r\n", 1)[0]
        assert b" \r\n " not in head, "no space left at the end of a folded line"
        assert max(len(line) for line in head.split(b"\r\n")) <= 78


def test_the_email_heads_deliverables_by_their_statuses_as_the_page_does(project: Path, brief_file: Path):
    """Issue 22: 'Expected deliverables' was printed over items already announced."""
    from briefgen.render.html import render_email_html
    from briefgen.workflows.brief import Project, check_brief

    edit(brief_file, "    title: Three-way hotline\n    status: expected",
         "    title: Three-way hotline\n    status: announced")
    validated, _ = check_brief(Project.at(project), brief_file)
    html = render_email_html(validated)
    assert "<h2>Deliverables</h2>" in html
    assert "Expected deliverables" not in html
    assert 'class="badge status-announced">Announced</span>' in html
    assert 'class="badge status-expected">Expected</span>' in html


def test_an_amended_email_never_names_who_else_gets_the_brief(project: Path, brief_file: Path, server, handler):
    """A recipient added in bcc (or anyone added or removed) is not among the changes the
    others are told of; reviewers see distribution changes in `briefgen diff`."""
    with open(brief_file, "a", encoding="utf-8") as brief:
        brief.write(DISTRIBUTION)
    assert send(project).code == 0
    hidden = "quiet.observer@example.org"
    edit(brief_file, f"      address: {RECORDS}\n", f"      address: {RECORDS}\n    - {hidden}\n")
    edit(brief_file, "  - id: hotline\n    title: Three-way hotline\n    status: expected",
         "  - id: hotline\n    title: Three-way hotline\n    status: announced")
    again = send(project)
    assert again.code == 0, again.out + again.err
    amended = [r for r in handler.received[1:] if r.message["Subject"].startswith("AMENDED: ")]
    assert sorted(address for r in amended for address in r.rcpt_tos) == sorted([PRINCIPAL, STAFF, RECORDS])
    for received in amended:
        for body in (received.message.get_body(("plain",)), received.message.get_body(("html",))):
            text = body.get_content()
            assert "Three-way hotline: status changed from expected to announced." in text
            assert hidden not in text
            assert "Distribution" not in text
        assert hidden not in received.message.as_string()


def test_server_down_sends_nothing_and_records_nothing(mail_project: Path, monkeypatch):
    use_server(monkeypatch, free_port(), "none")
    monkeypatch.setenv("BRIEFGEN_SMTP_ATTEMPTS", "2")
    result = send(mail_project)
    assert result.code == 1
    lines = report_lines(result)
    assert len(lines) == 3
    for address, line in lines.items():
        assert line.endswith(f"{address}: could not connect to 127.0.0.1:{os.environ['BRIEFGEN_SMTP_PORT']}: "
                             "connection refused (is the server running?) (gave up after 2 attempts)")
    assert "error: 3 of 3 recipients did not get the brief" in result.err
    assert "Traceback" not in result.err
    assert delivered_in_record(mail_project) == set()


def test_a_server_that_never_answers_stops_at_the_timeout(mail_project: Path, monkeypatch):
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen()
    accepted = []
    threading.Thread(target=lambda: accepted.append(silent.accept()), daemon=True).start()
    try:
        use_server(monkeypatch, silent.getsockname()[1], "none")
        monkeypatch.setenv("BRIEFGEN_SMTP_TIMEOUT", "0.5")
        monkeypatch.setenv("BRIEFGEN_SMTP_ATTEMPTS", "1")
        result = send(mail_project)
    finally:
        silent.close()
    assert result.code == 1
    assert "did not answer within 0.5 s (BRIEFGEN_SMTP_TIMEOUT) (gave up after 1 attempt)" in result.out


# --- refused before connecting -------------------------------------------------------------------

BAD_ENTRIES = {
    "display name trick": ('    - "Principal <attacker@example.net>"', "is not a bare address"),
    "two addresses": ("    - principal@example.org, attacker@example.net", "holds more than one address"),
    "two addresses, spaces": ("    - principal@example.org attacker@example.net", "holds more than one address"),
    "CR LF injection": ('    - "principal@example.org\\r\\nBcc: attacker@example.net"',
                        "contains a control character (U+000D)"),
    "line separator": ('    - "principal@example.org\\u2028Bcc: attacker@example.net"',
                       "contains a control character (U+2028)"),
    "NUL": ('    - "principal@example.org\\0"', "contains a control character (U+0000)"),
    "invalid domain": ("    - principal@example..org", "has an invalid domain 'example..org'"),
    "domain underscore": ("    - principal@exam_ple.org", "has an invalid domain"),
    "no domain": ("    - principal@localhost", "has no valid domain"),
    "IP literal": ("    - principal@[127.0.0.1]", "uses an IP address as its domain"),
    "no at sign": ("    - principal.example.org", "needs exactly one '@'"),
    "address in the name": ("    - name: boss@example.org\n      address: attacker@example.net",
                            "a name may not contain @"),
    "CR in the name": ('    - name: "Boss\\rBcc: x@example.net"\n      address: boss@example.org',
                       "contains a control character (U+000D)"),
    "listed twice": (f"    - {PRINCIPAL}\n  cc:\n    - {PRINCIPAL}", "is listed twice (in `to` and `cc`)"),
}


@pytest.mark.parametrize(("entry", "message"), BAD_ENTRIES.values(), ids=BAD_ENTRIES.keys())
def test_bad_addresses_in_content_are_refused_before_connecting(project: Path, brief_file: Path, server,
                                                                handler, entry: str, message: str):
    with open(brief_file, "a", encoding="utf-8") as brief:
        brief.write(f"\ndistribution:\n  to:\n{entry}\n")
    line = len(brief_file.read_text().splitlines()) - entry.count("\n")
    result = send(project)
    assert result.code == 1
    assert re.search(rf"^content/{SAMPLE_ID}\.yaml:(\d+):\d+: error: .*{re.escape(message)}", result.err,
                     re.M), result.err
    reported_line = int(re.search(rf"{SAMPLE_ID}\.yaml:(\d+):", result.err).group(1))
    assert line - 2 <= reported_line <= line + entry.count("\n")
    assert "Traceback" not in result.err
    assert server.connections == 0
    assert handler.received == []
    assert not (project / "output" / f"{SAMPLE_ID}.pdf").exists(), "refused before building"


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--to", "Boss <boss@example.org>", "is not a bare address"),
    ("--cc", "a@example.org,b@example.org", "holds more than one address"),
    ("--bcc", "a@example.org\r\nBcc: b@example.net", "contains a control character (U+000D)"),
    ("--to", "a@-example.org", "has an invalid domain"),
])
def test_bad_addresses_on_the_command_line_are_refused_before_connecting(mail_project: Path, server,
                                                                         option, value, message):
    result = send(mail_project, option, value)
    assert result.code == 2
    assert f"error: {option}: " in result.err
    assert message in result.err
    assert "\r" not in result.err
    assert server.connections == 0


@pytest.mark.parametrize(("field", "value", "message"), [
    ("title", '"Camp David\\rBcc: attacker@example.net"', "U+000D"),
    ("title", '"Camp David\\u2028Bcc: attacker@example.net"', "U+2028"),
    ("title", '"Camp David\\u0085Bcc: attacker@example.net"', "U+0085"),
    ("classification", '"UNCLASSIFIED\\r\\nBcc: attacker@example.net"', ""),
])
def test_header_injection_through_brief_fields_is_refused(project: Path, brief_file: Path, server, handler,
                                                          field, value, message):
    text = brief_file.read_text()
    original = re.search(rf"^{field}: .*$", text, re.M).group(0)
    line = text[: text.index(original)].count("\n") + 1
    edit(brief_file, original, f"{field}: {value}")
    with open(brief_file, "a", encoding="utf-8") as brief:
        brief.write(DISTRIBUTION)
    result = send(project)
    assert result.code == 1
    assert re.search(rf"^content/{SAMPLE_ID}\.yaml:{line}:\d+: error: [^\n]*{re.escape(message)}",
                     result.err.replace("\r\n", " "), re.M), result.err
    assert server.connections == 0
    assert handler.received == []


def test_an_attachment_over_the_limit_is_refused_before_connecting(mail_project: Path, server, monkeypatch):
    size = (mail_project / "output" / f"{SAMPLE_ID}.pdf").stat().st_size
    limit = round(size / 2 / 1e6, 3)
    monkeypatch.setenv("BRIEFGEN_MAIL_MAX_ATTACHMENT_MB", str(limit))
    result = send(mail_project)
    assert result.code == 2
    assert (f"error: output/{SAMPLE_ID}.pdf is {size / 1e6:.3f} MB; the limit for an attachment is "
            f"{limit:g} MB (BRIEFGEN_MAIL_MAX_ATTACHMENT_MB); nothing was sent") in result.err, result.err
    assert server.connections == 0


def test_sending_needs_a_sender_and_a_host(mail_project: Path, server, monkeypatch):
    monkeypatch.delenv("BRIEFGEN_MAIL_FROM")
    result = send(mail_project)
    assert result.code == 2
    assert "error: to send, set BRIEFGEN_MAIL_FROM in the environment or in" in result.err
    monkeypatch.setenv("BRIEFGEN_MAIL_FROM", "Boss <boss@example.org>, other@example.org")
    result = send(mail_project)
    assert result.code == 2
    assert "BRIEFGEN_MAIL_FROM: " in result.err
    assert server.connections == 0


def test_nobody_to_send_to(mail_project: Path, server):
    result = send(mail_project, "--no-distribution")
    assert result.code == 2
    assert "nobody to send to" in result.err
    assert server.connections == 0


# --- the configuration file ----------------------------------------------------------------------

def write_config(path: Path, port: int, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# SMTP for briefgen\n"
                    f"BRIEFGEN_SMTP_HOST=127.0.0.1\nBRIEFGEN_SMTP_PORT={port}\nBRIEFGEN_SMTP_TLS=none\n"
                    f"BRIEFGEN_SMTP_USER={USER}\nBRIEFGEN_SMTP_PASSWORD='{PASSWORD}'\n", encoding="utf-8")
    path.chmod(mode)
    return path


@AUTH_WITHOUT_TLS
def test_settings_from_a_private_file_outside_the_project(mail_project: Path, handler, tmp_path):
    controller = start_server(handler, authenticator=authenticate, auth_required=True, auth_require_tls=False)
    try:
        write_config(tmp_path / "config" / "briefgen" / "smtp.env", controller.port)
        result = send(mail_project)
    finally:
        controller.stop()
    assert result.code == 0, result.out + result.err
    assert handler.received[0].authenticated
    assert_no_password(mail_project, result)


def test_a_config_file_others_can_read_or_inside_the_project_is_refused(mail_project: Path, server,
                                                                          tmp_path, monkeypatch):
    readable = write_config(tmp_path / "config" / "briefgen" / "smtp.env", server.port, mode=0o644)
    result = send(mail_project)
    assert result.code == 2
    assert f"make it private with: chmod 600 {readable}" in result.err
    inside = write_config(mail_project / "smtp.env", server.port)
    monkeypatch.setenv("BRIEFGEN_MAIL_CONFIG", str(inside))
    result = send(mail_project)
    inside.unlink()
    assert result.code == 2
    assert "the mail configuration is inside the project" in result.err
    assert server.connections == 0
    assert_no_password(mail_project, result)


def test_a_typo_in_the_config_file_is_reported_with_its_line(mail_project: Path, server, tmp_path, monkeypatch):
    path = tmp_path / "smtp.env"
    path.write_text("BRIEFGEN_SMTP_HOST=127.0.0.1\nBRIEFGEN_SMTP_PASWORD=secret\n")
    path.chmod(0o600)
    monkeypatch.setenv("BRIEFGEN_MAIL_CONFIG", str(path))
    result = send(mail_project)
    assert result.code == 2
    assert f"{path}:2: error: expected NAME=value with one of the names" in result.err
    assert "secret" not in result.err


def test_header_fields_are_checked_again_when_the_message_is_made(project: Path, brief_file: Path):
    """Defence in depth: even a model that let a line break through cannot reach the Subject."""
    from dataclasses import replace

    from briefgen.errors import ContentError
    from briefgen.mail.message import compose_parts
    from briefgen.workflows.brief import Project, check_brief

    validated, _ = check_brief(Project.at(project), brief_file)
    tampered = replace(validated, brief=validated.brief.model_copy(
        update={"title": "Camp David\r\nBcc: attacker@example.net"}))
    with pytest.raises(ContentError) as raised:
        compose_parts(tampered, b"%PDF-")
    [message] = raised.value.messages()
    assert message.startswith(f"content/{SAMPLE_ID}.yaml:6:8: error: `title` contains a control character "
                              "(U+000D); it goes into the email's Subject header")


def test_a_record_from_before_content_was_kept_still_marks_the_amendment(mail_project: Path, server,
                                                                         handler):
    """An entry written by an older briefgen has no content: the principal still learns the
    brief was amended, and is told to read it again in full. (The record carries this
    machine's seal: one without it is no record, tests/security/test_output_state.py.)"""
    from briefgen.engine.seal import sealed

    path = mail_project / "output" / f"{SAMPLE_ID}.sent.json"
    path.write_text(json.dumps(sealed({"messages": {"sha256:older": {"subject": SUBJECT, "delivered": {
        PRINCIPAL: {"at": "2026-11-01T09:30:00Z", "message_id": "<1@x>", "server": "x:25"}}}}})))
    result = run_cli("email", SAMPLE_ID, "--root", mail_project, "--send", "--no-distribution",
                     "--to", PRINCIPAL)
    assert result.code == 0, result.out + result.err
    [message] = [r.message for r in handler.received]
    assert message["Subject"] == "AMENDED: " + SUBJECT
    text = message.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.startswith("What changed since the version sent on November 1, 2026 at 09:30 UTC:\n\n"
                           "- The brief was revised; the changes could not be listed. Please read it "
                           "again in full.\n")
    pdf = next(message.iter_attachments()).get_content()
    assert "Revision 2 · " in PdfReader(io.BytesIO(pdf)).pages[-1].extract_text()
    assert "Revision" not in PdfReader(mail_project / "output" / f"{SAMPLE_ID}.pdf").pages[-1].extract_text()


# --- drafts for a newcomer (issue 18) ----------------------------------------------------------

def test_a_draft_takes_its_from_from_the_settings_file(mail_project: Path, server, tmp_path, monkeypatch):
    monkeypatch.delenv("BRIEFGEN_MAIL_FROM")
    config = tmp_path / "config" / "briefgen" / "smtp.env"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("BRIEFGEN_MAIL_FROM=Desk Officer <desk@example.org>\n", encoding="utf-8")
    config.chmod(0o600)
    result = run_cli("email", SAMPLE_ID, "--root", mail_project)
    assert (result.code, result.err) == (0, "")
    assert "  from Desk Officer <desk@example.org>" in result.out.splitlines()
    import email
    import email.policy
    message = email.message_from_bytes((mail_project / "output" / f"{SAMPLE_ID}.eml").read_bytes(),
                                       policy=email.policy.default)
    assert message["From"] == "Desk Officer <desk@example.org>"
    assert server.connections == 0


def test_a_draft_without_a_sender_or_recipients_says_so(mail_project: Path, server, monkeypatch):
    monkeypatch.delenv("BRIEFGEN_MAIL_FROM")
    result = run_cli("email", SAMPLE_ID, "--root", mail_project, "--no-distribution")
    assert result.code == 0, result.err
    assert (mail_project / "output" / f"{SAMPLE_ID}.eml").is_file()
    no_sender = ("warning: the draft has no From: set BRIEFGEN_MAIL_FROM in the environment or in "
                 f"{Path(os.environ['XDG_CONFIG_HOME']) / 'briefgen' / 'smtp.env'} (e.g. "
                 "BRIEFGEN_MAIL_FROM=Briefing Staff <briefs@example.org>)")
    no_recipients = (f"warning: the draft {SAMPLE_ID}.eml has no recipients: add a `distribution:` "
                     "section to the brief, or give --to, --cc or --bcc")
    assert result.err.splitlines() == [no_sender, no_recipients]
    with_them = run_cli("email", SAMPLE_ID, "--root", mail_project, "--no-distribution",
                        "--to", "desk@example.org")
    assert "no recipients" not in with_them.err
