"""Labels and dates, formatted one way for every output: the page, the plain text, the email.

Words come from the language's catalogue (content/languages.py), with the house's
`[labels.<lang>]` laid over it: one lookup, `labels_for`. Dates are CLDR's, through Babel
("15 novembre 2023", "2023年11月15日"); English keeps briefgen's own forms ("May 18–21, 2023").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from enum import Enum
from typing import TYPE_CHECKING, Any

from babel import Locale
from babel.dates import format_date, format_skeleton, parse_pattern

from briefgen.content.clearance import day_label as english_day_label
from briefgen.content.languages import DEFAULT_LANGUAGE, catalogue, catalogue_tag
from briefgen.content.models import (
    AgendaItem,
    Brief,
    DeliverableStatus,
    Event,
    Person,
    Point,
    PressStatus,
    Quote,
    Role,
)
from briefgen.content.schedule import item_days

if TYPE_CHECKING:
    from briefgen.content.house import House

# A value prepared for a template: what the page, the book and the email place, by name.
View = dict[str, Any]

# The labels a house may reword (`[labels.<lang>]` in house.toml), by key: every key of the
# English catalogue (content/catalogues/en.yaml), in briefgen's words: every section title
# and every phrase the page, the email, the plain text and the Word file print.
LABELS = catalogue(DEFAULT_LANGUAGE)
# Of those, the section titles: on the page, in the email and its plain text, and in the Word file.
SECTION_TITLE_KEYS = ("bottom_line", "purpose", "objectives", "decisions", "participants", "deliverables",
                      "key_messages", "points", "if_raised", "press_line", "sensitivities", "background",
                      "agenda", "quotes", "biographies", "sources", "since_last_meeting", "clearance", "glossary")


def labels_for(house: House | None, lang: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """Every label in `lang` as the brief's house words it (content/house.House), else as
    briefgen's catalogue does: the one lookup the page, the email and the plain text share."""
    words = catalogue(lang)
    return {key: house.label(key, default, lang) if house is not None else default
            for key, default in words.items()}


def _by_value(prefix: str, choices: type[Enum], words: dict[str, str]) -> dict[str, str]:
    """Each choice of the model's enum as `words` (labels_for's, so a house's rewording holds)
    print it (`pool-spray` -> `press_pool_spray`)."""
    return {choice.value: words[prefix + choice.value.replace("-", "_")] for choice in choices}


def status_labels(words: dict[str, str]) -> dict[str, str]:
    """A deliverable's status as printed, by value (`expected` -> 'Expected')."""
    return _by_value("status_", DeliverableStatus, words)


def press_labels(words: dict[str, str]) -> dict[str, str]:
    """An agenda item's press coverage as printed, by value (`pool-spray` -> 'Pool spray')."""
    return _by_value("press_", PressStatus, words)


def role_labels(words: dict[str, str]) -> dict[str | None, str]:
    """A participant's role as printed, by value; no role prints nothing."""
    roles: dict[str | None, str] = {None: ""}
    roles.update(_by_value("role_", Role, words))
    return roles


STATUS_LABELS = status_labels(LABELS)


def deliverables_heading(brief: Brief, lang: str = DEFAULT_LANGUAGE, labels: dict[str, str] | None = None) -> str:
    """'Expected deliverables' only when every one is still expected (likewise 'Confirmed
    deliverables'...): then the heading says the status once for all. In the house's words
    (`labels`, from labels_for): a house that rewords only `deliverables` ('Outcomes') gets
    'Expected outcomes'."""
    words, standard = labels or catalogue(lang), catalogue(lang)
    statuses = {d.status.value for d in brief.deliverables}
    if len(statuses) != 1:
        return words["deliverables"]
    status = statuses.pop()
    key = f"deliverables_{status}"
    if words["deliverables"] != standard["deliverables"] and words[key] == standard[key]:
        label = words["deliverables"]
        return f"{status_labels(words)[status]} {label[:1].lower()}{label[1:]}"
    return words[key]


def portions(section: str | None, count: int, words: dict[str, str], lang: str = DEFAULT_LANGUAGE) -> str:
    """What `count` of a section's portions are called in `lang` ('deliverables', 'résultats',
    '成果'): the catalogue's `_one` word where the language's plural rule (CLDR's) says one,
    else `_other`; portions of no named section (`None`), or of one the catalogue has no word
    for, are 'portion(s)'. `words` is labels_for's, so a house's rewording holds."""
    form = "one" if _locale(lang).plural_form(count) == "one" else "other"
    return words.get(f"portion_{section}_{form}") or words[f"portion_{form}"]


def withheld_counts(counts: Iterable[tuple[str, int]], words: dict[str, str], lang: str = DEFAULT_LANGUAGE) -> str:
    """'2 deliverables, 1 quote' ('成果2件、引用1件'): what a version withheld, per section."""
    return words["list_separator"].join(words["portion_count"].format(count=count, portions=portions(section, count,
                                                                                                     words, lang))
                                        for section, count in counts)


def joined(items: Iterable[str], lang: str = DEFAULT_LANGUAGE, last: str = "list_last") -> str:
    """'a, b and c' in `lang` ('a、b、c' in Japanese); `last` names the catalogue's word before
    the last item ('list_or': 'a, b or c')."""
    words, listed = catalogue(lang), list(items)
    if len(listed) < 2:
        return "".join(listed)
    return words["list_separator"].join(listed[:-1]) + words[last] + listed[-1]


def quoted(text: str, lang: str = DEFAULT_LANGUAGE) -> str:
    """`text` between the quotation marks of `lang` (“…”, « … », 「…」, „…“)."""
    words = catalogue(lang)
    return f"{words['quote_open']}{text}{words['quote_close']}"


def _locale(lang: str) -> Locale:
    return Locale.parse(catalogue_tag(lang) or DEFAULT_LANGUAGE, sep="-")


def _is_english(lang: str) -> bool:
    return (catalogue_tag(lang) or DEFAULT_LANGUAGE) == DEFAULT_LANGUAGE


def deliverables_show_status(brief: Brief) -> bool:
    """Whether each deliverable says its status: only when they differ (else the heading says it)."""
    return len({d.status for d in brief.deliverables}) > 1


def long_date(day: dt.date, lang: str = DEFAULT_LANGUAGE) -> str:
    """'Wednesday, November 15, 2023'; 'mercredi 15 novembre 2023'; '2023年11月15日水曜日'."""
    if _is_english(lang):
        return f"{day:%A}, {day:%B} {day.day}, {day.year}"
    return format_date(day, "full", locale=_locale(lang))


def medium_date(day: dt.date, lang: str = DEFAULT_LANGUAGE) -> str:
    """'November 15, 2023'; '15 novembre 2023'; '2023年11月15日'."""
    if _is_english(lang):
        return f"{day:%B} {day.day}, {day.year}"
    return format_date(day, "long", locale=_locale(lang))


def short_date(day: dt.date, lang: str = DEFAULT_LANGUAGE) -> str:
    """'Wed Nov 15'; 'mer. 15 nov.'; '11月15日(水)'."""
    if _is_english(lang):
        return f"{day:%a} {day:%b} {day.day}"
    return format_skeleton("MMMEd", day, locale=_locale(lang))


def masthead_date(day: dt.date, lang: str = DEFAULT_LANGUAGE) -> str:
    """The masthead's day: 'Wed 15 Nov 2023'; 'mer. 15 nov. 2023'; '2023年11月15日(水)'."""
    if _is_english(lang):
        return f"{day:%a} {day.day} {day:%b} {day.year}"
    return format_skeleton("yMMMEd", day, locale=_locale(lang))


def day_label(day: dt.date, lang: str = DEFAULT_LANGUAGE) -> str:
    """A record's day (a clearance, a decision taken): '18 Sep 2024'; '18 sept. 2024'; '2024年9月18日'."""
    if _is_english(lang):
        return english_day_label(day)    # as check's messages say it
    return format_skeleton("yMMMd", day, locale=_locale(lang))


def weekday(day: dt.date, lang: str = DEFAULT_LANGUAGE) -> str:
    """'Thu'; 'jeu.'; '木'."""
    if _is_english(lang):
        return f"{day:%a}"
    return format_date(day, "EEE", locale=_locale(lang))


def date_range(first: dt.date, last: dt.date, lang: str = DEFAULT_LANGUAGE) -> str:
    """Two days as one span in `lang`, months in full: CLDR's interval patterns (which
    Babel has only with abbreviated months) with the month widened where the long date spells it: '15–17 novembre 2023',
    '2023年11月15日～17日'. English keeps briefgen's 'November 15–17, 2023'."""
    if first == last:
        return medium_date(first, lang)
    if _is_english(lang):
        return _english_span(first, last)
    locale = _locale(lang)
    patterns = locale.interval_formats["yMMMd"]
    differs = "y" if first.year != last.year else "M" if first.month != last.month else "d"
    widen = "MMMM" in locale.date_formats["long"].pattern   # not where months are numbers (11月)
    wide = [re.sub(r"(?<!M)MMM(?!M)", "MMMM", pattern) if widen else pattern for pattern in patterns[differs]]
    return "".join(parse_pattern(pattern).apply(day, locale) for pattern, day in zip(wide, (first, last),
                                                                                     strict=True))


def event_dates(event: Event, one_day: Callable[[dt.date, str], str] = long_date,
                lang: str = DEFAULT_LANGUAGE) -> str:
    """The event's day (in `one_day`'s format), or its first and last day."""
    if event.date:
        return one_day(event.date, lang)
    assert event.start is not None, "the model requires date, or start and end"
    assert event.end is not None, "the model requires date, or start and end"
    if _is_english(lang):
        return f"{medium_date(event.start)} – {medium_date(event.end)}"
    return date_range(event.start, event.end, lang)


def quote_where(quote: Quote, lang: str = DEFAULT_LANGUAGE) -> str:
    """Where and when a quotation was said, as much as is known."""
    return catalogue(lang)["list_separator"].join(
        filter(None, [quote.where or "", medium_date(quote.date, lang) if quote.date else ""]))


def short_names(ids: Iterable[str], people: dict[str, Person], lang: str = DEFAULT_LANGUAGE) -> str:
    """People as named in running text: 'Biden, Kishida, Yoon' ('バイデン、岸田' in Japanese)."""
    return catalogue(lang)["list_separator"].join(people[i].short_name or people[i].name for i in ids)


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


def span_of_days(days: Iterable[dt.date], lang: str = DEFAULT_LANGUAGE) -> str:
    """'May 18, 2023', 'May 18–21, 2023', or across months and years."""
    found = sorted(days)
    if not found:
        return ""
    return date_range(found[0], found[-1], lang)


def _english_span(first: dt.date, last: dt.date) -> str:
    if (first.year, first.month) == (last.year, last.month):
        return f"{first:%B} {first.day}–{last.day}, {first.year}"
    if first.year == last.year:
        return f"{first:%B} {first.day} – {last:%B} {last.day}, {first.year}"
    return f"{medium_date(first)} – {medium_date(last)}"
