"""Where each piece of a brief's text was written, for errors found after validation.

Laying out the PDF can fail on a piece of text (a character no font has, a refused URL).
The layout runs in a worker process that needs no content model, so the brief's text
travels there as this small index, which points any piece of text back at its file,
line, column and key.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


class TextSource(Protocol):
    """What the PDF stage needs to know about the content it lays out."""

    @property
    def path(self) -> Path: ...

    @property
    def display_path(self) -> str: ...

    def locate_text(self, needle: str) -> str: ...

    def locate_key(self, key_path: str) -> tuple[int, int]: ...

    @property
    def largest_step(self) -> str | None: ...


@dataclass(frozen=True)
class ContentText:
    """Every text value of a brief and its people, with where it was written."""

    path: Path
    display_path: str
    entries: tuple[tuple[str, str], ...]   # (text, "file:line:col (key.path)")
    keys: tuple[tuple[str, int, int], ...] = ()   # (key.path, line, col) of each top-level key
    annex: tuple[str, ...] = ()      # the sections printed in the annex (`annex:`, or the default)
    annex_written: bool = False      # whether the brief has an `annex:` key (else the default)
    largest_step: str | None = None  # the largest body step its house sets it at (None: briefgen's)

    def locate_text(self, needle: str) -> str:
        """Where in the content a piece of text comes from (the first place that has it)."""
        for text, where in self.entries:
            if needle in text:
                return where
        return self.display_path

    def locate_key(self, key_path: str) -> tuple[int, int]:
        """Line and column where a top-level key is written (0, 0 when it is not)."""
        for key, line, column in self.keys:
            if key == key_path:
                return line, column
        return 0, 0

    def section_line(self, section: str) -> int:
        """The line of the key that holds a section as the page names it ('Key messages'
        -> `key_messages:`; 'Purpose' -> `event:`); 0 when the brief has no such key."""
        return self.locate_key(section_key(section))[0]


# The page's names for sections whose key is not their name in lower case.
_SECTION_KEYS = {"Purpose": "event", "Quote": "quotes", "Points to make": "points"}


def section_key(section: str) -> str:
    """The top-level key that holds a section as the page names it ('Key messages' ->
    `key_messages`, 'Purpose' -> `event`, 'Points to make' -> `points`)."""
    return _SECTION_KEYS.get(section, section.lower().replace(" ", "_"))


def offset_in_source(text: str, start: int, style: str, value: str, offset: int) -> int | None:
    """Where the character at `offset` in a scalar's value was written in the file's `text`.

    `start` is the index in `text` where the scalar starts (its mark), `style` YAML's style
    for it: '|' or '>' for a block (the value starts on the line after the indicator),
    '' for plain, a quote character for quoted. YAML changes only whitespace when it
    unfolds a block or a plain scalar (indentation, line breaks folded into spaces), so the
    n-th character that is not whitespace in the value is the n-th in the source. Where that
    fails (an escape in a quoted value), None: the caller points at the value's start.
    """
    if style in ("|", ">"):
        line_end = text.find("\n", start)
        if line_end < 0:
            return None
        start = line_end + 1
    elif style in ("'", '"'):
        start += 1
    while offset < len(value) and value[offset].isspace():
        offset += 1
    if offset >= len(value):
        return None
    index = start
    for position in range(offset + 1):
        char = value[position]
        if char.isspace():
            continue
        while index < len(text) and text[index].isspace():
            index += 1
        if index >= len(text) or text[index] != char:
            return None
        if position == offset:
            return index
        index += 1
    return None


def line_and_column(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of `index` in `text`, as an editor counts them."""
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1
