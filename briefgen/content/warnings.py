"""Warnings: what a careful chief of staff would flag in a brief that is otherwise valid.

`as_of` long before or after the event, the agenda out of order, a deliverable with no
source or owner, more than three objectives, a source never cited, 'TBD' left in the text
(found by content/placeholders.py);
and, as errors, agenda items that run into each other (content/schedule.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from briefgen.content.loader import KeyPath, LoadedDocument
from briefgen.content.models import AgendaItem, Decision, Deliverable, Participant, Source
from briefgen.content.placeholders import text_warnings
from briefgen.content.rawdata import Data, as_day, as_mapping, valid_items
from briefgen.content.references import SourceReference
from briefgen.content.schedule import Report, clash_problems, slots
from briefgen.content.timezones import zone
from briefgen.errors import Diagnostic

STALE_AFTER_DAYS = 30
MAX_OBJECTIVES = 3


@dataclass(frozen=True)
class Agenda:
    """The agenda items valid on their own and the event's first day (its `date`, else its
    `start`): read once per brief, for the order warnings and the clash errors."""

    items: list[tuple[int, AgendaItem]]
    event_day: dt.date | None

    @classmethod
    def of(cls, data: Data) -> Agenda:
        event = as_mapping(data.get("event"))
        return cls(valid_items(AgendaItem, data, "agenda"),
                   as_day(event.get("date")) or as_day(event.get("start")))


def brief_warnings(doc: LoadedDocument, agenda: Agenda, references: list[SourceReference]) -> list[Diagnostic]:
    """What a careful chief of staff would flag. Each check looks only at the parts that are
    valid on their own, so warnings appear beside errors elsewhere in the same run.
    `references` are the brief's `source_references` (a source never among them is flagged)."""
    data = as_mapping(doc.data)

    def warn(key_path: KeyPath, message: str) -> Diagnostic:
        return doc.diagnostic(key_path, message, severity="warning")

    found = text_warnings(doc)
    for index, item in valid_items(Deliverable, data, "deliverables"):
        if not item.sources:
            found.append(warn(("deliverables", index), f"deliverable `{item.id}` has no source"))
        if not item.owners:
            found.append(warn(("deliverables", index), f"deliverable `{item.id}` has no owner"))
    for index, participant in valid_items(Participant, data, "participants"):
        if participant.role is None:
            found.append(warn(("participants", index), f"participant `{participant.person}` has no role"))
    event = as_mapping(data.get("event"))
    event_day = agenda.event_day
    found += _agenda_order(agenda.items, event_day, warn)
    found += _as_of_warnings(as_day(data.get("as_of")), event_day, as_day(event.get("end")) or event_day, warn)
    found += _decision_warnings(valid_items(Decision, data, "decisions"), as_day(data.get("as_of")), warn)
    objectives = data.get("objectives")
    if isinstance(objectives, list) and len(objectives) > MAX_OBJECTIVES:
        found.append(warn(("objectives", MAX_OBJECTIVES), f"{len(objectives)} objectives: a "
                          "brief gives one to three; keep the ones that matter most"))
    cited = {source for _, source, _ in references}
    for index, source in valid_items(Source, data, "sources"):
        if source.id not in cited:
            found.append(warn(("sources", index), f"source `{source.id}` is never cited"))
    return found



def _as_of_warnings(as_of: dt.date | None, first_day: dt.date | None, last_day: dt.date | None,
                    warn: Report) -> list[Diagnostic]:
    """`as_of` after the event's last day (a day within a multi-day event is not after it),
    or long before its first; the warning quotes the event's whole span."""
    if not as_of or not first_day:
        return []
    last_day = max(last_day or first_day, first_day)
    span = f"{first_day}" if last_day == first_day else f"{first_day} to {last_day}"
    if as_of > last_day:
        return [warn(("as_of",), f"`as_of` ({as_of}) is after the event ({span}); "
                     "is this a brief or a read-out?")]
    days_before = (first_day - as_of).days
    if days_before > STALE_AFTER_DAYS:
        return [warn(("as_of",), f"`as_of` ({as_of}) is {days_before} days before the event "
                     f"({span}); the facts may be stale")]
    return []


def _decision_warnings(decisions: list[tuple[int, Decision]], as_of: dt.date | None,
                       warn: Report) -> list[Diagnostic]:
    found = []
    for index, decision in decisions:
        if decision.due and as_of and decision.due < as_of:
            found.append(warn(("decisions", index, "due"), f"decision {index + 1} was due on "
                              f"{decision.due}, before `as_of` ({as_of}); is the date right?"))
        if decision.due and not decision.due_reason:
            found.append(warn(("decisions", index, "due"), f"decision {index + 1} has a due date "
                              "but no `due_reason`; say why it is needed by then"))
    return found


def agenda_clashes(doc: LoadedDocument, agenda: Agenda) -> list[Diagnostic]:
    """Errors: a duration that runs into the next item, items that overlap (schedule.py)."""
    event = as_mapping(as_mapping(doc.data).get("event"))
    event_zone = event.get("timezone") if isinstance(event.get("timezone"), str) else None
    timeline = slots(agenda.items, agenda.event_day, event_zone if event_zone and zone(event_zone) else None)
    return clash_problems(timeline, lambda key_path, message: doc.diagnostic(key_path, message))


def _agenda_order(items: list[tuple[int, AgendaItem]], event_day: dt.date | None, warn: Report) -> list[Diagnostic]:
    """Warn when an item is earlier than the item listed just before it. An item without a
    date is on the day of the item before it (or of the event); times are compared only
    when both items have one, on the same clock (the same `timezone`)."""
    found: list[Diagnostic] = []
    previous: tuple[dt.date, str | None, int, str | None] | None = None
    day = event_day
    for index, item in items:
        day = item.date or day
        if day is None:
            continue
        if previous and (day < previous[0] or (day == previous[0] and item.time and previous[1]
                                               and item.timezone == previous[3]
                                               and item.time < previous[1])):
            found.append(warn(("agenda", index), f"agenda item {index + 1} ({_when(day, item.time)}) "
                              f"is earlier than item {previous[2] + 1} ({_when(*previous[:2])}) "
                              "above it; is the order right?"))
        previous = (day, item.time, index, item.timezone)
    return found


def _when(day: dt.date, time: str | None) -> str:
    return f"{day} {time}" if time else str(day)

