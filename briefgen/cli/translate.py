"""`briefgen translate`: write or update a brief's translated edition (content/<id>.<lang>.yaml)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from briefgen.cli.options import brief_id
from briefgen.content.languages import language_problem
from briefgen.content.loader import load_yaml
from briefgen.content.translations import (
    load_translation,
    translatable_fields,
    translation_path,
    translation_problems,
    translation_text,
)
from briefgen.errors import ExitCode, UsageError
from briefgen.project import Project, briefgen_command

DESCRIPTION = """\
Write content/<ID>.<LANG>.yaml, the text of the brief's edition in LANG (list LANG in the
brief's `editions` to build it, as output/<ID>.<LANG>.pdf). It holds each translatable field
by its key path: its `source` (the brief's text now), a `fingerprint` of the text it was
translated from, and its `text`, the translation. Run again after the brief changes: new
fields are added with their source text to translate, removed ones dropped, and each
translation whose source changed since is kept but stale, which `briefgen check` lists at
its line until, once revised, it is accepted with --accept.

examples:
  briefgen translate camp-david-2023 --to fr
  briefgen translate camp-david-2023 --to fr --accept title --accept bottom_line"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("brief", metavar="ID", type=brief_id, help="the brief (content/<ID>.yaml)")
    parser.add_argument("--to", dest="lang", metavar="LANG", required=True,
                        help="the edition's language, a BCP 47 tag with a catalogue (e.g. fr, ja)")
    parser.add_argument("--accept", metavar="KEY", action="append", default=[],
                        help="mark this field's translation as revised for the source's text now "
                        "(its key path, e.g. deliverables[hotline].summary); repeatable")
    parser.add_argument("--root", type=Path, default=None,
                        help="project folder (default: the nearest folder with content/)")


def run(args: argparse.Namespace, project: Project, stdout: TextIO, stderr: TextIO) -> int:
    problem = language_problem(args.lang)
    if problem:
        raise UsageError(problem)
    path = project.content_dir / f"{args.brief}.yaml"
    if not path.is_file():
        raise UsageError(f"no brief {project.display(path)}")
    source = load_yaml(path, project.display(path))
    target = translation_path(path, args.lang)
    existing = load_translation(path, args.lang, source.display_path) if target.is_file() else None
    unknown = set(args.accept) - translatable_fields(source.data).keys()
    if unknown:
        raise UsageError(f"no translatable field {', '.join(sorted(unknown))} in {source.display_path}")
    target.write_text(translation_text(source, existing, args.lang, frozenset(args.accept)), encoding="utf-8")
    left = translation_problems(source, load_yaml(target, project.display(target)))
    print(f"wrote {project.display(target)}: {len(translatable_fields(source.data))} fields, "
          f"{len(left)} untranslated or stale; `{briefgen_command()} check` lists them", file=stdout)
    return ExitCode.OK
