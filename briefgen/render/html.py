"""Stage 3: a validated brief to one self-contained HTML page.

All the decisions (formatting dates, numbering sources, turning Markdown into safe
HTML, choosing labels) are made here in Python; the Jinja template only places the
prepared values. Jinja autoescapes everything and fails on any undefined name.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from briefgen import __version__
from briefgen.content.models import (
    DEFAULT_ANNEX,
    AgendaItem,
    AnnexSection,
    Brief,
    Event,
    Person,
    Quote,
)
from briefgen.content.validate import ValidatedBrief
from briefgen.project import TEMPLATES_DIR
from briefgen.render.richtext import RichText

TEMPLATE_NAME = "one-pager.html.j2"
PAGE_SIZES = {"letter": "letter", "a4": "A4"}
STATUS_LABELS = {"expected": "Expected", "confirmed": "Confirmed", "announced": "Announced",
                 "deferred": "Deferred", "dropped": "Dropped"}
ROLE_LABELS = {"host": "Host", "principal": "Principal", "delegation": "Delegation",
               "staff": "Staff", "guest": "Guest", None: ""}
BANNER_COLOURS = (("TOP SECRET", "top-secret"), ("SECRET", "secret"),
                  ("CONFIDENTIAL", "confidential"), ("UNCLASSIFIED", "unclassified"))


@lru_cache(maxsize=4)
def template_environment(templates_dir: Path = TEMPLATES_DIR) -> jinja2.Environment:
    """The one Jinja environment: autoescape on for every template, undefined names fail."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_html(validated: ValidatedBrief, templates_dir: Path = TEMPLATES_DIR) -> str:
    """Render a validated brief to a complete HTML document (CSS inlined, no external requests)."""
    template = template_environment(templates_dir).get_template(TEMPLATE_NAME)
    return template.render(brief=brief_view(validated))


def long_date(day: dt.date) -> str:
    return f"{day:%A}, {day:%B} {day.day}, {day.year}"


def medium_date(day: dt.date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def short_date(day: dt.date) -> str:
    return f"{day:%a} {day:%b} {day.day}"


@dataclass(frozen=True)
class PersonView:
    id: str
    name: str
    native_name: str
    lang: str
    title: str
    country: str
    role: str
    note: str
    bio: Markup


def brief_view(validated: ValidatedBrief) -> dict:
    """Everything the template shows, already formatted and escaped where needed."""
    brief, people = validated.brief, validated.people
    numbers = {source.id: index for index, source in enumerate(brief.sources, start=1)}
    text = RichText(numbers, validated.path.resolve().parent)
    event = brief.event

    def person(person_id: str, role=None, note=None) -> PersonView:
        p: Person = people[person_id]
        return PersonView(person_id, p.name, p.native_name or "", p.lang or "", p.title,
                          p.country, ROLE_LABELS[role.value if role else None], note or "",
                          text.block(p.bio))

    def names(ids) -> str:
        return short_names(ids, people)

    annex = annex_sections(brief)
    page_one = page_one_regions(brief, annex)
    owner_sets = {tuple(d.owners) for d in brief.deliverables}
    common_owners = owner_sets.pop() if len(owner_sets) == 1 else ()

    return {
        "id": validated.brief_id,
        "lang": "en",
        "generator": f"briefgen {__version__}",
        "page_size": PAGE_SIZES[brief.paper],
        "paper": brief.paper,
        "title": brief.title,
        "subtitle": brief.subtitle or "",
        "classification": brief.classification,
        "banner_class": _banner_class(brief.classification),
        "prepared_by": brief.prepared_by,
        "as_of": medium_date(brief.as_of),
        "as_of_iso": brief.as_of.isoformat(),
        "description": _description(brief),
        "keywords": _keywords(brief, people),
        "event": {
            "kind": event.kind.value.capitalize(),
            "when": event_dates(event),
            "location": event.location,
            "host": people[event.host].name if event.host else "",
            "purpose": text.block(event.purpose),
            "cite": text.cite(event.sources),
        },
        "participants": [person(p.person, p.role, p.note) for p in brief.participants],
        "people_columns": people_columns(len(brief.participants)),
        "page_one": page_one,
        "annex": {"sections": annex, "title": annex_title(annex)},
        "agenda_has_when": any(agenda_whens(brief)),
        "agenda": [{
            "when": when,
            "title": item.title,
            "who": names(item.participants),
            "location": item.location or "",
            "note": item.note or "",
            "cite": text.cite(item.sources),
        } for item, when in zip(brief.agenda, agenda_whens(brief))],
        "deliverables_heading": deliverables_heading(brief),
        "deliverables_have_caveats": any(d.caveats for d in brief.deliverables),
        # One status for all is said once, in the heading; a badge on each row says it again.
        "deliverables_show_status": len({d.status for d in brief.deliverables}) > 1,
        "deliverables": [{
            "id": item.id,
            "title": item.title,
            "status": item.status.value,
            "status_label": STATUS_LABELS[item.status.value],
            "summary": text.inline(item.summary),
            "caveats": text.inline(item.caveats),
            "owners": "" if common_owners else names(item.owners),
            "cite": text.cite(item.sources),
        } for item in brief.deliverables],
        "common_owners": names(common_owners),
        "key_messages": [{"text": text.inline(m.text), "cite": text.cite(m.sources)}
                         for m in brief.key_messages],
        "sensitivities": [{
            "topic": s.topic,
            "context": text.inline(s.context),
            "guidance": text.inline(s.guidance),
            "cite": text.cite(s.sources),
        } for s in brief.sensitivities],
        "background": text.block(brief.background),
        "quotes": [{
            "text": text.inline(q.text),
            "by": people[q.by].name,
            "by_title": people[q.by].title,
            "where": quote_where(q),
            "cite": text.cite([q.source] if q.source else []),
        } for q in brief.quotes],
        "sources": [{
            "number": numbers[s.id],
            "anchor": f"source-{s.id}",
            "title": s.title,
            "publisher": s.publisher or "",
            "date": medium_date(s.date) if s.date else "",
            "url": s.url or "",
            "domain": url_domain(s.url) if s.url else "",
            "note": s.note or "",
        } for s in brief.sources],
    }


# Where each section goes: page 1 (full width, two columns, bottom) or the annex.

SECTION_TITLES = {"agenda": "agenda", "deliverables": "deliverables", "key_messages": "key messages",
                  "sensitivities": "sensitivities", "background": "background",
                  "quotes": "quotations", "sources": "sources"}
PAGE_ONE_REGIONS = {"full": ("deliverables",), "left": ("key_messages", "sensitivities", "background"),
                    "right": ("agenda", "quotes"), "bottom": ("sources",)}


def present_sections(brief: Brief) -> set[str]:
    """The sections that have something to show."""
    return {name for name in SECTION_TITLES if getattr(brief, name)}


def annex_sections(brief: Brief) -> list[str]:
    """The sections the annex shows, in the brief's order (default: background, quotes, sources)."""
    chosen: list[AnnexSection] = list(DEFAULT_ANNEX if brief.annex is None else brief.annex)
    present = present_sections(brief)
    return [name for name in dict.fromkeys(s.value for s in chosen) if name in present]


def page_one_regions(brief: Brief, annex: list[str]) -> dict[str, list[str]]:
    """Page 1's sections by region. With one column empty, the other's sections run full width
    instead, so no half of the page stays blank."""
    present = present_sections(brief) - set(annex)
    regions = {region: [name for name in names if name in present]
               for region, names in PAGE_ONE_REGIONS.items()}
    if not regions["left"] or not regions["right"]:
        regions["full"] += regions["left"] + regions["right"]
        regions["left"], regions["right"] = [], []
    return regions


def annex_title(sections: list[str]) -> str:
    """'Annex A: Background, quotations and sources'."""
    titles = [SECTION_TITLES[name] for name in sections]
    if not titles:
        return ""
    listed = titles[0] if len(titles) == 1 else f"{', '.join(titles[:-1])} and {titles[-1]}"
    return f"Annex A: {listed[0].upper()}{listed[1:]}"


def people_columns(count: int, widest: int = 5) -> int:
    """Columns of the participants grid: rows as even as possible, at most `widest` a row
    (7 people: 4 + 3; 6: 3 + 3)."""
    rows = max(1, math.ceil(count / widest))
    return max(1, math.ceil(count / rows))


def agenda_whens(brief: Brief) -> list[str]:
    """Each item's 'when', the day written only on the first item of that day, and not at all
    when every item is on the event's one day."""
    days = {item.date for item in brief.agenda if item.date}
    one_day = not days or days == {brief.event.date}
    whens, previous = [], None
    for item in brief.agenda:
        day = "" if one_day or not item.date or item.date == previous else short_date(item.date)
        previous = item.date or previous
        whens.append(" ".join(filter(None, [day, item.time or ""])))
    return whens


def deliverables_heading(brief: Brief) -> str:
    """'Expected deliverables' only when every one is still expected (likewise 'Confirmed
    deliverables'...): then the heading says the status once for all."""
    statuses = {d.status.value for d in brief.deliverables}
    return f"{STATUS_LABELS[statuses.pop()]} deliverables" if len(statuses) == 1 else "Deliverables"


def url_domain(url: str) -> str:
    """A link's text: its domain, without 'www.' ('https://www.whitehouse.gov/x' -> 'whitehouse.gov')."""
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


# Formatting shared by the page and the email (briefgen/mail_text.py, mail_message.py).

def event_dates(event: Event, one_day=long_date) -> str:
    """The event's day (in `one_day`'s format), or its first and last day."""
    if event.date:
        return one_day(event.date)
    return f"{medium_date(event.start)} – {medium_date(event.end)}"


def agenda_when(item: AgendaItem) -> str:
    """'Fri Aug 18 10:30', 'Fri Aug 18', '10:30' or ''."""
    return " ".join(filter(None, [short_date(item.date) if item.date else "", item.time or ""]))


def quote_where(quote: Quote) -> str:
    """Where and when a quotation was said, as much as is known."""
    return ", ".join(filter(None, [quote.where or "", medium_date(quote.date) if quote.date else ""]))


def short_names(ids, people: dict[str, Person]) -> str:
    """People as named in running text: 'Biden, Kishida, Yoon'."""
    return ", ".join(people[i].short_name or people[i].name for i in ids)


def _banner_class(marking: str) -> str:
    for word, css_class in BANNER_COLOURS:
        if marking.startswith(word):
            return css_class
    return "other"


def _description(brief: Brief) -> str:
    return " · ".join(filter(None, [brief.subtitle, brief.event.location, event_dates(brief.event)]))


def _keywords(brief: Brief, people: dict[str, Person]) -> str:
    words = [brief.event.kind.value, *(people[p.person].name for p in brief.participants),
             *(d.title for d in brief.deliverables)]
    return ", ".join(words)
