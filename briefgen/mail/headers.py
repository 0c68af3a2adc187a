"""The Subject header folded so that a mail program reads back exactly what was written.

The standard library folds a long subject with non-ASCII text into encoded words, but
where plain text meets an encoded word it can leave the space at the end of one line and
add the fold's own space at the start of the next: unfolded, the reader sees two spaces
where one was meant ("2024  – September"). Here the subject is folded by hand:

- plain ASCII words are written as they are, and a fold only ever replaces the single
  space between two words (unfolding puts that one space back);
- every run of words that cannot be written as they are (non-ASCII, or too long for a
  line) becomes encoded words (RFC 2047) holding the run's own spaces, split by whole
  characters wherever a line is full: whitespace between two encoded words is not part
  of the text, so the split adds nothing.

Runs of whitespace are written as one space, as mail programs show them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from email import base64mime, quoprimime
from email.headerregistry import BaseHeader, HeaderRegistry, UnstructuredHeader
from email.policy import SMTP, EmailPolicy

_ENCODED_WORD_LIMIT = 75      # RFC 2047: an encoded word is at most 75 characters
_CHARSET = "utf-8"


class SubjectHeader(UnstructuredHeader, BaseHeader):
    """A Subject that folds without adding or losing a space (see the module's docstring)."""

    # Only an EmailPolicy folds a header of its header_factory; typeshed says any Policy.
    def fold(self, *, policy: EmailPolicy) -> str:  # type: ignore[override]
        lines = fold_subject(self.name, str(self), policy.max_line_length or sys.maxsize, utf8=policy.utf8)
        return policy.linesep.join(lines) + policy.linesep


def _registry() -> HeaderRegistry:
    registry = HeaderRegistry()
    registry.map_to_type("subject", SubjectHeader)
    return registry


# What briefgen writes messages with: SMTP line endings, and the Subject folded as above.
MAIL_POLICY = SMTP.clone(header_factory=_registry())


def fold_subject(name: str, value: str, line_limit: int, *, utf8: bool = False) -> list[str]:
    """`name: value` as lines of at most `line_limit` characters; each after the first starts
    with the space that joins it to the one before."""
    lines = [f"{name}:"]
    for plain, text in _units(value.split(), first_room=line_limit - len(lines[0]) - 1,
                              room=line_limit - 1, utf8=utf8):
        if plain:
            _place(lines, text, line_limit)
        else:
            for word in _encoded_words(text, lambda: line_limit - len(lines[-1]) - 1, line_limit - 1):
                _place(lines, word, line_limit)
    return lines


def _place(lines: list[str], word: str, line_limit: int) -> None:
    """`word` after a space on the last line, or on a new line when it does not fit there."""
    nothing_yet = len(lines) == 1 and " " not in lines[0]     # never fold right after "Subject:"
    if nothing_yet or len(lines[-1]) + 1 + len(word) <= line_limit:
        lines[-1] += " " + word
    else:
        lines.append(" " + word)


def _units(words: list[str], *, first_room: int, room: int, utf8: bool) -> list[tuple[bool, str]]:
    """The words as (plain, text): plain words one by one, the others joined into runs."""
    units: list[tuple[bool, str]] = []
    for index, word in enumerate(words):
        fits = len(word) <= (first_room if index == 0 else room)
        plain = fits and (word.isascii() or utf8) and word.isprintable()
        if not plain and units and not units[-1][0]:
            units[-1] = (False, f"{units[-1][1]} {word}")
        else:
            units.append((plain, word))
    return units


def _encoded_words(text: str, room_now: Callable[[], int], room: int) -> Iterator[str]:
    """`text` as encoded words, each as long as the room on its line allows (whole characters).
    `room_now()` is the room left on the current line when the next word is placed."""
    start = 0
    while start < len(text):
        limit = min(room_now(), _ENCODED_WORD_LIMIT)
        end = _longest_fit(text, start, limit)
        if end == start:                       # not even one character fits here: a new line
            end = _longest_fit(text, start, min(room, _ENCODED_WORD_LIMIT))
        yield _encoded(text[start:end])
        start = end


def _longest_fit(text: str, start: int, limit: int) -> int:
    end = start
    while end < len(text) and len(_encoded(text[start:end + 1])) <= limit:
        end += 1
    return end


def _encoded(text: str) -> str:
    """The shorter of the Q and base64 encoded words for `text`."""
    data = text.encode(_CHARSET)
    return min(quoprimime.header_encode(data, _CHARSET), base64mime.header_encode(data, _CHARSET), key=len)
