"""Markings checked: each readable in the brief's scheme, the stated classification agreeing
with the computed one, each audience given something, and recipients cleared for it.
"""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import ValidationError

from briefgen.content.audiences import ITEM_SECTIONS, audience_brief, computed_marking, rules_for
from briefgen.content.loader import KeyPath, LoadedDocument
from briefgen.content.markings import Marking, MarkingError, Rules, banner, may_see, parse
from briefgen.content.models import Audience, Brief, Distribution, Markings
from briefgen.content.people import PeopleRegistry
from briefgen.content.rawdata import Data, as_mapping, list_items
from briefgen.errors import Diagnostic


def marking_problems(doc: LoadedDocument, brief: Brief | None, people: PeopleRegistry) -> list[Diagnostic]:
    """Every marking readable in the brief's scheme; the stated classification agrees with
    the computed one; each audience gets something, and only people cleared for it."""
    data = doc.data if isinstance(doc.data, dict) else {}
    found: list[Diagnostic] = []
    if isinstance(doc.data, dict) and "classification" not in data and data.get("markings") is None:
        line, column = doc.locate(())
        found.append(Diagnostic(doc.display_path, line, column, "error",
                                "`classification` is required but missing", "classification"))
    written = list(_written_markings(data))
    try:
        rules = _rules_to_check_with(Markings.model_validate(data.get("markings")))
    except ValidationError:
        if data.get("markings") is None:
            found += [doc.diagnostic(path, "a marking needs a `markings:` section naming the scheme "
                                     "(e.g. `markings: {scheme: us}`)") for path, _ in written
                      if path[0] != "audiences"]
            found += [doc.diagnostic(("audiences",), "`audiences` need a `markings:` section naming "
                                     "the scheme")] if data.get("audiences") else []
        return found   # the model reports what is wrong with `markings`
    bad = False
    for key_path, text in written:
        try:
            parse(text, rules.scheme)
        except MarkingError as exc:
            found.append(doc.diagnostic(key_path, str(exc)))
            bad = True
    if brief is None or bad or found:
        return found
    found += _stated_classification(doc, brief, rules)
    for index, audience in enumerate(brief.audiences):
        found += _audience_problems(doc, brief, rules, index, audience, people)
    if brief.distribution:
        computed = computed_marking(brief, rules)
        found += _clearances(doc, ("distribution",), brief.distribution, rules, computed,
                             f"the brief's marking {banner(computed, rules.scheme)}; take them "
                             "off this list or send them an audience's version", people)
    return found


def _rules_to_check_with(markings: Markings) -> Rules:
    """The brief's rules; with the scheme's lowest level as default when the written default
    is wrong (that is reported with the other markings)."""
    try:
        return rules_for(markings)
    except MarkingError:
        return rules_for(markings.model_copy(update={"default": None}))


def _written_markings(data: Data) -> Iterator[tuple[KeyPath, str]]:
    """(key path, text) of every marking written in a brief's raw data."""
    markings = as_mapping(data.get("markings"))
    if isinstance(markings.get("default"), str):
        yield ("markings", "default"), markings["default"]
    for section in (*ITEM_SECTIONS, "participants"):
        for index, item in list_items(data, section):
            if isinstance(item.get("marking"), str):
                yield (section, index, "marking"), item["marking"]
    for index, item in list_items(data, "audiences"):
        if isinstance(item.get("ceiling"), str):
            yield ("audiences", index, "ceiling"), item["ceiling"]


def _stated_classification(doc: LoadedDocument, brief: Brief, rules: Rules) -> list[Diagnostic]:
    if brief.classification is None:
        return []
    computed = banner(computed_marking(brief, rules), rules.scheme)
    try:
        stated = banner(parse(brief.classification.strip("()"), rules.scheme), rules.scheme)
    except MarkingError as exc:
        return [doc.diagnostic(("classification",), f"`classification` {brief.classification} is not "
                               f"a marking of the {rules.scheme.id} scheme ({exc}); the portions' marks "
                               f"give {computed}: write that, or remove `classification`")]
    if stated != computed:
        return [doc.diagnostic(("classification",), f"`classification` says {stated}, but the "
                               f"portions' marks give {computed} (the highest level present, caveats "
                               "combined); write that, or remove `classification` to have it computed")]
    return []


def _audience_problems(doc: LoadedDocument, brief: Brief, rules: Rules, index: int,
                       audience: Audience, people: PeopleRegistry) -> list[Diagnostic]:

    found = []
    earlier = [a.id for a in brief.audiences[:index]]
    if audience.id in earlier:
        found.append(doc.diagnostic(("audiences", index, "id"), f"`{audience.id}` is listed twice in "
                                    f"`audiences` (first as item {earlier.index(audience.id) + 1})"))
    ceiling = rules.of(audience.ceiling)
    shown = banner(ceiling, rules.scheme)
    if not may_see(ceiling, rules.default):
        found.append(doc.diagnostic(("audiences", index, "ceiling"), f"audience `{audience.id}` would "
                                    f"receive an empty brief: it may see up to {shown}, but the title, "
                                    "event and every unmarked portion carry the default marking "
                                    f"{banner(rules.default, rules.scheme)}"))
    else:
        filtered, _ = audience_brief(brief, audience)
        had = any(getattr(brief, s) for s in ITEM_SECTIONS)
        if had and not any(getattr(filtered, s) for s in ITEM_SECTIONS):
            found.append(doc.diagnostic(("audiences", index), f"audience `{audience.id}` would receive "
                                        "an empty brief: every deliverable, message, sensitivity, "
                                        f"background paragraph, agenda item and quote is above {shown} "
                                        "or in a section it omits"))
    if audience.distribution:
        found += _clearances(doc, ("audiences", index, "distribution"), audience.distribution, rules,
                             ceiling, f"audience `{audience.id}`'s ceiling {shown}; take them "
                             "off this list or lower its ceiling", people)
    return found


def _clearances(doc: LoadedDocument, at: KeyPath, distribution: Distribution, rules: Rules, marking: Marking,
                whom: str, people: PeopleRegistry) -> list[Diagnostic]:
    """A recipient who names a person file is checked against that person's `clearance`: by
    level and caveats (`may_see`, as an audience's ceiling is), not by level alone."""
    found = []
    for field_name in ("to", "cc", "bcc"):
        for index, recipient in enumerate(getattr(distribution, field_name)):
            if recipient.person is None:
                continue
            key_path = (*at, field_name, index, "person")
            if not people.exists(recipient.person):
                continue   # reported with the other references
            person, _ = people.get(recipient.person)
            if person is None or person.clearance is None:
                continue
            try:
                cleared = parse(person.clearance, rules.scheme)
            except MarkingError as exc:
                found.append(doc.diagnostic(key_path, f"`{recipient.person}`'s clearance "
                                            f"`{person.clearance}` is not a marking of the "
                                            f"{rules.scheme.id} scheme ({exc})"))
                continue
            if not may_see(cleared, marking):
                below = "below" if cleared.level < marking.level else "which does not cover"
                found.append(doc.diagnostic(key_path, f"`{recipient.person}` is cleared to "
                                            f"{banner(cleared, rules.scheme)}, {below} {whom}"))
    return found
