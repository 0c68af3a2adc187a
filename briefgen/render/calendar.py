"""A briefing book's calendar: every agenda item with a time, as RFC 5545 (output/<book>.ics).

Times are in each item's zone (its own, its event's, or the book's `timezone`), with a
VTIMEZONE for each, or floating local times where no zone is known; an item with a
`duration` ends when it does. Each event's summary carries its item's portion mark, as the
brief's page prints it, and an item marked above the lowest level is `CLASS:CONFIDENTIAL`
(a calendar reads an event without CLASS as PUBLIC); every text is escaped for a calendar
(`escape.calendar_text`). Everything is derived from content, so a rebuild of unchanged
content writes the same file: UIDs come from the book, the brief and the item's place, and the
stamp is the book's `as_of`.
"""

from __future__ import annotations

import datetime as dt

from briefgen import __version__
from briefgen.content.audiences import above_lowest, repeated_mark
from briefgen.content.books import ValidatedBook
from briefgen.content.schedule import book_schedule
from briefgen.content.validate import ValidatedBrief
from briefgen.render.escape import calendar_text
from briefgen.render.labels import labels_for, short_names


def book_calendar(validated: ValidatedBook, briefs: list[ValidatedBrief]) -> bytes:
    from icalendar import Calendar, Event

    book = validated.book
    calendar = Calendar()
    calendar.add("prodid", f"-//briefgen {__version__}//briefing book//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", calendar_text(book.title))
    stamp = dt.datetime.combine(book.as_of, dt.time(0, 0), tzinfo=dt.UTC)
    positions: dict[str, int] = {}
    zoned = False
    for entry in book_schedule(briefs, book.timezone):
        brief = briefs[entry.brief_index]
        positions[entry.brief_id] = positions.get(entry.brief_id, 0) + 1
        if entry.slot is None:
            continue
        start, end, item = entry.slot.start, entry.slot.end, entry.item
        zoned = zoned or start.tzinfo is not None
        event = Event()
        event.add("uid", f"{validated.book_id}.{entry.brief_id}.{positions[entry.brief_id]}@briefgen.invalid")
        event.add("dtstamp", stamp)
        event.add("dtstart", start)
        if end > start:
            event.add("dtend", end)
        mark = repeated_mark(brief.brief, item.marking)
        event.add("summary", calendar_text(f"{mark} {item.title}" if mark else item.title))
        if above_lowest(brief.brief, item.marking):   # no CLASS reads as PUBLIC
            event.add("class", "CONFIDENTIAL")
        event.add("location", calendar_text(item.location or brief.brief.event.location))
        lines = [f"{brief.brief.title} ({book.classification})"]
        if item.participants:
            names = short_names(item.participants, brief.people, book.lang)
            lines.append(labels_for(None, book.lang)["with"].format(names=names))
        if item.note:
            lines.append(item.note)
        event.add("description", "\n".join(calendar_text(line) for line in lines))
        event.add("categories", [calendar_text(book.title)])
        calendar.add_component(event)
    if zoned:
        calendar.add_missing_timezones()
    ical: bytes = calendar.to_ical()
    return ical
