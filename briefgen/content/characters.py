"""Characters a reader cannot see, and text shown with them as escapes.

The loader reports them in content (`invisible_name`); every message printed shows them
as escapes (`printable`), so a diagnostic stays one `path:line:col: ...` line. Kept apart
from the loader so that printing a message (the CLI's every line) imports no YAML.
"""

from __future__ import annotations

import unicodedata

# Characters that print as nothing (or as a space) but change what text means.
INVISIBLE = {
    "\u00ad": "soft hyphen",
    "\u034f": "combining grapheme joiner",
    "\u115f": "Hangul filler",
    "\u1160": "Hangul filler",
    "\u3164": "Hangul filler",
    "\uffa0": "Hangul filler",
    "\u200b": "zero-width space",
    "\u200c": "zero-width non-joiner",
    "\u200d": "zero-width joiner",
    "\u2060": "word joiner",
    "\ufeff": "zero-width no-break space",
    "\u200e": "left-to-right mark",
    "\u200f": "right-to-left mark",
    "\u061c": "Arabic letter mark",
    "\u2028": "line separator",
    "\u2029": "paragraph separator",
    "\u0085": "next-line control character",
    **{chr(c): "bidirectional control" for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))},
}


def invisible_name(char: str) -> str | None:
    """What an invisible character is, in words; None for a visible one, a line break or a tab."""
    if char in INVISIBLE:
        return INVISIBLE[char]
    if char in "\n\r\t":
        return None
    category = unicodedata.category(char)
    if category == "Cc":
        return "control character"
    if category == "Cs":
        return "lone surrogate, half of a character pair, which no file can hold"
    if category == "Co":
        return "private-use character, which has no agreed meaning or glyph"
    if category == "Cf":
        return f"invisible format character {unicodedata.name(char, '')}".rstrip()
    return None


def printable(text: str) -> str:
    """Text that prints on one line as what it is: line breaks and invisible characters are
    shown as escapes, so every diagnostic stays one `path:line:col: ...` line."""
    return "".join(_escape(char) for char in text)


def _escape(char: str) -> str:
    if char != " " and (char in INVISIBLE
                        or unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp", "Cs", "Co")):
        escape = f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}"
        return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(char, escape)
    return char
