"""`briefgen new`: start a brief, or with --person a person, every key explained."""

from __future__ import annotations

import argparse
import re
from pathlib import Path
from typing import TextIO

from pydantic import TypeAdapter, ValidationError

from briefgen.content.models import Id
from briefgen.content.scaffold import PRINCIPAL, new_brief_text, new_person_text
from briefgen.errors import ExitCode, UsageError
from briefgen.project import Project, briefgen_command

DESCRIPTION = """\
Write content/<id>.yaml: every section of a brief, each explained in a comment,
with "FILL IN: ..." placeholders. It builds at once, each placeholder marked on the
page; `briefgen check` warns of each one left, and `check --strict` and
`email --send` refuse the brief until none is. Its participant is
content/people/fill-in-principal.yaml, a placeholder person written too when
missing. Delete the optional parts you do not need. With --person, write
content/people/<id>.yaml instead: a person that briefs name by <id>. An existing
file is never overwritten.

examples:
  briefgen new g7-summit-2024 && briefgen build content/g7-summit-2024.yaml
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
    _write_new(project, path, text)
    written = [path]
    principal = project.content_dir / "people" / f"{PRINCIPAL}.yaml"
    if not args.person and not principal.exists():
        _write_new(project, principal, new_person_text(PRINCIPAL))
        written.append(principal)
    shown = project.display(path)
    placeholders = sum(FILL_IN_LINE.search(line) is not None for p in written
                       for line in p.read_text(encoding="utf-8").splitlines())
    also = f" and {project.display(principal)}" if len(written) > 1 else ""
    print(f"wrote {shown}{also}: {placeholders} \"FILL IN\" placeholders to replace; see the page "
          f"now with `{briefgen_command()} build {shown}`, and check what is left with "
          f"`{briefgen_command()} check --strict {shown}`", file=stdout)
    return ExitCode.OK


# A line holding a placeholder: "FILL IN: ..." text, or a `# FILL IN: ...` comment after a value.
FILL_IN_LINE = re.compile(r'^\s*(?:- )?\w+: (?:"FILL IN|[^#"]*\S\s+# FILL IN)|^\s+FILL IN:')


def _write_new(project: Project, path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as file:  # "x": never overwrite content
            file.write(text)
    except FileExistsError:
        raise UsageError(f"{project.display(path)} already exists; choose another id, or edit "
                         "that file") from None
