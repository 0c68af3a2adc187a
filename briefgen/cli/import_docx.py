"""`briefgen import-docx`: merge a Word file's tracked edits into its brief's YAML."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from briefgen.cli.ci import for_log
from briefgen.errors import ExitCode
from briefgen.project import Project
from briefgen.workflows.word import import_docx

DESCRIPTION = """\
Read a Word file made by `briefgen docx` and edited in Word: each field's text as the
editors left it (tracked insertions and deletions applied, with their authors) is merged
into content/<id>.yaml, keeping its comments, key order and styles. The merge is three-way:
the base is the YAML at the commit the file records; a field changed both in the YAML
since then and in Word is a conflict, left for the author at its line. Text typed outside
the fields, deleted fields and edits that would not validate are reported, not applied.
Text outside the fields is locked (labels, dates, names, portion marks); a change to it is
reported too. When the YAML already fails validation, the edits that add no new problem are
merged and its own problems are reported once.
The comments and a summary go to output/<id>.review.md (ready for a pull request).
Importing the same file again changes nothing. Exit 1 when anything was not merged."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("docx", type=Path, metavar="EDITED.docx", help="the Word file to read back")
    parser.add_argument("--root", type=Path, default=None, help="project folder")
    parser.add_argument("--output", type=Path, default=None, help="output folder (default: output/)")


def run(args: argparse.Namespace, project: Project, stdout: TextIO, stderr: TextIO) -> int:
    report = import_docx(project, args.docx)
    for change in report.applied:
        authors = ", ".join(change.authors) or "an untracked edit"
        print(f"{report.display_path}:{change.line}: merged `{change.tag}`, edited by {authors}", file=stdout)
    for problem in report.refused:
        print(for_log(problem.format()), file=stderr)
    if report.already_invalid:
        print(f"{report.display_path} already failed validation before the import (the edits above "
              "were merged around it; fix it in the YAML):", file=stderr)
        for problem in report.already_invalid:
            print(for_log(problem.format()), file=stderr)
    if not report.applied:
        print(f"{report.display_path}: nothing to merge", file=stdout)
    print(f"{len(report.comments)} comment(s); review written to {project.display(report.review_path)}"
          if report.review_path else "", file=stdout)
    return ExitCode.CONTENT_ERROR if report.refused or report.already_invalid else ExitCode.OK
