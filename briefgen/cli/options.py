"""Argument types and options shared by several commands."""

from __future__ import annotations

import argparse
from pathlib import Path

from briefgen.content.ids import ID, reserved_word_problem


def positive_int(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got '{text}'")
    return int(text)


def positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got '{text}'")
    return value


def audience_id(text: str) -> str:
    """An audience's id as a brief writes it (`press`, `partner-desk`)."""
    if not ID.fullmatch(text):
        raise argparse.ArgumentTypeError(f"'{text}' is not an audience id: lower-case letters, digits "
                                         "and hyphens, as in the brief's `audiences:` (e.g. press)")
    problem = reserved_word_problem(text)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return text


def brief_id(text: str) -> str:
    """A brief's id, the stem of content/<id>.yaml (`camp-david-2023`)."""
    if not ID.fullmatch(text):
        raise argparse.ArgumentTypeError(f"'{text}' is not a brief id: lower-case letters, digits "
                                         "and hyphens, the name of content/<id>.yaml (e.g. camp-david-2023)")
    return text


def add_files_and_root(parser: argparse.ArgumentParser) -> None:
    """FILES, --strict and --root: what `build` and `check` share."""
    parser.add_argument("files", nargs="*", type=Path, metavar="FILES",
                        help="brief files or folders (default: every brief under content/)")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("--root", type=Path, default=None,
                        help="project folder (default: the nearest folder with content/)")
