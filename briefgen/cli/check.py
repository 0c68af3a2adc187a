"""`briefgen check`: report every problem in every brief (and book), laid out or not."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TextIO

from briefgen.cli.ci import escape_data, escape_property, for_log, wants_colour
from briefgen.cli.options import add_files_and_root
from briefgen.cli.progress import exit_code
from briefgen.errors import Diagnostic
from briefgen.project import Project
from briefgen.render.escape import terminal
from briefgen.workflows.book import check_books
from briefgen.workflows.brief import BriefResult
from briefgen.workflows.check import check_briefs

DESCRIPTION = "Report every problem in every brief, with file:line:col."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_files_and_root(parser)
    parser.add_argument("--format", choices=("text", "json", "github"), default="text",
                        help="how to print problems (default: text)")
    parser.add_argument("--no-layout", action="store_true",
                        help="skip laying briefs out: do not check that each fits its pages "
                        "(faster on a cold cache; layouts are cached by the build's fingerprint)")


def run(args: argparse.Namespace, project: Project, stdout: TextIO, stderr: TextIO) -> int:
    named_books = [f for f in args.files if project.is_book(Path(f))]
    briefs_named = [f for f in args.files if f not in named_books]
    results = (check_briefs(project, briefs_named, layout=not args.no_layout)
               if briefs_named or not args.files else [])
    books = check_books(project, [str(f) for f in named_books]) if named_books or not args.files else []
    return _report_check(results + books, args.format, args.strict, stdout, stderr, len(books))


def _report_check(results: list[BriefResult], output_format: str, strict: bool, stdout: TextIO, stderr: TextIO,
                  books: int = 0) -> int:
    """Print every problem of every brief once (a person file shared by two briefs is
    reported once), sorted by file, line and column."""
    unique = {(d.path, d.line, d.column, d.severity, d.message, d.key_path): d
              for r in results for d in r.diagnostics}
    diagnostics = [unique[key] for key in sorted(unique)]
    errors = sum(d.is_error for d in diagnostics)
    warnings = len(diagnostics) - errors
    failed = any(not r.ok for r in results) or (strict and warnings > 0)
    if output_format == "json":
        print(json.dumps([{"path": d.path, "line": d.line, "column": d.column, "severity": d.severity,
                           "message": d.message, "key": d.key_path} for d in diagnostics],
                         indent=2, ensure_ascii=False), file=stdout)
        return exit_code(results, failed)
    if output_format == "github":
        for d in diagnostics:
            print(_github_annotation(d, strict), file=stdout)
    else:
        colour = wants_colour(stderr)
        for d in diagnostics:
            print(_coloured(d) if colour else for_log(d.format()), file=stderr)
    strict_note = " (warnings fail with --strict)" if strict and warnings else ""
    print(f"checked {_files_checked(results, books)}: {errors} error"
          f"{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}{strict_note}", file=stdout)
    return exit_code(results, failed)


def _files_checked(results: list[BriefResult], books: int = 0) -> str:
    """'1 brief', '2 briefs, 1 book', '2 briefs and 1 person file', '1 person file'."""
    people = sum(getattr(r, "person", False) for r in results)
    briefs = len(results) - people - books
    head = f"{briefs} brief{'s' * (briefs != 1)}" if briefs or not people else ""
    if books:
        head += f", {books} book{'s' * (books != 1)}"
    parts = [head, f"{people} person file{'s' * (people != 1)}" if people else ""]
    return " and ".join(filter(None, parts))


def _github_annotation(d: Diagnostic, strict: bool) -> str:
    """A workflow command, so the problem shows on the pull request's diff line."""
    level = "error" if d.is_error or strict else "warning"
    where = f" ({d.key_path})" if d.key_path else ""
    return (f"::{level} file={terminal(escape_property(d.path))},line={d.line},col={d.column},"
            f"title={escape_property('briefgen check')}::{terminal(escape_data(d.message + where))}")


_COLOURS = {"error": "\033[1;31m", "warning": "\033[1;33m", "path": "\033[1m", "end": "\033[0m"}



def _coloured(d: Diagnostic) -> str:
    where = f" ({d.key_path})" if d.key_path else ""
    return (f"{_COLOURS['path']}{for_log(d.place)}:{_COLOURS['end']} "
            f"{_COLOURS[d.severity]}{d.severity}:{_COLOURS['end']} {for_log(d.message + where)}")
