"""`briefgen extract`: the brief and person files embedded in a record copy, byte for byte."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from briefgen.cli.ci import for_log
from briefgen.engine.stamps import RECORD_SUFFIX
from briefgen.errors import ExitCode, UsageError
from briefgen.project import Project
from briefgen.workflows.record import extract_record, printed_field

DESCRIPTION = """\
Write the brief and the person files embedded in a record copy (made by
`briefgen build --record`) into a folder, byte for byte as they were built: the
brief as <id>.yaml and its people as people/<id>.yaml. Each file is checked against
the record's manifest; only plain file names are accepted, and nothing that exists
is overwritten.

examples:
  briefgen extract output/camp-david-2023.record.pdf
  briefgen extract output/camp-david-2023.record.pdf --to restored/"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("record", type=Path, metavar="RECORD.pdf", help="a record copy")
    parser.add_argument("--to", type=Path, default=None, metavar="DIR",
                        help="folder to write into (default: a new folder named after the record)")


def run(args: argparse.Namespace, project: Project, stdout: TextIO, stderr: TextIO) -> int:

    record: Path = args.record
    if not record.is_file():
        raise UsageError(f"no such file: {record}")
    to_dir = args.to or Path(record.name.removesuffix(RECORD_SUFFIX).removesuffix(".pdf") + "-record")
    extracted = extract_record(record, to_dir)
    for path in extracted.files:
        print(for_log(f"wrote {_shown(path)}"), file=stdout)
    manifest = extracted.manifest
    print(for_log(f"extracted {len(extracted.files)} files from {record} (briefgen "
                  f"{_field(manifest, 'briefgen')}, built {_field(manifest, 'build_date')}"
                  f"{_commit(manifest)})"), file=stdout)
    return ExitCode.OK


def _field(manifest: dict[str, Any], key: str) -> str:
    """A manifest field, printed only in its expected form (a manifest is from anywhere)."""
    return printed_field(manifest, key) or "(not shown: not in the expected form)"


def _commit(manifest: dict[str, Any]) -> str:
    """`, commit X` and, when the record was built from uncommitted edits, which files."""
    if manifest.get("git_commit") is None:
        return ""
    commit = _field(manifest, "git_commit")
    # Only names the record holds (checked when extracted): a manifest is trusted for nothing.
    modified = manifest.get("modified_since_commit")
    held = [entry["name"] for entry in manifest["files"]
            if isinstance(modified, list) and entry["name"] in modified]
    return f", commit {commit}, modified since that commit: {', '.join(held)}" if held else f", commit {commit}"


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
