"""`briefgen build`: validate and build briefs (and the books, when there are any)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from briefgen.cli.options import add_files_and_root, positive_float, positive_int
from briefgen.cli.progress import BuildProgress, exit_code
from briefgen.engine.workers import DEFAULT_BUDGET, Budget
from briefgen.project import Project
from briefgen.workflows.brief import BuildOptions, build_briefs, find_briefs

DESCRIPTION = ("Validate each brief, then write output/<id>.html and output/<id>.pdf. A brief "
               "with errors, or one that does not fit on one page, is not written, and its last "
               "good output stays.")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_files_and_root(parser)
    parser.add_argument("--output", type=Path, default=None, help="output folder (default: output/)")
    parser.add_argument("--force", action="store_true",
                        help="rebuild every brief, even those whose inputs have not changed")
    parser.add_argument("--jobs", "-j", type=positive_int, default=0, metavar="N",
                        help="build N briefs at once (default: one per core)")
    parser.add_argument("--timeout", type=positive_float, default=DEFAULT_BUDGET.seconds, metavar="SECONDS",
                        help=f"time budget per brief (default: {DEFAULT_BUDGET.seconds:g})")
    parser.add_argument("--max-memory", type=positive_int, default=DEFAULT_BUDGET.memory_mb, metavar="MB",
                        help=f"memory budget per worker process, in MiB (default: {DEFAULT_BUDGET.memory_mb})")
    parser.add_argument("--record", action="store_true",
                        help="also write output/<id>.record.pdf: a PDF/A-3b record copy with the "
                        "brief's YAML, its person files and a manifest embedded (see `extract`)")


def run(args: argparse.Namespace, project: Project, stdout: TextIO, stderr: TextIO) -> int:
    options = BuildOptions(strict=args.strict, force=args.force, jobs=args.jobs,
                                    budget=Budget(args.timeout, args.max_memory), record=args.record)
    briefs = find_briefs(project, args.files)
    books = [] if args.files else project.book_files()
    progress = BuildProgress(project, len(briefs) + len(books), stdout, stderr)
    results = build_briefs(project, briefs, options, on_result=progress.brief_done)
    if books:  # every book, after every brief: a book reuses its briefs' PDFs
        from briefgen.workflows.book import build_books  # not before a brief's worker starts

        results += build_books(project, books, options, on_result=progress.brief_done,
                               brief_results={r.path: r for r in results})
    progress.finish(results)
    return exit_code(results, any(not r.ok for r in results))

