"""Placeholders: the ones `briefgen new` leaves, reported once each, and 'TBD' left in text.

`briefgen new` writes "FILL IN: what goes here" where text goes, and a valid value with a
`# FILL IN: what goes here` comment where a date, a choice or an id goes. Either is a
warning until replaced (an error where the text is not a valid value for its key).
"""

from __future__ import annotations

import dataclasses
import re
import typing

from briefgen.content.loader import KeyPath, LoadedDocument, format_key_path
from briefgen.content.rawdata import scalars
from briefgen.errors import Diagnostic

PLACEHOLDER = re.compile(r"\b(TBD|TODO|TBC|FIXME|XXX)\b")
FILL_IN = re.compile(r"\s*FILL IN\b:?\s*(.*)", re.DOTALL)
FILL_IN_COMMENT = re.compile(r"^[^#\"'\n]*\S[ \t]+#[ \t]*FILL IN\b:?[ \t]*(.*)$", re.MULTILINE)


def _placeholders(doc: LoadedDocument) -> list[tuple[KeyPath, str]]:
    """(key path, what to write) of each placeholder: "FILL IN: ..." text, and values
    marked with a `# FILL IN: ...` comment on their line."""
    found = []
    for key_path, text in scalars(doc.data, ()):
        match = FILL_IN.fullmatch(text)
        if match:
            found.append((key_path, match.group(1).strip() or "a value"))
    value_on_line: dict[int, KeyPath] = {}
    for key_path, (line, _) in doc.key_positions.items():   # the innermost key on the line
        if len(key_path) > len(value_on_line.get(line, ())):
            value_on_line[line] = key_path
    for match in FILL_IN_COMMENT.finditer(doc.text):
        line = doc.text.count("\n", 0, match.start()) + 1
        if line in value_on_line:
            what = match.group(1).strip() or "a value"
            found.append((value_on_line[line], f"{what}, then delete its `# FILL IN` comment"))
    return found


def without_placeholder_noise(problems: list[Diagnostic], doc: LoadedDocument) -> list[Diagnostic]:
    """One problem per unfilled placeholder, instead of also 'not a valid id', 'not a date'...:
    a warning where the placeholder is a valid value (the brief builds, marked), an error where
    it is not (text where a date or an id goes)."""
    placeholders = _placeholders(doc)
    paths = [format_key_path(key_path) for key_path, _ in placeholders]

    def about(problem: Diagnostic, path: str) -> bool:
        return problem.path == doc.display_path and (
            problem.key_path == path or problem.key_path.startswith((f"{path}.", f"{path}[")))

    kept = [p for p in problems if not any(about(p, path) for path in paths)]
    return kept + [dataclasses.replace(doc.diagnostic(
        key_path, f"placeholder not filled in: write {what}",
        severity="error" if any(about(p, path) for p in problems) else "warning"), kind="placeholder")
        for (key_path, what), path in zip(placeholders, paths, strict=True)]


def placeholder_warnings(warnings: typing.Iterable[Diagnostic]) -> list[Diagnostic]:
    """The placeholders `briefgen new` left, among a brief's warnings."""
    return [w for w in warnings if w.kind == "placeholder"]


def text_warnings(doc: LoadedDocument) -> list[Diagnostic]:
    found = []
    for key_path, text in scalars(doc.data, ()):
        match = PLACEHOLDER.search(text)
        if match:
            found.append(doc.diagnostic(key_path, f"'{match.group(1)}' left in the text",
                                        severity="warning", offset=match.start()))
    return found
