"""Word edits merged into a brief's YAML: three-way, never blind, with its comments kept.

The base is the YAML the Word file was made from (the commit it records). For each field:
unchanged in Word, nothing happens (whatever the YAML says now); changed in Word and not in
the YAML since, the Word text is written; changed in both, it is a conflict, left for the
author at its line; already the Word text in the YAML (a second import), nothing happens.
Values are compared in the form Word gives them back (wordtext.canonical, with the quotes the
file was written with), so a field nobody touched never counts as edited, curly quotes and all;
an edited field is written with the straight quotes its author types (Quotes.as_typed). The
YAML is rewritten with ruamel.yaml's round trip, so its comments, key order, quoting and
block styles stay.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from ruamel.yaml import YAML
from ruamel.yaml.scalarstring import FoldedScalarString, LiteralScalarString

from briefgen.content.fields import is_markdown_at
from briefgen.content.loader import KeyPath, LoadedDocument, value_at
from briefgen.content.models import Brief
from briefgen.content.wordfile import WordFile
from briefgen.content.wordtext import Quotes, canonical
from briefgen.errors import Diagnostic

_PART = re.compile(r"([a-z_]+)|\[(\d+)\]")


def parse_key_path(tag: str) -> KeyPath:
    """'decisions[0].issue' -> ('decisions', 0, 'issue'); the inverse of format_key_path."""
    return tuple(m.group(1) if m.group(1) else int(m.group(2)) for m in _PART.finditer(tag))


@dataclass(frozen=True)
class FieldChange:
    """A field whose Word text is to be written into the YAML."""

    tag: str
    key_path: KeyPath
    before: str
    after: str
    authors: tuple[str, ...]
    line: int


@dataclass
class MergePlan:
    changes: list[FieldChange] = field(default_factory=list)
    conflicts: list[Diagnostic] = field(default_factory=list)
    problems: list[Diagnostic] = field(default_factory=list)   # reported, never applied
    already_invalid: list[Diagnostic] = field(default_factory=list)  # the YAML's own, before the import

    @property
    def refused(self) -> list[Diagnostic]:
        return [*self.conflicts, *self.problems]


def plan_merge(word: WordFile, base: LoadedDocument, current: LoadedDocument,
               quotes: Quotes | None = None) -> MergePlan:
    """What importing `word` into `current` would change, field by field; `quotes` are those
    the file's fields were written with (render/docx.py)."""
    plan = MergePlan()
    for tag, edited in word.fields.items():
        if tag not in word.expected_tags:
            plan.problems.append(current.diagnostic((), f"the Word file has a control `{tag}` that "
                                                    "`briefgen docx` did not write; its text is not applied"))
            continue
        key_path = parse_key_path(tag)
        markdown_field = is_markdown_at(Brief, key_path)
        new = edited.text(markdown_field=markdown_field)
        was = canonical(_text(value_at(base.data, key_path)), markdown_field=markdown_field, quotes=quotes)
        now_value = value_at(current.data, key_path)
        now = canonical(_text(now_value), markdown_field=markdown_field, quotes=quotes)
        authors = ", ".join(edited.authors) or "an untracked edit"
        if new in (was, now):
            continue  # not edited in Word, or already imported
        if now_value is None:
            plan.conflicts.append(current.diagnostic(key_path, f"edited in Word (by {authors}), but the "
                                                     "field is no longer in the YAML; edit it by hand"))
        elif now != was:
            plan.conflicts.append(current.diagnostic(
                key_path, f"conflict: changed in the YAML since the Word file was made, and in Word "
                f"by {authors}; Word has {_quoted(new)}; merge it by hand"))
        elif not new:
            plan.problems.append(current.diagnostic(key_path, f"emptied in Word by {authors}; not "
                                                    "applied: delete the key in the YAML if that is meant"))
        else:
            line = current.locate(key_path)[0]
            typed = quotes.as_typed(new, markdown_field=markdown_field) if quotes else new
            plan.changes.append(FieldChange(tag, key_path, now, typed, tuple(edited.authors), line))
    for tag in word.missing_tags:
        key_path = parse_key_path(tag)
        plan.problems.append(current.diagnostic(key_path, "its content control was deleted in Word; "
                                                "nothing applied: remove the field in the YAML if that is meant"))
    for stray in word.strays:
        after = f" after `{stray.after}`" if stray.after else ""
        plan.problems.append(current.diagnostic(
            parse_key_path(stray.after) if stray.after else (),
            f"text {'deleted' if stray.deleted else 'typed'} outside any field{after} by {stray.author}, "
            f"not applied: {_quoted(stray.text)}"))
    for changed in word.changed_locked_text:
        if changed.page_part:
            where, key_path = f"the page {'header' if 'header' in changed.after else 'footer'}", ()
        else:
            where = f"the text outside the fields after `{changed.after}`" if changed.after else \
                "the text before the first field"
            key_path = parse_key_path(changed.after)
        plan.problems.append(current.diagnostic(
            key_path, f"{where} was changed without Track Changes (it is locked: labels, dates, names, "
            f"portion marks and the marking are computed); not applied; it now reads {_quoted(changed.now)}"))
    return plan


def keep_valid_changes(plan: MergePlan, current: LoadedDocument,
                       problems_of: Callable[[str], list[Diagnostic]]) -> str:
    """The YAML with each change that adds no validation error (`problems_of` validates a
    YAML text); a change that does is moved to the plan's problems with the errors it adds.
    Errors the YAML had before the import are not the edits' doing: they go to
    `plan.already_invalid`, once, and block nothing."""
    def keys(found: list[Diagnostic]) -> set[tuple[str, str]]:
        return {(d.key_path, d.message) for d in found}

    before = problems_of(current.text)
    plan.already_invalid = before
    accepted: list[FieldChange] = []
    for change in plan.changes:
        found = problems_of(apply_changes(current.text, [*accepted, change]))
        added = [d for d in found if (d.key_path, d.message) not in keys(before)]
        if not added:
            accepted.append(change)
            continue
        reasons = "; ".join(d.message for d in added)
        plan.problems.append(current.diagnostic(change.key_path, f"the Word edit by "
                                                f"{', '.join(change.authors) or 'an untracked edit'} "
                                                f"is not applied: {reasons}"))
    plan.changes = accepted
    return apply_changes(current.text, accepted)


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _quoted(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return f"“{text[:limit]}…”" if len(text) > limit else f"“{text}”"


def round_trip_yaml(text: str) -> YAML:
    """A ruamel round-trip writer set to reproduce `text` exactly (its list indentation guessed)."""
    for sequence, offset in ((4, 2), (2, 0)):
        yaml = YAML(typ="rt")
        yaml.preserve_quotes = True
        yaml.width = 4096   # never re-wrap the lines nobody edited
        yaml.indent(mapping=2, sequence=sequence, offset=offset)
        if dump_round_trip(yaml, yaml.load(text)) == text:
            return yaml
    return yaml


def apply_changes(text: str, changes: list[FieldChange]) -> str:
    """The YAML `text` with each change written at its key path, everything else as it was."""
    if not changes:
        return text
    yaml = round_trip_yaml(text)
    data = yaml.load(text)
    for change in changes:
        *parents, last = change.key_path
        container = data
        for part in parents:
            container = container[part]
        container[last] = _styled(container[last], change.after, 78 - 2 * len(change.key_path))
    return dump_round_trip(yaml, data)


def _styled(old: object, new: str, width: int) -> object:
    """The new text in the old value's style: a `|` block stays one, `>` too (folded at
    `width`, as authors write them); a plain value that becomes several paragraphs becomes a
    `|` block."""
    if isinstance(old, LiteralScalarString) or ("\n" in new and not isinstance(old, FoldedScalarString)):
        return LiteralScalarString(new)
    if isinstance(old, FoldedScalarString):
        folded = FoldedScalarString(new)
        folded.fold_pos = _fold_positions(new, max(width, 40))
        return folded
    if type(old) is not str and isinstance(old, str):   # a quoted scalar keeps its quotes
        return type(old)(new)
    return new


def _fold_positions(text: str, width: int) -> list[int]:
    """The spaces at which a `>` block breaks its lines so that none is longer than `width`
    (a space next to a line break or another space is never one: folding would change the text)."""
    positions: list[int] = []
    line_start, last_space = 0, -1
    for index, char in enumerate(text):
        if char == "\n":
            line_start, last_space = index + 1, -1
        elif char == " " and text[index - 1:index] not in (" ", "\n") \
                and text[index + 1:index + 2] not in (" ", "\n", ""):
            if index - line_start > width and last_space > line_start:
                positions.append(last_space)
                line_start = last_space + 1
            last_space = index
    if len(text) - line_start > width and last_space > line_start:
        positions.append(last_space)
    return positions


def dump_round_trip(yaml: YAML, data: object) -> str:
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()
