"""A book checked against its briefs: what only the briefs together can tell.

A book is marked at least as high as each of its briefs, in the brief's own marking scheme
(`marking_problems`); its briefs share one scheme and one paper size (`scheme_warnings`,
`paper_warnings`); agenda items of different briefs do not run at the same time
(`overlap_warnings`); and every timed item has a zone for the book's calendar
(`zoneless_warnings`). Each problem is a Diagnostic at the book's or the brief's line.
Entry point: `book_problems`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from briefgen.content.audiences import computed_marking, rules_of
from briefgen.content.books import ValidatedBook
from briefgen.content.markings import (
    MARKING_ORDER,
    MarkingError,
    Rules,
    Scheme,
    banner,
    combine,
    marking_level,
    may_see,
    parse,
)
from briefgen.content.schedule import ScheduleItem, book_schedule, clock_labels, overlapping
from briefgen.errors import Diagnostic

if TYPE_CHECKING:
    from briefgen.content.validate import ValidatedBrief


def book_problems(validated: ValidatedBook, briefs: list[ValidatedBrief]) -> list[Diagnostic]:
    """Every problem of a book whose briefs are all valid, errors and warnings."""
    return (marking_problems(validated, briefs) + scheme_warnings(validated, briefs)
            + paper_warnings(validated, briefs) + overlap_warnings(validated, briefs)
            + zoneless_warnings(validated, briefs) + bilingual_problems(validated, briefs))


def bilingual_problems(validated: ValidatedBook, briefs: list[ValidatedBrief]) -> list[Diagnostic]:
    """A book side by side prints each brief's own bilingual document, laid out and checked
    with the brief (page 1's rules for each language): each brief must make one. A book back
    to back prints each brief's edition in the second language: each brief must have one."""
    layout = validated.book.bilingual
    if layout == "side-by-side":
        return [validated.at_brief(index, f"the book is bilingual ({layout}), so brief `{brief.brief_id}` needs "
                                   f"an edition and the same layout: add `editions: [<lang>]` and `bilingual: "
                                   f"{layout}` to {brief.display_path}")
                for index, brief in enumerate(briefs)
                if not brief.brief.editions or brief.brief.bilingual != layout]
    if layout == "back-to-back":
        second = second_language(briefs)
        if second is None:
            return [validated.at_key("bilingual", "a back-to-back book prints each brief's edition on its "
                                     "second side, and no brief has one: add `editions: [<lang>]` to each brief")]
        return [validated.at_brief(index, f"the book is bilingual (back-to-back, its second side in `{second}`), "
                                   f"so brief `{brief.brief_id}` needs a `{second}` edition: add `{second}` to "
                                   f"its `editions:` in {brief.display_path}")
                for index, brief in enumerate(briefs) if second not in brief.brief.editions]
    return []


def second_language(briefs: list[ValidatedBrief]) -> str | None:
    """The language of a back-to-back book's second side: its first brief's first edition's."""
    return next((brief.brief.editions[0] for brief in briefs if brief.brief.editions), None)


def marking_problems(validated: ValidatedBook, briefs: list[ValidatedBrief]) -> list[Diagnostic]:
    """A book is marked at least as high as each of its briefs: by the marking scheme of a
    brief that has one (levels and caveats, as its banner is computed), else by the order
    of the usual words (UNCLASSIFIED < CONFIDENTIAL < SECRET < TOP SECRET). A pair that cannot
    be ordered is an error: a comparison of markings fails closed."""
    problems = []
    for index, brief in enumerate(briefs):
        rules = rules_of(brief.brief)
        where = f"item {index + 1} of `briefs`"
        problem = (_word_marking_problem(validated, brief, where) if rules is None
                   else _scheme_marking_problem(validated, brief, where, rules, briefs))
        if problem:
            problems.append(validated.at_key("classification", problem))
    return problems


def _word_marking_problem(validated: ValidatedBook, brief: ValidatedBrief, where: str) -> str:
    """Total and closed: a pair of words outside the known order (other than one word on
    both) cannot be ordered, and that is an error, never a pass."""
    stated, brief_marking = validated.book.classification, brief.brief.classification or ""
    if stated == brief_marking:
        return ""
    own, level = marking_level(stated), marking_level(brief_marking)
    if own is None or level is None:
        return (f"the book's marking {stated} cannot be compared with its brief `{brief.brief_id}`'s "
                f"{brief_marking or '(none)'} ({where}): without a `markings:` scheme only "
                f"{' < '.join(MARKING_ORDER)} are ordered; mark the book as its brief is, or with "
                "one of those words at least as high, or give the brief a `markings:` scheme")
    if level <= own:
        return ""
    return (f"the book is marked {stated}, lower than its brief `{brief.brief_id}` "
            f"({brief_marking}, {where}); mark the book at least {MARKING_ORDER[level]}")


def _scheme_marking_problem(validated: ValidatedBook, brief: ValidatedBrief, where: str, rules: Rules,
                            briefs: list[ValidatedBrief]) -> str:
    """The book's marking read in the brief's scheme must cover the brief's computed banner;
    the advice is the banner of every brief of that scheme combined."""
    scheme, stated = rules.scheme, validated.book.classification
    try:
        book_marking = parse(stated, scheme)
    except MarkingError as exc:
        return (f"the book's marking is not one of the scheme its brief `{brief.brief_id}` uses "
                f"({where}): {exc}; a book and its briefs use one scheme")
    own = computed_marking(brief.brief, rules)
    if may_see(book_marking, own):
        return ""
    same_scheme = [computed_marking(b.brief, r) for b in briefs
                   if (r := rules_of(b.brief)) is not None and r.scheme == scheme]
    return (f"the book is marked {stated}, lower than its brief `{brief.brief_id}` "
            f"({banner(own, scheme)}, {where}); mark the book at least "
            f"{banner(combine(same_scheme, scheme), scheme)}")


def scheme_warnings(validated: ValidatedBook, briefs: list[ValidatedBrief]) -> list[Diagnostic]:
    """A book has one marking, read in one marking scheme: each brief in another scheme than
    the book's first brief (or in none where it has one) is told, at its line in `briefs`."""
    schemes = [rules.scheme if (rules := rules_of(b.brief)) else None for b in briefs]
    first = schemes[0]
    return [validated.at_brief(index, (
        f"brief `{brief.brief_id}` is marked in {_scheme_name(scheme)}, the book's first brief "
        f"`{briefs[0].brief_id}` in {_scheme_name(first)}: a book's one marking is read in one scheme; "
        "put briefs of different schemes in different books"), severity="warning")
        for index, (brief, scheme) in enumerate(zip(briefs, schemes, strict=True)) if scheme != first]


def _scheme_name(scheme: Scheme | None) -> str:
    return f"the `{scheme.id}` marking scheme" if scheme else "plain words (no `markings:` scheme)"


def paper_warnings(validated: ValidatedBook, briefs: list[ValidatedBrief]) -> list[Diagnostic]:
    """Each brief printed on another paper than the book's own pages, at its line in `briefs`."""
    paper = validated.book.paper
    return [validated.at_brief(index, (
        f"brief `{brief.brief_id}` is on {PAPER_NAMES[brief.brief.paper]} paper, the book's own pages on "
        f"{PAPER_NAMES[paper]} (`paper: {paper}`): the book would mix page sizes; set the book's `paper` "
        "or the brief's to the other"), severity="warning")
        for index, brief in enumerate(briefs) if brief.brief.paper != paper]


PAPER_NAMES = {"letter": "Letter", "a4": "A4"}


def overlap_warnings(validated: ValidatedBook, briefs: list[ValidatedBrief]) -> list[Diagnostic]:
    """Agenda items of two different briefs that run at the same time (in time zones
    compared as instants, with their durations); one warning per later item."""

    timed = {id(e.slot): e for e in book_schedule(briefs, validated.book.timezone) if e.slot is not None}
    warned: dict[tuple[int, int], Diagnostic] = {}
    zoned = [e.slot for e in timed.values() if e.slot is not None and e.slot.start.tzinfo]
    floating = [e.slot for e in timed.values() if e.slot is not None and not e.slot.start.tzinfo]
    # a floating time is no instant: it is compared only with other floating times
    for first_slot, later_slot in [*overlapping(zoned), *overlapping(floating)]:
        first, later = timed[id(first_slot)], timed[id(later_slot)]
        if first.brief_index == later.brief_index:
            continue   # the brief's own check reports it
        if later_slot.start == first_slot.start:
            clash = f"starts at the same time ({_moment(later)}) as '{first.item.title}' of brief `{first.brief_id}`"
        else:
            clash = (f"starts at {_moment(later)}, while '{first.item.title}' of brief `{first.brief_id}` "
                     f"({_moment(first)}–{first_slot.clock(first_slot.end)}) is still on")
        warned.setdefault((later.brief_index, later_slot.index), validated.at_brief(later.brief_index, (
            f"agenda item '{later.item.title}' of brief `{later.brief_id}` {clash}; is the schedule right?"),
            severity="warning"))
    return list(warned.values())


def zoneless_warnings(validated: ValidatedBook, briefs: list[ValidatedBrief]) -> list[Diagnostic]:
    """Each timed item that no zone reaches (not its own, its event's or the book's), at its
    `time` in its brief: its calendar entry floats, the same clock time wherever it is opened.
    The words name no book, so a brief in two books is told once (`check` reports each once)."""

    return [briefs[entry.brief_index].document.diagnostic(
        ("agenda", entry.slot.index, "time"),
        f"agenda item {entry.slot.index + 1} ('{entry.item.title}') has a time but no time zone (none on "
        f"the item, its event or its book), so the book's calendar shows {entry.item.time} on whatever "
        "clock it is opened; add `timezone` to the item or the event, or to the book",
        severity="warning")
        for entry in book_schedule(briefs, validated.book.timezone)
        if entry.slot is not None and entry.slot.start.tzinfo is None]


def _moment(entry: ScheduleItem) -> str:
    local, _ = clock_labels(entry.day, entry.item, entry.zone, None)
    return f"{entry.day} {local}"
