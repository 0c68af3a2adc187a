"""A briefing book's own pages: cover, contents, schedule at a glance, extra sections, biographies.

The contents page also holds the trip's overview; a brief's tab goes into its masthead (with_tab).

The briefs' pages are the HTML each brief's build recorded, with their tabs added (see
workflows/book.py). Here Python prepares every value (the schedule sorted by day,
local and home times, the people once each) and the template `book.html.j2` places them.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup

from briefgen import __version__
from briefgen.content.audiences import repeated_mark, rules_of
from briefgen.content.books import ValidatedBook
from briefgen.content.markings import MarkingError, parse
from briefgen.content.models import Person
from briefgen.content.schedule import Clocks, ScheduleItem, book_schedule, clocks, event_days
from briefgen.content.validate import ValidatedBrief
from briefgen.project import TEMPLATES_DIR
from briefgen.render.escape import css_string
from briefgen.render.html import (
    PAGE_MARGINS,
    PAGE_SIZES,
    _banner_class,
    colours_style,
    native_name_view,
    portion_marker,
    quote_marks,
    short_title,
    template_environment,
)
from briefgen.render.labels import View, labels_for, long_date, medium_date, short_names, span_of_days, weekday
from briefgen.render.pdf import render_plain_pdf
from briefgen.render.richtext import RichText
from briefgen.render.typography import curl_quotes_in_html, curl_quotes_in_text

TEMPLATE_NAME = "book.html.j2"
FOOTER_POINTS = 9
STAMP_FROM_EDGE = "0.42in"     # the frame's banner line (page-common.css), clear of the 0.35 in strip
NO_ZONE = "time zone not given"   # beside a time that no item, event or book gives a zone


@dataclass(frozen=True)
class PagePlan:
    """Where each part of the book starts (1-based book pages) and how many pages there are."""

    schedule: int
    sections: tuple[int, ...]          # first page of each extra section
    brief_pages: tuple[int, ...]       # first page of each brief
    biographies: int
    total: int


def book_view(validated: ValidatedBook, briefs: list[ValidatedBrief], plan: PagePlan,
              brief_html: Mapping[str, str] | None = None) -> View:
    """Everything the template shows, formatted and escaped where needed."""
    book = validated.book
    people = _people_once(briefs)
    text = RichText({}, validated.path.resolve().parent.parent)
    home = principal_home_zone(validated, briefs)
    days = [day for b in briefs for day in event_days(b.brief)]
    places = list(dict.fromkeys(b.brief.event.location for b in briefs))
    lang = book.lang
    words = labels_for(briefs[0].house if briefs else None, lang)   # the project's house, as its briefs'
    entries = book_schedule(briefs, book.timezone)
    times = [_clocks(entry, home, lang) for entry in entries]
    local_zone = _one_zone(t.local_zone for t in times if t.local)
    home_zone = _one_zone(t.home_zone for t in times if t.home)
    rows: dict[dt.date | None, list[View]] = {}
    for entry, clock in zip(entries, times, strict=True):
        rows.setdefault(entry.day, []).append(
            _schedule_row(entry, clock, briefs, (local_zone, home_zone), plan.brief_pages, words, lang))
    home_column = any(row["home_time"] for day in rows.values() for row in day)
    return {
        "id": validated.book_id,
        "lang": lang,
        "labels": words,
        "generator": f"briefgen {__version__}",
        "page_size": PAGE_SIZES[book.paper],
        "page_margin": PAGE_MARGINS[book.paper],
        "title": book.title,
        "running_title": css_string(short_title(book.title)),    # the footer of the book's own pages
        "subtitle": book.subtitle or "",
        "addressee": book.addressee or "",
        "kicker": words["briefing_book_for"].format(name=book.addressee) if book.addressee
        else words["briefing_book"],
        "classification": book.classification,
        "banner_class": _banner_class(book.classification),
        "banner_style": _banner_style(book.classification, briefs),
        "prepared_by": book.prepared_by,
        "as_of": medium_date(book.as_of, lang),
        "dates": span_of_days(days, lang),
        "places": places,
        "timezone": book.timezone or "",
        "home_timezone": home or "",
        "home_column": home_column,
        # the zones named once in the head; a note only where the rows name their own
        "zones_note": words["zones_note"].format(zone=zone_place(home))
        if home_column and home and not local_zone else "",
        "local_heading": words["local_zone_head"].format(abbr=local_zone) if local_zone else words["local"],
        "home_heading": _home_heading(words, home, home_zone),
        "schedule": [{"day": long_date(day, lang) if day else words["date_to_be_set"], "entries": items}
                     for day, items in rows.items()],
        "sections": [{"anchor": f"section-{n}", "title": s.title, "text": text.block(s.text)}
                     for n, s in enumerate(book.sections, start=1)],
        "overview": {"title": book.overview.title, "text": text.block(book.overview.text)}
        if book.overview else None,
        "contents": [
            {"title": words["schedule_at_a_glance"], "tab": "", "note": "", "page": plan.schedule,
             "target": "goto-schedule"},
            *({"title": section.title, "tab": "", "note": "", "page": page, "target": f"goto-section-{n}"}
              for n, (section, page) in enumerate(zip(book.sections, plan.sections, strict=True), start=1)),
            *({"title": b.brief.title, "tab": brief_tab(words, n), "page": page,
               "target": f"goto-brief-{b.brief_id}",
               "note": f"{span_of_days(event_days(b.brief), lang)} · {b.brief.event.location}"}
              for n, (b, page) in enumerate(zip(briefs, plan.brief_pages, strict=True), start=1)),
            {"title": words["biographies"], "tab": "", "note": "", "page": plan.biographies,
             "target": "goto-biographies"},
        ],
        "briefs": [{
            "id": b.brief_id,
            "title": b.brief.title,
            "subtitle": b.brief.subtitle or "",
            "when": span_of_days(event_days(b.brief), lang),
            "location": b.brief.event.location,
            "classification": b.brief.classification,
            "tab": brief_tab(words, n),
            "page": page,
            "html": (brief_html or {}).get(b.brief_id, ""),
        } for n, (b, page) in enumerate(zip(briefs, plan.brief_pages, strict=True), start=1)],
        "biographies_page": plan.biographies,
        "total_pages": plan.total,
        "people": [_person_view(person_id, person, text, words) for person_id, person in people.items()],
    }


def _banner_style(marking: str, briefs: list[ValidatedBrief]) -> str:
    """The colours the first brief's marking scheme gives the book's marking, so one marking
    has one colour on the book's pages and its briefs' (the CSS classes serve books of
    briefs without a scheme, or a marking the scheme does not know)."""

    rules = next((r for b in briefs if (r := rules_of(b.brief)) is not None), None)
    if rules is None:
        return ""
    try:
        return colours_style(rules, parse(marking, rules.scheme))
    except MarkingError:
        return ""


def zone_place(zone: str) -> str:
    """A zone as a reader names it, not its IANA name: 'America/New_York' → 'New York'."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def principal_home_zone(validated: ValidatedBook, briefs: list[ValidatedBrief]) -> str | None:
    """The book's `home_timezone`, or the one its briefs agree on."""
    if validated.book.home_timezone:
        return validated.book.home_timezone
    zones = {b.brief.home_timezone for b in briefs}
    return zones.pop() if len(zones) == 1 else None


def brief_tab(words: Mapping[str, str], number: int) -> str:
    """'Tab 2': the `number`-th brief's tab in the book (contents, schedule, its masthead)."""
    return words["tab"].format(tab=number)


def _clocks(entry: ScheduleItem, home: str | None, lang: str) -> Clocks:
    return clocks(entry.day, entry.item, entry.zone, home, lambda day: weekday(day, lang))


def _one_zone(abbreviations: Iterable[str]) -> str:
    """The zone every one of these times is in, to name once in the schedule's head ('JST');
    "" when they differ (or one has none), and each row names its own."""
    found = set(abbreviations)
    return found.pop() if len(found) == 1 and "" not in found else ""


def _home_heading(words: Mapping[str, str], home: str | None, abbreviation: str) -> str:
    if not home:
        return words["home"]
    if abbreviation:
        return words["home_zone_head"].format(zone=zone_place(home), abbr=abbreviation)
    return words["home_zone_time"].format(zone=zone_place(home))


def _schedule_row(entry: ScheduleItem, clock: Clocks, briefs: list[ValidatedBrief], head_zones: tuple[str, str],
                  brief_pages: tuple[int, ...], words: Mapping[str, str], lang: str) -> View:
    """One step of the schedule: its times (without the zone the head names), what, who and
    where, and the tab and page of the brief it belongs to."""
    validated = briefs[entry.brief_index]
    item = entry.item
    local_zone, home_zone = head_zones
    local = clock.local if local_zone else clock.labels()[0]
    home_time = clock.home if home_zone else clock.labels()[1]
    if item.time and entry.zone is None:
        local = f"{item.time}, {NO_ZONE}"
    if not item.time:
        local = words["time_tbc"]     # a step of the schedule with no time yet
    tab = entry.brief_index + 1
    return {"time": local, "home_time": home_time, "title": item.title,
            "mark": portion_marker(rules_of(validated.brief))(item.marking),
            "mark_text": repeated_mark(validated.brief, item.marking),
            "brief": validated.brief.title, "brief_id": validated.brief_id,
            "brief_ref": words["tab_page"].format(tab=tab, page=brief_pages[entry.brief_index]),
            "location": item.location or validated.brief.event.location,
            "who": short_names(item.participants, validated.people, lang),
            "note": item.note or ""}


def _people_once(briefs: list[ValidatedBrief]) -> dict[str, Person]:
    """Every person the briefs name, once: in order of precedence as they first appear."""
    people: dict[str, Person] = {}
    for validated in briefs:
        for participant in validated.brief.participants:
            people.setdefault(participant.person, validated.people[participant.person])
    for validated in briefs:
        for person_id, person in validated.people.items():
            people.setdefault(person_id, person)
    return people


def _person_view(person_id: str, person: Person, text: RichText, words: Mapping[str, str]) -> View:
    return {"id": person_id, "anchor": f"person-{person_id}", "name": person.name, **native_name_view(person),
            "title": person.title, "country": person.country,
            "pronunciation": person.pronunciation or "",
            "form_of_address": person.form_of_address or "",
            "name_order": words[f"name_order_{person.name_order.value.replace('-', '_')}"] if person.name_order else "",
            "bio": text.block(person.bio)}


def render_book_part(view: View, part: str, templates_dir: Path = TEMPLATES_DIR) -> str:
    """One part of the book as HTML: `front` (cover and contents), `middle` (schedule at a
    glance and extra sections), `biographies`, or `html` (the whole book for screens, with
    the briefs in sandboxed frames)."""
    template = template_environment(templates_dir).get_template(TEMPLATE_NAME)
    return curl_quotes_in_html(template.render(book=view, part=part), quote_marks(view["labels"]))


def footer_pdf(view: View, sizes: list[tuple[float, float]]) -> bytes:
    """One page per book page, of the same size (points), with only the book's page number
    on it, 'Book · Page N of M', at the right of the top banner's line (the briefs' own
    'Page i of N' and the marking keep the bottom line; the marking is never repeated). Not
    tagged: it is drawn into the book's pages as a pagination artifact."""
    names = {size: f"s{n}" for n, size in enumerate(dict.fromkeys(sizes))}
    css = "".join(f"@page {name} {{ size: {w}pt {h}pt; margin: 0; }}\n" for (w, h), name in names.items())
    pages = "".join(
        f'<div class="p" style="page: {names[size]}; height: {size[1]}pt">'
        f'<p class="stamp">{html.escape(view["labels"]["book_page"].format(page=n, pages=len(sizes)))}</p></div>'
        for n, size in enumerate(sizes, start=1))
    return render_plain_pdf(
        f"<!DOCTYPE html><html lang='{view['lang']}'><head><meta charset='utf-8'><style>{css}"
        "html { font-family: 'Noto Sans', sans-serif; }"
        ".p { position: relative; break-after: page; margin: 0; }"
        f".stamp {{ position: absolute; top: {STAMP_FROM_EDGE}; right: 0.75in; line-height: 1; margin: 0;"
        f" font-size: {FOOTER_POINTS}pt; color: #3b424c; font-variant-numeric: tabular-nums; }}"
        ".m { font-weight: 700; }</style></head><body style='margin:0'>"
        f"{pages}</body></html>")


MASTHEAD_KIND = '<p class="kind">'     # the masthead's first line (templates/one-pager.html.j2)


def with_tab(page_html: str, tab: str) -> str:
    """A brief's page as a book prints it: its tab ('Tab 2') at the end of the masthead's
    first line, where the document kind is (the line is there either way, so the page's
    length does not change). A page whose template has no such line is left as it is."""
    return page_html.replace(MASTHEAD_KIND, f'{MASTHEAD_KIND}<span class="book-tab">{html.escape(tab)}</span>', 1)


def brief_frame(page_html: str) -> Markup:
    """A brief's own page, for a sandboxed frame's srcdoc (escaped; no scripts can run)."""
    return Markup(html.escape(page_html, quote=True))


def book_text(view: View, attachments: list[str]) -> str:
    """The book as plain text for an email: cover facts, schedule, contents, marking first and last."""
    words = view["labels"]
    lines = [view["classification"], "", view["title"].upper()]
    if view["subtitle"]:
        lines.append(view["subtitle"])
    lines += ["", words["dates"] + words["colon"] + view["dates"],
              words["places"] + words["colon"] + "; ".join(view["places"]),
              words["prepared_by"].format(office=view["prepared_by"]) + " · "
              + words["facts_as_of"].format(date=view["as_of"]), "", words["schedule_at_a_glance"].upper()]
    if view["zones_note"]:
        lines.append(view["zones_note"] + (" " + words["book_home_in_brackets"] if view["home_column"] else ""))
    lines.append(view["local_heading"] + (f" [{view['home_heading']}]" if view["home_column"] else ""))
    for day in view["schedule"]:
        lines += ["", day["day"]]
        for item in day["entries"]:
            when = item["time"] + (f" [{item['home_time']}]" if item["home_time"] else "")
            title = f"{item['mark_text']} {item['title']}" if item["mark_text"] else item["title"]
            lines.append(f"  {when:<24}{title} ({item['brief']})")
    lines += ["", words["contents"].upper()]
    lines += ["  " + brief["tab"] + words["colon"]
              + words["book_contents_line"].format(title=brief["title"], page=brief["page"])
              for brief in view["briefs"]]
    lines += ["  " + words["book_contents_line"].format(title=words["biographies"], page=view["biographies_page"]),
              "", "--", words["attached_files"].format(names=", ".join(attachments)), "", view["classification"]]
    return curl_quotes_in_text("\n".join(lines), quote_marks(words)) + "\n"
