"""`briefgen new`: start a brief, or with --person a person, every key explained."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from pydantic import TypeAdapter, ValidationError

from briefgen.content.models import Id
from briefgen.content.scaffold import new_brief_text, new_person_text
from briefgen.errors import ExitCode, UsageError
from briefgen.project import Project, briefgen_command

DESCRIPTION = """\
Write content/<id>.yaml: every section of a brief, each explained in a comment,
with "FILL IN: ..." placeholders that `briefgen check` reports until you replace
them. Delete the optional parts you do not need. With --person, write
content/people/<id>.yaml instead: a person that briefs name by <id>. An existing
file is never overwritten.

examples:
  briefgen new g7-summit-2024 && briefgen check content/g7-summit-2024.yaml
  briefgen new --person scholz && briefgen check content/people/scholz.yaml"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("brief_id", metavar="ID", help="id of the new brief: lower-case letters, "
                        "digits and hyphens; the file is content/<ID>.yaml")
    parser.add_argument("--person", action="store_true", help="start a person instead: "
                        "content/people/<ID>.yaml, named <ID> in briefs")
    parser.add_argument("--root", type=Path, default=None,
                        help="project folder (default: the nearest folder with content/)")


def run(args: argparse.Namespace, project: Project, stdout: TextIO, stderr: TextIO) -> int:
    what = "person" if args.person else "brief"
    try:
        new_id = TypeAdapter(Id).validate_python(args.brief_id)
    except ValidationError:
        example = "scholz" if args.person else "g7-summit-2024"
        raise UsageError(f"'{args.brief_id}' cannot be the id of a {what}: use lower-case letters, "
                         "digits and hyphens, starting with a letter or digit (e.g. "
                         f"{example})") from None
    folder = project.content_dir / "people" if args.person else project.content_dir
    path = folder / f"{new_id}.yaml"
    text = new_person_text(new_id) if args.person else new_brief_text(new_id)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as file:  # "x": never overwrite content
            file.write(text)
    except FileExistsError:
        raise UsageError(f"{project.display(path)} already exists; choose another id, or edit "
                         "that file") from None
    shown = project.display(path)
    placeholders = sum("FILL IN" in line and not line.lstrip().startswith("#")
                       for line in text.splitlines())
    print(f"wrote {shown}: replace its {placeholders} \"FILL IN\" placeholders, then run "
          f"`{briefgen_command()} check {shown}`", file=stdout)
    return ExitCode.OK
