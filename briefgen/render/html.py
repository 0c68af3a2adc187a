"""Stage 3: a validated brief to one self-contained HTML page.

All the decisions (formatting dates, numbering sources, turning Markdown into safe
HTML, choosing labels) are made here in Python; the Jinja template only places the
prepared values. Jinja autoescapes everything and fails on any undefined name.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup

from briefgen import __version__
from briefgen.content.audiences import ITEM_SECTIONS, computed_marking, rules_of
from briefgen.content.clearance import content_hash
from briefgen.content.house import glossary_for
from briefgen.content.house_checks import HOUSE_CSS, with_house_files_inlined
from briefgen.content.languages import is_right_to_left
from briefgen.content.markings import Marking, Rules
from briefgen.content.models import (
    DEFAULT_ANNEX,
    AgendaItem,
    AnnexSection,
    BackgroundParagraph,
    Brief,
    Participant,
    Person,
    Role,
)
from briefgen.content.schedule import clock_labels
from briefgen.content.validate import ValidatedBrief
from briefgen.content.writing import acronyms_used
from briefgen.project import TEMPLATES_DIR
from briefgen.render.escape import css_string
from briefgen.render.fit import NOTES_LINES_AT_MOST
from briefgen.render.labels import (
    View,
    agenda_days,
    deliverables_heading,
    deliverables_show_status,
    event_dates,
    joined,
    labels_for,
    masthead_date,
    medium_date,
    point_groups,
    portions,
    press_labels,
    quote_where,
    role_labels,
    short_date,
    short_names,
    status_labels,
    weekday,
)
from briefgen.render.records import decision_boxes, place_record_sections, records_view, sign_fields
from briefgen.render.richtext import RichText
from briefgen.render.typography import curl_quotes_in_html

# What a template is given to show: names to values already formatted and escaped.

TEMPLATE_NAME = "one-pager.html.j2"
EMAIL_TEMPLATE_NAME = "email.html.j2"
PAGE_SIZES = {"letter": "letter", "a4": "A4"}
# The frame of every printed page (docs/page-spec.md): top and bottom, then the sides.
PAGE_MARGINS = {"letter": "0.8in 0.75in", "a4": "20mm 19mm"}
# A banner's size where a scheme asks for more than 10 pt: the Australian PSPF a cap height
# of at least 5 mm (Noto Sans's capitals are 0.714 em: 20 pt), the UK 12 pt.
BANNER_POINTS = {"au": 20, "uk": 12}
BANNER_POINTS_DEFAULT = 10
BANNER_CONTRAST = 7.0          # a scheme's colour on the banner's text only at this contrast
SHORT_TITLE = 32               # characters of the title the footer carries
BANNER_COLOURS = (("TOP SECRET", "top-secret"), ("SECRET", "secret"),
                  ("CONFIDENTIAL", "confidential"), ("UNCLASSIFIED", "unclassified"))


@lru_cache(maxsize=4)
def template_environment(templates_dir: Path = TEMPLATES_DIR,
                         house_dirs: tuple[Path, ...] = ()) -> jinja2.Environment:
    """The one Jinja environment: autoescape on for every template, undefined names fail.
    A house's folders (its templates/ and its house.css) are searched before `templates_dir`."""
    return jinja2.Environment(
        loader=_HouseLoader([str(folder) for folder in (*house_dirs, templates_dir)], house_dirs),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


class _HouseLoader(jinja2.FileSystemLoader):
    """Templates from the house's folders, then briefgen's; a house's house.css with the files
    it names (its fonts) inlined as data: URLs (content/house_checks.py)."""

    def __init__(self, searchpath: list[str], house_dirs: tuple[Path, ...]) -> None:
        super().__init__(searchpath)
        self.house_dirs = house_dirs

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        folder = Path(filename).parent
        if template == HOUSE_CSS and folder in self.house_dirs:
            source = with_house_files_inlined(source, folder)
        return source, filename, uptodate


def render_html(validated: ValidatedBrief, templates_dir: Path = TEMPLATES_DIR,
                revision: str = "") -> str:
    """Render a validated brief to a complete HTML document (CSS inlined, no external requests).
    `revision` is a line such as 'Revision 2 · November 28, 2026' for a re-issued brief."""
    template = template_environment(templates_dir, house_dirs(validated)).get_template(TEMPLATE_NAME)
    return _rendered(template, brief_view(validated), revision)


def render_email_html(validated: ValidatedBrief, templates_dir: Path = TEMPLATES_DIR,
                      revision: str = "") -> str:
    """The brief as an email body: the one-pager's view data in a layout made for mail
    clients (one column, the title first, relative sizes, tables). A project whose own
    templates predate the email template gets briefgen's."""
    if not (templates_dir / EMAIL_TEMPLATE_NAME).is_file():
        templates_dir = TEMPLATES_DIR
    template = template_environment(templates_dir, house_dirs(validated)).get_template(EMAIL_TEMPLATE_NAME)
    return _rendered(template, brief_view(validated), revision)


def _rendered(template: jinja2.Template, view: View, revision: str) -> str:
    """The template filled in, placeholders marked, quotes curled in the language's marks."""
    page = mark_placeholders(template.render(brief={**view, "revision": revision}))
    return curl_quotes_in_html(page, quote_marks(view["labels"]))


def quote_marks(words: dict[str, str]) -> tuple[str, str]:
    """A language's double quotation marks, from its labels (« » with their narrow spaces)."""
    return words["quote_open"], words["quote_close"]


def annex_glossary(validated: ValidatedBrief, annex: list[str]) -> list[dict[str, str]]:
    """The acronyms the brief uses that its house's or its project's glossary defines, each
    spelt out, for the annex; none without an annex (page 1 spells out, or does without)."""
    if validated.house is None or not annex:
        return []
    return [{"acronym": acronym, "name": name}
            for acronym, name in glossary_for(validated.house, acronyms_used(validated.brief))]


def house_dirs(validated: ValidatedBrief) -> tuple[Path, ...]:
    """The folders of the brief's house that hold templates (none for the built-in house)."""
    return validated.house.template_dirs if validated.house is not None else ()


PLACEHOLDER = "FILL IN"      # how each placeholder `briefgen new` writes starts (validate.FILL_IN)
PLACEHOLDER_MARK = ('<mark class="placeholder" style="background: #ffd83d; color: #000; '
                    'font-weight: 700; outline: 1pt dashed #b00020">' + PLACEHOLDER + "</mark>")
_TEXT_BETWEEN_TAGS = re.compile(r">([^<]+)<")


def mark_placeholders(html: str) -> str:
    """Each placeholder left in the text of the page, marked so it cannot pass for content.
    Only text between tags is touched: autoescaping makes every `>` in content and in
    attribute values `&gt;`, so a `>` here always ends a tag."""
    if PLACEHOLDER not in html:
        return html
    head, body_tag, body = html.partition("<body")
    return head + body_tag + _TEXT_BETWEEN_TAGS.sub(
        lambda text: ">" + text.group(1).replace(PLACEHOLDER, PLACEHOLDER_MARK) + "<", body)


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
    mark: Markup      # the portion mark of `note` (empty when none is printed)
    dir: str = ""     # "rtl" for a native name written right to left (Arabic, Hebrew), else ""


def brief_view(validated: ValidatedBrief) -> View:
    """Everything the template shows, already formatted and escaped where needed."""
    brief, people = validated.brief, validated.people
    numbers = {source.id: index for index, source in enumerate(brief.sources, start=1)}
    text = RichText(numbers, validated.path.resolve().parent)
    event = brief.event
    rules = rules_of(brief)
    mark = portion_marker(rules)
    lang = validated.lang
    words = labels_for(validated.house, lang)
    roles, statuses, presses = role_labels(words), status_labels(words), press_labels(words)

    def person(person_id: str, role: Role | None = None, note: str | None = None,
               marking: str | None = None) -> PersonView:
        p: Person = people[person_id]
        return PersonView(id=person_id, name=p.name, title=p.title, country=p.country,
                          role=roles[role.value if role else None], note=note or "",
                          mark=mark(marking) if note else Markup(""), **native_name_view(p))

    def names(ids: Iterable[str]) -> str:
        return short_names(ids, people, lang)

    annex = annex_sections(brief, people)
    page_one = page_one_regions(brief, people, annex)
    annex = place_record_sections(validated, annex, page_one)   # the last meeting, the clearance
    agenda = [{**_agenda_item(item, day, label, brief, people, text, lang,
                                     words, presses), "mark": mark(item.marking)}
              for (item, day), label in zip(agenda_days(brief), agenda_day_labels(brief, lang), strict=True)]
    owner_sets = {tuple(d.owners) for d in brief.deliverables}
    common_owners = owner_sets.pop() if len(owner_sets) == 1 else ()

    return {
        "id": validated.brief_id,
        "lang": lang,
        "dir": "rtl" if is_right_to_left(lang) else "ltr",
        "labels": words,
        "glossary": annex_glossary(validated, annex),
        "generator": f"briefgen {__version__}",
        "page_size": PAGE_SIZES[brief.paper],
        "page_margin": PAGE_MARGINS[brief.paper],
        "short_title": short_title(brief.title),
        "title_mark": mark(None) if rules is not None and rules.portion_marks else Markup(""),
        "document_kind": document_kind(event.kind.value, words, brief.addressee),
        "when_where": when_where(brief, people, lang, words),
        "sides": participant_sides(brief, people, lang),
        "pointer": annex_pointer(annex, lang),
        "page_counter": page_counter(words["page_of"]),
        "notes_lines_at_most": NOTES_LINES_AT_MOST,
        "paper": brief.paper,
        "title": brief.title,
        "subtitle": brief.subtitle or "",
        "classification": brief.classification or "",
        "banner_class": _banner_class(brief.classification or ""),
        "banner_style": _banner_style(brief, rules),
        "withheld": _withheld_notes(validated),
        "version_note": _version_note(validated),
        "prepared_by": brief.prepared_by,
        "as_of": medium_date(brief.as_of, lang),
        "prepared_line": words["prepared_by"].format(office=brief.prepared_by),
        "facts_line": words["facts_as_of"].format(date=medium_date(brief.as_of, lang)),
        "as_of_iso": brief.as_of.isoformat(),
        "description": _description(brief, lang),
        "keywords": _keywords(brief, people),
        "event": {
            "kind": event.kind.value.capitalize(),
            "when": event_dates(event, lang=lang),
            "location": event.location,
            "host": people[event.host].name if event.host else "",
            "purpose": text.block(event.purpose),
            "cite": text.cite(event.sources),
        },
        "participants": [person(p.person, p.role, p.note, p.marking) for p in brief.participants],
        "people_columns": people_columns(len(brief.participants)),
        "biographies": [{"name": people[p.person].name, "title": people[p.person].title,
                         "bio": text.block(people[p.person].bio)} for p in with_biographies(brief, people)],
        "page_one": page_one,
        "annex": {"sections": annex, "title": annex_title(annex, lang)},
        "agenda": agenda,
        "agenda_has_when": any(item["when"] for item in agenda),
        "deliverables_heading": deliverables_heading(brief, lang, words),
        "deliverables_have_caveats": any(d.caveats for d in brief.deliverables),
        "deliverables_show_status": deliverables_show_status(brief),
        **briefing_sections(validated.brief_id, brief, people, text, mark, lang),
        **records_view(validated, RichText({}, validated.path.resolve().parent).inline, lang),
        "content_hash": content_hash(brief),
        "deliverables": [{
            "id": item.id,
            "title": item.title,
            "status": item.status.value,
            "status_label": statuses[item.status.value],
            "summary": text.inline(item.summary),
            "caveats": text.inline(item.caveats),
            "owners": "" if common_owners else names(item.owners),
            "cite": text.cite(item.sources, item.summary, item.caveats),
            "mark": mark(item.marking),
        } for item in brief.deliverables],
        "common_owners": names(common_owners),
        "key_messages": [{"text": text.inline(m.text), "cite": text.cite(m.sources, m.text),
                          "mark": mark(m.marking)} for m in brief.key_messages],
        "sensitivities": [{
            "topic": s.topic,
            "context": text.inline(s.context),
            "guidance": text.inline(s.guidance),
            "cite": text.cite(s.sources, s.context, s.guidance),
            "mark": mark(s.marking),
        } for s in brief.sensitivities],
        "background": _background(brief.background, text, mark),
        "quotes": [{
            "text": text.inline(q.text),
            "by": people[q.by].name,
            "by_title": people[q.by].title,
            "where": quote_where(q, lang),
            "cite": text.cite([q.source] if q.source else [], q.text),
            "mark": mark(q.marking),
        } for q in brief.quotes],
        "sources": [{
            "number": numbers[s.id],
            "anchor": f"source-{s.id}",
            "title": s.title,
            "publisher": s.publisher or "",
            "date": medium_date(s.date, lang) if s.date else "",
            "url": s.url or "",
            "domain": url_domain(s.url) if s.url else "",
            "note": s.note or "",
        } for s in brief.sources],
    }


# Unicode's FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE: the PDF's bidi isolation. The
# HTML isolates an element with dir="rtl"; WeasyPrint has no `unicode-bidi`, but Pango's
# bidi algorithm honours these characters (docs/languages.md).
FSI, PDI = "\u2068", "\u2069"


def isolated(text: str, right_to_left: bool) -> str:
    """A right-to-left text wrapped so its direction cannot reorder what is around it."""
    return f"{FSI}{text}{PDI}" if right_to_left and text else text


def native_name_view(person: Person) -> View:
    """A person's native name as a template places it: isolated, with its `lang` and, written
    right to left, `dir="rtl"` (which isolates it in HTML; the isolates do it for the PDF)."""
    right_to_left = is_right_to_left(person.lang)
    return {"native_name": isolated(person.native_name or "", right_to_left), "lang": person.lang or "",
            "dir": "rtl" if right_to_left else ""}


def page_counter(words: str) -> Markup:
    """The footer's 'Page i of N' as a CSS `content` value, from the label's words
    ('Page {page} of {pages}'; '{page} / {pages} ページ'): its text as CSS strings around
    the page counters."""
    parts = []
    for text, name, _, _ in string.Formatter().parse(words):
        if text:
            parts.append(css_string(text))
        if name:
            parts.append(Markup("counter(page)" if name == "page" else "counter(pages)"))
    return Markup(" ").join(parts)


def reply_line(options: list[str], lang: str = "en") -> str:
    """What the principal replies to a decision in mail, where no box can be ticked:
    'Reply APPROVE or DISAPPROVE' (options in capitals, the last after the language's 'or')."""
    listed = joined((str(option).upper() for option in options), lang, last="list_or")
    return labels_for(None, lang)["reply"].format(options=listed)


def briefing_sections(brief_id: str, brief: Brief, people: dict[str, Person], text: RichText,
                      mark: Callable[[str | None], Markup], lang: str = "en") -> View:
    """The parts a principal reads first (bottom line, objectives, decisions) and the lines to
    take (points, if-raised, press line), ready for the template. The bottom line and the press
    line have no marking of their own: they carry the brief's default mark."""
    press = brief.press_line
    return {
        "bottom_line": text.inline(brief.bottom_line),
        "bottom_line_mark": mark(None) if brief.bottom_line else Markup(""),
        "objectives": [{"text": text.inline(o.text), "cite": text.cite(o.sources, o.text), "mark": mark(o.marking)}
                       for o in brief.objectives],
        "decisions": [{
            "issue": text.inline(d.issue),
            "recommendation": text.inline(d.recommendation),
            **recommended_option(d.options, d.recommendation, text),
            "options": list(d.options),
            "reply": reply_line(d.options, lang),
            "boxes": decision_boxes(brief_id, number, d),
            "sign": sign_fields(brief_id, number, d, lang),
            "due": medium_date(d.due, lang) if d.due else "",
            "due_line": labels_for(None, lang)["decision_needed_by"].format(date=medium_date(d.due, lang))
            if d.due else "",
            "needed_line": labels_for(None, lang)["needed_by"].format(date=medium_date(d.due, lang))
            if d.due else "",
            "due_reason": d.due_reason or "",
            "cite": text.cite(d.sources, d.issue, d.recommendation),
            "mark": mark(d.marking),
        } for number, d in enumerate(brief.decisions, start=1)],
        "point_groups": [{
            "to": people[to].name if to else "",
            "to_line": labels_for(None, lang)["to"].format(name=people[to].name) if to else "",
            "to_title": people[to].title if to else "",
            "points": [{"text": text.inline(p.text), "cite": text.cite(p.sources, p.text), "mark": mark(p.marking)}
                       for p in points],
        } for to, points in point_groups(brief.points)],
        "if_raised": [{"question": text.inline(i.question), "answer": text.inline(i.answer),
                       "cite": text.cite(i.sources, i.question, i.answer), "mark": mark(i.marking)}
                      for i in brief.if_raised],
        "press_line": {"public": text.inline(press.public), "defensive": text.inline(press.defensive),
                       "cite": text.cite(press.sources, press.public, press.defensive),
                       "mark": mark(None)} if press else None,
    }


# Where each section goes: page 1 (full width, two columns, bottom) or the annex.

SECTION_TITLES = {"agenda": "agenda", "deliverables": "deliverables", "key_messages": "key messages",
                  "sensitivities": "sensitivities", "background": "background",
                  "quotes": "quotations", "sources": "sources", "points": "points to make",
                  "if_raised": "if-raised lines", "press_line": "press line", "biographies": "biographies"}
# Page 1 is one side-head grid, top to bottom: the lines to take ("full", after the bottom
# line, decisions and objectives), then the participants, then the lower zone ("lower"),
# then what stays on page 1 only when the annex does not take it ("bottom").
PAGE_ONE_REGIONS = {"full": ("points", "key_messages", "if_raised", "press_line"),
                    "lower": ("agenda", "sensitivities", "deliverables", "quotes", "background"),
                    "left": (), "right": (), "bottom": ("sources",)}


def with_biographies(brief: Brief, people: dict[str, Person]) -> list[Participant]:
    """The participants whose person has a `bio`, in the brief's order."""
    return [p for p in brief.participants if people[p.person].bio]


def present_sections(brief: Brief, people: dict[str, Person]) -> set[str]:
    """The sections that have something to show."""
    return {name for name in SECTION_TITLES
            if (with_biographies(brief, people) if name == "biographies" else getattr(brief, name))}


def annex_sections(brief: Brief, people: dict[str, Person]) -> list[str]:
    """The sections the annex shows, in the brief's order (default: background, quotes,
    biographies, sources)."""
    chosen: list[AnnexSection] = list(DEFAULT_ANNEX if brief.annex is None else brief.annex)
    present = present_sections(brief, people)
    return [name for name in dict.fromkeys(s.value for s in chosen) if name in present]


def page_one_regions(brief: Brief, people: dict[str, Person], annex: list[str]) -> dict[str, list[str]]:
    """Page 1's sections by region, in the order page 1 prints them. Biographies are in no
    region: never on page 1."""
    present = present_sections(brief, people) - set(annex)
    return {region: [name for name in names if name in present]
            for region, names in PAGE_ONE_REGIONS.items()}


def annex_title(sections: list[str], lang: str = "en") -> str:
    """'Annex A: Background, quotations and sources' ('Annexe A : Contexte, citations et sources')."""
    listed = _listed_titles(sections, lang)
    return labels_for(None, lang)["annex"].format(sections=listed[0].upper() + listed[1:]) if listed else ""


def _listed_titles(sections: list[str], lang: str = "en") -> str:
    """'background, quotations and sources': the sections' titles as one phrase, in `lang`."""
    words = labels_for(None, lang)
    return joined([words[f"annex_{name}"] for name in sections], lang)


def people_columns(count: int, widest: int = 5) -> int:
    """Columns of the participants grid: rows as even as possible, at most `widest` a row
    (7 people: 4 + 3; 6: 3 + 3)."""
    rows = max(1, math.ceil(count / widest))
    return max(1, math.ceil(count / rows))


def agenda_day_labels(brief: Brief, lang: str = "en") -> list[str]:
    """Each item's day as printed: written only on the first item of that day, and not at all
    when every item is on the event's one day."""
    days = {item.date for item in brief.agenda if item.date}
    one_day = not days or days == {brief.event.date}
    labels, previous = [], None
    for item in brief.agenda:
        labels.append("" if one_day or not item.date or item.date == previous else short_date(item.date, lang))
        previous = item.date or previous
    return labels


def url_domain(url: str) -> str:
    """A link's text: its domain, without 'www.' ('https://www.whitehouse.gov/x' -> 'whitehouse.gov')."""
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")




def _agenda_item(item: AgendaItem, day: dt.date | None, day_label: str, brief: Brief,
                 people: dict[str, Person], text: RichText, lang: str, words: dict[str, str],
                 presses: dict[str, str]) -> View:
    """One step of the agenda; `words` and `presses` are the render's (labels_for, press_labels)."""
    local, home = clock_labels(day, item, brief.event.timezone, brief.home_timezone,
                               lambda home_day: weekday(home_day, lang))
    return {
        "when": " ".join(filter(None, [day_label, local])),
        "home": words["home_time"].format(time=home) if home else "",
        "title": item.title,
        "who": short_names(item.participants, people, lang),
        "location": item.location or "",
        "note": item.note or "",
        "duration": item.duration or "",
        "press": item.press.value if item.press else "",
        "press_label": presses[item.press.value] if item.press else "",
        "lead": short_names([item.lead], people, lang) if item.lead else "",
        "speakers": short_names(item.speaking_order, people, lang),
        "cite": text.cite(item.sources),
    }


def _banner_class(marking: str) -> str:
    for word, css_class in BANNER_COLOURS:
        if marking.startswith(word):
            return css_class
    return "other"


def _description(brief: Brief, lang: str = "en") -> str:
    return " · ".join(filter(None, [brief.subtitle, brief.event.location, event_dates(brief.event, lang=lang)]))


def _keywords(brief: Brief, people: dict[str, Person]) -> str:
    words = [brief.event.kind.value, *(people[p.person].name for p in brief.participants),
             *(d.title for d in brief.deliverables)]
    return ", ".join(words)


# --- markings -------------------------------------------------------------------------------

def portion_marker(rules: Rules | None) -> Callable[[str | None], Markup]:
    """A function from a portion's marking to the mark printed before it, as HTML with the
    space after it (empty when the brief prints no portion marks). The page and the email
    place it as it is, before every marked portion."""
    def mark(marking: str | None) -> Markup:
        printed = rules.printed_mark(marking) if rules is not None else ""
        return Markup('<span class="portion">{}</span> ').format(printed) if printed else Markup("")
    return mark


def _banner_style(brief: Brief, rules: Rules | None) -> str:
    """The scheme's banner colour and size for the computed marking (black, 10 pt, for
    briefs without a scheme)."""
    if rules is None:
        return ""
    return colours_style(rules, computed_marking(brief, rules))


def colours_style(rules: Rules, marking: Marking) -> str:
    """A banner's inline style: bold capitals in the scheme's colour for the marking's level,
    on the text only and only where it keeps a contrast of 7:1 on white paper (else black,
    so UNCLASSIFIED green and SECRET red never print as the same grey bar), at the size the
    scheme asks for. The UK scheme's banners are black."""
    colour, _ = rules.colours(marking)
    scheme = rules.scheme.id
    if scheme == "uk" or contrast_on_white(colour) < BANNER_CONTRAST:
        colour = "#000000"
    return f"color: {colour}; font-size: {BANNER_POINTS.get(scheme, BANNER_POINTS_DEFAULT)}pt"


def contrast_on_white(colour: str) -> float:
    """WCAG contrast ratio of a `#rrggbb` colour against white."""
    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4
    red, green, blue = (channel(colour[i:i + 2]) for i in (1, 3, 5))
    return 1.05 / (0.2126 * red + 0.7152 * green + 0.0722 * blue + 0.05)


# --- page 1's masthead, decision box and lower zone ---------------------------------------

def document_kind(kind: str, words: Mapping[str, str], addressee: str | None = None) -> str:
    """The masthead's first line: 'Bilateral meeting brief for the President', 'Meeting
    brief' (in the words' language, a house's wording included)."""
    named = words[f"brief_{kind}"]
    return words["brief_for"].format(kind=named, name=addressee) if addressee else named


def short_title(title: str, most: int = SHORT_TITLE) -> str:
    """The title as the footer carries it: whole words up to `most` characters."""
    if len(title) <= most:
        return title
    return title[:most].rsplit(" ", 1)[0].rstrip(",;:–—-") + "…"


def when_where(brief: Brief, people: dict[str, Person], lang: str = "en",
               words: dict[str, str] | None = None) -> str:
    """The masthead's one line: 'Wednesday, November 15, 2023 · 11:20 PST (14:20 EST home) ·
    Filoli, Woodside, California · 4 h · Pool spray'. The first timed step of the agenda
    gives the time, its length and its press; zone abbreviations, never IANA names. In
    `words` (labels_for's), else in briefgen's own."""
    first = next(((item, day) for item, day in agenda_days(brief) if item.time), None)
    words = words or labels_for(None, lang)
    parts = [event_dates(brief.event, masthead_date, lang)]
    if first is not None:
        item, day = first
        local, home = clock_labels(day, item, brief.event.timezone, brief.home_timezone,
                                   lambda home_day: weekday(home_day, lang))
        parts.append(f"{local} ({words['home_time'].format(time=home)})" if home else local)
    parts.append(brief.event.location)
    if first is not None:
        parts += [first[0].duration or "", press_labels(words)[first[0].press.value] if first[0].press else ""]
    return " · ".join(part for part in parts if part)


def recommended_option(options: list[str], recommendation: str, text: RichText) -> View:
    """The option the recommendation names first ('Approve. The navies…' recommends
    Approve), and the rationale after it, so the box prints 'Recommend: Approve' on a line
    of its own and marks that option. When none is named, the whole recommendation stands."""
    stripped = recommendation.strip()
    for option in options:
        if stripped.lower().startswith(option.lower()) and \
                stripped[len(option):len(option) + 1] in ("", ".", ",", ";", ":", " "):
            rest = stripped[len(option):].lstrip(" .,;:")
            return {"recommended": option, "rationale": text.inline(rest[:1].upper() + rest[1:])}
    return {"recommended": "", "rationale": Markup("")}


def participant_sides(brief: Brief, people: dict[str, Person], lang: str = "en") -> list[View]:
    """Participants grouped by side (country), the host's side first: each side's people
    with their role where it matters ('Biden (host)')."""
    sides: dict[str, list[View]] = {}
    words = labels_for(None, lang)
    host_country = people[brief.event.host].country if brief.event.host else None
    for participant in brief.participants:
        person = people[participant.person]
        role = participant.role.value if participant.role else ""
        sides.setdefault(person.country, []).append({
            "name": person.name, "title": person.title, **native_name_view(person),
            "role": words[f"role_{role}_in_text"] if role in ("host", "principal") else ""})
    order = sorted(sides, key=lambda country: country != host_country)
    return [{"side": country, "people": sides[country]} for country in order]


def annex_pointer(annex: list[str], lang: str = "en") -> str:
    """'Annex A, page 2: agenda, background, quotations and sources.' ('' without an annex)."""
    listed = _listed_titles(annex, lang)
    return labels_for(None, lang)["annex_pointer"].format(sections=listed) if listed else ""


def _background(paragraphs: list[BackgroundParagraph] | None, text: RichText,
                mark: Callable[[str | None], Markup]) -> Markup:
    """Background paragraphs as one block, each with its portion mark at its start."""
    blocks = []
    for paragraph in paragraphs or ():
        html, prefix = str(text.block(paragraph.text)), str(mark(paragraph.marking))
        if prefix:
            html = html.replace("<p>", "<p>" + prefix, 1) if html.startswith("<p>") else prefix + html
        blocks.append(html)
    return Markup("\n".join(blocks))


def _withheld_notes(validated: ValidatedBrief) -> dict[str, str]:
    """Per section, the line saying portions were withheld there ("" where none were)."""
    rules = rules_of(validated.brief)
    show = rules is not None and rules.withheld_notice
    notes = dict.fromkeys((*ITEM_SECTIONS, "participant_notes"), "")
    words = labels_for(validated.house, validated.lang)
    for section, count in validated.withheld.counts if show else ():
        notes[section] = words["withheld_section"].format(
            count=count, portions=portions(section, count, words, validated.lang))
    return notes


def _version_note(validated: ValidatedBrief) -> str:
    """On an audience's version: whom it is for and, when the scheme says so, what was withheld."""
    if validated.audience is None:
        return ""
    rules = rules_of(validated.brief)
    words = labels_for(validated.house, validated.lang)
    note = words["version_for"].format(name=validated.audience.name)
    if rules is not None and rules.withheld_notice and validated.withheld.total():
        count = validated.withheld.total()
        note += " · " + words["withheld_total"].format(count=count,
                                                       portions=portions(None, count, words, validated.lang))
    return note
