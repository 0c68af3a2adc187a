"""Labels and dates, formatted one way for every output: the page, the plain text, the email."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from briefgen.content.models import AgendaItem, Brief, Event, Person, Point, Quote
from briefgen.content.schedule import item_days

if TYPE_CHECKING:
    from briefgen.content.house import House

# A value prepared for a template: what the page, the book and the email place, by name.
View = dict[str, Any]

# The labels a house may reword (`[labels.<lang>]` in house.toml), by key, in briefgen's words:
# every section title the page, the email, the plain text and the Word file print.
LABELS = {"bottom_line": "Bottom line", "purpose": "Purpose", "objectives": "Objectives",
          "decisions": "Decisions", "participants": "Participants", "deliverables": "Deliverables",
          "key_messages": "Key messages", "points": "Points to make", "if_raised": "If raised",
          "press_line": "Press line", "sensitivities": "Sensitivities", "background": "Background",
          "agenda": "Agenda", "quotes": "Quotes", "biographies": "Biographies", "sources": "Sources",
          "since_last_meeting": "Since the last meeting", "clearance": "Clearance", "glossary": "Glossary"}


def labels_for(house: House | None, lang: str = "en") -> dict[str, str]:
    """Every label of LABELS as the brief's house words it (content/house.House), else as
    briefgen does: the one lookup the page, the email and the plain text share."""
    return {key: house.label(key, default, lang) if house is not None else default
            for key, default in LABELS.items()}


STATUS_LABELS = {"expected": "Expected", "confirmed": "Confirmed", "announced": "Announced",
                 "deferred": "Deferred", "dropped": "Dropped"}
PRESS_LABELS = {"open": "Open press", "pool-spray": "Pool spray", "closed": "Closed press"}
ROLE_LABELS = {"host": "Host", "principal": "Principal", "delegation": "Delegation",
               "staff": "Staff", "guest": "Guest", None: ""}


def deliverables_heading(brief: Brief, labels: dict[str, str] | None = None) -> str:
    """'Expected deliverables' only when every one is still expected (likewise 'Confirmed
    deliverables'...): then the heading says the status once for all. In the house's word
    for deliverables (`labels`, from labels_for)."""
    label = (labels or LABELS)["deliverables"]
    statuses = {d.status.value for d in brief.deliverables}
    return f"{STATUS_LABELS[statuses.pop()]} {label[:1].lower()}{label[1:]}" if len(statuses) == 1 else label


def deliverables_show_status(brief: Brief) -> bool:
    """Whether each deliverable says its status: only when they differ (else the heading says it)."""
    return len({d.status for d in brief.deliverables}) > 1


def long_date(day: dt.date) -> str:
    return f"{day:%A}, {day:%B} {day.day}, {day.year}"


def medium_date(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def short_date(day: dt.date) -> str:
    return f"{day:%a} {day:%b} {day.day}"


def event_dates(event: Event, one_day: Callable[[dt.date], str] = long_date) -> str:
    """The event's day (in `one_day`'s format), or its first and last day."""
    if event.date:
        return one_day(event.date)
    assert event.start is not None, "the model requires date, or start and end"
    assert event.end is not None, "the model requires date, or start and end"
    return f"{medium_date(event.start)} – {medium_date(event.end)}"


def quote_where(quote: Quote) -> str:
    """Where and when a quotation was said, as much as is known."""
    return ", ".join(filter(None, [quote.where or "", medium_date(quote.date) if quote.date else ""]))


def short_names(ids: Iterable[str], people: dict[str, Person]) -> str:
    """People as named in running text: 'Biden, Kishida, Yoon'."""
    return ", ".join(people[i].short_name or people[i].name for i in ids)


def agenda_days(brief: Brief) -> list[tuple[AgendaItem, dt.date | None]]:
    """Each agenda item with its day (its own, the one above's, or the event's first)."""
    event_day = brief.event.date or brief.event.start
    return [(item, day) for _, item, day in item_days(enumerate(brief.agenda), event_day)]


def point_groups(points: Iterable[Point]) -> list[tuple[str | None, list[Point]]]:
    """Points in their order, grouped by whom they are addressed to: the general points
    first, then each interlocutor in the order they are first addressed."""
    groups: dict[str | None, list[Point]] = {None: []}
    for point in points:
        groups.setdefault(point.to, []).append(point)
    return [(to, listed) for to, listed in groups.items() if listed]


def span_of_days(days: Iterable[dt.date]) -> str:
    """'May 18, 2023', 'May 18–21, 2023', or across months and years."""
    found = sorted(days)
    if not found:
        return ""
    first, last = found[0], found[-1]
    if first == last:
        return medium_date(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first:%B} {first.day}–{last.day}, {first.year}"
    if first.year == last.year:
        return f"{first:%B} {first.day} – {last:%B} {last.day}, {first.year}"
    return f"{medium_date(first)} – {medium_date(last)}"
