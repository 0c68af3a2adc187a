"""`briefgen readout`: draft the readout of a meeting and its public readout, from the brief."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from briefgen.errors import ExitCode
from briefgen.project import Project
from briefgen.workflows.readout import write_readouts

DESCRIPTION = """\
Draft, from a brief and its recorded outcomes, output/<id>.readout.md (a memorandum of
conversation: participants, date, time and place, each objective, decision and deliverable
with its outcome or a blank to fill in, the points made) and output/<id>.public-readout.md,
made only from what the brief's most public audience may see (the press version where there
is one). Every sentence is the brief's own or a blank marked [FILL IN: ...]."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("brief", metavar="ID", help="a brief's id (woodside-2023) or its file")
    parser.add_argument("--root", type=Path, default=None, help="project folder")
    parser.add_argument("--output", type=Path, default=None, help="output folder (default: output/)")


def run(args: argparse.Namespace, project: Project, stdout: TextIO, stderr: TextIO) -> int:
    written = write_readouts(project, args.brief)
    print(f"wrote {project.display(written.readout)}", file=stdout)
    if written.public is not None:
        print(f"wrote {project.display(written.public)} (from the version for `{written.audience}`)",
              file=stdout)
    else:
        print("no public readout: the brief has no audiences (a public readout is made only from "
              "an audience's version, e.g. `press`)", file=stdout)
    return ExitCode.OK
