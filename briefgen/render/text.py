"""The plain-text version of a brief, written from the validated content (not from the HTML).

It follows the page section by section, so a reader whose mail client shows only
text gets the same facts, with the same source numbers. Markdown is reduced to
plain text: citations become [n], links become `text (address)`, emphasis marks go.
"""

from __future__ import annotations

import re
import textwrap

from briefgen.content.models import Brief, Person
from briefgen.content.schedule import clock_labels
from briefgen.render.html import (PRESS_LABELS, ROLE_LABELS, STATUS_LABELS, agenda_days, event_dates,
                                  medium_date, point_groups, quote_where, short_date, short_names)
from briefgen.content.validate import CITATION, ValidatedBrief

WIDTH = 72
_LINK = re.compile(r"\[([^\]]+)\]\((\S+?)\)")
_AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")
_STRONG = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EMPHASIS = re.compile(r"(?<![\w*])([*_])(?=\S)(.+?)(?<=\S)\1(?![\w*])")
_CODE = re.compile(r"`([^`]+)`")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>])")
_CITATION_RUN = re.compile(rf"(?:\s*{CITATION.pattern})+")
_LIST_ITEM = re.compile(r"^(\s*)([-*+]|\d+\.)\s+")


def brief_text(validated: ValidatedBrief, attachment_name: str) -> str:
    """The whole brief as plain text, with its classification marking first and last."""
    brief, people = validated.brief, validated.people
    numbers = {source.id: index for index, source in enumerate(brief.sources, start=1)}
    writer = _TextWriter(numbers)
    writer.line(brief.classification)
    writer.blank()
    _bottom_line(writer, brief)
    writer.line(brief.title.upper())
    if brief.subtitle:
        writer.line(brief.subtitle)
    writer.blank()
    _facts(writer, brief, people)
    writer.markdown(brief.event.purpose)
    _objectives(writer, brief)
    _decisions(writer, brief)
    _participants(writer, brief, people)
    _deliverables(writer, brief, people)
    _key_messages(writer, brief)
    _points(writer, brief, people)
    _if_raised(writer, brief)
    _press_line(writer, brief)
    _sensitivities(writer, brief)
    if brief.background:
        writer.heading("Background")
        writer.markdown(brief.background)
    _agenda(writer, brief, people)
    _quotes(writer, brief, people)
    _sources(writer, brief)
    writer.line("--")
    writer.wrapped(f"Prepared by {brief.prepared_by} · Facts as of {medium_date(brief.as_of)}. "
                   f"The one-page brief is attached as {attachment_name}.")
    writer.blank()
    writer.line(brief.classification)
    return writer.text()


class _TextWriter:
    """Collects wrapped lines; knows the source numbers for citations."""

    def __init__(self, source_numbers: dict[str, int]):
        self.numbers = source_numbers
        self.lines: list[str] = []

    def text(self) -> str:
        return "\n".join(self.lines).rstrip() + "\n"

    def line(self, text: str = "") -> None:
        self.lines.append(text)

    def blank(self) -> None:
        if self.lines and self.lines[-1]:
            self.lines.append("")

    def heading(self, title: str) -> None:
        self.blank()
        self.lines += [title.upper(), "=" * len(title), ""]

    def wrapped(self, text: str, first: str = "", rest: str = "") -> None:
        self.lines += textwrap.wrap(text, WIDTH, initial_indent=first, subsequent_indent=rest,
                                    break_long_words=False, break_on_hyphens=False) or [first.rstrip()]

    def item(self, text: str) -> None:
        self.wrapped(text, "- ", "  ")

    def cite(self, source_ids) -> str:
        found = sorted({self.numbers[s] for s in source_ids if s in self.numbers})
        return f" [{','.join(map(str, found))}]" if found else ""

    def inline(self, markdown: str | None) -> str:
        """A short Markdown field as one line of plain text."""
        return " ".join(plain_markdown(markdown or "", self.numbers).split())

    def markdown(self, markdown: str) -> None:
        """A Markdown block: paragraphs wrapped, list items kept as items."""
        for paragraph in re.split(r"\n\s*\n", plain_markdown(markdown, self.numbers).strip()):
            self.blank()
            for block in _split_list_items(paragraph):
                marker = _LIST_ITEM.match(block)
                if marker:
                    body = " ".join(block[marker.end():].split())
                    self.wrapped(body, f"{marker.group(2)} ", " " * (len(marker.group(2)) + 1))
                else:
                    self.wrapped(" ".join(block.split()))
        self.blank()


def plain_markdown(text: str, source_numbers: dict[str, int]) -> str:
    """Markdown reduced to plain text; citations become [n] (unknown ones stay as written)."""
    def citations(match: re.Match) -> str:
        ids = CITATION.findall(match.group(0))
        if not all(source_id in source_numbers for source_id in ids):
            return match.group(0)
        return f" [{','.join(str(n) for n in sorted({source_numbers[i] for i in ids}))}]"

    text = _CITATION_RUN.sub(citations, text)
    text = _LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _CODE.sub(r"\1", text)
    text = _STRONG.sub(r"\2", text)
    text = _EMPHASIS.sub(r"\2", text)
    text = _ESCAPE.sub(r"\1", text)
    return text


def _split_list_items(paragraph: str) -> list[str]:
    blocks: list[str] = []
    for line in paragraph.splitlines():
        if _LIST_ITEM.match(line) or not blocks:
            blocks.append(line)
        else:
            blocks[-1] += " " + line.strip()
    return blocks


def _facts(writer: _TextWriter, brief: Brief, people: dict[str, Person]) -> None:
    event = brief.event
    facts = [("Date", event_dates(event) + writer.cite(event.sources)), ("Place", event.location)]
    if event.host:
        facts.append(("Host", people[event.host].name))
    facts.append(("As of", medium_date(brief.as_of)))
    for label, value in facts:
        writer.wrapped(value, f"{label + ':':<7}", " " * 7)


def _participants(writer: _TextWriter, brief: Brief, people: dict[str, Person]) -> None:
    writer.heading("Participants")
    for participant in brief.participants:
        person = people[participant.person]
        role = ROLE_LABELS[participant.role.value if participant.role else None]
        name = " ".join(filter(None, [person.name, person.native_name]))
        parts = [f"{name} ({role})" if role else name, person.title]
        writer.item(", ".join(parts) + (f"; {participant.note}" if participant.note else ""))
        if person.bio:
            writer.wrapped(writer.inline(person.bio), "  ", "  ")


def _deliverables(writer: _TextWriter, brief: Brief, people: dict[str, Person]) -> None:
    if not brief.deliverables:
        return
    writer.heading("Expected deliverables")
    for item in brief.deliverables:
        text = f"[{STATUS_LABELS[item.status.value]}] {item.title}{writer.cite(item.sources)}. "
        text += writer.inline(item.summary)
        if item.caveats:
            text += f" Caveat: {writer.inline(item.caveats)}"
        if item.owners:
            text += f" Owners: {short_names(item.owners, people)}."
        writer.item(text)


def _key_messages(writer: _TextWriter, brief: Brief) -> None:
    if not brief.key_messages:
        return
    writer.heading("Key messages")
    for message in brief.key_messages:
        writer.item(writer.inline(message.text) + writer.cite(message.sources))


def _bottom_line(writer: _TextWriter, brief: Brief) -> None:
    """First in the body, as on paper: what the reader must take away."""
    if brief.bottom_line:
        writer.wrapped(writer.inline(brief.bottom_line), "BOTTOM LINE: ", "  ")
        writer.blank()


def _objectives(writer: _TextWriter, brief: Brief) -> None:
    if not brief.objectives:
        return
    writer.heading("Objectives")
    for number, objective in enumerate(brief.objectives, start=1):
        writer.wrapped(writer.inline(objective.text) + writer.cite(objective.sources), f"{number}. ", "   ")


def _decisions(writer: _TextWriter, brief: Brief) -> None:
    if not brief.decisions:
        return
    writer.heading("Decisions")
    for decision in brief.decisions:
        writer.item(writer.inline(decision.issue) + writer.cite(decision.sources))
        writer.wrapped(f"Recommendation: {writer.inline(decision.recommendation)}", "  ", "  ")
        writer.wrapped("   ".join(f"[ ] {option}" for option in decision.options), "  ", "  ")
        if decision.due:
            reason = f" ({decision.due_reason})" if decision.due_reason else ""
            writer.wrapped(f"Needed by {medium_date(decision.due)}{reason}", "  ", "  ")


def _points(writer: _TextWriter, brief: Brief, people: dict[str, Person]) -> None:
    if not brief.points:
        return
    writer.heading("Points to make")
    for to, points in point_groups(brief.points):
        if to:
            writer.blank()
            writer.line(f"To {people[to].name}, {people[to].title}:")
        for point in points:
            writer.item(writer.inline(point.text) + writer.cite(point.sources))


def _if_raised(writer: _TextWriter, brief: Brief) -> None:
    if not brief.if_raised:
        return
    writer.heading("If raised")
    for item in brief.if_raised:
        writer.item(f"{writer.inline(item.question)} Line: {writer.inline(item.answer)}"
                    f"{writer.cite(item.sources)}")


def _press_line(writer: _TextWriter, brief: Brief) -> None:
    press = brief.press_line
    if not press:
        return
    writer.heading("Press line")
    writer.wrapped(writer.inline(press.public) + writer.cite(press.sources))
    if press.defensive:
        writer.wrapped(f"If pressed: {writer.inline(press.defensive)}")


def _sensitivities(writer: _TextWriter, brief: Brief) -> None:
    if not brief.sensitivities:
        return
    writer.heading("Sensitivities")
    for item in brief.sensitivities:
        context = f" {writer.inline(item.context)}" if item.context else ""
        writer.item(f"{item.topic}{writer.cite(item.sources)}:{context} Line: {writer.inline(item.guidance)}")


def _agenda(writer: _TextWriter, brief: Brief, people: dict[str, Person]) -> None:
    if not brief.agenda:
        return
    writer.heading("Agenda")
    for item, day in agenda_days(brief):
        local, home = clock_labels(day, item, brief.event.timezone, brief.home_timezone)
        when = " ".join(filter(None, [short_date(item.date) if item.date else "", local]))
        when += f" ({home} home)" if home else ""
        text = f"{when}: " if when else ""
        text += item.title + writer.cite(item.sources)
        text += f" ({item.note})" if item.note else ""
        text += f" · {item.location}" if item.location else ""
        if item.participants:
            text += f". With {short_names(item.participants, people)}"
        scenario = [item.duration or "", PRESS_LABELS[item.press.value] if item.press else "",
                    f"Lead: {short_names([item.lead], people)}" if item.lead else "",
                    f"Speaking order: {short_names(item.speaking_order, people)}"
                    if item.speaking_order else ""]
        if any(scenario):
            text += ". " + " · ".join(filter(None, scenario))
        writer.item(text)


def _quotes(writer: _TextWriter, brief: Brief, people: dict[str, Person]) -> None:
    if not brief.quotes:
        return
    writer.heading("Quotes")
    for quote in brief.quotes:
        speaker = people[quote.by]
        where = quote_where(quote)
        writer.blank()
        writer.wrapped(f"“{writer.inline(quote.text)}”", "  ", "  ")
        attribution = f"— {speaker.name}, {speaker.title}" + (f"; {where}" if where else "")
        writer.wrapped(attribution + writer.cite([quote.source] if quote.source else []), "  ", "    ")


def _sources(writer: _TextWriter, brief: Brief) -> None:
    if not brief.sources:
        return
    writer.heading("Sources")
    for number, source in enumerate(brief.sources, start=1):
        parts = [source.title, source.publisher, medium_date(source.date) if source.date else None]
        text = ", ".join(filter(None, parts)) + "."
        text += f" {source.note}" if source.note else ""
        text += f" {source.url}" if source.url else ""
        label = f"[{number}] "
        writer.wrapped(text, label, " " * len(label))
    writer.blank()
