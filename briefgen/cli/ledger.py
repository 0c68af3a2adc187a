"""`briefgen ledger`: every deliverable across the briefs, with its status history from git."""

from __future__ import annotations

import argparse
import csv
import io
import json
from pathlib import Path
from typing import TextIO

from briefgen.errors import ExitCode
from briefgen.project import Project
from briefgen.workflows.ledger import LedgerEntry, StatusChange, build_ledger

DESCRIPTION = """\
List every deliverable of every brief under content/, by brief and id, with its status now
and each change of its status: who changed it and when (from git; changes not yet
committed say so)."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=("text", "markdown", "csv", "json"), default="text",
                        help="how to print the ledger (default: text)")
    parser.add_argument("--root", type=Path, default=None, help="project folder")


def run(args: argparse.Namespace, project: Project, stdout: TextIO, stderr: TextIO) -> int:
    entries = build_ledger(project)
    print({"text": _text, "markdown": _markdown, "csv": _csv, "json": _json}[args.format](entries),
          file=stdout, end="")
    return ExitCode.OK


def _change(change: StatusChange) -> str:
    when = change.day.isoformat() if change.day else ""
    commit = f" {change.commit[:10]}" if change.commit else ""
    return f"{change.status} ({', '.join(filter(None, [change.who, when]))}{commit})"


def _text(entries: list[LedgerEntry]) -> str:
    lines = []
    for entry in entries:
        lines.append(f"{entry.brief_id}/{entry.deliverable_id}: {entry.title}: {entry.status or 'no longer listed'}")
        lines += [f"  {_change(change)}" for change in entry.history]
    return "\n".join(lines) + "\n" if lines else "no deliverables\n"


def _markdown(entries: list[LedgerEntry]) -> str:
    rows = ["| Brief | Deliverable | Status | History |", "| --- | --- | --- | --- |"]
    rows += [f"| {e.brief_id} | {_cell(e.title)} (`{e.deliverable_id}`) | {e.status or 'no longer listed'} | "
             f"{' → '.join(_cell(_change(c)) for c in e.history)} |" for e in entries]
    return "\n".join(rows) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _csv(entries: list[LedgerEntry]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["brief", "deliverable", "title", "status_now", "status", "who", "when", "commit"])
    for entry in entries:
        for change in entry.history:
            writer.writerow([entry.brief_id, entry.deliverable_id, entry.title, entry.status, change.status,
                             change.who, change.day.isoformat() if change.day else "", change.commit])
    return out.getvalue()


def _json(entries: list[LedgerEntry]) -> str:
    return json.dumps([e.as_dict() for e in entries], indent=2, ensure_ascii=False) + "\n"
