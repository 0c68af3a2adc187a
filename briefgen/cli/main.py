"""The `briefgen` command: a thin layer over the library, one module per command.

This is the one place where errors become messages and exit codes: a user's
mistake is printed plainly (exit 1, or 2 for a bad command line); anything else
is a bug, shown with its traceback. Each command lives in its own module (DESCRIPTION,
add_arguments, run), with its imports at the top; only the module of the command
being run is imported, so `--help` and a build with nothing to do stay fast.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
import traceback
from pathlib import Path
from typing import TextIO

from briefgen import __version__
from briefgen.cli.ci import for_log
from briefgen.errors import BriefgenError, ExitCode
from briefgen.project import Project

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
  briefgen docx content/camp-david-2023.yaml   output/camp-david-2023.docx, for clearance in Word
  briefgen import-docx cleared.docx       merge the Word edits into the YAML
  briefgen house new acme --from ministry start houses/acme/, chosen in briefgen.toml
  briefgen decisions ticked.pdf           record the boxes ticked on a PDF as the decisions' outcomes
  briefgen readout woodside-2023          output/woodside-2023.readout.md and .public-readout.md
  briefgen ledger --format markdown       every deliverable across the briefs, with its history

exit codes: 0 success, 1 content errors (or warnings with --strict), 2 usage errors,
70 a bug in briefgen (reported with its traceback; with the brief it met, the others still done)."""


# Every command: its module, and the line `briefgen --help` shows for it.
COMMANDS: dict[str, tuple[str, str]] = {
    "build": ("briefgen.cli.build", "validate and build briefs into HTML and PDF"),
    "check": ("briefgen.cli.check", "validate briefs without building"),
    "schema": ("briefgen.cli.schema", "print or write the JSON Schemas of a brief, a person, a book and a house"),
    "new": ("briefgen.cli.new", "start a new brief (or, with --person, a new person), every key explained"),
    "serve": ("briefgen.cli.serve", "preview briefs in the browser, rebuilt on every save"),
    "email": ("briefgen.cli.email",
              "write a brief or a book as an email draft (output/<id>.eml), or send it with --send"),
    "diff": ("briefgen.cli.diff", "show what changed in each brief since a git revision"),
    "book": ("briefgen.cli.book", "build briefing books: a trip's briefs, schedule and biographies in one PDF"),
    "extract": ("briefgen.cli.extract", "get the YAML back out of a record copy (output/<id>.record.pdf)"),
    "docx": ("briefgen.cli.docx", "write briefs as Word files for clearance (output/<id>.docx)"),
    "import-docx": ("briefgen.cli.import_docx",
                    "merge a Word file's tracked edits and comments back into its brief's YAML"),
    "translate": ("briefgen.cli.translate", "write or update a brief's translated edition "
                  "(content/<id>.<lang>.yaml), new fields added, removed ones dropped"),
    "house": ("briefgen.cli.house", "start a house, an office's own style (labels, word lists, "
              "writing limits, defaults), every key explained"),
    "decisions": ("briefgen.cli.decisions",
                  "record the boxes ticked on a brief's PDF as its decisions' outcomes in the YAML"),
    "readout": ("briefgen.cli.readout",
                "draft the readout of a meeting and its public readout (output/<id>.readout.md)"),
    "ledger": ("briefgen.cli.ledger", "list every deliverable across the briefs with its status history"),
}


def parser(command: str | None = None) -> argparse.ArgumentParser:
    """The command line. Every command is listed; the arguments are added for `command`
    only (all of them when None), so only that command's module is imported."""
    top = argparse.ArgumentParser(prog="briefgen", description=DESCRIPTION, epilog=EPILOG,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    top.add_argument("--version", action="version", version=f"briefgen {__version__}")
    commands = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, summary) in COMMANDS.items():
        sub = commands.add_parser(name, help=summary,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
        if command is None or command == name:
            module = importlib.import_module(module_name)
            sub.description = module.DESCRIPTION
            module.add_arguments(sub)
    return top


def _command_in(argv: list[str]) -> str:
    """The command named on the command line ('' when there is none yet)."""
    return next((word for word in argv if not word.startswith("-")), "")


def main(argv: list[str] | None = None, stdout: TextIO | None = None,
         stderr: TextIO | None = None) -> int:
    """Run the command `argv` (None: the process's own command line) and return its exit code."""
    code = _main(argv, stdout, stderr)
    if argv is None:     # the process is the command, and exits next
        _leave_to_exit()
    return code


def _leave_to_exit() -> None:
    """Put every object made so far out of the garbage collector's reach: the interpreter's
    last collections at exit walked them all (30-40 ms after a build, longer than the
    weasyprint command's). Nothing is lost: outputs are written, closed and synced before,
    and the streams are flushed at exit as ever."""
    import gc

    gc.freeze()


def _main(argv: list[str] | None, stdout: TextIO | None, stderr: TextIO | None) -> int:
    stdout, stderr = stdout or sys.stdout, stderr or sys.stderr
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            args = parser(_command_in(sys.argv[1:] if argv is None else argv)).parse_args(argv)
    except SystemExit as exc:  # argparse has printed help, or the usage and the problem
        return int(exc.code or 0)
    try:
        return _run(args, stdout, stderr)
    except BriefgenError as exc:
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
    project = Project.find(getattr(args, "root", None) or Path.cwd(), getattr(args, "output", None))
    command = importlib.import_module(COMMANDS[args.command][0])
    return int(command.run(args, project, stdout, stderr))
