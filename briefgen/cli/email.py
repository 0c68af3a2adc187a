"""`briefgen email`: a brief, one audience's version of it, or a book, as an email."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from briefgen.cli.options import audience_id
from briefgen.mail.send import EmailRequest, email_command
from briefgen.project import Project

DESCRIPTION = """\
Make the email for one brief: the subject from its classification, title and date;
the brief as an HTML body laid out for mail clients; a plain-text version written from the
content; the PDF attached (built first if missing or out of date).

Recipients come from the brief's `distribution:` (to, cc, bcc) and from --to, --cc
and --bcc. Without --send, the message is written to output/<id>.eml for a mail
client to open. With --send, it is delivered over SMTP, and a per-recipient report
is printed; the exit code is 1 when anyone did not get it. Deliveries are recorded
in output/<id>.sent.json: a re-run sends only to those who did not get this exact
message, unless --resend is given.

SMTP settings come from the environment or from ~/.config/briefgen/smtp.env
(same names, NAME=value lines; BRIEFGEN_MAIL_CONFIG names another file), never
from content:
  BRIEFGEN_SMTP_HOST, BRIEFGEN_SMTP_PORT, BRIEFGEN_SMTP_USER, BRIEFGEN_SMTP_PASSWORD,
  BRIEFGEN_SMTP_TLS (starttls | ssl | none), BRIEFGEN_MAIL_FROM, BRIEFGEN_SMTP_CA_FILE,
  BRIEFGEN_SMTP_TIMEOUT, BRIEFGEN_SMTP_ATTEMPTS, BRIEFGEN_SMTP_RETRY_DELAY,
  BRIEFGEN_MAIL_MAX_ATTACHMENT_MB

examples:
  briefgen email camp-david-2023                       write output/camp-david-2023.eml
  briefgen email camp-david-2023 --send                send to the brief's distribution
  briefgen email camp-david-2023 --send --no-distribution --to me@example.org
  briefgen email camp-david-2023 --audience press --send   the press version, to the press list
  briefgen email hiroshima-g7-2023 --send              a book: its PDF and calendar attached"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("brief", metavar="BRIEF", help="a brief's id (camp-david-2023) or its file, "
                        "or a book's id (content/books/<id>.yaml)")
    for field_name, who in (("to", "a recipient"), ("cc", "a copied recipient"),
                            ("bcc", "a hidden recipient")):
        parser.add_argument(f"--{field_name}", action="append", default=[], metavar="ADDR",
                            help=f"add {who} (repeatable), on top of the brief's distribution")
    parser.add_argument("--audience", metavar="ID", type=audience_id, default=None,
                        help="send the version for this audience (output/<id>.<audience>.pdf), "
                        "to its own distribution")
    parser.add_argument("--no-distribution", action="store_true",
                        help="ignore the brief's distribution: only --to, --cc and --bcc")
    parser.add_argument("--send", action="store_true", help="deliver over SMTP (default: write a draft)")
    parser.add_argument("--send-uncleared", action="store_true",
                        help="with --send: send even text changed after its clearance, or lacking a "
                        "clearance its house requires (`check` names what is missing or changed)")
    parser.add_argument("--resend", action="store_true",
                        help="with --send, send also to those who already got this message")
    parser.add_argument("--root", type=Path, default=None, help="project folder")
    parser.add_argument("--output", type=Path, default=None, help="output folder (default: output/)")


def run(args: argparse.Namespace, project: Project, stdout: TextIO, stderr: TextIO) -> int:
    request = EmailRequest(brief=args.brief, to=tuple(args.to), cc=tuple(args.cc), bcc=tuple(args.bcc),
                           audience=args.audience, no_distribution=args.no_distribution,
                           send=args.send, resend=args.resend, send_uncleared=args.send_uncleared)
    return email_command(request, project, stdout, stderr)
