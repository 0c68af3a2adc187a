"""The plain-text version of a brief, written from the validated content.

It follows the page section by section, so a reader whose mail client shows only text
gets the same facts, with the same source numbers. Markdown is read once, by the same
parser as the page (render.richtext): the text is made from that HTML, so the two can
never disagree. Citations become [n], links `text (address)`, images their description.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable
from html.parser import HTMLParser

from briefgen.content.audiences import rules_of
from briefgen.content.models import Brief, Person
from briefgen.content.schedule import clock_labels
from briefgen.content.validate import ValidatedBrief
from briefgen.render.html import annex_sections, quote_marks, with_biographies
from briefgen.render.labels import (
    agenda_days,
    deliverables_heading,
    deliverables_show_status,
    event_dates,
    labels_for,
    medium_date,
    point_groups,
    press_labels,
    quote_where,
    quoted,
    role_labels,
    short_date,
    short_names,
    status_labels,
    weekday,
    withheld_counts,
)
from briefgen.render.richtext import RichText
from briefgen.render.typography import curl_quotes_in_text

WIDTH = 72


def brief_text(validated: ValidatedBrief, attachment_name: str, pages: int | None = None) -> str:
    """The whole brief as plain text, with its classification marking first and last; it
    ends saying what is attached, from the PDF's `pages` (when known)."""
    brief, people = validated.brief, validated.people
    numbers = {source.id: index for index, source in enumerate(brief.sources, start=1)}
    writer = _TextWriter(RichText(numbers), validated.lang, labels_for(validated.house, validated.lang))
    rules = rules_of(brief)
    if rules is not None and rules.portion_marks:
        writer.marks = lambda marking: rules.printed_mark(marking) + " "
    writer.line(brief.classification or "")
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
        writer.heading(writer.labels["background"])
        for paragraph in brief.background:
            writer.markdown(paragraph.text, writer.marks(paragraph.marking))
    _agenda(writer, brief, people)
    _quotes(writer, brief, people)
    _biographies(writer, brief, people)
    _sources(writer, brief)
    writer.line("--")
    colophon = (f"{writer.labels['prepared_by'].format(office=brief.prepared_by)} · "
                f"{writer.labels['facts_as_of'].format(date=medium_date(brief.as_of, writer.lang))}")
    attached = _attached(brief, people, attachment_name, pages, writer.labels)
    writer.wrapped(f"{_version_line(validated)}{colophon}. {attached}")
    writer.blank()
    writer.line(brief.classification or "")
    return writer.text()


def _attached(brief: Brief, people: dict[str, Person], attachment_name: str, pages: int | None,
              words: dict[str, str]) -> str:
    """'The one-page brief is attached as x.pdf.' only when it is one page."""
    if pages == 1:
        return words["attached_one_page"].format(name=attachment_name)
    if pages is None:
        return words["attached"].format(name=attachment_name)
    key = "attached_pages_annex" if annex_sections(brief, people) else "attached_pages"
    return words[key].format(name=attachment_name, pages=pages)


class _TextWriter:
    """Collects wrapped lines; reads Markdown through the page's RichText."""

    def __init__(self, rich_text: RichText, lang: str, labels: dict[str, str]):
        self.rich_text = rich_text
        self.lines: list[str] = []
        self.marks: Callable[[str | None], str] = lambda marking: ""   # portion mark + " ", or ""
        self.lang = lang                  # the language it prints in (ValidatedBrief.lang)
        self.labels = labels              # the house's wording of the labels (labels_for)
        self.quotes = quote_marks(labels)   # the language's double quotes: text is set as on the page

    def lead_in(self, key: str) -> str:
        """A label before its text, with the language's colon ('Line: ', 'Ligne : ', '応答：')."""
        return self.labels[key] + self.labels["colon"]

    def text(self) -> str:
        return "\n".join(self.lines).rstrip() + "\n"

    def line(self, text: str = "") -> None:
        self.lines.append(curl_quotes_in_text(text, self.quotes))

    def blank(self) -> None:
        if self.lines and self.lines[-1]:
            self.lines.append("")

    def heading(self, title: str) -> None:
        self.blank()
        self.lines += [title.upper(), "=" * len(title), ""]

    def wrapped(self, text: str, first: str = "", rest: str = "") -> None:
        self.lines += textwrap.wrap(curl_quotes_in_text(text, self.quotes), WIDTH, initial_indent=first,
                                    subsequent_indent=rest,
                                    break_long_words=False, break_on_hyphens=False) or [first.rstrip()]

    def item(self, text: str) -> None:
        self.wrapped(text, "- ", "  ")

    def cite(self, source_ids: Iterable[str], *written: str | None) -> str:
        """` [1,2]` for an item's sources but for those its `written` text cites (as RichText.cite)."""
        numbers = self.rich_text.citation_numbers(source_ids, *written)
        return f" [{','.join(map(str, numbers))}]" if numbers else ""

    def inline(self, markdown: str | None) -> str:
        """A short Markdown field as one line of plain text."""
        return " ".join(" ".join(text.split()) for _, text in self._blocks(markdown))

    def markdown(self, markdown: str, mark: str = "") -> None:
        """A Markdown block: paragraphs wrapped, list items kept as items; `mark` starts it."""
        for marker, text in self._blocks(markdown):
            text, mark = mark + text, ""
            if marker:
                self.wrapped(" ".join(text.split()), f"{marker} ", " " * (len(marker) + 1))
            else:
                self.blank()
                self.wrapped(" ".join(text.split()))
        self.blank()

    def _blocks(self, markdown: str | None) -> list[tuple[str, str]]:
        reader = _PlainText()
        reader.feed(str(self.rich_text.block(markdown)))
        reader.close()
        return [(marker, text) for marker, text in reader.blocks if text.strip()]


class _PlainText(HTMLParser):
    """The HTML of one Markdown field as blocks of plain text: (list marker or "", text)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str]] = []
        self._lists: list[list[int]] = []     # per open list: [next number], or [] when bulleted
        self._links: list[str] = []
        self._link_text: list[str] = []

    def _text(self, text: str) -> None:
        if self._links:
            self._link_text[-1] += text
        elif self.blocks:
            marker, body = self.blocks[-1]
            self.blocks[-1] = (marker, body + text)
        else:
            self.blocks.append(("", text))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("p", "blockquote"):
            self.blocks.append(("", ""))
        elif tag in ("ul", "ol"):
            self._lists.append([1] if tag == "ol" else [])
        elif tag == "li":
            counter = self._lists[-1] if self._lists else []
            marker = f"{counter[0]}." if counter else "-"
            if counter:
                counter[0] += 1
            self.blocks.append((marker, ""))
        elif tag == "a":
            self._links.append(values.get("href") or "")
            self._link_text.append("")
        elif tag == "img":
            self._text(values.get("alt") or "")
        elif tag == "sup":
            self._text(" [")
        elif tag == "br":
            self._text(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("ul", "ol") and self._lists:
            self._lists.pop()
            self.blocks.append(("", ""))
        elif tag == "a" and self._links:
            href, text = self._links.pop(), self._link_text.pop()
            shown = href.removeprefix("mailto:")
            self._text(text if not href or text.strip() in (href, shown) else f"{text} ({shown})")
        elif tag == "sup":
            self._text("]")

    def handle_data(self, data: str) -> None:
        self._text(data)


def _facts(writer: _TextWriter, brief: Brief, people: dict[str, Person]) -> None:
    event = brief.event
    words, lang = writer.labels, writer.lang
    facts = [(words["date"], event_dates(event, lang=lang) + writer.cite(event.sources)),
             (words["place"], event.location)]
    if event.host:
        facts.append((words["host"], people[event.host].name))
    facts.append((words["as_of"], medium_date(brief.as_of, lang)))
    for label, value in facts:
        writer.wrapped(value, f"{label + ':':<7}", " " * 7)


def _participants(writer: _TextWriter, brief: Brief, people: dict[str, Person]) -> None:
    writer.heading(writer.labels["participants"])
    roles = role_labels(writer.labels)
    for participant in brief.participants:
        person = people[participant.person]
        role = roles[participant.role.value if participant.role else None]
        name = " ".join(filter(None, [person.name, person.native_name]))
        parts = [f"{name} ({role})" if role else name, person.title]
        note = f"; {writer.marks(participant.marking)}{participant.note}" if participant.note else ""
        writer.item(", ".join(parts) + note)


def _deliverables(writer: _TextWriter, brief: Brief, people: dict[str, Person]) -> None:
    if not brief.deliverables:
        return
    writer.heading(deliverables_heading(brief, writer.lang, writer.labels))
    show_status, statuses = deliverables_show_status(brief), status_labels(writer.labels)
    for item in brief.deliverables:
        text = f"[{statuses[item.status.value]}] " if show_status else ""   # as on the page
        text += writer.marks(item.marking)
        text += f"{item.title}{writer.cite(item.sources, item.summary, item.caveats)}. "
        text += writer.inline(item.summary)
        if item.caveats:
            text += f" {writer.lead_in('caveat')}{writer.inline(item.caveats)}"
        if item.owners:
            text += f" {writer.lead_in('owners')}{short_names(item.owners, people, writer.lang)}."
        writer.item(text)


def _key_messages(writer: _TextWriter, brief: Brief) -> None:
    if not brief.key_messages:
        return
    writer.heading(writer.labels["key_messages"])
    for message in brief.key_messages:
        writer.item(writer.marks(message.marking) + writer.inline(message.text)
                    + writer.cite(message.sources, message.text))


def _bottom_line(writer: _TextWriter, brief: Brief) -> None:
    """First in the body, as on paper: what the reader must take away."""
    if brief.bottom_line:
        label = f"{writer.labels['bottom_line'].upper()}: "
        writer.wrapped(writer.marks(None) + writer.inline(brief.bottom_line), label, "  ")
        writer.blank()


def _objectives(writer: _TextWriter, brief: Brief) -> None:
    if not brief.objectives:
        return
    writer.heading(writer.labels["objectives"])
    for number, objective in enumerate(brief.objectives, start=1):
        writer.wrapped(writer.marks(objective.marking) + writer.inline(objective.text)
                       + writer.cite(objective.sources, objective.text), f"{number}. ", "   ")


def _decisions(writer: _TextWriter, brief: Brief) -> None:
    if not brief.decisions:
        return
    writer.heading(writer.labels["decisions"])
    for decision in brief.decisions:
        writer.item(writer.marks(decision.marking) + writer.inline(decision.issue)
                    + writer.cite(decision.sources, decision.issue, decision.recommendation))
        writer.wrapped(f"{writer.lead_in('recommendation')}{writer.inline(decision.recommendation)}", "  ", "  ")
        writer.wrapped("   ".join(f"[ ] {option}" for option in decision.options), "  ", "  ")
        if decision.due:
            reason = f" ({decision.due_reason})" if decision.due_reason else ""
            writer.wrapped(f"{writer.labels['by']} {medium_date(decision.due, writer.lang)}{reason}", "  ", "  ")


def _points(writer: _TextWriter, brief: Brief, people: dict[str, Person]) -> None:
    if not brief.points:
        return
    writer.heading(writer.labels["points"])
    for to, points in point_groups(brief.points):
        if to:
            writer.blank()
            writer.line(f"{writer.labels['to'].format(name=people[to].name)}, {people[to].title}:")
        for point in points:
            writer.item(writer.marks(point.marking) + writer.inline(point.text)
                        + writer.cite(point.sources, point.text))


def _if_raised(writer: _TextWriter, brief: Brief) -> None:
    if not brief.if_raised:
        return
    writer.heading(writer.labels["if_raised"])
    for item in brief.if_raised:
        writer.item(f"{writer.marks(item.marking)}{writer.inline(item.question)} "
                    f"{writer.lead_in('line')}{writer.inline(item.answer)}"
                    f"{writer.cite(item.sources, item.question, item.answer)}")


def _press_line(writer: _TextWriter, brief: Brief) -> None:
    press = brief.press_line
    if not press:
        return
    writer.heading(writer.labels["press_line"])
    writer.wrapped(writer.marks(None) + writer.inline(press.public)
                   + writer.cite(press.sources, press.public, press.defensive))
    if press.defensive:
        writer.wrapped(f"{writer.lead_in('if_pressed')}{writer.marks(None)}{writer.inline(press.defensive)}")


def _sensitivities(writer: _TextWriter, brief: Brief) -> None:
    if not brief.sensitivities:
        return
    writer.heading(writer.labels["sensitivities"])
    for item in brief.sensitivities:
        context = f" {writer.inline(item.context)}" if item.context else ""
        cite = writer.cite(item.sources, item.context, item.guidance)
        writer.item(f"{writer.marks(item.marking)}{item.topic}{cite}:{context} "
                    f"{writer.lead_in('line')}{writer.inline(item.guidance)}")


def _agenda(writer: _TextWriter, brief: Brief, people: dict[str, Person]) -> None:
    if not brief.agenda:
        return
    writer.heading(writer.labels["agenda"])
    presses = press_labels(writer.labels)
    for item, day in agenda_days(brief):
        local, home = clock_labels(day, item, brief.event.timezone, brief.home_timezone,
                                   lambda home_day: weekday(home_day, writer.lang))
        when = " ".join(filter(None, [short_date(item.date, writer.lang) if item.date else "", local]))
        when += f" ({writer.labels['home_time'].format(time=home)})" if home else ""
        text = f"{when}{writer.labels['colon']}" if when else ""
        text += writer.marks(item.marking) + item.title + writer.cite(item.sources)
        text += f" ({item.note})" if item.note else ""
        text += f" · {item.location}" if item.location else ""
        if item.participants:
            names = short_names(item.participants, people, writer.lang)
            text += writer.labels["next_sentence"] + writer.labels["with"].format(names=names)
        scenario = [item.duration or "", presses[item.press.value] if item.press else "",
                    f"{writer.lead_in('lead')}{short_names([item.lead], people, writer.lang)}"
                    if item.lead else "",
                    f"{writer.lead_in('speaking_order')}{short_names(item.speaking_order, people, writer.lang)}"
                    if item.speaking_order else ""]
        if any(scenario):
            text += writer.labels["next_sentence"] + " · ".join(filter(None, scenario))
        writer.item(text)


def _quotes(writer: _TextWriter, brief: Brief, people: dict[str, Person]) -> None:
    if not brief.quotes:
        return
    writer.heading(writer.labels["quotes"])
    for quote in brief.quotes:
        speaker = people[quote.by]
        where = quote_where(quote, writer.lang)
        writer.blank()
        writer.wrapped(f"{writer.marks(quote.marking)}{quoted(writer.inline(quote.text), writer.lang)}", "  ", "  ")
        attribution = f"— {speaker.name}, {speaker.title}" + (f"; {where}" if where else "")
        writer.wrapped(attribution + writer.cite([quote.source] if quote.source else [], quote.text), "  ", "    ")


def _biographies(writer: _TextWriter, brief: Brief, people: dict[str, Person]) -> None:
    """Where the page prints them: in its annex, when the annex lists biographies."""
    if "biographies" not in annex_sections(brief, people):
        return
    writer.heading(writer.labels["biographies"])
    for participant in with_biographies(brief, people):
        person = people[participant.person]
        writer.item(f"{person.name}, {person.title}")
        writer.wrapped(writer.inline(person.bio), "  ", "  ")


def _sources(writer: _TextWriter, brief: Brief) -> None:
    if not brief.sources:
        return
    writer.heading(writer.labels["sources"])
    for number, source in enumerate(brief.sources, start=1):
        parts = [source.title, source.publisher, medium_date(source.date, writer.lang) if source.date else None]
        text = ", ".join(filter(None, parts)) + "."
        text += f" {source.note}" if source.note else ""
        text += f" {source.url}" if source.url else ""
        label = f"[{number}] "
        writer.wrapped(text, label, " " * len(label))
    writer.blank()


def _version_line(validated: ValidatedBrief) -> str:
    """On an audience's version: whom it is for, and what was withheld when the scheme says so."""
    if validated.audience is None:
        return ""
    rules = rules_of(validated.brief)
    words = labels_for(validated.house, validated.lang)
    line = words["version_for"].format(name=validated.audience.name)
    if rules is not None and rules.withheld_notice and validated.withheld.total():
        portions = withheld_counts(validated.withheld.counts, words, validated.lang)
        line += words["clause_separator"] + words["withheld_list"].format(portions=portions)
    return line + words["next_sentence"]
