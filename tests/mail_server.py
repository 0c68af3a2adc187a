"""A real SMTP server for the tests (aiosmtpd on 127.0.0.1), scriptable and counting connections.

It keeps every message it accepted, parsed, and can be told to answer a recipient or
a DATA command with a given reply (a 4xx, a 5xx), or to drop the connection, a given
number of times before behaving normally.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER = "briefs-robot"
PASSWORD = "pw-Zq8#never-print-me"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    authenticated: bool
    encrypted: bool

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.raw, policy=email.policy.default)


@dataclass
class ScriptedHandler:
    """Accepts mail, except where a reply has been scripted for a recipient or for DATA."""

    received: list[Received] = field(default_factory=list)
    rcpt_replies: dict[str, list[str]] = field(default_factory=dict)
    data_replies: list[str] = field(default_factory=list)  # "drop" closes the connection

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        scripted = self.rcpt_replies.get(address)
        if scripted:
            return scripted.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_replies:
            reply = self.data_replies.pop(0)
            if reply == "drop":
                server.transport.close()
                return "421 closing"
            return reply
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.content,
                                      bool(session.authenticated),
                                      server.transport.get_extra_info("ssl_object") is not None))
        return "250 Message accepted for delivery"


class CountingController(Controller):
    """aiosmtpd's controller, counting the SMTP sessions opened after it started."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._factory_calls = 0
        self._baseline = 0

    def factory(self):
        self._factory_calls += 1
        return super().factory()

    def start(self) -> None:
        super().start()
        self._baseline = self._factory_calls  # the controller's own check connection

    @property
    def connections(self) -> int:
        return self._factory_calls - self._baseline


def authenticate(server, session, envelope, mechanism, auth_data) -> AuthResult:
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode()
          and auth_data.password == PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Certificates:
    """A private CA the tests trust (its PEM file is what BRIEFGEN_SMTP_CA_FILE names)."""

    ca_file: Path
    server_context: ssl.SSLContext


def make_certificates(folder: Path) -> Certificates:
    ca = trustme.CA()
    ca_file = folder / "test-ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(context)
    return Certificates(ca_file, context)


def start_server(handler: ScriptedHandler, **smtp_options) -> CountingController:
    controller = CountingController(handler, hostname="127.0.0.1", port=free_port(), **smtp_options)
    controller.start()
    return controller


@contextlib.contextmanager
def smtp_server(monkeypatch) -> Iterator[ScriptedHandler]:
    """A real SMTP server on 127.0.0.1, and the settings that send to it."""
    handler = ScriptedHandler()
    controller = start_server(handler)
    try:
        monkeypatch.setenv("BRIEFGEN_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("BRIEFGEN_SMTP_PORT", str(controller.port))
        monkeypatch.setenv("BRIEFGEN_SMTP_TLS", "none")
        yield handler
    finally:
        controller.stop()
