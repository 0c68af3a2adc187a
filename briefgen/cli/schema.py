"""`briefgen schema`: the JSON Schemas of a brief, a person, a book and a house (house.toml), printed or written."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TextIO

from briefgen.content.schema import schema_texts, write_schemas
from briefgen.errors import ExitCode
from briefgen.project import Project

DESCRIPTION = "Print the JSON Schemas generated from the model, or write them to schema/ with --write."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--write", action="store_true", help="write schema/brief.schema.json, "
                        "schema/person.schema.json and schema/book.schema.json")
    parser.add_argument("--root", type=Path, default=None, help="project folder")


def run(args: argparse.Namespace, project: Project, stdout: TextIO, stderr: TextIO) -> int:
    if args.write:
        for path in write_schemas(project.root):
            print(f"wrote {project.display(path)}", file=stdout)
    else:
        print(json.dumps({name: json.loads(text) for name, text in schema_texts().items()},
                         indent=2, ensure_ascii=False), file=stdout)
    return ExitCode.OK
