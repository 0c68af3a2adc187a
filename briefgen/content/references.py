"""Cross-references in a brief: every person, source and id it names exists, and once.

A person named anywhere has a file under people/ (and is a participant where the place
needs one); a source cited anywhere, in a `sources:` list or as `[@id]` in Markdown, is
among the brief's `sources`; ids that must be unique are.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel

from briefgen.content.fields import markdown_texts, source_ids
from briefgen.content.loader import KeyPath, LoadedDocument
from briefgen.content.markdown import CITATION
from briefgen.content.models import Brief, Person
from briefgen.content.rawdata import Data, as_mapping, ids_in, list_items
from briefgen.errors import Diagnostic

if TYPE_CHECKING:
    from briefgen.content.people import PeopleRegistry


# A source id the brief refers to: where, the id, and for a `[@id]` citation its offset in the text.
SourceReference = tuple[KeyPath, str, int | None]


class NeedPerson(Protocol):
    """Notes that the brief names a person at `key_path` (and whether as a participant)."""

    def __call__(self, key_path: KeyPath, person_id: str, *, participant: bool = False) -> None: ...


def check_references(doc: LoadedDocument, people: PeopleRegistry,
                     references: list[SourceReference]) -> tuple[dict[str, Person], list[Diagnostic]]:
    """The people the brief names (found), and every broken cross-reference; `references` are
    the brief's `source_references`, read once by the caller (the warnings use them too)."""
    data = doc.data if isinstance(doc.data, dict) else {}
    problems: list[Diagnostic] = []
    found: dict[str, Person] = {}
    missing: dict[str, list[KeyPath]] = {}     # person id -> where the brief names them

    def unique(section: str, key: str) -> set[str]:
        seen: dict[str, int] = {}
        for index, item in list_items(data, section):
            value = item.get(key)
            if not isinstance(value, str):
                continue
            if value in seen:
                problems.append(doc.diagnostic((section, index, key), f"`{value}` is listed twice in "
                                               f"`{section}` (first as item {seen[value] + 1})"))
            else:
                seen[value] = index
        return set(seen)

    participant_ids = unique("participants", "person") | {v for _, v in ids_in(data, "participants")}
    participants_listed = isinstance(data.get("participants"), list)
    source_ids = unique("sources", "id")
    unique("deliverables", "id")
    problems += _audiences_named_like_editions(doc, data)

    def need_person(key_path: KeyPath, person_id: str, *, participant: bool = False) -> None:
        if participant and participants_listed and person_id not in participant_ids:
            problems.append(doc.diagnostic(key_path, f"`{person_id}` is not among the `participants` "
                                           "of this brief; add them there first"))
            return
        if not people.exists(person_id):
            missing.setdefault(person_id, []).append(key_path)
            return
        person, person_problems = people.get(person_id)
        problems.extend(person_problems)
        if person is not None:
            found[person_id] = person

    def need_source(key_path: KeyPath, source_id: str, offset: int | None) -> None:
        if source_id not in source_ids:
            close = difflib.get_close_matches(source_id, sorted(source_ids), n=1)
            hint = f"; did you mean `{close[0]}`?" if close else ""
            problems.append(doc.diagnostic(key_path, f"no source with id `{source_id}` in "
                                           f"`sources`{hint}", offset=offset))

    for index, item in list_items(data, "participants"):
        if isinstance(item.get("person"), str):
            need_person(("participants", index, "person"), item["person"])
    event = as_mapping(data.get("event"))
    if isinstance(event.get("host"), str):
        need_person(("event", "host"), event["host"], participant=True)
    for section, key, participant in (("agenda", "participants", True), ("deliverables", "owners", False)):
        for index, item in list_items(data, section):
            for j, person_id in ids_in(item, key):
                need_person((section, index, key, j), person_id, participant=participant)
    for index, item in list_items(data, "quotes"):
        if isinstance(item.get("by"), str):
            need_person(("quotes", index, "by"), item["by"])
    for index, item in list_items(data, "points"):
        if isinstance(item.get("to"), str):
            need_person(("points", index, "to"), item["to"], participant=True)
    for index, item in list_items(data, "agenda"):
        problems.extend(_agenda_roles(doc, index, item, need_person))
    for index, item in list_items(data, "decisions"):
        if "due_reason" in item and "due" not in item:
            problems.append(doc.diagnostic(("decisions", index, "due_reason"), "`due_reason` "
                                           "needs a `due` date beside it; add the date or remove "
                                           "the reason"))
    for key_path, source_id, offset in references:
        need_source(key_path, source_id, offset)
    for key_path, person_id in _recipient_people(data):
        need_person(key_path, person_id)
    problems += [_missing_person(doc, people, person_id, uses) for person_id, uses in missing.items()]
    return found, _dedupe(problems)


def _missing_person(doc: LoadedDocument, people: PeopleRegistry, person_id: str,
                    uses: list[KeyPath]) -> Diagnostic:
    """One error for a person with no file, at the first place the brief names them, however
    many places do: one missing file is one thing to fix."""
    first = min(uses, key=doc.locate)
    others = len({doc.locate(use) for use in uses}) - 1
    also = f" (also named in {others} other place{'s' * (others != 1)})" if others else ""
    return doc.diagnostic(first, f"no person `{person_id}`: expected a file "
                          f"{people.display(people.path_of(person_id))}{also}")


def _agenda_roles(doc: LoadedDocument, index: int, item: Data, need_person: NeedPerson) -> list[Diagnostic]:
    """The lead and the speakers of an agenda item are participants of the brief and, where
    the item lists its own participants, of the item."""
    problems = []
    in_item = {v for _, v in ids_in(item, "participants")}
    named: list[tuple[KeyPath, str]] = (
        [(("agenda", index, "lead"), item["lead"])] if isinstance(item.get("lead"), str) else [])
    named += [(("agenda", index, "speaking_order", j), v) for j, v in ids_in(item, "speaking_order")]
    for key_path, person_id in named:
        role = "leads" if key_path[-1] == "lead" else "speaks in"
        if in_item and person_id not in in_item:
            problems.append(doc.diagnostic(key_path, f"`{person_id}` {role} agenda item {index + 1} "
                                           "but is not among its `participants`"))
        else:
            need_person(key_path, person_id, participant=True)
    return problems


def _recipient_people(data: Data) -> Iterator[tuple[KeyPath, str]]:
    """Person ids named by recipients, in the brief's distribution and its audiences'."""
    places: list[tuple[KeyPath, Any]] = [(("distribution",), data.get("distribution"))]
    places += [(("audiences", index, "distribution"), item.get("distribution"))
               for index, item in list_items(data, "audiences")]
    for at, distribution in places:
        for field_name in ("to", "cc", "bcc"):
            for index, item in list_items(as_mapping(distribution), field_name):
                if isinstance(item.get("person"), str):
                    yield (*at, field_name, index, "person"), item["person"]


def _dedupe(problems: list[Diagnostic]) -> list[Diagnostic]:
    seen, unique = set(), []
    for problem in problems:
        key = (problem.path, problem.line, problem.column, problem.message)
        if key not in seen:
            seen.add(key)
            unique.append(problem)
    return unique



def source_references(data: Data, model: type[BaseModel] = Brief) -> Iterator[SourceReference]:
    """Every source id the brief refers to, where, and for a `[@id]` citation in Markdown
    its offset in the text (so a bad one is reported at its own line and column). The fields
    that name sources are the model's own (`SourceIds`), wherever it puts them."""
    for key_path, source_id in source_ids(model, data):
        yield key_path, source_id, None
    for key_path, text in markdown_texts(model, data):
        for match in CITATION.finditer(text):
            yield key_path, match.group(1), match.start()


def _audiences_named_like_editions(doc: LoadedDocument, data: Data) -> list[Diagnostic]:
    """An audience's version is output/<id>.<audience>.*, an edition output/<id>.<lang>.*: an
    audience called like one of the brief's editions would take that edition's files."""
    editions = {str(tag).lower() for tag in data.get("editions") or [] if isinstance(tag, str)}
    return [doc.diagnostic(("audiences", index, "id"), f"`{item['id']}` is also one of this brief's "
                           "`editions`, whose files are output/<brief>.<lang>...: this audience's version "
                           "would take their place; choose another id (e.g. `press-office`)")
            for index, item in list_items(data, "audiences")
            if isinstance(item.get("id"), str) and item["id"].lower() in editions]
