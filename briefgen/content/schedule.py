"""The agenda as a timeline: when each item starts and ends, in which zone, and what clashes.

An item's day is its `date`, or the day of the item above it, or the event's first day;
its zone is its `timezone`, or the event's. Times in different zones are compared as
instants; within one brief, when any timed item has no zone, all are compared as
wall-clock times. A book keeps each item in its own zone (zoned_slots).

Two items clash when one starts while the other is still on (or both start at once),
unless both list their participants and no one is in both: parallel programmes (the
leaders meet while the ministers meet) are normal.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import TYPE_CHECKING, Protocol

from briefgen.content.models import AgendaItem, Brief
from briefgen.content.timezones import zone
from briefgen.errors import Diagnostic

if TYPE_CHECKING:
    from briefgen.content.loader import KeyPath


class BriefOfBook(Protocol):
    """What a book's schedule needs of each brief (a ValidatedBrief has it)."""

    @property
    def brief_id(self) -> str: ...

    @property
    def brief(self) -> Brief: ...

_DURATION = re.compile(r"(?:(\d+) h)? ?(?:(\d+) min)?")
MAX_CLASHES_PER_ITEM = 20   # bounds the work on a hostile agenda where everything overlaps


def duration_minutes(text: str) -> int:
    """'1 h 30 min' -> 90 (the model has checked the form)."""
    match = _DURATION.fullmatch(text)
    hours, minutes = (int(part or 0) for part in match.groups()) if match else (0, 0)
    return hours * 60 + minutes


@dataclass(frozen=True)
class Slot:
    """An agenda item placed in time."""

    index: int
    item: AgendaItem
    start: dt.datetime              # aware when the item's zone is known
    end: dt.datetime                # == start without a duration

    def clock(self, moment: dt.datetime | None = None) -> str:
        """'10:30' for the start (or another moment) on this item's own clock."""
        moment = moment or self.start
        if moment.tzinfo and self.start.tzinfo:
            moment = moment.astimezone(self.start.tzinfo)
        return f"{moment:%H:%M}"


def item_days(items: Iterable[tuple[int, AgendaItem]],
              event_day: dt.date | None) -> list[tuple[int, AgendaItem, dt.date | None]]:
    """Each item with its day: its own, else the day of the item above, else the event's."""
    placed: list[tuple[int, AgendaItem, dt.date | None]] = []
    day = event_day
    for index, item in items:
        day = item.date or day
        placed.append((index, item, day))
    return placed


def item_zone_name(item: AgendaItem, event_zone: str | None) -> str | None:
    return item.timezone or event_zone


def slots(items: Iterable[tuple[int, AgendaItem]], event_day: dt.date | None,
          event_zone: str | None) -> list[Slot]:
    """The timed items (those with a day and a time), in list order, on one clock: when any
    has no zone, all are compared as wall-clock times (one brief's own agenda)."""
    placed = zoned_slots(items, event_day, event_zone)
    if any(slot.start.tzinfo is None for slot in placed):   # compare wall-clock times
        placed = [Slot(s.index, s.item, s.start.replace(tzinfo=None), s.end.replace(tzinfo=None))
                  for s in placed]
    return placed


def zoned_slots(items: Iterable[tuple[int, AgendaItem]], event_day: dt.date | None,
                event_zone: str | None) -> list[Slot]:
    """The timed items, in list order, each in its own zone (the item's, else `event_zone`);
    naive (floating) only where neither gives one."""
    placed: list[Slot] = []
    for index, item, day in item_days(items, event_day):
        if day is None or item.time is None:
            continue
        hour, minute = (int(part) for part in item.time.split(":"))
        name = item_zone_name(item, event_zone)
        start = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=zone(name) if name else None)
        minutes = duration_minutes(item.duration) if item.duration else 0
        placed.append(Slot(index, item, start, start + dt.timedelta(minutes=minutes)))
    return placed


Report = Callable[["KeyPath", str], Diagnostic]


def overlapping(timeline: list[Slot]) -> Iterator[tuple[Slot, Slot]]:
    """(earlier, later) for each item that starts while another is still on, or at the same
    moment; parallel programmes apart. At most MAX_CLASHES_PER_ITEM after each item."""
    by_start = sorted(timeline, key=lambda slot: (slot.start, slot.index))
    for position, first in enumerate(by_start):
        for later in by_start[position + 1:position + 1 + MAX_CLASHES_PER_ITEM]:
            if not (later.start < first.end or later.start == first.start):
                break
            if not _parallel(first.item, later.item):
                yield first, later


def clash_problems(timeline: list[Slot], error: Report) -> list[Diagnostic]:
    """A duration that runs into the next item (at the `duration`), and items that overlap
    any other (at the later item's `time`); one problem per place."""
    next_in_list = {a.index: b.index for a, b in pairwise(timeline)}
    found: dict[KeyPath, Diagnostic] = {}
    for first, later in overlapping(timeline):
        if next_in_list.get(first.index) == later.index and later.start > first.start:
            where = ("agenda", first.index, "duration")
            message = (f"`duration` {first.item.duration} runs to {first.clock(first.end)}, past "
                       f"the start of the next item (item {later.index + 1}, "
                       f"{first.clock(later.start)}); shorten it or move that item")
        else:
            where = ("agenda", later.index, "time")
            message = _overlap_message(first, later)
        found.setdefault(where, error(where, message))
    return list(found.values())


def _overlap_message(first: Slot, later: Slot) -> str:
    if later.start == first.start:
        clash = f"starts at the same time as item {first.index + 1} ({first.clock()})"
    else:
        clash = (f"starts at {first.clock(later.start)}, while item {first.index + 1} "
                 f"({first.clock()}–{first.clock(first.end)}) is still on")
    return (f"agenda item {later.index + 1} {clash}; move one of them, or list `participants` "
            "for both with no one in both if they run in parallel")


def _parallel(one: AgendaItem, other: AgendaItem) -> bool:
    return bool(one.participants and other.participants
                and not set(one.participants) & set(other.participants))


# --- labels for the page and the email ---------------------------------------------------

def english_weekday(day: dt.date) -> str:
    return f"{day:%a}"


@dataclass(frozen=True)
class Clocks:
    """An item's start on its own clock and on the principal's home clock, each with its zone's
    abbreviation apart, so a table can name a zone once in its head: ('10:30', 'PST') and
    ('Thu 02:30', 'JST'); home is empty where it is the same clock, or unknown."""

    local: str
    local_zone: str = ""
    home: str = ""
    home_zone: str = ""

    def labels(self) -> tuple[str, str]:
        """('10:30 PST', 'Thu 02:30 JST'): each time with its zone."""
        return (f"{self.local} {self.local_zone}".strip(),
                f"{self.home} {self.home_zone}".strip() if self.home else "")


def clocks(day: dt.date | None, item: AgendaItem, event_zone: str | None,
           home_zone: str | None, weekday: Callable[[dt.date], str] = english_weekday) -> Clocks:
    """The item's start on its own clock and on the home clock (see Clocks); `weekday` names
    the home day when it is not the local one (render/labels.py, by language)."""
    if item.time is None:
        return Clocks("")
    name = item_zone_name(item, event_zone)
    local_zone = zone(name) if name else None
    if day is None or local_zone is None:
        return Clocks(item.time)
    hour, minute = (int(part) for part in item.time.split(":"))
    local = dt.datetime.combine(day, dt.time(hour, minute), tzinfo=local_zone)
    home = zone(home_zone) if home_zone else None
    if home is None or local.astimezone(home).utcoffset() == local.utcoffset():
        return Clocks(item.time, local.tzname() or "")
    at_home = local.astimezone(home)
    named_day = f"{weekday(at_home.date())} " if at_home.date() != local.date() else ""
    return Clocks(item.time, local.tzname() or "", f"{named_day}{at_home:%H:%M}", at_home.tzname() or "")


def clock_labels(day: dt.date | None, item: AgendaItem, event_zone: str | None,
                 home_zone: str | None, weekday: Callable[[dt.date], str] = english_weekday) -> tuple[str, str]:
    """('10:30 PST', 'Thu 02:30 JST'): the item's time with its zone's abbreviation, and the
    same moment in the principal's home zone (empty where it is the same clock, or unknown)."""
    return clocks(day, item, event_zone, home_zone, weekday).labels()


# --- a book's schedule: every brief's agenda on one timeline -------------------------------

@dataclass(frozen=True)
class ScheduleItem:
    """One agenda item of one brief, placed in time: its day, its zone (its own, its event's,
    or the book's) and, when it has a day and a time, its slot (start and end)."""

    day: dt.date | None
    brief_index: int
    brief_id: str
    item: AgendaItem
    zone: str | None
    slot: Slot | None


def event_days(brief: Brief) -> list[dt.date]:
    event = brief.event
    if event.date:
        return [event.date]
    return [day for day in (event.start, event.end) if day]


def book_schedule(briefs: Sequence[BriefOfBook], book_zone: str | None = None) -> list[ScheduleItem]:
    """Every agenda item of every brief, by day and then by the moment it starts (items in
    different zones compared as instants; items without a time keep their brief's order
    after the timed ones of their day). An item without a date is on the day of the item
    above it, or the first day of its event, as on the brief's own page. Each timed item
    keeps its own zone (the item's, its event's, the book's); one with none stays floating
    and is placed as if on the clock most of the others use."""
    found = []
    for index, validated in enumerate(briefs):
        brief = validated.brief
        event_zone = brief.event.timezone or book_zone
        first_day = event_days(brief)[0]
        agenda = list(enumerate(brief.agenda))
        timed = {slot.index: slot for slot in zoned_slots(agenda, first_day, event_zone)}
        found += [ScheduleItem(day, index, validated.brief_id, item, item_zone_name(item, event_zone),
                               timed.get(position))
                  for position, item, day in item_days(agenda, first_day)]
    order = {id(entry): n for n, entry in enumerate(found)}
    usual = _usual_zone(found)
    return sorted(found, key=lambda e: (e.day or dt.date.max, -1 if e.slot else e.brief_index,
                                        _instant(e.slot.start, usual) if e.slot else dt.datetime.min.replace(
                                            tzinfo=dt.UTC), order[id(e)]))


def _usual_zone(entries: list[ScheduleItem]) -> dt.tzinfo:
    """The zone most timed items are in (UTC when none is): the clock a floating time is read on
    to place it among the others."""
    zones = Counter(e.slot.start.tzinfo for e in entries if e.slot and e.slot.start.tzinfo)
    return zones.most_common(1)[0][0] if zones else dt.UTC


def _instant(moment: dt.datetime, usual: dt.tzinfo) -> dt.datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=usual)
