"""`briefgen decisions`: the boxes ticked on a brief's PDF, recorded as its decisions' outcomes."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from briefgen.content.models import Outcome
from briefgen.errors import ExitCode
from briefgen.project import Project
from briefgen.render.records import outcome_line
from briefgen.workflows.decisions import record_decisions

DESCRIPTION = """\
Read a brief's PDF (or a book's) whose decision boxes were ticked (and any initials and date
typed in its form) and record each decision's outcome in content/<id>.yaml, keeping its
comments. A PDF
that is not a brief of this project, or that was made from text that has changed since, is
refused and nothing is written; so is a decision with two boxes ticked."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("pdf", type=Path, metavar="FILLED.pdf", help="the brief's PDF, its boxes ticked")
    parser.add_argument("--root", type=Path, default=None, help="project folder")


def run(args: argparse.Namespace, project: Project, stdout: TextIO, stderr: TextIO) -> int:
    for report in record_decisions(project, args.pdf):
        for item in report.recorded:
            issue = " ".join(item.issue.split())
            print(f"{report.display_path}: decision {item.number} ({issue[:60]}{'…' * (len(issue) > 60)}): "
                  f"{outcome_line(Outcome.model_validate(item.outcome))}", file=stdout)
        if report.unticked:
            listed = ", ".join(str(n) for n in report.unticked)
            print(f"{report.display_path}: no box ticked for decision{'s' * (len(report.unticked) > 1)} "
                  f"{listed}; left as it was", file=stdout)
        if not report.recorded:
            print(f"{report.display_path}: nothing recorded", file=stdout)
    return ExitCode.OK
