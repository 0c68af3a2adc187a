"""One brief as an email: subject, mail-safe HTML, plain text and the PDF attached.

Nothing a content author writes can add a header: every brief field that reaches a
header (title, classification, the brief's id as the attachment's name) is checked
for control and line-breaking characters first, with the file:line:col of the field,
and addresses and names have already been checked by the model (see content/addresses.py).
Text that the email library would decode as an RFC 2047 encoded word (`=?...?=`) is refused
twice: at validation, and here, where the written message is also parsed back and must
carry the subject, addresses, names and attachment name it was given, as a mail program
reads them (unfolded, each run of whitespace as one space). The Subject is folded by
headers.py, so that reading it back gives exactly what was written.
The HTML body is the brief in its own email layout (templates/email.html.j2: one column,
the title first, relative sizes, tables for Outlook) with its CSS inlined into style
attributes, then cleaned against an allowlist: no scripts, no stylesheets, nothing fetched
from outside.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import hashlib
import html
import re
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import nh3

from briefgen.content.addresses import first_control_character, has_encoded_word
from briefgen.content.books import ValidatedBook
from briefgen.content.validate import ValidatedBrief
from briefgen.engine.names import OutputKey
from briefgen.errors import BriefgenError, ContentError
from briefgen.mail.headers import MAIL_POLICY
from briefgen.project import TEMPLATES_DIR
from briefgen.render.book import book_text
from briefgen.render.html import render_email_html
from briefgen.render.labels import View, event_dates, medium_date
from briefgen.render.pdf_join import page_count
from briefgen.render.text import brief_text

# The tags and attributes the email layout uses; everything else is dropped from the mail body.
MAIL_TAGS = {"div", "span", "h1", "h2", "p", "br", "ul", "ol", "li", "table", "tbody", "tr", "td",
             "th", "strong", "em", "code", "a", "sup", "blockquote"}
_TABLE_ATTRIBUTES = {"role", "width", "cellpadding", "cellspacing", "border", "align"}
# `dir` keeps a right-to-left name isolated in its line (an element with dir is isolated by HTML).
MAIL_ATTRIBUTES = {"*": {"style", "lang", "dir", "id"}, "a": {"href", "title"}, "li": {"value"},
                   "table": _TABLE_ATTRIBUTES, "td": {"colspan", "rowspan", "width", "align", "valign"},
                   "th": {"width", "align", "valign"}}
_ELEMENT_STYLE = r'<{tag}\b[^>]*?\sstyle="([^"]*)"'


@dataclass(frozen=True)
class Addressee:
    """One recipient: the bare address (already validated), an optional name, and the field."""

    address: str
    name: str | None
    field: str  # "to" | "cc" | "bcc"

    def header_value(self) -> Address:
        local, domain = self.address.rsplit("@", 1)
        return Address(display_name=self.name or "", username=local, domain=domain)


@dataclass(frozen=True)
class MailParts:
    """What a brief's email says, independent of who receives it and when."""

    subject: str
    text: str
    html: str
    pdf: bytes
    attachment_name: str
    # More files after the PDF: (file name, MIME type, data); a book's calendar.
    more_attachments: tuple[tuple[str, str, bytes], ...] = ()

    def content_key(self) -> str:
        """Identifies the message by what it says, so a resend of the same content is recognised."""
        digest = hashlib.sha256()
        for part in (self.subject, self.text, self.html, self.attachment_name):
            digest.update(part.encode("utf-8") + b"\0")
        digest.update(self.pdf)
        for name, mime_type, data in self.more_attachments:
            digest.update(f"{name}\0{mime_type}\0".encode() + data)
        return f"sha256:{digest.hexdigest()}"


def check_header_fields(validated: ValidatedBrief | ValidatedBook) -> None:
    """Refuse a brief (or book) whose header-bound fields hold control or line-breaking characters."""
    problems = []
    content = validated.brief if isinstance(validated, ValidatedBrief) else validated.book
    for key_path, value in (("title",), content.title), (("classification",), content.classification or ""):
        control = first_control_character(value)
        if control:
            problems.append(validated.document.diagnostic(
                key_path, f"`{key_path[-1]}` contains a control character ({control}); it goes into "
                "the email's Subject header, where it could add or break headers. Remove it"))
    if problems:
        raise ContentError(problems)


def compose_parts(validated: ValidatedBrief, pdf: bytes,
                  templates_dir: Path = TEMPLATES_DIR) -> MailParts:
    """The subject, bodies and attachment of a brief's email."""
    check_header_fields(validated)
    attachment_name = OutputKey.of(validated.output_id, ".pdf").name
    body = mail_safe_html(render_email_html(validated, templates_dir), validated.brief.title)
    return MailParts(subject=subject_line(validated), text=brief_text(validated, attachment_name,
                                                                      pages=page_count(pdf)),
                     html=body, pdf=pdf, attachment_name=attachment_name)


def compose_book_parts(validated: ValidatedBook, view: View, page_html: str, pdf: bytes,
                       calendar: bytes) -> MailParts:
    """The subject, bodies and attachments of a book's email: its PDF and its calendar."""
    check_header_fields(validated)
    names = [OutputKey(validated.book_id, suffix).name for suffix in (".pdf", ".ics")]
    subject = " ".join(f"[{validated.book.classification}] {validated.book.title}, {view['dates']}".split())
    return MailParts(subject=subject, text=book_text(view, names),
                     html=mail_safe_html(page_html, validated.book.title), pdf=pdf,
                     attachment_name=names[0], more_attachments=((names[1], "text/calendar", calendar),))


def subject_line(validated: ValidatedBrief) -> str:
    """`[MARKING] Title, date` (the event's date, or its first and last day)."""
    brief = validated.brief
    when = event_dates(brief.event, one_day=medium_date, lang=validated.lang)
    return " ".join(f"[{brief.classification or ''}] {brief.title}, {when}".split())


def mail_safe_html(email_html: str, title: str) -> str:
    """The email layout with inline styles only, no scripts and no external references."""
    import css_inline  # only the email command needs it

    inliner = css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=False,
                                    keep_link_tags=False, keep_at_rules=False,
                                    resolve_css_variables=True)
    inlined = inliner.inline(email_html)
    outer_style = ";".join(filter(None, (_element_style(inlined, tag) for tag in ("html", "body"))))
    body = re.search(r"<body\b[^>]*>(.*)</body>", inlined, re.S)
    cleaned = nh3.clean(body.group(1) if body else "", tags=MAIL_TAGS,
                        clean_content_tags={"script", "style", "template", "noscript"},
                        attributes=MAIL_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                        link_rel="noopener noreferrer", strip_comments=True)
    cleaned = re.sub(r"url\([^)]*\)", "none", cleaned)  # belt and braces: nothing fetched
    # The language and direction the layout declares (the brief's, or its edition's).
    lang = re.search(r'<html\b[^>]*\blang="([A-Za-z0-9-]+)"', email_html)
    right_to_left = ' dir="rtl"' if re.search(r'<html\b[^>]*\bdir="rtl"', email_html) else ""
    return (f'<!DOCTYPE html>\n<html lang="{lang.group(1) if lang else "en"}"{right_to_left}>'
            '<head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title></head>\n"
            f'<body style="{html.escape(outer_style)}">{cleaned}</body></html>\n')


def _element_style(html: str, tag: str) -> str:
    match = re.search(_ELEMENT_STYLE.format(tag=tag), html)
    return match.group(1).strip().rstrip(";") if match else ""


class UnsafeHeader(BriefgenError):
    """Header text that would not reach the message as it was checked (validation refuses
    it first; this is the second wall)."""


def build_message(parts: MailParts, sender: Address | None, recipients: list[Addressee], *,
                  now: dt.datetime, include_bcc: bool) -> EmailMessage:
    """The complete message. Bcc is a header only in a draft (the mail client sends it);
    when briefgen sends, Bcc recipients are only in the SMTP envelope."""
    _refuse_unsafe_text(parts, sender, recipients)
    message = _assemble(parts, sender, recipients, now=now, include_bcc=include_bcc)
    _check_round_trip(message, parts, sender, recipients, include_bcc=include_bcc)
    return message


# Where each header's text comes from, so that a refusal can say what to change.
_SUBJECT_SOURCE = "the title or the classification"
_NAME_SOURCE = "the name in `distribution:`"
_SENDER_SOURCE = "the name in BRIEFGEN_MAIL_FROM"
_ATTACHMENT_SOURCE = "the brief's file name (lower-case letters, digits and hyphens)"


def _refuse_unsafe_text(parts: MailParts, sender: Address | None, recipients: list[Addressee]) -> None:
    texts = [("the subject", parts.subject, _SUBJECT_SOURCE),
             ("the attachment's name", parts.attachment_name, _ATTACHMENT_SOURCE)]
    texts += [(f"the name of {r.address}", r.name or "", _NAME_SOURCE) for r in recipients]
    if sender is not None:
        texts.append(("the sender's name", sender.display_name, _SENDER_SOURCE))
    for what, text, source in texts:
        control = first_control_character(text)
        if control:
            raise UnsafeHeader(f"{what} contains a control character ({control}), which cannot be "
                               f"written in an email header; remove it from {source}. Nothing was "
                               "written or sent")
        if has_encoded_word(text):
            raise UnsafeHeader(f"{what} contains an encoded word (=?...?=) that mail programs would "
                               f"decode into other header text; change {source}. Nothing was written "
                               "or sent")


def as_read(text: str) -> str:
    """Header text as a mail program shows it: unfolded, each run of whitespace one space."""
    return " ".join(text.split())


def _check_round_trip(message: EmailMessage, parts: MailParts, sender: Address | None,
                      recipients: list[Addressee], *, include_bcc: bool) -> None:
    """Parse the message as a mail program will and compare what matters with what was meant."""
    parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
    expected_fields = ("to", "cc") + (("bcc",) if include_bcc else ())
    problems = []
    if as_read(str(parsed["Subject"])) != as_read(parts.subject):
        problems.append(f"the subject would read {as_read(str(parsed['Subject']))!r}; change "
                        f"{_SUBJECT_SOURCE}")
    for field_name in ("to", "cc", "bcc"):
        wanted = [(as_read(r.name or ""), r.address) for r in recipients
                  if r.field == field_name and field_name in expected_fields]
        headers = parsed.get_all(field_name) or []
        found = [(as_read(a.display_name), a.addr_spec) for header in headers for a in header.addresses]
        if found != wanted:
            problems.append(f"the {field_name.capitalize()} header would read "
                            f"{', '.join(map(str, headers))!r}; change {_NAME_SOURCE}")
    if sender is not None and [(as_read(a.display_name), a.addr_spec) for a in parsed["From"].addresses] != \
            [(as_read(sender.display_name), sender.addr_spec)]:
        problems.append(f"the From header would read {str(parsed['From'])!r}; change {_SENDER_SOURCE}")
    attachments = [parts.attachment_name, *(name for name, _, _ in parts.more_attachments)]
    found_names = [part.get_filename() for part in parsed.iter_attachments()]
    if found_names != attachments:
        problems.append(f"the attachments would be named {found_names!r}; change {_ATTACHMENT_SOURCE}")
    if problems:
        raise UnsafeHeader("the message would not reach the recipient as written: "
                           f"{'; '.join(problems)}. Nothing was written or sent")


def _assemble(parts: MailParts, sender: Address | None, recipients: list[Addressee], *,
              now: dt.datetime, include_bcc: bool) -> EmailMessage:
    message = EmailMessage(policy=MAIL_POLICY)
    message["Subject"] = parts.subject
    if sender is not None:
        message["From"] = sender
    for field_name in ("to", "cc") + (("bcc",) if include_bcc else ()):
        chosen = [r.header_value() for r in recipients if r.field == field_name]
        if chosen:
            message[field_name.capitalize()] = chosen
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid("briefgen", domain=sender.domain if sender else "briefgen.invalid")
    message["X-Briefgen-Content"] = parts.content_key()
    message.set_content(parts.text, subtype="plain", cte="quoted-printable")
    message.add_alternative(parts.html, subtype="html", cte="quoted-printable")
    message.add_attachment(parts.pdf, maintype="application", subtype="pdf",
                           filename=parts.attachment_name)
    for name, mime_type, data in parts.more_attachments:
        maintype, subtype = mime_type.split("/", 1)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return message
