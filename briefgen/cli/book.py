"""`briefgen book`: build briefing books (content/books/<id>.yaml) into output/<id>.pdf, .html, .ics."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from briefgen.cli.progress import BuildProgress, exit_code
from briefgen.errors import ExitCode
from briefgen.project import Project
from briefgen.workflows.book import build_books, find_books
from briefgen.workflows.brief import BuildOptions

DESCRIPTION = """\
Build each book named (default: every book under content/books/) into
output/<id>.pdf (cover, contents with each brief's tab and the trip's overview,
schedule at a glance, each brief as it builds alone with its tab in its
masthead, biographies; bookmarks, page labels and "Page N of M" with the
marking on every page), output/<id>.html and output/<id>.ics (every agenda item
with a time). The book's briefs are built first, incrementally; a book whose
brief does not build reports that brief's errors and is not written.

examples:
  briefgen book                         every book under content/books/
  briefgen book hiroshima-g7-2023       one book (and its briefs)"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("books", nargs="*", metavar="ID", help="book ids or files (default: every book)")
    parser.add_argument("--force", action="store_true", help="rebuild even what has not changed")
    parser.add_argument("--jobs", "-j", type=int, default=0, metavar="N",
                        help="build N briefs at once (default: one per core)")
    parser.add_argument("--root", type=Path, default=None, help="project folder")
    parser.add_argument("--output", type=Path, default=None, help="output folder (default: output/)")


def run(args: argparse.Namespace, project: Project, stdout: TextIO, stderr: TextIO) -> int:

    paths = find_books(project, args.books)
    if not paths:
        print(f"no books: add one as {project.display(project.content_dir / 'books')}/<id>.yaml", file=stderr)
        return ExitCode.OK
    progress = BuildProgress(project, len(paths), stdout, stderr, noun="book")
    results = build_books(project, paths, BuildOptions(force=args.force, jobs=max(args.jobs, 0)),
                          on_result=progress.brief_done)
    progress.finish(results)
    return exit_code(results, any(not r.ok for r in results))
