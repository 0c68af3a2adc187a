"""Portions and audiences: a brief's marked portions, its computed banner, and each audience's version.

An audience's version is made from the validated model by a pure function, before anything
is rendered: portions above the audience's ceiling and sections it never sees are removed,
then every trace of them (the sources only they cite, the people only they name, the other
audiences and their distributions) goes too, and the banner is computed again from what is
left. Rendering never sees what an audience may not, so no output can leak it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from briefgen.content.markdown import CITATION
from briefgen.content.markings import (
    BUILT_IN,
    Marking,
    Rules,
    banner,
    combine,
    custom_scheme,
    marking_level,
    may_see,
)
from briefgen.content.models import Audience, Brief, Marked, Markings, Person, inner_model


def _marked_sections() -> tuple[str, ...]:
    """Every list section of a brief whose items are `Marked` portions (participants apart: their
    marking covers only their note). Found from the model, so a section added later with
    marked items is filtered for audiences without a change here."""
    found = []
    for name, info in Brief.model_fields.items():
        inner = inner_model(info.annotation)
        if name != "participants" and inner is not None and issubclass(inner, Marked):
            found.append(name)
    return tuple(found)


# Sections whose items are whole portions.
ITEM_SECTIONS = _marked_sections()
# Sections that are one block, not a list of portions: an audience can only omit them whole.
BLOCK_SECTIONS = ("bottom_line", "press_line")


def rules_for(markings: Markings) -> Rules:
    """The marking rules a `markings:` section asks for (its markings already checked)."""
    scheme = custom_scheme(markings.levels) if markings.scheme == "custom" else BUILT_IN[markings.scheme]
    portion_marks = scheme.portion_marks if markings.portion_marks is None else markings.portion_marks
    notice = scheme.withheld_notice if markings.withheld_notice is None else markings.withheld_notice
    scheme = dataclasses.replace(scheme, portion_marks=portion_marks, withheld_notice=notice)
    rules = Rules(scheme, Marking(0), portion_marks, notice)
    if markings.default:
        rules = dataclasses.replace(rules, default=rules.of(markings.default))
    return rules


def rules_of(brief: Brief) -> Rules | None:
    return rules_for(brief.markings) if brief.markings else None


def repeated_mark(brief: Brief, marking: str | None) -> str:
    """The mark a portion of `brief` carries where another view repeats it (the book's
    schedule, its calendar, its plain text): the brief's own `Rules.printed_mark`, so it
    is the mark the brief's page prints; "" where the brief prints none."""
    rules = rules_of(brief)
    return rules.printed_mark(marking) if rules is not None else ""


def above_lowest(brief: Brief, marking: str | None) -> bool:
    """Whether a portion of `brief` is marked above its scheme's lowest level. Fails closed:
    in a brief without a scheme, every portion carries the brief's word marking, and only
    UNCLASSIFIED is the lowest."""
    rules = rules_of(brief)
    if rules is None:
        return marking_level(brief.classification or "") != 0
    return rules.of(marking).level > 0


def portions(brief: Brief) -> Iterator[tuple[str, int, BaseModel]]:
    """(section, index, item) of every portion that carries a marking of its own."""
    for section in ITEM_SECTIONS:
        for index, item in enumerate(getattr(brief, section) or ()):
            yield section, index, item
    for index, participant in enumerate(brief.participants):
        if participant.note:
            yield "participant_notes", index, participant


def computed_marking(brief: Brief, rules: Rules) -> Marking:
    """The highest marking present, caveats combined: the title and frame carry the default."""
    markings = [rules.default, *(rules.of(getattr(item, "marking", None)) for _, _, item in portions(brief))]
    return combine(markings, rules.scheme)


def with_computed_banner(brief: Brief) -> Brief:
    """The brief with `classification` set to its computed banner (unchanged without markings)."""
    rules = rules_of(brief)
    if rules is None:
        return brief
    return brief.model_copy(update={"classification": banner(computed_marking(brief, rules), rules.scheme)})


@dataclasses.dataclass(frozen=True)
class Withheld:
    """What an audience's version left out because of markings, per section (counts only)."""

    counts: tuple[tuple[str, int], ...] = ()

    def total(self) -> int:
        return sum(count for _, count in self.counts)

    def of(self, section: str) -> int:
        return dict(self.counts).get(section, 0)


def audience_brief(brief: Brief, audience: Audience,
                   people: dict[str, Person] | None = None) -> tuple[Brief, Withheld]:
    """The brief as `audience` may see it, and what was withheld. Pure: `brief` is unchanged."""
    rules = rules_of(brief)
    if rules is None:
        raise ValueError("audiences need markings")
    ceiling = rules.of(audience.ceiling)
    counts: dict[str, int] = {}

    def visible(section: str, marking: str | None) -> bool:
        if section in audience.omit:
            return False
        if may_see(ceiling, rules.of(marking)):
            return True
        counts[section] = counts.get(section, 0) + 1
        return False

    update: dict[str, Any] = {section: [item for item in getattr(brief, section) or ()
                                        if visible(section, item.marking)]
                              for section in ITEM_SECTIONS}
    update["background"] = update["background"] or None
    update |= {section: None for section in BLOCK_SECTIONS if section in audience.omit}
    update["participants"] = [p if not p.note or visible("participant_notes", p.marking)
                              else p.model_copy(update={"note": None, "marking": None})
                              for p in brief.participants]
    update["audiences"] = []
    update["distribution"] = audience.distribution
    filtered = brief.model_copy(update=update)
    filtered = filtered.model_copy(update={"sources": [s for s in brief.sources
                                                       if s.id in cited_sources(filtered, people)]})
    order = [s for s in (*ITEM_SECTIONS, "participant_notes") if s in counts]
    return with_computed_banner(filtered), Withheld(tuple((s, counts[s]) for s in order))


def earlier_for_audience(earlier: Brief, later: Brief, audience: Audience,
                         people: dict[str, Person] | None = None) -> Brief | None:
    """The brief of the last meeting as an audience of this one may see it ("Since the last
    meeting"): filtered by the same rule as this brief, when both briefs are marked in the
    same scheme (the audience's ceiling then means the same there) and the audience may see
    the earlier brief's frame (its default marking: its title and event); else None, and
    the version leaves the section out."""
    rules = rules_of(earlier)
    if (rules is None or later.markings is None or earlier.markings is None
            or (earlier.markings.scheme, earlier.markings.levels) != (later.markings.scheme, later.markings.levels)
            or not may_see(rules.of(audience.ceiling), rules.default)):
        return None
    return audience_brief(earlier, audience, people)[0]


def cited_sources(brief: Brief, people: dict[str, Person] | None = None) -> set[str]:
    """Every source id the brief's content refers to (lists, quotes, `[@id]` in its text and
    in the biographies of its participants)."""
    found: set[str] = set()
    for participant in brief.participants:
        person = (people or {}).get(participant.person)
        if person and person.bio:
            found.update(CITATION.findall(person.bio))
    for value in _strings(brief.model_dump(exclude={"sources", "audiences", "distribution"})):
        found.update(CITATION.findall(value))
    found.update(brief.event.sources)
    for section in ITEM_SECTIONS:
        for item in getattr(brief, section) or ():
            found.update(getattr(item, "sources", ()) or ())
            if getattr(item, "source", None):
                found.add(item.source)
    return found


def referenced_people(brief: Brief) -> set[str]:
    """Every person id the brief names: participants, host, agenda, owners, quote authors."""
    ids = {p.person for p in brief.participants}
    if brief.event.host:
        ids.add(brief.event.host)
    for item in brief.agenda:
        ids.update(item.participants)
    for deliverable in brief.deliverables:
        ids.update(deliverable.owners)
    ids.update(quote.by for quote in brief.quotes)
    return ids


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def most_public_audience(brief: Brief) -> Audience | None:
    """The audience that may see least: `press` where there is one, else the lowest ceiling
    (the fewest caveats, then the most sections omitted). None without audiences."""
    rules = rules_of(brief)
    if rules is None or not brief.audiences:
        return None
    press = next((a for a in brief.audiences if a.id == "press"), None)
    if press is not None:
        return press

    def openness(audience: Audience) -> tuple[int, int, int]:
        ceiling = rules.of(audience.ceiling)
        return ceiling.level, len(ceiling.restrictive), -len(audience.omit)
    return min(brief.audiences, key=openness)
