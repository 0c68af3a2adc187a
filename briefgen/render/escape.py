"""One escaping function per place text is printed: each sink acts on different characters.

Content (titles, notes, file names) is untrusted, and every sink has its own way to be
tricked: a terminal runs escape sequences and is moved by a carriage return; Markdown and
the HTML inside it fold, link and hide; a code span ends at a backtick; a calendar's text
value ends at a line break and splits at `;` and `,`; a CI log reads a line that starts
with `::` as a command. Text is escaped where it is printed, by the function of that sink:

* `terminal`: every control, format and invisible character shown as an escape (`\\r`,
  `\\u001b`, `\\u202e`), line breaks kept (a message may have several lines);
* `markdown_text`: Markdown and HTML characters escaped, on one line;
* `markdown_code`: a code span no content can leave (fenced by more backticks than any
  run inside, its invisible characters shown as escapes);
* `html_text`: HTML's special characters as entities (markupsafe, as Jinja does);
* `css_string`: a quoted CSS string inside a <style> element: every character that could end
  the string or the element (`"`, `\\`, `<`, `>`, controls) as a CSS escape;
* `calendar_text`: a value for an iCalendar TEXT property: one line, no control characters
  (icalendar itself escapes `\\`, `;`, `,` and LF);
* `ci_data`, `ci_property`: GitHub Actions' own escapes for a log line and a command's
  property (`%`, CR, LF; and `:` and `,` in a property).
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

from briefgen.content.characters import printable

_CI_DATA = {"%": "%25", "\r": "%0D", "\n": "%0A"}
_CI_PROPERTY = {**_CI_DATA, ":": "%3A", ",": "%2C"}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]|~])")
_BACKTICKS = re.compile(r"`+")
_BREAKABLE_SPACE = re.compile(r"[^\S\u00a0\u2007\u202f]+")   # white space but the no-break spaces


def terminal(text: str) -> str:
    """Text for a terminal: invisible characters as escapes, each line on its own line."""
    return "\n".join(printable(line) for line in text.split("\n"))


def markdown_text(text: str) -> str:
    """Text that Markdown shows as written, on one line: HTML and Markdown characters escaped."""
    text = printable(" ".join(text.split()))
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def markdown_code(text: str) -> str:
    """`text` as a code span it cannot leave: fenced by one backtick more than its longest run
    of backticks, padded where it starts or ends with one; on one line, invisible shown."""
    text = printable(text)
    fence = "`" * (max((len(run) for run in _BACKTICKS.findall(text)), default=0) + 1)
    padding = " " if text.startswith(("`", " ")) or text.endswith(("`", " ")) else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def html_text(text: str) -> Markup:
    """Text for HTML: `<`, `>`, `&`, and quotes as entities."""
    return escape(text)


def css_string(text: str) -> Markup:
    """A quoted CSS string for a stylesheet inside the page (a generated `content:` value):
    no character of it can end the string, the rule or the <style> element."""
    return Markup('"{}"').format(Markup("").join(
        Markup(f"\\{ord(char):06x}") if char in '"\\<>&\'' or not char.isprintable() else char
        for char in text))


def calendar_text(text: str) -> str:
    """A value for an iCalendar TEXT property, on one line, with no control characters."""
    return printable(_BREAKABLE_SPACE.sub(" ", text).strip())   # a no-break space stays (« Avec : »)


def ci_data(text: str) -> str:
    """Text on one CI log line: '%', CR and LF written as GitHub's %25, %0D and %0A."""
    return "".join(_CI_DATA.get(char, char) for char in text)


def ci_property(text: str) -> str:
    """A workflow command's property value (file=..., title=...): also ':' and ','."""
    return "".join(_CI_PROPERTY.get(char, char) for char in text)
