"""Deliver one message over SMTP, recipient by recipient, with bounded retries.

A transient failure (a 4xx reply, a dropped or timed-out connection) is retried
after a delay that doubles each time, up to `attempts` tries in all; only the
recipients still waiting are tried again. A permanent refusal (5xx) is final for
whom it concerns. Each recipient ends as delivered, refused (with the server's
reason) or not tried (with why). Whoever the server has accepted is reported to
`on_delivered` at once, so the caller can record it before anything else can fail.
"""

from __future__ import annotations

import smtplib
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.message import EmailMessage

from briefgen.mail.message import Addressee
from briefgen.mail.settings import MailSettings

DELIVERED, REFUSED, NOT_TRIED, ALREADY_SENT = "delivered", "refused", "not tried", "already sent"


@dataclass(frozen=True)
class Outcome:
    recipient: Addressee
    status: str
    detail: str = ""


class _Permanent(Exception):
    """A failure that retrying cannot fix (bad certificate, login refused, no STARTTLS)."""


def deliver(message: EmailMessage, recipients: list[Addressee], settings: MailSettings,
            on_delivered: Callable[[list[Addressee]], None]) -> list[Outcome]:
    """Send `message` to every recipient (envelope only: Bcc is never in the headers)."""
    data = message.as_bytes()
    pending, final, retried_out = list(recipients), {}, True
    last_problem: dict[str, tuple[str, str]] = {}  # address -> (status, why), for those still pending
    for attempt in range(1, settings.attempts + 1):
        if attempt > 1:
            time.sleep(settings.retry_delay * 2 ** (attempt - 2))
        try:
            refused = _send_once(settings, [r.address for r in pending], data)
        except _Permanent as exc:
            last_problem.update({r.address: (NOT_TRIED, _redact(str(exc), settings)) for r in pending})
            retried_out = False
            break
        except smtplib.SMTPResponseException as exc:
            reply = _redact(_reply(exc.smtp_code, exc.smtp_error), settings)
            if not _transient(exc.smtp_code):
                final.update({r.address: Outcome(r, REFUSED, reply) for r in pending})
                pending = []
                break
            last_problem.update({r.address: (NOT_TRIED, reply) for r in pending})
            continue
        except (smtplib.SMTPException, OSError) as exc:
            problem = _redact(_connection_problem(exc, settings), settings)
            last_problem.update({r.address: (NOT_TRIED, problem) for r in pending})
            continue
        accepted = [r for r in pending if r.address not in refused]
        if accepted:
            on_delivered(accepted)
            final.update({r.address: Outcome(r, DELIVERED) for r in accepted})
        pending = []
        for recipient in (r for r in recipients if r.address in refused):
            code, reason = refused[recipient.address]
            reply = _redact(_reply(code, reason), settings)
            if _transient(code):
                pending.append(recipient)
                last_problem[recipient.address] = (REFUSED, reply)
            else:
                final[recipient.address] = Outcome(recipient, REFUSED, reply)
        if not pending:
            break
    tries = f" (gave up after {attempt} attempt{'s' * (attempt != 1)})" if retried_out else ""
    for recipient in pending:
        status, why = last_problem[recipient.address]
        final[recipient.address] = Outcome(recipient, status, why + tries)
    return [final[r.address] for r in recipients]


def _send_once(settings: MailSettings, addresses: list[str], data: bytes) -> dict[str, tuple[int, bytes]]:
    """One SMTP session; returns the recipients refused ({address: (code, reply)})."""
    assert settings.sender is not None, "check_ready_to_send() comes first"
    smtp = _open(settings)
    try:
        try:
            return smtp.sendmail(settings.sender.addr_spec, addresses, data)
        except smtplib.SMTPRecipientsRefused as exc:  # every recipient refused: nobody got it
            return exc.recipients
    finally:
        try:
            smtp.quit()
        except (smtplib.SMTPException, OSError):
            smtp.close()


def _open(settings: MailSettings) -> smtplib.SMTP:
    """Connect, secure and log in; the timeout covers the connection and every reply."""
    assert settings.host is not None, "check_ready_to_send() comes first"
    smtp: smtplib.SMTP
    try:
        if settings.tls == "ssl":
            smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                    context=settings.tls_context())
        else:
            smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    except ssl.SSLError as exc:
        raise _Permanent(_tls_problem(exc, settings)) from None
    try:
        smtp.ehlo()
        if settings.tls == "starttls":
            if not smtp.has_extn("starttls"):
                raise _Permanent(f"{settings.server} does not offer STARTTLS; refusing to send "
                                 "unencrypted (set BRIEFGEN_SMTP_TLS=ssl, or none if that is really meant)")
            smtp.starttls(context=settings.tls_context())
            smtp.ehlo()
        if settings.user:
            if not smtp.has_extn("auth"):
                raise _Permanent(f"{settings.server} does not offer a login (AUTH); unset "
                                 "BRIEFGEN_SMTP_USER to send without logging in")
            smtp.login(settings.user, settings.password.reveal())
    except smtplib.SMTPAuthenticationError as exc:
        smtp.close()
        raise _Permanent(f"{settings.server} refused the login for user {settings.user}: "
                         f"{_reply(exc.smtp_code, exc.smtp_error)}") from None
    except ssl.SSLError as exc:
        smtp.close()
        raise _Permanent(_tls_problem(exc, settings)) from None
    except BaseException:
        smtp.close()
        raise
    return smtp


def _transient(code: int) -> bool:
    return 400 <= code < 500


def _reply(code: int, text: bytes | str) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"{code} {' '.join(text.split())}"


def _tls_problem(exc: ssl.SSLError, settings: MailSettings) -> str:
    if isinstance(exc, ssl.SSLCertVerificationError):
        return (f"TLS with {settings.server} failed: its certificate is not trusted "
                f"({exc.verify_message}); if the server uses a private certificate authority, "
                "name the authority's certificate in BRIEFGEN_SMTP_CA_FILE")
    return f"TLS with {settings.server} failed: {exc.reason or exc}"


def _connection_problem(exc: BaseException, settings: MailSettings) -> str:
    if isinstance(exc, TimeoutError) or isinstance(exc.__context__, TimeoutError):
        return f"{settings.server} did not answer within {settings.timeout:g} s (BRIEFGEN_SMTP_TIMEOUT)"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return f"{settings.server} closed the connection: {exc or 'no reason given'}"
    if isinstance(exc, ConnectionRefusedError):
        return f"could not connect to {settings.server}: connection refused (is the server running?)"
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return f"could not talk to {settings.server}: {reason}"


def _redact(text: str, settings: MailSettings) -> str:
    """Whatever a server or a library says, the password is not repeated."""
    password = settings.password.reveal()
    return text.replace(password, "********") if password else text
