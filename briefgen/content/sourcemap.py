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

    path: Path
    display_path: str

    def locate_text(self, needle: str) -> str: ...

    def locate_key(self, key_path: str) -> tuple[int, int]: ...


@dataclass(frozen=True)
class ContentText:
    """Every text value of a brief and its people, with where it was written."""

    path: Path
    display_path: str
    entries: tuple[tuple[str, str], ...]   # (text, "file:line:col (key.path)")
    keys: tuple[tuple[str, int, int], ...] = ()   # (key.path, line, col) of each top-level key

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
