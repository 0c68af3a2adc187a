"""`briefgen house new`: start a house, an office's own style, from a built-in one."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from briefgen.content.house import BUILTIN_HOUSES, SETTINGS_FILE, new_house
from briefgen.errors import ExitCode
from briefgen.project import Project, briefgen_command

DESCRIPTION = """\
Write houses/<NAME>/house.toml: a house (labels, word lists, writing limits, the default
marking, audiences and annex, the type step, the Word template, the clearance roles every
brief needs) started from a built-in one, every key explained; and its house.css (a font,
colours; its fonts may ship in the house's folder) when the house it starts from has one. Choose it for the project with
`house = "houses/<NAME>"` in briefgen.toml at the project's root (or in [tool.briefgen]
of pyproject.toml); `briefgen check` then checks house.toml like a brief, and the page,
the email and check's plain-language warnings follow it. A house can also be an installed
package, exposed through the entry point group briefgen.houses. See docs/house.md.

examples:
  briefgen house new acme --from ministry
  echo 'house = "houses/acme"' > briefgen.toml && briefgen check"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=("new",), help="what to do: `new` starts a house")
    parser.add_argument("name", metavar="NAME", help="the house's name: lower-case letters, digits "
                        "and hyphens; the folder is houses/<NAME>/")
    parser.add_argument("--from", dest="start_from", choices=BUILTIN_HOUSES, default="default",
                        help="the built-in house to start from (default: default)")
    parser.add_argument("--root", type=Path, default=None,
                        help="project folder (default: the nearest folder with content/)")


def run(args: argparse.Namespace, project: Project, stdout: TextIO, stderr: TextIO) -> int:
    written = new_house(project, args.name, args.start_from)
    folder = project.display(written[0].parent)
    print(f"wrote {', '.join(project.display(path) for path in written)}; choose it with "
          f"`house = \"{folder}\"` in {SETTINGS_FILE}, then `{briefgen_command()} check`", file=stdout)
    return ExitCode.OK
