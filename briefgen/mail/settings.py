"""Where and how to send mail: environment variables, or a private file outside the repository.

Never from content. The same names work in both places; the environment wins.
The file (default ~/.config/briefgen/smtp.env, or the path in BRIEFGEN_MAIL_CONFIG)
holds `NAME=value` lines and `# comments`. Because it may hold the password, it must
live outside the project and be readable by its owner only. The password is kept in
a `Secret` that prints as '********', so it cannot slip into a message or a log.
No error about the settings prints a value (nor a line of the file, which may hold one):
it names the file, the line and the setting.
"""

from __future__ import annotations

import os
import re
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from email.headerregistry import Address
from pathlib import Path

from briefgen.content.addresses import check_address, check_display_name
from briefgen.errors import UsageError

TLS_MODES = ("starttls", "ssl", "none")
DEFAULT_PORTS = {"starttls": 587, "ssl": 465, "none": 25}
LOOPBACK_HOSTS = {"localhost", "127.0.0.1", "::1"}
SETTINGS = {
    "BRIEFGEN_SMTP_HOST": "the SMTP server's host name",
    "BRIEFGEN_SMTP_PORT": "its port (default: 587 for starttls, 465 for ssl, 25 for none)",
    "BRIEFGEN_SMTP_USER": "the user to log in as (no login when unset)",
    "BRIEFGEN_SMTP_PASSWORD": "the password for that user",
    "BRIEFGEN_SMTP_TLS": "starttls (default), ssl, or none",
    "BRIEFGEN_SMTP_CA_FILE": "PEM file of the certificate authorities to trust (default: the system's)",
    "BRIEFGEN_SMTP_TIMEOUT": "seconds to wait to connect and for each reply (default: 30)",
    "BRIEFGEN_SMTP_ATTEMPTS": "attempts per recipient on transient failures (default: 3)",
    "BRIEFGEN_SMTP_RETRY_DELAY": "seconds before the first retry, doubled for each next one (default: 2)",
    "BRIEFGEN_MAIL_FROM": "the sender, `name@example.org` or `Name <name@example.org>`",
    "BRIEFGEN_MAIL_MAX_ATTACHMENT_MB": "largest PDF to attach, in MB (default: 10)",
}


class MailConfigError(UsageError):
    """The mail settings are missing or wrong; nothing was sent."""


class Secret:
    """A value that never shows itself when printed, formatted or logged."""

    def __init__(self, value: str):
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __bool__(self) -> bool:
        return bool(self._value)

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__


@dataclass(frozen=True)
class MailSettings:
    """Everything about delivery that is not in the brief."""

    host: str | None
    port: int
    tls: str
    user: str | None
    password: Secret
    ca_file: Path | None
    timeout: float
    attempts: int
    retry_delay: float
    sender: Address | None
    max_attachment_bytes: int

    @property
    def server(self) -> str:
        return f"{self.host}:{self.port}"

    def tls_context(self) -> ssl.SSLContext:
        """Certificates are always verified; a private CA is trusted only when named."""
        return ssl.create_default_context(cafile=str(self.ca_file) if self.ca_file else None)

    def check_ready_to_send(self) -> None:
        """Refuse, before connecting, settings that could not deliver or would leak the password."""
        missing = [name for name, value in (("BRIEFGEN_SMTP_HOST", self.host),
                                            ("BRIEFGEN_MAIL_FROM", self.sender)) if not value]
        if missing:
            raise MailConfigError(f"to send, set {' and '.join(missing)} in the environment or in "
                                  f"{default_config_path()}; see `briefgen email --help`")
        if self.user and not self.password:
            raise MailConfigError("BRIEFGEN_SMTP_USER is set but BRIEFGEN_SMTP_PASSWORD is not")
        if self.user and self.tls == "none" and self.host not in LOOPBACK_HOSTS:
            raise MailConfigError(f"refusing to send the password unencrypted to {self.host}: set "
                                  "BRIEFGEN_SMTP_TLS to starttls or ssl")


def default_config_path() -> Path:
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "briefgen" / "smtp.env"


def load_settings(project_root: Path, environ: Mapping[str, str] | None = None) -> MailSettings:
    """The settings from the config file (if any), overridden by the environment."""
    environ = os.environ if environ is None else environ
    named = environ.get("BRIEFGEN_MAIL_CONFIG")
    path = Path(named).expanduser() if named else default_config_path()
    values = read_config_file(path, project_root, must_exist=bool(named))
    values.update({name: environ[name] for name in SETTINGS if environ.get(name)})
    return _settings_from(values)


def read_config_file(path: Path, project_root: Path, *, must_exist: bool) -> dict[str, str]:
    if not path.is_file():
        if must_exist:
            raise MailConfigError(f"no mail configuration file at {path} (BRIEFGEN_MAIL_CONFIG)")
        return {}
    if path.resolve().is_relative_to(project_root.resolve()):
        raise MailConfigError(f"{path}: the mail configuration is inside the project; move it "
                              f"outside (e.g. to {default_config_path()}) so it is never committed")
    if path.stat().st_mode & 0o077:
        raise MailConfigError(f"{path}: others can read this file, and it may hold the SMTP "
                              f"password; make it private with: chmod 600 {path}")
    values: dict[str, str] = {}
    problems = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, equals, value = line.partition("=")
        name = name.strip().removeprefix("export ").strip()
        if not equals or name not in SETTINGS:
            problems.append(f"{path}:{number}: error: expected NAME=value with one of the names "
                            f"{', '.join(SETTINGS)}; {_what_was_found(name, equals)}")
            continue
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name] = value
    if problems:
        raise MailConfigError("\n".join(problems))
    return values


def _what_was_found(name: str, equals: str) -> str:
    """What a bad line holds, without any of its value: only a name (which is never a value)
    that looks like one, e.g. a misspelt setting."""
    if not equals:
        return "this line has no '=' (its text is not shown, as it may hold a password)"
    if _NAME.fullmatch(name):
        return f"got `{name}`"
    return "the text before '=' is not a setting's name (not shown, as it may hold a password)"


_NAME = re.compile(r"[A-Z][A-Z0-9_]{0,63}")


def _settings_from(values: Mapping[str, str]) -> MailSettings:
    tls = values.get("BRIEFGEN_SMTP_TLS", "starttls").lower()
    if tls not in TLS_MODES:
        raise MailConfigError(f"BRIEFGEN_SMTP_TLS must be one of {', '.join(TLS_MODES)}")
    ca_file = Path(values["BRIEFGEN_SMTP_CA_FILE"]).expanduser() if values.get("BRIEFGEN_SMTP_CA_FILE") else None
    if ca_file and not ca_file.is_file():
        raise MailConfigError("BRIEFGEN_SMTP_CA_FILE does not name a readable file")
    max_mb = _number(values, "BRIEFGEN_MAIL_MAX_ATTACHMENT_MB", 10.0)
    return MailSettings(
        host=values.get("BRIEFGEN_SMTP_HOST") or None,
        port=int(_number(values, "BRIEFGEN_SMTP_PORT", DEFAULT_PORTS[tls], whole=True)),
        tls=tls,
        user=values.get("BRIEFGEN_SMTP_USER") or None,
        password=Secret(values.get("BRIEFGEN_SMTP_PASSWORD", "")),
        ca_file=ca_file,
        timeout=_number(values, "BRIEFGEN_SMTP_TIMEOUT", 30.0),
        attempts=int(_number(values, "BRIEFGEN_SMTP_ATTEMPTS", 3, whole=True)),
        retry_delay=_number(values, "BRIEFGEN_SMTP_RETRY_DELAY", 2.0, allow_zero=True),
        sender=_sender(values.get("BRIEFGEN_MAIL_FROM")),
        max_attachment_bytes=int(max_mb * 1_000_000),
    )


def _number(values: Mapping[str, str], name: str, default: float, *, whole: bool = False,
            allow_zero: bool = False) -> float:
    text = values.get(name)
    if text is None:
        return default
    try:
        value = int(text) if whole else float(text)
    except ValueError:
        value = -1
    if value < 0 or (value == 0 and not allow_zero):
        kind = "a whole number" if whole else "a number"
        raise MailConfigError(f"{name} must be {kind} above zero")
    return value


def _sender(text: str | None) -> Address | None:
    """`name@example.org` or `Name <name@example.org>`, checked as strictly as any recipient."""
    if not text:
        return None
    bracketed = re.fullmatch(r"\s*([^<>]*?)\s*<([^<>]*)>\s*", text)
    name, address = (bracketed.group(1).strip('"'), bracketed.group(2)) if bracketed else ("", text)
    try:
        address = check_address(address)
        name = check_display_name(name) if name else ""
    except ValueError:
        raise MailConfigError("BRIEFGEN_MAIL_FROM: expected `name@example.org` or "
                              "`Name <name@example.org>`, with a valid address and a plain name "
                              "(the value is not shown)") from None
    local, domain = address.rsplit("@", 1)
    return Address(display_name=name, username=local, domain=domain)
