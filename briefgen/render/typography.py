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
    out = []
    previous = before
    opens_after = _OPENS_AFTER | set(marks[0])
    for char in text:
        if char == '"':
            char = marks[0] if previous in opens_after else marks[1]
        elif char == "'":
            char = "‘" if previous in opens_after else "’"
        out.append(char)
        previous = char[-1]
    return "".join(out)


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
    previous = " "
    for index, part in enumerate(parts):
        if index % 2:                                   # a tag
            name = re.match(r"</?\s*([a-zA-Z0-9]+)", part)
            if name and name.group(1).lower() in _RAW:
                raw_depth += -1 if part.startswith("</") else (0 if part.endswith("/>") else 1)
            continue
        if raw_depth > 0 or not part:
            continue
        text = _SINGLE.sub("'", _DOUBLE.sub('"', part))
        if '"' in text or "'" in text:
            parts[index] = curl_quotes(text, previous, marks)
        previous = parts[index][-1]
    return "".join(parts)


def language_quotes(lang: str) -> Quotes:
    """This rule with `lang`'s double quotes, for the Word round trip (content/wordtext.py):
    the Word file sets its fields' quotes as the page does, and its import reads them back."""
    words = catalogue(lang)
    marks = (words["quote_open"], words["quote_close"])
    return Quotes(lambda text, before: curl_quotes(text, before, marks), marks)
