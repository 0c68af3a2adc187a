"""Typographic quotes in every text field, not only those an author typed curly: one pass over
the rendered page's text (between its tags), so Markdown and plain fields alike print “ ” ‘ ’.
Authors keep typing straight quotes in the YAML; the page is set as a typesetter would, a
double quote in the marks of the page's language (its catalogue's `quote_open` and
`quote_close`: « … » in French, „…“ in German, 「…」 in Japanese).

Nothing inside <style>, <script>, <pre> or <code> is touched, nor any attribute (only the text
between tags), so CSS, code samples and links keep their straight quotes."""

from __future__ import annotations

import re

from briefgen.content.languages import catalogue
from briefgen.content.wordtext import Quotes

_TAG = re.compile(r"(<[^>]*>)")
_RAW = ("style", "script", "pre", "code")
_DOUBLE = re.compile(r"&#34;|&quot;|&#x22;")
_SINGLE = re.compile(r"&#39;|&#x27;|&apos;")
_OPENS_AFTER = set(" \t\n\r\u00a0([{—–-/“‘")
ENGLISH_MARKS = ("“", "”")      # a double quote's opening and closing marks


def curl_quotes(text: str, before: str = " ", marks: tuple[str, str] = ENGLISH_MARKS) -> str:
    """Straight quotes in plain text as curly ones; `before` is the character printed just
    before the text (a quote after a space or an opening bracket opens; else it closes, and
    a single quote inside a word is an apostrophe). `marks` are the language's double quotes."""
    return _curl(text, before, marks, False)[0]


def _is_unspaced_script(char: str) -> bool:
    """A character of a script written without spaces (kana, CJK ideographs and punctuation,
    Hangul syllables, full-width forms): a quote after it may open as well as close."""
    code = ord(char) if len(char) == 1 else 0
    return (0x3000 <= code <= 0x30FF or 0x3400 <= code <= 0x4DBF or 0x4E00 <= code <= 0x9FFF
            or 0xAC00 <= code <= 0xD7AF or 0xF900 <= code <= 0xFAFF or 0xFF00 <= code <= 0xFFEF)


def _curl(text: str, before: str, marks: tuple[str, str], open_double: bool) -> tuple[str, bool]:
    """`curl_quotes`, carrying whether a double quote is open: after a character of a script
    written without spaces ('大統領は"歴史的"と'), a double quote opens unless one is open."""
    out = []
    previous = before
    opens_after = _OPENS_AFTER | set(marks[0])
    for char in text:
        if char == '"':
            opens = previous in opens_after or (_is_unspaced_script(previous) and not open_double)
            char = marks[0] if opens else marks[1]
            open_double = opens
        elif char == "'":
            char = "‘" if previous in opens_after else "’"
        out.append(char)
        previous = char[-1]
    return "".join(out), open_double


_ADDRESS = re.compile(r"(?:\b[A-Za-z][A-Za-z0-9+.-]*://|\bmailto:)[^\s\"]*")


def curl_quotes_in_text(text: str, marks: tuple[str, str] = ENGLISH_MARKS) -> str:
    """Plain text (the email's text part) with curly quotes, by the same rule as the page;
    web and mail addresses keep their straight quotes, as the page's links do (in an
    attribute there, written out in parentheses here)."""
    out: list[str] = []
    previous = " "
    addresses = _ADDRESS.findall(text)
    for index, part in enumerate(_ADDRESS.split(text)):
        pieces = [curl_quotes(part, previous, marks), *addresses[index:index + 1]]
        out += pieces
        previous = "".join(pieces)[-1:] or previous
    return "".join(out)


def curl_quotes_in_html(html: str, marks: tuple[str, str] = ENGLISH_MARKS) -> str:
    """The page with curly quotes in its text (double ones in `marks`); tags, attributes and raw
    elements as they were. Quotes the template engine escaped (&#34; &#39;) count as the
    straight quotes they are."""
    parts = _TAG.split(html)
    raw_depth = 0
    previous, open_double = " ", False
    for index, part in enumerate(parts):
        if index % 2:                                   # a tag
            name = re.match(r"</?\s*([a-zA-Z0-9]+)", part)
            if name and name.group(1).lower() in _RAW:
                raw_depth += -1 if part.startswith("</") else (0 if part.endswith("/>") else 1)
            if name and name.group(1).lower() in _BLOCKS:
                open_double = False                     # a quote left open ends with its block
            continue
        if raw_depth > 0 or not part:
            continue
        text = _SINGLE.sub("'", _DOUBLE.sub('"', part))
        if '"' in text or "'" in text:
            parts[index], open_double = _curl(text, previous, marks, open_double)
        previous = parts[index][-1]
    return "".join(parts)


_BLOCKS = {"p", "li", "td", "th", "dt", "dd", "div", "section", "blockquote", "h1", "h2", "h3", "h4",
           "h5", "h6"}


def language_quotes(lang: str) -> Quotes:
    """This rule with `lang`'s double quotes, for the Word round trip (content/wordtext.py):
    the Word file sets its fields' quotes as the page does, and its import reads them back."""
    words = catalogue(lang)
    marks = (words["quote_open"], words["quote_close"])
    return Quotes(lambda text, before: curl_quotes(text, before, marks), marks)
