"""The `briefgen` command: a thin layer over briefgen.build.

This is the one place where errors become messages and exit codes: a user's
mistake is printed plainly (exit 1, or 2 for a bad command line); anything else
is a bug, shown with its traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import sys
import traceback
from pathlib import Path
from typing import TextIO

from briefgen import __version__
from briefgen.errors import BriefgenError, ExitCode

DESCRIPTION = """\
Turn meeting briefs written in YAML (content/*.yaml, people in content/people/)
into a one-page HTML and PDF each (output/<id>.html, output/<id>.pdf)."""

EPILOG = """\
examples:
  briefgen build                          build every brief under content/
  briefgen build content/camp-david-2023.yaml
  briefgen build --force --jobs 2         rebuild everything on two worker processes
  briefgen check --strict                 validate; warnings fail too
  briefgen check --format github          annotations for a pull request
  briefgen schema --write                 regenerate schema/*.schema.json
  briefgen serve                          live preview on http://127.0.0.1:8000/
  briefgen email camp-david-2023          draft email with the PDF (--send to send)
  briefgen diff main                      what changed in each brief since main
  briefgen book hiroshima-g7-2023         a briefing book: cover, schedule, briefs, biographies
  briefgen build --record                 also write output/<id>.record.pdf (PDF/A-3b, sources inside)
  briefgen extract output/camp-david-2023.record.pdf --to restored/

exit codes: 0 success, 1 content errors (or warnings with --strict), 2 usage errors."""


# Commands that live in their own module: name -> module with HELP, DESCRIPTION,
# add_arguments(parser) and run(args, project, stdout, stderr) -> exit code.
# Those modules import their heavy dependencies inside run(), so --help stays fast.
EXTRA_COMMANDS: dict[str, str] = {
    "serve": "briefgen.cli.serve",
    "email": "briefgen.mail.send",
    "new": "briefgen.content.scaffold",
    "diff": "briefgen.cli.diff",
    "book": "briefgen.cli.book",
    "extract": "briefgen.cli.extract",
}


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="briefgen", description=DESCRIPTION, epilog=EPILOG,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    top.add_argument("--version", action="version", version=f"briefgen {__version__}")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build = commands.add_parser("build", help="validate and build briefs into HTML and PDF",
                                description="Validate each brief, then write output/<id>.html and "
                                "output/<id>.pdf. A brief with errors, or one that does not fit on "
                                "one page, is not written, and its last good output stays.")
    check = commands.add_parser("check", help="validate briefs without building",
                                description="Report every problem in every brief, with file:line:col.")
    for command in (build, check):
        command.add_argument("files", nargs="*", type=Path, metavar="FILES",
                             help="brief files or folders (default: every brief under content/)")
        command.add_argument("--strict", action="store_true", help="treat warnings as errors")
        command.add_argument("--root", type=Path, default=None,
                             help="project folder (default: the nearest folder with content/)")
    build.add_argument("--output", type=Path, default=None, help="output folder (default: output/)")
    build.add_argument("--force", action="store_true",
                       help="rebuild every brief, even those whose inputs have not changed")
    build.add_argument("--jobs", "-j", type=_positive_int, default=0, metavar="N",
                       help="build N briefs at once (default: one per core)")
    build.add_argument("--timeout", type=_positive_float, default=60.0, metavar="SECONDS",
                       help="time budget per brief (default: 60)")
    build.add_argument("--max-memory", type=_positive_int, default=2048, metavar="MB",
                       help="memory budget per worker process, in MiB (default: 2048)")
    build.add_argument("--record", action="store_true",
                       help="also write output/<id>.record.pdf: a PDF/A-3b record copy with the "
                       "brief's YAML, its person files and a manifest embedded (see `extract`)")
    check.add_argument("--format", choices=("text", "json", "github"), default="text",
                       help="how to print problems (default: text)")
    check.add_argument("--no-layout", action="store_true",
                       help="skip laying briefs out: do not check that each fits its pages "
                       "(faster on a cold cache; layouts are cached by the build's fingerprint)")

    schema = commands.add_parser("schema", help="print or write the JSON Schemas of a brief, a person and a book",
                                 description="Print the JSON Schemas generated from the model, or "
                                 "write them to schema/ with --write.")
    schema.add_argument("--write", action="store_true", help="write schema/brief.schema.json, "
                        "schema/person.schema.json and schema/book.schema.json")
    schema.add_argument("--root", type=Path, default=None, help="project folder")
    for name, module in EXTRA_COMMANDS.items():
        command_module = importlib.import_module(module)
        command_module.add_arguments(commands.add_parser(
            name, help=command_module.HELP, description=command_module.DESCRIPTION,
            formatter_class=argparse.RawDescriptionHelpFormatter))
    return top


def _positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got '{text}'")
    return int(text)


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got '{text}'")
    return value


def main(argv: list[str] | None = None, stdout: TextIO | None = None,
         stderr: TextIO | None = None) -> int:
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            args = parser().parse_args(argv)
    except SystemExit as exc:  # argparse has printed help, or the usage and the problem
        return int(exc.code or 0)
    try:
        return _run(args, stdout, stderr)
    except BriefgenError as exc:
        from briefgen.cli.ci import for_log
        for message in exc.messages():
            print(for_log(message if ": error:" in message or ": warning:" in message
                          else f"error: {message}"), file=stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        print("interrupted; outputs that were being written are unchanged", file=stderr)
        return 130
    except Exception:  # a bug: keep the traceback so it gets fixed
        traceback.print_exc(file=stderr)
        print(f"briefgen {__version__}: this is a bug in briefgen, not in your content; "
              "please report it with the traceback above", file=stderr)
        return int(ExitCode.INTERNAL_ERROR)


def _run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    from briefgen.project import Project

    project = Project.find(getattr(args, "root", None) or Path.cwd(), getattr(args, "output", None))
    if args.command in EXTRA_COMMANDS:
        return importlib.import_module(EXTRA_COMMANDS[args.command]).run(args, project, stdout, stderr)
    if args.command == "schema":
        from briefgen.content.schema import schema_texts, write_schemas
        if args.write:
            for path in write_schemas(project.root):
                print(f"wrote {project.display(path)}", file=stdout)
        else:
            print(json.dumps({name: json.loads(text) for name, text in schema_texts().items()},
                             indent=2, ensure_ascii=False), file=stdout)
        return ExitCode.OK
    from briefgen.build import pipeline
    if args.command == "check":
        named_books = [f for f in args.files if f.resolve().parent == (project.content_dir / "books").resolve()]
        briefs_named = [f for f in args.files if f not in named_books]
        results = (pipeline.check(project, briefs_named, layout=not args.no_layout)
                   if briefs_named or not args.files else [])
        books = _check_books(project, named_books) if named_books or not args.files else []
        return _report_check(results + books, args.format, args.strict, stdout, stderr, len(books))
    from briefgen.build.workers import Budget
    from briefgen.cli.progress import BuildProgress
    options = pipeline.BuildOptions(strict=args.strict, force=args.force, jobs=args.jobs,
                                    budget=Budget(args.timeout, args.max_memory), record=args.record)
    briefs = pipeline.find_briefs(project, args.files)
    books = [] if args.files else _books(project)
    progress = BuildProgress(project, len(briefs) + len(books), stdout, stderr)
    results = pipeline.build(project, briefs, options, on_result=progress.brief_done)
    if books:  # every book, after every brief: a book reuses its briefs' PDFs
        from briefgen.build.book import build_books
        results += build_books(project, books, options, on_result=progress.brief_done,
                               brief_results={r.path: r for r in results})
    progress.finish(results)
    return ExitCode.CONTENT_ERROR if any(not r.ok for r in results) else ExitCode.OK


def _books(project) -> list[Path]:
    """The books under content/books/ (found without importing anything heavy)."""
    folder = project.content_dir / "books"
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def _check_books(project, files: list[Path]) -> list:
    from briefgen.build.book import check_books
    return check_books(project, [str(f) for f in files])


def _report_check(results, output_format: str, strict: bool, stdout: TextIO, stderr: TextIO,
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
        return ExitCode.CONTENT_ERROR if failed else ExitCode.OK
    if output_format == "github":
        for d in diagnostics:
            print(_github_annotation(d, strict), file=stdout)
    else:
        colour = _wants_colour(stderr)
        from briefgen.cli.ci import for_log
        for d in diagnostics:
            print(for_log(_coloured(d) if colour else d.format()), file=stderr)
    strict_note = " (warnings fail with --strict)" if strict and warnings else ""
    print(f"checked {_files_checked(results, books)}: {errors} error"
          f"{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}{strict_note}", file=stdout)
    return ExitCode.CONTENT_ERROR if failed else ExitCode.OK


def _files_checked(results, books: int = 0) -> str:
    """'1 brief', '2 briefs, 1 book', '2 briefs and 1 person file', '1 person file'."""
    people = sum(getattr(r, "person", False) for r in results)
    briefs = len(results) - people - books
    head = f"{briefs} brief{'s' * (briefs != 1)}" if briefs or not people else ""
    if books:
        head += f", {books} book{'s' * (books != 1)}"
    parts = [head, f"{people} person file{'s' * (people != 1)}" if people else ""]
    return " and ".join(filter(None, parts))


def _github_annotation(d, strict: bool) -> str:
    """A workflow command, so the problem shows on the pull request's diff line."""
    from briefgen.cli.ci import escape_data, escape_property

    level = "error" if d.is_error or strict else "warning"
    where = f" ({d.key_path})" if d.key_path else ""
    return (f"::{level} file={escape_property(d.path)},line={d.line},col={d.column},"
            f"title={escape_property('briefgen check')}::{escape_data(d.message + where)}")


_COLOURS = {"error": "\033[1;31m", "warning": "\033[1;33m", "path": "\033[1m", "end": "\033[0m"}


def _wants_colour(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("NO_COLOR")


def _coloured(d) -> str:
    where = f" ({d.key_path})" if d.key_path else ""
    return (f"{_COLOURS['path']}{d.path}:{d.line}:{d.column}:{_COLOURS['end']} "
            f"{_COLOURS[d.severity]}{d.severity}:{_COLOURS['end']} {d.message}{where}")
