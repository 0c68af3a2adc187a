"""`briefgen docx`: write briefs as Word files, every field in a content control."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from briefgen.cli.options import audience_id
from briefgen.errors import ExitCode
from briefgen.project import Project
from briefgen.workflows.brief import find_briefs
from briefgen.workflows.word import write_docx

DESCRIPTION = """\
Write output/<id>.docx for each brief, and output/<id>.<audience>.docx for each of its
audiences (only that one with --audience), from the Word template templates/brief.docx
(the project's own when it has one). Every field written in the YAML sits in a content
control tagged with its key path; send the file for clearance, then read the edits back
with `briefgen import-docx`. The file records the commit and a hash of the YAML it was made
from: commit the brief first."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="*", type=Path, metavar="BRIEF",
                        help="brief files or folders (default: every brief under content/)")
    parser.add_argument("--audience", metavar="NAME", type=audience_id, default=None,
                        help="write only this audience's version (output/<id>.<audience>.docx)")
    parser.add_argument("--root", type=Path, default=None, help="project folder")
    parser.add_argument("--output", type=Path, default=None, help="output folder (default: output/)")


def run(args: argparse.Namespace, project: Project, stdout: TextIO, stderr: TextIO) -> int:
    for path in find_briefs(project, args.files):
        for written in write_docx(project, path, args.audience):
            print(f"wrote {project.display(written)}", file=stdout)
    return ExitCode.OK
