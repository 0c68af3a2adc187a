"""`briefgen diff [REV] [BRIEF...]`: what changed in each brief since a git revision."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from briefgen.cli.ci import wants_colour
from briefgen.cli.options import audience_id
from briefgen.errors import ExitCode
from briefgen.project import Project
from briefgen.render import changes as report
from briefgen.workflows.diff import diff_project

DESCRIPTION = """\
Compare each brief between a git revision (default: where this branch left main,
or HEAD when there is no main) and the working tree, in the brief's own terms:
status changes, items added, removed or moved, text reworded (word by word),
edits to the person files a brief names, and the words on page 1 before and
after. Both sides are validated and laid out (the layout `check` caches is reused);
a side with errors is reported with them, and a page 1 that overflows is said so
("now overflows page 1 by 0.4 in (10 mm)").

REV is any git revision (HEAD, main, HEAD~2, a commit). BRIEF is a brief's file or
id (default: every brief). Unchanged briefs are skipped without being read
(with --audience, only the audiences they list are read).

--audience NAME compares that audience's version of each brief instead: both sides
are filtered first (each with its own definition of the audience), so a portion
the audience may not see is never shown, not even as removed. A version that is
new (the audience was added) or gone is said so; briefs without the audience at
either side are left out, and a brief named that has none is a usage error. A
side that does not validate has its problems counted, not listed.

exit codes: 0 (with or without changes), 1 when a brief has content errors now or
now overflows page 1, 2 for a bad revision or command line.

examples:
  briefgen diff                          every brief, since this branch left main
  briefgen diff HEAD                     what is not committed yet
  briefgen diff main camp-david-2023     one brief, since main
  briefgen diff --format markdown        for a pull request's summary
  briefgen diff --picture                also output/<id>.diff.png: page 1 before and after
  briefgen diff HEAD --audience press    what changed in the press version only"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("targets", nargs="*", metavar="[REV] [BRIEF...]",
                        help="a git revision, then brief files or ids (default: every brief)")
    parser.add_argument("--format", choices=("text", "markdown", "json"), default="text",
                        help="text (default; coloured on a terminal), markdown or json")
    parser.add_argument("--picture", action="store_true",
                        help="render page 1 before and after, changes outlined, to "
                        "output/<id>.diff.png (needs the PDF engine)")
    parser.add_argument("--audience", metavar="NAME", type=audience_id, default=None,
                        help="compare this audience's version of each brief (output/<id>.<audience>.pdf) "
                        "instead of the full brief; the picture is output/<id>.<audience>.diff.png")
    parser.add_argument("--root", type=Path, default=None, help="project folder")
    parser.add_argument("--output", type=Path, default=None, help="output folder (default: output/)")


def split_targets(project: Project, targets: list[str]) -> tuple[str | None, list[Path]]:
    """The revision (the first target, unless it names a brief) and the briefs."""
    if not targets:
        return None, []
    first = targets[0]
    names_a_brief = (first.endswith(".yaml") or Path(first).exists()
                     or (project.content_dir / f"{first}.yaml").is_file())
    revision = None if names_a_brief else first
    return revision, [Path(t) for t in targets[1 if revision else 0:]]


def run(args: argparse.Namespace, project: Project, stdout: TextIO, stderr: TextIO) -> int:

    revision, briefs = split_targets(project, args.targets)
    result = diff_project(project, revision, briefs, pictures=args.picture, audience=args.audience)
    base = f"{result.base.name} ({result.base.short})" if result.base.name != result.base.commit \
        else result.base.short
    changed, audience, left_out = result.changed, result.audience, result.left_out
    if args.format == "json":
        stdout.write(report.as_json(changed, {"name": result.base.name, "commit": result.base.commit},
                                    result.template_files, audience, left_out))
    elif args.format == "markdown":
        stdout.write(report.as_markdown(changed, base, result.template_files, audience, left_out))
    else:
        stdout.write(report.as_text(changed, base, result.template_files, wants_colour(stdout),
                                    audience, left_out))
    return ExitCode.CONTENT_ERROR if any(b.invalid_after for b in result.briefs) else ExitCode.OK

