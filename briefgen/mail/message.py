"""One brief as an email: subject, mail-safe HTML, plain text and the PDF attached.

Nothing a content author writes can add a header: every brief field that reaches a
header (title, classification, the brief's id as the attachment's name) is checked
for control and line-breaking characters first, with the file:line:col of the field,
and addresses and names have already been checked by the model (see addresses.py).
The HTML body is the one-pager with its CSS inlined into style attributes, then
cleaned against an allowlist: no scripts, no stylesheets, nothing fetched from outside.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import re
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid

import nh3

from briefgen.content.addresses import first_control_character
from briefgen.content.books import ValidatedBook
from briefgen.content.validate import ValidatedBrief
from briefgen.errors import ContentError
from briefgen.render.html import event_dates, medium_date
from briefgen.render.text import brief_text

# The tags and attributes the one-pager uses; everything else is dropped from the mail body.
MAIL_TAGS = {"div", "span", "header", "footer", "section", "h1", "h2", "p", "br", "dl", "dt", "dd",
             "ul", "ol", "li", "table", "tbody", "tr", "td", "th", "strong", "em", "code", "a",
             "sup", "blockquote"}
MAIL_ATTRIBUTES = {"*": {"style", "lang", "id"}, "a": {"href", "title"}, "li": {"value"},
                   "td": {"colspan", "rowspan"}}
# Mail clients show the page on screen, not on paper, and many ignore floats and grids:
# a readable size, centred, with the two columns stacked and no print-only layout.
SCREEN_CSS = """
html { font-size: 11pt; }
.sheet { max-width: 760px; margin: 0 auto; padding: 12px; }
.columns, .masthead, ul.people { display: block; }
.masthead .facts, .columns .main, .columns .side { float: none; width: auto; text-align: left; }
.masthead .facts { margin-top: 4pt; }
.person { float: none; display: inline-block; vertical-align: top; width: 19%; }
ol.sources { columns: auto; }
"""
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
    for key_path, value in (("title",), content.title), (("classification",), content.classification):
        control = first_control_character(value)
        if control:
            problems.append(validated.document.diagnostic(
                key_path, f"`{key_path[-1]}` contains a control character ({control}); it goes into "
                "the email's Subject header, where it could add or break headers. Remove it"))
    if problems:
        raise ContentError(problems)


def compose_parts(validated: ValidatedBrief, page_html: str, pdf: bytes) -> MailParts:
    """The subject, bodies and attachment of a brief's email."""
    check_header_fields(validated)
    attachment_name = f"{validated.brief_id}.pdf"
    return MailParts(subject=subject_line(validated), text=brief_text(validated, attachment_name),
                     html=mail_safe_html(page_html, validated.brief.title), pdf=pdf,
                     attachment_name=attachment_name)


def compose_book_parts(validated: ValidatedBook, view: dict, page_html: str, pdf: bytes,
                       calendar: bytes) -> MailParts:
    """The subject, bodies and attachments of a book's email: its PDF and its calendar."""
    from briefgen.render.book import book_text

    check_header_fields(validated)
    names = [f"{validated.book_id}.pdf", f"{validated.book_id}.ics"]
    subject = " ".join(f"[{validated.book.classification}] {validated.book.title}, {view['dates']}".split())
    return MailParts(subject=subject, text=book_text(view, names),
                     html=mail_safe_html(page_html, validated.book.title), pdf=pdf,
                     attachment_name=names[0], more_attachments=((names[1], "text/calendar", calendar),))


def subject_line(validated: ValidatedBrief) -> str:
    """`[MARKING] Title, date` (the event's date, or its first and last day)."""
    brief = validated.brief
    when = event_dates(brief.event, one_day=medium_date)
    return " ".join(f"[{brief.classification}] {brief.title}, {when}".split())


def mail_safe_html(page_html: str, title: str) -> str:
    """The one-pager with inline styles only, no scripts and no external references."""
    import css_inline  # only the email command needs it

    inliner = css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=False,
                                    keep_link_tags=False, keep_at_rules=False,
                                    resolve_css_variables=True, extra_css=SCREEN_CSS)
    inlined = inliner.inline(page_html)
    outer_style = ";".join(_element_style(inlined, tag) for tag in ("html", "body"))
    body = re.search(r"<body\b[^>]*>(.*)</body>", inlined, re.S)
    cleaned = nh3.clean(body.group(1) if body else "", tags=MAIL_TAGS,
                        clean_content_tags={"script", "style", "template", "noscript"},
                        attributes=MAIL_ATTRIBUTES, url_schemes={"http", "https", "mailto"},
                        link_rel="noopener noreferrer", strip_comments=True)
    cleaned = re.sub(r"url\([^)]*\)", "none", cleaned)  # belt and braces: nothing fetched
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(title)}</title></head>\n"
            f'<body style="{html.escape(outer_style)}">{cleaned}</body></html>\n')


def _element_style(html: str, tag: str) -> str:
    match = re.search(_ELEMENT_STYLE.format(tag=tag), html)
    return match.group(1).strip().rstrip(";") if match else ""


def build_message(parts: MailParts, sender: Address | None, recipients: list[Addressee], *,
                  now: dt.datetime, include_bcc: bool) -> EmailMessage:
    """The complete message. Bcc is a header only in a draft (the mail client sends it);
    when briefgen sends, Bcc recipients are only in the SMTP envelope."""
    message = EmailMessage(policy=SMTP)
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
