"""`briefgen email`: a brief as an email, written as a draft or sent over SMTP.

Everything that can be wrong is found before a connection is opened: the content
(addresses in `distribution:` included, with file:line:col), addresses given on the
command line, the header-bound fields, the SMTP settings and the attachment's size.
Sending then records each delivery under output/ (see sent_record.py), so a re-run
sends only to those who did not get this exact message; `--resend` sends to all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from briefgen.content.ids import ID
from briefgen.engine.names import output_path
from briefgen.engine.workers import WorkerPool
from briefgen.errors import ContentError, Diagnostic, ExitCode, UsageError
from briefgen.render.escape import terminal
from briefgen.workflows.brief import BuildOptions, built_output, layout_pool

if TYPE_CHECKING:
    from briefgen.content.models import Distribution
    from briefgen.content.validate import ValidatedBrief
    from briefgen.mail.message import Addressee, MailParts
    from briefgen.mail.sent_record import EarlierVersion, SentRecord
    from briefgen.mail.settings import MailSettings
    from briefgen.mail.smtp import Outcome
    from briefgen.project import Project
    from briefgen.workflows.book import CheckedBook

_STATUS_ORDER = ("delivered", "already sent", "refused", "not tried")


@dataclass(frozen=True)
class EmailRequest:
    """What `briefgen email` is asked to do (briefgen.cli.email makes one from its arguments)."""

    brief: str                        # a brief's or a book's id, or its file
    to: tuple[str, ...] = ()          # addresses given on the command line, on top of the
    cc: tuple[str, ...] = ()          # brief's `distribution:`
    bcc: tuple[str, ...] = ()
    audience: str | None = None       # the version for this audience
    no_distribution: bool = False     # only `to`, `cc` and `bcc`
    send: bool = False                # deliver over SMTP (else: write a draft)
    resend: bool = False              # also to those who already got this message
    send_uncleared: bool = False      # send text changed after its clearance all the same


def email_command(args: EmailRequest, project: Project, stdout: TextIO, stderr: TextIO) -> int:
    """What `briefgen email` does with its arguments (briefgen.cli.email parses them)."""
    from briefgen.mail.settings import load_settings

    if args.resend and not args.send:
        raise UsageError("--resend only makes sense with --send")
    path = _brief_path(project, args.brief)
    command_line = _command_line_recipients(args)
    book, full, validated = None, None, None
    if project.is_book(path):
        if args.audience:
            raise UsageError("--audience chooses a version of a brief; a book has none")
        book = _validate_book(project, path)
        output_id, distribution = book.book.book_id, book.book.book.distribution
    else:
        full = validated = _validate(project, path)    # the one validation of the command
        if args.send:
            _refuse_placeholders(project, path, full)
            if not args.send_uncleared:
                _refuse_uncleared(project, path, full)
                _refuse_missing_clearance(project, path, full)
        if args.audience:
            validated = _version_for(full, args.audience)
        output_id, distribution = validated.output_id, validated.brief.distribution
    recipients = _merge(([] if args.no_distribution else _distribution(distribution)) + command_line)
    settings = load_settings(project.root)
    if args.send:
        settings.check_ready_to_send()
        if not recipients:
            raise UsageError(f"{project.display(path)} has no `distribution:` and no --to, --cc or "
                             "--bcc was given: nobody to send to")
    with layout_pool(BuildOptions()) as pool:     # every layout of the command, on its workers
        if book is not None:
            parts = _compose_book(project, book, settings, pool)
            if not args.send:
                return _write_draft(project, output_id, parts, recipients, settings, stdout, stderr)
            return _send(project, output_id, None, parts, recipients, settings, args.resend, stdout, stderr,
                         pool)
        assert full is not None
        assert validated is not None
        groups = by_language(validated, distribution, recipients)
        _build_pdfs(project, path, full, [version for version, _ in groups], pool)
        codes = []
        for version, readers in groups:
            parts = _compose(project, version, settings)
            if not args.send:
                codes.append(_write_draft(project, version.output_id, parts, readers, settings, stdout, stderr))
            else:
                codes.append(_send(project, version.output_id, version, parts, readers, settings, args.resend,
                                   stdout, stderr, pool))
        return max(codes)


def by_language(validated: ValidatedBrief, distribution: Distribution | None,
                recipients: list[Addressee]) -> list[tuple[ValidatedBrief, list[Addressee]]]:
    """The recipients grouped by the edition each reads: a recipient's `lang`, else their
    person's `reads`, picks the brief's edition in that language (content/translations.py);
    everyone else, and whoever reads a language the brief has no edition in, gets the brief
    (or the audience's version) itself, the brief's group first; nobody at all: the brief."""
    editions = {edition.edition: edition for edition in validated.editions}
    if validated.audience is not None:
        editions = {lang: edition.for_audience(validated.audience.id) for lang, edition in editions.items()}
    reads: dict[str, str] = {}
    for recipient in (r for name in ("to", "cc", "bcc") for r in getattr(distribution, name, [])):
        person = validated.people.get(recipient.person) if recipient.person else None
        lang = recipient.lang or (person.reads if person is not None else None)
        if lang:
            reads[recipient.address] = lang
    groups: dict[str | None, list[Addressee]] = {None: []}
    for recipient in recipients:
        lang = reads.get(recipient.address)
        groups.setdefault(lang if lang in editions else None, []).append(recipient)
    chosen = [(validated if lang is None else editions[lang], readers) for lang, readers in groups.items()
              if readers]
    return chosen or [(validated, [])]


def _validate_book(project: Project, path: Path) -> CheckedBook:
    from briefgen.workflows.book import check_book

    checked, result = check_book(project, path)
    if checked is None:
        raise ContentError(result.diagnostics)
    return checked


def _compose_book(project: Project, checked: CheckedBook, settings: MailSettings, pool: WorkerPool) -> MailParts:
    """Build the book if needed (its briefs first), then make the parts: PDF and calendar attached."""
    from briefgen.mail.message import check_header_fields, compose_book_parts
    from briefgen.workflows.book import build_books, view_of_built

    check_header_fields(checked.book)
    result = build_books(project, [checked.book.path], checked={checked.book.path: checked}, pool=pool)[0]
    if not result.ok:
        raise ContentError([*result.diagnostics, Diagnostic.of_file(
            checked.book.display_path, "the book could not be built, so nothing was written or sent",
            "invalid")])
    book_id = checked.book.book_id
    pdf = built_output(project, book_id, ".pdf")
    calendar = built_output(project, book_id, ".ics")
    _check_size(project, output_path(project.output_dir, book_id, ".pdf"), len(pdf) + len(calendar), settings)
    page_html = built_output(project, book_id, ".html").decode("utf-8")
    return compose_book_parts(checked.book, view_of_built(checked, pdf), page_html, pdf, calendar)


def _check_size(project: Project, pdf_path: Path, size: int, settings: MailSettings) -> None:
    if size > settings.max_attachment_bytes:
        raise UsageError(f"{project.display(pdf_path)} is {size / 1e6:.3f} MB; the limit for an "
                         f"attachment is {settings.max_attachment_bytes / 1e6:g} MB "
                         "(BRIEFGEN_MAIL_MAX_ATTACHMENT_MB); nothing was sent")


def _brief_path(project: Project, name: str) -> Path:
    path = Path(name)
    if not path.suffix and not path.exists():
        path = project.content_dir / f"{name}.yaml"
        book = project.books_dir / f"{name}.yaml"
        if not path.is_file() and book.is_file():
            path = book
    if not path.is_file():
        raise UsageError(f"no such brief: {name} (looked for {project.display(path)})")
    if not ID.fullmatch(path.stem):
        raise UsageError(f"{path.name}: a brief's file name becomes the attachment's name; use "
                         "lower-case letters, digits and hyphens (e.g. camp-david-2023.yaml)")
    return path


def _command_line_recipients(args: EmailRequest) -> list[Addressee]:
    from briefgen.content.addresses import check_address
    from briefgen.mail.message import Addressee

    found, problems = [], []
    for field_name in ("to", "cc", "bcc"):
        for value in getattr(args, field_name):
            try:
                found.append(Addressee(check_address(value), None, field_name))
            except ValueError as exc:
                problems.append(f"--{field_name}: {exc}")
    if problems:
        raise UsageError("\n".join(problems))
    return found


def _validate(project: Project, path: Path) -> ValidatedBrief:
    from briefgen.workflows.brief import check_brief

    validated, result = check_brief(project, path)
    if validated is None:
        raise ContentError(result.diagnostics)
    return validated


def _refuse_placeholders(project: Project, path: Path, validated: ValidatedBrief) -> None:
    """A brief is not sent with a placeholder `briefgen new` left (a draft may be written)."""
    from briefgen.content.validate import placeholder_warnings

    left = placeholder_warnings(validated.warnings)
    if left:
        raise ContentError([*left, Diagnostic.of_file(
            project.display(path), f"not sent: {len(left)} placeholder{'s' * (len(left) > 1)} not "
            "filled in (listed above); replace each, then send again", "placeholder")])


def _refuse_uncleared(project: Project, path: Path, validated: ValidatedBrief) -> None:
    """Text changed after its clearance is not sent unless the sender says so."""
    from briefgen.content.clearance import who_must_clear_again

    again = who_must_clear_again(validated.clearances)
    if again:
        names = again[0] if len(again) == 1 else f"{', '.join(again[:-1])} and {again[-1]}"
        stale = [w for w in validated.warnings if w.kind == "clearance"]
        raise ContentError([*stale, Diagnostic.of_file(
            project.display(path), f"not sent: the brief was changed after its clearance (listed "
            f"above); {names} must clear it again, or send it as it is with --send-uncleared",
            "clearance")])


def _refuse_missing_clearance(project: Project, path: Path, validated: ValidatedBrief) -> None:
    """A brief whose chain lacks a role its house requires is not sent unless the sender
    says so (`check` fails it the same way)."""
    from briefgen.workflows.check import missing_clearance_roles

    missing = missing_clearance_roles(validated)
    if missing:
        raise ContentError([*missing, Diagnostic.of_file(
            project.display(path), "not sent: the brief lacks a clearance its house requires (above); "
            "add it, or send it as it is with --send-uncleared", "clearance")])


def _version_for(validated: ValidatedBrief, audience_id: str) -> ValidatedBrief:
    """The audience's version: its model holds only what the audience may see, and its
    `distribution` is the audience's own."""
    try:
        return validated.for_audience(audience_id)
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from None


def _distribution(distribution: Distribution | None) -> list[Addressee]:
    from briefgen.mail.message import Addressee

    if distribution is None:
        return []
    return [Addressee(r.address, r.name, field_name) for field_name in ("to", "cc", "bcc")
            for r in getattr(distribution, field_name)]


def _merge(recipients: list[Addressee]) -> list[Addressee]:
    """Each address once, where it first appears (the brief's distribution comes first)."""
    seen, merged = set(), []
    for recipient in recipients:
        if recipient.address not in seen:
            seen.add(recipient.address)
            merged.append(recipient)
    return merged


def _build_pdfs(project: Project, path: Path, full: ValidatedBrief, versions: list[ValidatedBrief],
                pool: WorkerPool) -> None:
    """Check the header fields of every version to be mailed, then build the brief's PDFs
    once for all of them, if needed (from `full`, validated once)."""
    from briefgen.mail.message import check_header_fields
    from briefgen.workflows.brief import build_briefs

    for version in versions:
        check_header_fields(version)
    # skips the work when the PDF is up to date
    result = build_briefs(project, [path], pool=pool, validated={path: full})[0]
    if not result.ok:
        raise ContentError([*result.diagnostics, Diagnostic.of_file(
            project.display(path), "the PDF could not be built, so nothing was written or sent",
            "invalid")])


def _compose(project: Project, validated: ValidatedBrief, settings: MailSettings) -> MailParts:
    """Check the size of the PDF built (_build_pdfs) and make the parts of `validated` (the
    full brief, an audience's version or an edition)."""
    from briefgen.mail.message import compose_parts

    pdf = built_output(project, validated.output_id, ".pdf")
    _check_size(project, output_path(project.output_dir, validated.output_id, ".pdf"), len(pdf), settings)
    return compose_parts(validated, pdf, project.templates_dir)


def _write_draft(project: Project, brief_id: str, parts: MailParts, recipients: list[Addressee],
                 settings: MailSettings, stdout: TextIO, stderr: TextIO) -> int:
    from briefgen.engine.output import write_atomic
    from briefgen.mail.message import build_message

    message = build_message(parts, settings.sender, recipients, now=_now(), include_bcc=True)
    message["X-Unsent"] = "1"  # mail clients open it as a draft, ready to send
    target = output_path(project.output_dir, brief_id, ".eml")
    write_atomic(target, message.as_bytes())
    counts = ", ".join(f"{field_name} {sum(r.field == field_name for r in recipients)}"
                       for field_name in ("to", "cc", "bcc"))
    print(f"wrote {project.display(target)}: {parts.subject}", file=stdout)
    print(f"  from {settings.sender or 'nobody (no BRIEFGEN_MAIL_FROM)'}", file=stdout)
    print(f"  recipients: {counts}; attached {parts.attachment_name} ({len(parts.pdf) / 1024:.0f} KB)",
          file=stdout)
    for warning in _draft_warnings(project, brief_id, settings, recipients):
        print(f"warning: {warning}", file=stderr)
    return ExitCode.OK


def _draft_warnings(project: Project, brief_id: str, settings: MailSettings,
                    recipients: list[Addressee]) -> list[str]:
    """What the person opening the draft would otherwise find missing only in the mail client."""
    from briefgen.mail.settings import default_config_path

    warnings = []
    if settings.sender is None:
        warnings.append(f"the draft has no From: set BRIEFGEN_MAIL_FROM in the environment or in "
                        f"{default_config_path()} (e.g. BRIEFGEN_MAIL_FROM=Briefing Staff "
                        "<briefs@example.org>)")
    if not recipients:
        warnings.append(f"the draft {brief_id}.eml has no recipients: add a `distribution:` "
                        "section to the brief, or give --to, --cc or --bcc")
    return warnings


def _send(project: Project, output_id: str, validated: ValidatedBrief | None, parts: MailParts,
          recipients: list[Addressee], settings: MailSettings, resend: bool, stdout: TextIO,
          stderr: TextIO, pool: WorkerPool) -> int:
    """Send to whoever has not had this exact message. `validated` is the brief (or the
    audience's version) that was composed; None for a book, which is sent as it is."""
    from briefgen.engine.output import brief_lock
    from briefgen.mail.sent_record import SentRecord, record_path
    from briefgen.mail.smtp import ALREADY_SENT, Outcome

    brief_id = output_id      # a version for an audience, and a book, have records of their own
    key = parts.content_key()
    with brief_lock(project.output_dir, brief_id, ".mail.lock"):  # two sends of one brief never overlap
        record = SentRecord(record_path(project.output_dir, brief_id))
        if record.warning:
            print(f"warning: {terminal(record.warning)}", file=stderr)
        had_it = {} if resend else record.delivered(key)
        to_send = [r for r in recipients if r.address not in had_it]
        outcomes = {r.address: Outcome(r, ALREADY_SENT, f"on {had_it[r.address]['at']}")
                    for r in recipients if r.address in had_it}
        if to_send:
            outcomes.update(_deliver_versions(project, validated, parts, key, record, to_send, settings, pool)
                            if validated is not None else _deliver(parts, key, record, to_send, settings))
    return _report([outcomes[r.address] for r in recipients], parts.subject, settings,
                   project.display(record.path), stdout, stderr)


def _deliver_versions(project: Project, validated: ValidatedBrief, parts: MailParts, key: str,
                      record: SentRecord, to_send: list[Addressee], settings: MailSettings,
                      pool: WorkerPool) -> dict[str, Outcome]:
    """Send one message per earlier version held: a brief sent before carries its revision
    on the page, and whoever has an earlier version gets it marked AMENDED, with what
    changed since the version they have. Everything is recorded under `key`."""
    from briefgen.mail import amend
    from briefgen.mail.message import build_message
    from briefgen.mail.smtp import deliver

    revision = record.revision_of(key)
    page_parts = parts if revision == 1 else amend.revised_parts(
        project, validated, parts, amend.revision_line(revision, amend.today(), validated.lang, validated.house),
        pool)
    content = amend.sent_content(validated)
    groups: dict[str | None, tuple[EarlierVersion | None, list[Addressee]]] = {}
    for recipient in to_send:
        earlier = record.earlier_version(recipient.address, key)
        groups.setdefault(earlier.content_key if earlier else None, (earlier, []))[1].append(recipient)
    outcomes = {}
    for earlier, group in groups.values():
        message_parts = page_parts if earlier is None else amend.amended_parts(
            page_parts, earlier, amend.what_changed(project, validated, earlier), validated.lang, validated.house)
        message = build_message(message_parts, settings.sender, group, now=_now(), include_bcc=False)
        message_id = message["Message-ID"]

        def remember(delivered: list[Addressee], message_id: str = message_id) -> None:
            record.add(key, parts.subject, [r.address for r in delivered], message_id, settings.server,
                       sent_content=content)

        outcomes.update({o.recipient.address: o for o in deliver(message, group, settings, remember)})
    return outcomes


def _deliver(parts: MailParts, key: str, record: SentRecord, to_send: list[Addressee],
             settings: MailSettings) -> dict[str, Outcome]:
    """One message to everyone not yet sent it (a book: no revision line, no amendment)."""
    from briefgen.mail.message import build_message
    from briefgen.mail.smtp import deliver

    message = build_message(parts, settings.sender, to_send, now=_now(), include_bcc=False)
    message_id = message["Message-ID"]

    def remember(delivered: list[Addressee]) -> None:
        record.add(key, parts.subject, [r.address for r in delivered], message_id, settings.server)

    return {o.recipient.address: o for o in deliver(message, to_send, settings, remember)}


def _report(outcomes: list[Outcome], subject: str, settings: MailSettings, record_name: str,
            stdout: TextIO, stderr: TextIO) -> int:
    """One line per recipient, then the totals; non-zero when anyone did not get the message."""
    assert settings.sender is not None, "check_ready_to_send() comes first"
    print(f"{subject}\n  via {settings.server} ({settings.tls}) from {settings.sender.addr_spec}",
          file=stdout)
    for outcome in outcomes:
        recipient = outcome.recipient
        detail = f": {outcome.detail}" if outcome.detail else ""
        if outcome.status == "already sent":
            detail += "; not sent again (use --resend to send anyway)"
        print(f"  {outcome.status:<14}{recipient.field:<4} {recipient.address}{detail}", file=stdout)
    totals = {status: sum(o.status == status for o in outcomes) for status in _STATUS_ORDER}
    print(", ".join(f"{count} {status}" for status, count in totals.items() if count)
          + f"; record: {record_name}", file=stdout)
    missed = totals["refused"] + totals["not tried"]
    if missed:
        print(f"error: {missed} of {len(outcomes)} recipient{'s' * (len(outcomes) != 1)} did not "
              "get the brief; run the same command again to retry only them", file=stderr)
        return ExitCode.CONTENT_ERROR
    return ExitCode.OK


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
