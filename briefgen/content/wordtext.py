"""A field's Markdown as Word holds it: paragraphs of runs, and back again.

The Word round trip writes each field as runs (bold, italic, a link, a citation as a locked
run) and reads the runs back as Markdown. Both directions live here, so that a field nobody
touched in Word reads back as exactly `canonical(value)`, and an import can tell an edit from
the way the trip writes Markdown (`*x*` and `_x_` are one text). The Markdown is parsed by
Python-Markdown (the page's parser); raw HTML stays escaped text. Word shows quotes as the
page sets them (“ ” ‘ ’, « » in French) when the writer gives `Quotes` (the page's own rule,
render/typography.py, passed in: content does not typeset): a field read back with the quotes
it was given is unchanged, and an edited field goes back to the YAML with the straight
quotes its author types wherever the rule would curl them again (`Quotes.as_typed`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from html.parser import HTMLParser

import markdown

from briefgen.content.markdown import CITATION, markdown_limit_problem

_CITE_OPEN, _CITE_CLOSE = "\ue000", "\ue001"
_CITE_TOKEN = re.compile(f"{_CITE_OPEN}([A-Za-z0-9][A-Za-z0-9_-]*){_CITE_CLOSE}")
_SPACES = re.compile(r"\s+")
# Markdown punctuation that would change what plain text means when written back.
_ESCAPE = re.compile(r"([\\`*\[\]]|(?<!\w)_|_(?!\w)|^[#>+-](?=\s)|^\d+(?=[.)]\s))")


@dataclass(frozen=True)
class Span:
    """A run of text with one formatting: bold, italic, a link, or a citation of a source."""

    text: str
    bold: bool = False
    italic: bool = False
    code: bool = False
    link: str | None = None
    cite: str | None = None          # a source id: the run shows its number, the YAML `[@id]`
    image: str | None = None         # an image's path; `text` is its description


@dataclass(frozen=True)
class Paragraph:
    spans: tuple[Span, ...]
    list_kind: str = ""              # "" for a paragraph, "ul" or "ol" for a list item

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.spans)


@dataclass(frozen=True)
class Quotes:
    """How a language sets straight quotes: `curl(text, before)` (render/typography.curl_quotes
    with the language's double quotes, `marks`); `before` is the character printed before `text`."""

    curl: Callable[[str, str], str]
    marks: tuple[str, str]

    def paragraph(self, paragraph: Paragraph) -> Paragraph:
        """The paragraph's text with curly quotes, each run read after the one before it; code
        and citations as they are."""
        spans, before = [], " "
        for span in paragraph.spans:
            if not (span.code or span.cite is not None or span.image is not None):
                span = replace(span, text=self.curl(span.text, before))
            spans.append(span)
            before = span.text[-1:] or before
        return replace(paragraph, spans=tuple(spans))

    def straight(self, text: str) -> str:
        """Every quotation mark straight; a mark's own spaces (« » in French) as a field's text
        reads back, one plain space each."""
        for mark in self.marks:
            text = text.replace(_SPACES.sub(" ", mark), '"')
        return text.replace("‘", "'").replace("’", "'")

    def as_typed(self, edited: str, *, markdown_field: bool = True) -> str:
        """An edited field as its author would type it: straight quotes wherever setting them
        again gives back what Word holds (so quotes the writer curled do not reach the YAML as
        an edit); as Word holds it when an author set a quote the rule would not."""
        straight = self.straight(edited)
        return straight if canonical(straight, markdown_field=markdown_field, quotes=self) == edited else edited


def paragraphs_of(value: str | None, *, markdown_field: bool = True,
                  quotes: Quotes | None = None) -> list[Paragraph]:
    """A field's value as Word paragraphs (a plain-text field is one paragraph of one run),
    with curly quotes when `quotes` says how to set them."""
    paragraphs = _paragraphs_of(value, markdown_field)
    return [quotes.paragraph(p) for p in paragraphs] if quotes else paragraphs


def _paragraphs_of(value: str | None, markdown_field: bool) -> list[Paragraph]:
    if not value:
        return []
    if not markdown_field:
        return [Paragraph((Span(_SPACES.sub(" ", value).strip()),))]
    if markdown_limit_problem(value):  # validation refuses it; never parse it
        return [Paragraph((Span(value),))]
    value = value.replace(_CITE_OPEN, "").replace(_CITE_CLOSE, "")
    tokens = CITATION.sub(lambda m: f"{_CITE_OPEN}{m.group(1)}{_CITE_CLOSE}", value)
    reader = _SpanReader()
    reader.feed(_parser().convert(tokens))
    reader.close()
    return [p for p in (_tidy(p) for p in reader.paragraphs) if p.spans]


def markdown_of(paragraphs: list[Paragraph], *, markdown_field: bool = True) -> str:
    """Paragraphs of runs written as Markdown (as plain text for a plain-text field)."""
    if not markdown_field:
        return " ".join(_SPACES.sub(" ", p.text).strip() for p in paragraphs).strip()
    blocks: list[str] = []
    number = 0
    for paragraph in paragraphs:
        paragraph = _tidy(paragraph)
        if not paragraph.spans:
            continue
        body = "".join(_span_markdown(s) for s in _merged(paragraph.spans)).strip()
        if paragraph.list_kind:
            number = number + 1 if paragraph.list_kind == "ol" else 0
            marker = f"{number}." if paragraph.list_kind == "ol" else "-"
            joined = blocks and blocks[-1].startswith(("- ", "1.")) and not blocks[-1].endswith("\n\n")
            item = f"{marker} {body}"
            if joined:
                blocks[-1] += "\n" + item
            else:
                blocks.append(item)
        else:
            number = 0
            blocks.append(body)
    return "\n\n".join(blocks)


def canonical(value: str | None, *, markdown_field: bool = True, quotes: Quotes | None = None) -> str:
    """A value as it reads back from Word untouched (written with `quotes`): the form an edit
    is compared in."""
    return markdown_of(paragraphs_of(value, markdown_field=markdown_field, quotes=quotes),
                       markdown_field=markdown_field)


def _parser() -> markdown.Markdown:
    md = markdown.Markdown(extensions=["sane_lists"], output_format="html")
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


def _tidy(paragraph: Paragraph) -> Paragraph:
    """Whitespace as a reader sees it: runs of spaces and line breaks are one space, none at the ends."""
    spans: list[Span] = []
    for span in paragraph.spans:
        text = _SPACES.sub(" ", span.text) if span.cite is None else span.text
        if spans and spans[-1].text.endswith(" ") and text.startswith(" "):
            text = text[1:]
        if text or span.cite or span.image:
            spans.append(replace(span, text=text))
    if spans and spans[0].cite is None:
        spans[0] = replace(spans[0], text=spans[0].text.lstrip())
    if spans and spans[-1].cite is None:
        spans[-1] = replace(spans[-1], text=spans[-1].text.rstrip())
    return replace(paragraph, spans=tuple(s for s in spans if s.text or s.cite or s.image))


def _merged(spans: tuple[Span, ...]) -> list[Span]:
    """Neighbouring runs with the same formatting as one (Word splits runs freely)."""
    merged: list[Span] = []
    for span in spans:
        last = merged[-1] if merged else None
        if last and span.cite is None and last.cite is None and span.image is None and last.image is None \
                and replace(last, text="") == replace(span, text=""):
            merged[-1] = replace(last, text=last.text + span.text)
        else:
            merged.append(span)
    return merged


def _span_markdown(span: Span) -> str:
    if span.cite is not None:
        return f"[@{span.cite}]"
    if span.image is not None:
        return f"![{_escape(span.text)}]({span.image})"
    text = span.text
    lead, core, trail = text[: len(text) - len(text.lstrip())], text.strip(), text[len(text.rstrip()):]
    if not core:
        return text
    core = f"`{core}`" if span.code else _escape(core)
    if span.link:
        core = f"[{core}]({span.link})"
    if span.bold and span.italic:
        core = f"***{core}***"
    elif span.bold:
        core = f"**{core}**"
    elif span.italic:
        core = f"*{core}*"
    return lead + core + trail


def _escape(text: str) -> str:
    """Markdown punctuation as literal text, except a citation an editor typed (`[@wsj]`)."""
    pieces = CITATION.split(text)   # text, id, text, id, ...
    return "".join(f"[@{piece}]" if index % 2 else _ESCAPE.sub(r"\\\1", piece)
                   for index, piece in enumerate(pieces))


class _SpanReader(HTMLParser):
    """Python-Markdown's HTML for a field, as paragraphs of spans."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[Paragraph] = []
        self._spans: list[Span] = []
        self._open: list[str] = []
        self._links: list[str] = []
        self._lists: list[str] = []
        self._in_block = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("p", "li"):
            self._flush()
            self._in_block = True
        elif tag in ("ul", "ol"):
            self._flush()
            self._lists.append(tag)
        elif tag == "a":
            self._links.append(dict(attrs).get("href") or "")
        elif tag == "img":
            found = dict(attrs)
            self._spans.append(Span(found.get("alt") or "", image=found.get("src") or ""))
        elif tag == "br":
            self._text(" ")
        self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("p", "li", "ul", "ol", "blockquote"):
            self._flush()
        if tag in ("ul", "ol") and self._lists:
            self._lists.pop()
        if tag == "a" and self._links:
            self._links.pop()
        if tag in self._open:
            del self._open[len(self._open) - 1 - self._open[::-1].index(tag)]

    def handle_data(self, data: str) -> None:
        self._text(data)

    def _text(self, data: str) -> None:
        position = 0
        for match in _CITE_TOKEN.finditer(data):
            self._plain(data[position:match.start()])
            self._spans.append(Span("", cite=match.group(1)))
            position = match.end()
        self._plain(data[position:])

    def _plain(self, text: str) -> None:
        if text:
            self._spans.append(Span(text, bold="strong" in self._open, italic="em" in self._open,
                                    code="code" in self._open, link=self._links[-1] if self._links else None))

    def _flush(self) -> None:
        if self._spans:
            in_list = "li" in self._open and self._lists
            self.paragraphs.append(Paragraph(tuple(self._spans), self._lists[-1] if in_list else ""))
        self._spans = []
