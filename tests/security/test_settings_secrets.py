"""Attack class: the SMTP password echoed by an error about the settings.

A typo in the settings file (`KEY: value` instead of `KEY=value`) used to print the whole
line, password included, and a wrong value printed the value. Errors about the settings
name the file, the line and the setting, never a value.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.mail.settings import MailConfigError, load_settings

SECRET = "hunter2-Sup3r-Secret"


@pytest.mark.parametrize("line", [
    f"BRIEFGEN_SMTP_PASSWORD: {SECRET}",
    f"BRIEFGEN_SMTP_PASSWORD {SECRET}",
    f"export BRIEFGEN_SMTP_PASSWORD:{SECRET}",
    SECRET,
    f"{SECRET}=BRIEFGEN_SMTP_PASSWORD",
    f"BRIEFGEN_SMTP_PORT={SECRET}",
    f"BRIEFGEN_SMTP_TLS={SECRET}",
    f"BRIEFGEN_SMTP_TIMEOUT={SECRET}",
    f"BRIEFGEN_SMTP_ATTEMPTS={SECRET}",
    f"BRIEFGEN_MAIL_MAX_ATTACHMENT_MB={SECRET}",
    f"BRIEFGEN_MAIL_FROM={SECRET}",
    f"BRIEFGEN_MAIL_FROM=Me <{SECRET}@>",
    f"BRIEFGEN_SMTP_CA_FILE=/nonexistent/{SECRET}.pem",
])
def test_no_settings_value_is_printed(tmp_path: Path, line: str):
    project = tmp_path / "project"
    project.mkdir()
    config = tmp_path / "smtp.env"
    config.write_text(f"# settings\nBRIEFGEN_SMTP_HOST=127.0.0.1\n{line}\n")
    config.chmod(0o600)
    with pytest.raises(MailConfigError) as raised:
        load_settings(project, {"BRIEFGEN_MAIL_CONFIG": str(config)})
    message = str(raised.value)
    assert SECRET not in message, message
    assert "Secret" not in message, message
    assert "BRIEFGEN_" in message or f"{config}:3:" in message, message


@pytest.mark.parametrize("name", ["BRIEFGEN_SMTP_PORT", "BRIEFGEN_SMTP_TLS", "BRIEFGEN_MAIL_FROM"])
def test_no_value_from_the_environment_is_printed(tmp_path: Path, name: str):
    with pytest.raises(MailConfigError) as raised:
        load_settings(tmp_path, {"BRIEFGEN_MAIL_CONFIG": "", name: SECRET,
                                 "XDG_CONFIG_HOME": str(tmp_path / "none")})
    assert SECRET not in str(raised.value)
    assert name in str(raised.value)


def test_a_misspelt_name_is_still_named(tmp_path: Path):
    config = tmp_path / "smtp.env"
    config.write_text(f"BRIEFGEN_SMTP_PASWORD={SECRET}\n")
    config.chmod(0o600)
    with pytest.raises(MailConfigError) as raised:
        load_settings(tmp_path / "project", {"BRIEFGEN_MAIL_CONFIG": str(config)})
    assert "`BRIEFGEN_SMTP_PASWORD`" in str(raised.value)
    assert SECRET not in str(raised.value)
