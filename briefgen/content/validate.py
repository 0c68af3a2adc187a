"""Stage 2: check loaded data against the model and against itself.

Every problem is collected (model errors in plain English, cross-references,
raw HTML in Markdown, warnings a careful chief of staff would raise) and
reported together with its file, line and column.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import os
import re
import typing
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, BeforeValidator, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from briefgen.content.assets import asset_problems, markdown_texts
from briefgen.content.audiences import (
    ITEM_SECTIONS,
    Withheld,
    audience_brief,
    computed_marking,
    referenced_people,
    rules_for,
    with_computed_banner,
)
from briefgen.content.loader import KeyPath, LoadedDocument, format_key_path, load_yaml, one_line, value_at
from briefgen.content.markdown import CITATION, MAX_MARKDOWN_CHARS
from briefgen.content.markings import Marking, MarkingError, Rules, banner, may_see, parse
from briefgen.content.models import (
    DEFAULT_ANNEX,
    AgendaItem,
    Audience,
    Brief,
    Day,
    Decision,
    Deliverable,
    Markings,
    Participant,
    Person,
    Source,
    inner_model,
)
from briefgen.content.schedule import clash_problems, slots
from briefgen.content.sourcemap import ContentText
from briefgen.content.timezones import zone
from briefgen.errors import ContentError, Diagnostic

# Linear: no two neighbouring parts can match the same characters, so a failed match
# backtracks over each character once (`<` and 250,000 spaces took minutes before).
RAW_HTML = re.compile(r"<\s*(?:/\s*)?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?(?:/\s*)?>"
                      r"|<!--|<!\[CDATA\[|<![A-Za-z]")
PLACEHOLDER = re.compile(r"\b(TBD|TODO|TBC|FIXME|XXX)\b")
# `briefgen new` writes "FILL IN: what goes here" where text goes, and a valid value with a
# `# FILL IN: what goes here` comment where a date, a choice or an id goes. Either is a
# warning until replaced (an error where the text is not a valid value for its key).
FILL_IN = re.compile(r"\s*FILL IN\b:?\s*(.*)", re.DOTALL)
FILL_IN_COMMENT = re.compile(r"^[^#\"'\n]*\S[ \t]+#[ \t]*FILL IN\b:?[ \t]*(.*)$", re.MULTILINE)
STALE_AFTER_DAYS = 30
MAX_OBJECTIVES = 3
_DAY = TypeAdapter(Day)


@dataclass(frozen=True)
class ValidatedBrief:
    """A brief that passed every check, with the people it names."""

    brief_id: str
    path: Path
    display_path: str
    brief: Brief
    people: dict[str, Person]
    warnings: tuple[Diagnostic, ...]
    input_files: tuple[Path, ...]
    document: LoadedDocument
    audience: Audience | None = None       # set on an audience's version (see for_audience)
    withheld: Withheld = field(default_factory=Withheld)
    full_brief: Brief | None = None        # on an audience's version: the brief it was made from

    @property
    def output_id(self) -> str:
        """The outputs' file stem: `<id>` for the full brief, `<id>.<audience>` for a version."""
        return f"{self.brief_id}.{self.audience.id}" if self.audience else self.brief_id

    def for_audience(self, audience_id: str) -> ValidatedBrief:
        """This brief as one of its audiences may see it: a new validated brief from which
        every portion above the audience's ceiling is gone (content/audiences.py)."""
        audience = next((a for a in self.brief.audiences if a.id == audience_id), None)
        if audience is None:
            known = ", ".join(a.id for a in self.brief.audiences) or "none"
            raise KeyError(f"{self.display_path} has no audience `{audience_id}` (its audiences: {known})")
        brief, withheld = audience_brief(self.brief, audience, self.people)
        people = {pid: person for pid, person in self.people.items() if pid in referenced_people(brief)}
        return dataclasses.replace(self, brief=brief, people=people, audience=audience, withheld=withheld,
                                   full_brief=self.brief)

    def versions(self) -> list[ValidatedBrief]:
        """The full brief, then one version per audience."""
        return [self, *(self.for_audience(a.id) for a in self.brief.audiences)]

    def locate_text(self, needle: str) -> str:
        """Where in the content a piece of text comes from, as 'file:line:col (key.path)'."""
        return self.content_text().locate_text(needle)

    def locate_key(self, key_path: str) -> tuple[int, int]:
        """Line and column of a top-level key, as the PDF stage reports them."""
        return self.document.locate((key_path,), key=True) if key_path in (self.document.data or {}) \
            else (0, 0)

    def content_text(self) -> ContentText:
        """The brief's text with where each piece was written, for the PDF stage."""
        entries = []
        people_folder = Path(self.display_path).parent / "people"   # as PeopleRegistry finds them
        for key_path, value in _scalars(self.document.data, ()):
            line, column = self.document.locate(key_path)
            entries.append((value, f"{self.display_path}:{line}:{column} ({format_key_path(key_path)})"))
        for person_id, person in self.people.items():
            for name, value in person.model_dump(exclude_none=True).items():
                if isinstance(value, str):
                    entries.append((value, f"{people_folder / (person_id + '.yaml')} ({name})"))
        data = self.document.data if isinstance(self.document.data, dict) else {}
        keys = tuple((key, *self.document.locate((key,), key=True)) for key in data)
        annex = DEFAULT_ANNEX if self.brief.annex is None else self.brief.annex
        return ContentText(self.path, self.display_path, tuple(entries), keys,
                           tuple(section.value for section in annex), self.brief.annex is not None)


@dataclass
class PeopleRegistry:
    """Person files, each loaded and validated once however many briefs name it."""

    people_dir: Path
    display_root: Path | None = None
    _cache: dict[str, tuple[Person | None, list[Diagnostic], LoadedDocument | None]] = \
        field(default_factory=dict)

    def path_of(self, person_id: str) -> Path:
        return self.people_dir / f"{person_id}.yaml"

    def display(self, path: Path) -> str:
        if self.display_root:
            try:
                return str(path.relative_to(self.display_root))
            except ValueError:
                pass
        return str(path)

    def exists(self, person_id: str) -> bool:
        # lexists: a link or a pipe counts, so loading it reports what it is at its path
        return (re.fullmatch(r"[a-z0-9][a-z0-9-]*", person_id) is not None
                and os.path.lexists(self.path_of(person_id)))

    def get(self, person_id: str) -> tuple[Person | None, list[Diagnostic]]:
        """The person (None when their file is invalid) and the problems in their file."""
        person, problems, _ = self._entry(person_id)
        return person, problems

    def is_loaded(self, person_id: str) -> bool:
        """Whether a brief has already needed this person (so their problems were reported)."""
        return person_id in self._cache

    def document(self, person_id: str) -> LoadedDocument | None:
        """The person's file as loaded (None when it could not be read as YAML)."""
        return self._entry(person_id)[2]

    def _entry(self, person_id: str):
        if person_id not in self._cache:
            self._cache[person_id] = self._load(person_id)
        return self._cache[person_id]

    def _load(self, person_id: str):
        path = self.path_of(person_id)
        try:
            doc = load_yaml(path, self.display(path))
        except ContentError as exc:
            return None, exc.diagnostics, None
        person, problems = validate_model(Person, doc)
        problems = file_name_problems(doc) + _without_placeholder_noise(problems, doc)
        problems += _check_markdown(doc, Person) + _text_warnings(doc) + _script_warnings(doc, person)
        return person, [one_line(p) for p in doc.diagnostics + problems], doc


_FILE_ID = re.compile(r"[a-z0-9][a-z0-9-]{0,63}")


def file_name_problems(doc: LoadedDocument) -> list[Diagnostic]:
    """A content file's name is its id (a brief's, a person's, a book's), printed in terminals,
    logs, Markdown summaries and output names: it is held to the rules of an id, so no line
    break, bidi override, zero-width or other character can hide in it."""
    stem = doc.path.name.removesuffix(".yaml")
    if _FILE_ID.fullmatch(stem):
        return []
    return [Diagnostic(doc.display_path, 0, 0, "error", "the file name is not a valid id, which a file "
                       "name is: use lower-case letters, digits and hyphens, starting "
                       "with a letter or digit, at most 64 (e.g. `camp-david-2023.yaml`); rename the file")]


def validate_brief(path: Path, people: PeopleRegistry, *, display_path: str | None = None) -> ValidatedBrief:
    """Load and check one brief. Raises ContentError with every problem (and warning) found."""
    return validate_document(load_yaml(path, display_path), people)


def validate_document(doc: LoadedDocument, people: PeopleRegistry) -> ValidatedBrief:
    """Check one brief already loaded (from its file, or as it would be after an edit)."""
    path = doc.path
    brief, model_problems = validate_model(Brief, doc)
    people_found, reference_problems = _check_references(doc, people)
    problems = [one_line(p) for p in (
        *file_name_problems(doc), *doc.diagnostics,
        *_without_placeholder_noise([*model_problems, *reference_problems], doc),
        *_check_markdown(doc, Brief), *_agenda_clashes(doc), *_warnings(doc))]
    person_files = [d for d in map(people.document, sorted(people_found)) if d is not None]
    problems += asset_problems(doc, person_files)  # images, links, Markdown limits
    problems += _check_markings(doc, brief, people)
    errors = [p for p in problems if p.is_error]
    if errors or brief is None:
        raise ContentError(problems)
    brief = with_computed_banner(brief)
    inputs = (path, *(people.path_of(pid) for pid in sorted(people_found)))
    return ValidatedBrief(path.stem, path, doc.display_path, brief, people_found,
                          tuple(sorted(p for p in problems if not p.is_error)), inputs, doc)


def _placeholders(doc: LoadedDocument) -> list[tuple[KeyPath, str]]:
    """(key path, what to write) of each placeholder: "FILL IN: ..." text, and values
    marked with a `# FILL IN: ...` comment on their line."""
    found = []
    for key_path, text in _scalars(doc.data, ()):
        match = FILL_IN.fullmatch(text)
        if match:
            found.append((key_path, match.group(1).strip() or "a value"))
    value_on_line: dict[int, KeyPath] = {}
    for key_path, (line, _) in doc.key_positions.items():   # the innermost key on the line
        if len(key_path) > len(value_on_line.get(line, ())):
            value_on_line[line] = key_path
    for match in FILL_IN_COMMENT.finditer(doc.text):
        line = doc.text.count("\n", 0, match.start()) + 1
        if line in value_on_line:
            what = match.group(1).strip() or "a value"
            found.append((value_on_line[line], f"{what}, then delete its `# FILL IN` comment"))
    return found


def _without_placeholder_noise(problems: list[Diagnostic], doc: LoadedDocument) -> list[Diagnostic]:
    """One problem per unfilled placeholder, instead of also 'not a valid id', 'not a date'...:
    a warning where the placeholder is a valid value (the brief builds, marked), an error where
    it is not (text where a date or an id goes)."""
    placeholders = _placeholders(doc)
    paths = [format_key_path(key_path) for key_path, _ in placeholders]

    def about(problem: Diagnostic, path: str) -> bool:
        return problem.path == doc.display_path and (
            problem.key_path == path or problem.key_path.startswith((f"{path}.", f"{path}[")))

    kept = [p for p in problems if not any(about(p, path) for path in paths)]
    return kept + [dataclasses.replace(doc.diagnostic(
        key_path, f"placeholder not filled in: write {what}",
        severity="error" if any(about(p, path) for p in problems) else "warning"), kind="placeholder")
        for (key_path, what), path in zip(placeholders, paths, strict=True)]


def placeholder_warnings(warnings: typing.Iterable[Diagnostic]) -> list[Diagnostic]:
    """The placeholders `briefgen new` left, among a brief's warnings."""
    return [w for w in warnings if w.kind == "placeholder"]


# --- the model, with pydantic's messages rewritten for people ---------------------------

def validate_model(model: type[BaseModel], doc: LoadedDocument):
    """Validate plain data against a model; returns (instance or None, diagnostics)."""
    if not isinstance(doc.data, dict):
        return None, [doc.diagnostic((), f"expected the keys of a {model.__name__.lower()} "
                                     "(`key: value` lines) at the top of the file")]
    try:
        return model.model_validate(doc.data), []
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    explained = [(error, _explain(error, model, doc)) for error in errors]
    misspelt = {(*tuple(error["loc"])[:-1], _suggestion(d.message)) for error, d in explained
                if error["type"] == "extra_forbidden" and _suggestion(d.message)}
    colon_items = {item for error in errors if (item := _colon_item(tuple(error["loc"]), doc.data, model))}
    # "unknown key `sumary`; did you mean `summary`?" already says `summary` is missing, and
    # "this item became a key and a value" explains every error inside that item.
    return None, [d for error, d in explained
                  if not (error["type"] == "missing" and tuple(error["loc"]) in misspelt)
                  and not any(tuple(error["loc"])[:len(item)] == item for item in colon_items)
                  ] + [_colon_item_diagnostic(item, doc) for item in sorted(colon_items, key=str)]


def _colon_item(loc: tuple, data: Any, model: type[BaseModel]) -> tuple | None:
    """The list item an error is in, when that item is text that YAML read as a mapping
    because of a ': ' in it (`- Note: restored channels`), in a list that holds text."""
    for end in range(len(loc), 0, -1):
        item_loc = loc[:end]
        if not isinstance(item_loc[-1], int):
            continue
        item = value_at(data, item_loc)
        if not (isinstance(item, dict) and len(item) == 1):
            continue
        key, value = next(iter(item.items()))
        item_model = inner_model(_field_annotation(model, item_loc[:-1]))
        known = item_model.model_fields if item_model else {}
        if isinstance(value, str) and key not in known and _holds_text(model, item_loc[:-1]):
            return item_loc
    return None


def _colon_item_diagnostic(item_loc: tuple, doc: LoadedDocument) -> Diagnostic:
    [(key, value)] = value_at(doc.data, item_loc).items()
    text = f"{key}: {value}"
    quoted = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return doc.diagnostic(item_loc, f"{_describe_item(item_loc)} became a key and a value (`{key}` "
                          f"and `{value}`) because of the ': ' after `{key}`; to keep it as text, "
                          f"put it in quotes: - {quoted}")


def _field_annotation(model: type[BaseModel], loc: tuple) -> Any:
    """The type annotation of the field at `loc` (list indexes skipped), or None."""
    current: Any = model
    annotation = None
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return None
        annotation = fields[part].annotation
        current = inner_model(annotation)
    return annotation


def _holds_text(model: type[BaseModel], list_loc: tuple) -> bool:
    """Whether the list at `list_loc` takes text items: plain values (ids), or a model that may
    be written as text (a key message, a recipient)."""
    annotation = _field_annotation(model, list_loc)
    if typing.get_origin(annotation) is not list:
        return False
    [item] = typing.get_args(annotation)
    return inner_model(item) is None or any(isinstance(m, BeforeValidator)
                                            for m in getattr(item, "__metadata__", ()))


def _suggestion(message: str) -> str | None:
    match = re.search(r"did you mean `([^`]+)`\?$", message)
    return match.group(1) if match else None


def _explain(error: ErrorDetails, model: type[BaseModel], doc: LoadedDocument) -> Diagnostic:
    loc = tuple(error["loc"])
    kind = error["type"]
    name = f"`{loc[-1]}`" if loc and isinstance(loc[-1], str) else _describe_item(loc)
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        known = _field_names(model, loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
        hint = f"; did you mean `{close[0]}`?" if close else f"; the keys allowed here are {_join(known)}"
        return doc.diagnostic(loc, f"unknown key `{loc[-1]}`{hint}", at_key=True)
    if kind == "missing":
        line, column = doc.locate(loc[:-1])
        return Diagnostic(doc.display_path, line, column, "error", f"{name} is required but missing",
                          format_key_path(loc))
    if value is None:
        advice = "write one or remove the line" if loc and isinstance(loc[-1], int) else "write one"
        return doc.diagnostic(loc, f"{name} has no value; {advice}")
    if kind in ("literal_error", "enum"):
        choices = _choices(ctx.get("expected", ""))
        return doc.diagnostic(loc, f"{name} must be one of {choices}; got {_kind_of(value)}"
                              f"{_choice_hint(value, choices.split(', '))}")
    if kind.startswith("date"):
        return doc.diagnostic(loc, _date_message(name, value, error["msg"]))
    if kind == "value_error":
        message = str(ctx.get("error", error["msg"])).removeprefix("Value error, ")
        if message.startswith(("is ", "must ", "needs ")):
            message = f"{name} {message}"
        elif loc and not message.startswith("'"):
            message = f"{name}: {message}"
        return doc.diagnostic(loc, message)
    if kind == "string_type":
        return doc.diagnostic(loc, f"{name} must be text, not {_kind_of(value)}")
    if kind == "list_type":
        return doc.diagnostic(loc, f"{name} must be a list (lines starting with '- '), not {_kind_of(value)}")
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return doc.diagnostic(loc, f"{name} must be a group of `key: value` lines, not {_kind_of(value)}")
    if kind == "too_short":
        return doc.diagnostic(loc, f"{name} needs at least {ctx.get('min_length', 1)} entry")
    return doc.diagnostic(loc, f"{name}: {error['msg']}")


def _choice_hint(value: Any, choices: list[str]) -> str:
    """'; did you mean `announced`?' for 'Announced' (choices are lower case) or 'anounced'."""
    if not isinstance(value, str):
        return ""
    same = [choice for choice in choices if choice.lower() == value.strip().lower()]
    close = same or difflib.get_close_matches(value.strip().lower(), choices, n=1, cutoff=0.75)
    return f"; did you mean `{close[0]}`?" if close else ""


def _describe_item(loc: tuple) -> str:
    if len(loc) >= 2 and isinstance(loc[-1], int):
        return f"item {loc[-1] + 1} of `{loc[-2]}`"
    return "this file" if not loc else f"`{format_key_path(loc)}`"


def _date_message(name: str, value: Any, raw: str) -> str:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return f"{name} is not a real date: {value} ({raw.split(', ')[-1]})"
    return f"{name} must be a date written YYYY-MM-DD, e.g. 2023-08-18; got '{value}'"


def _choices(expected: str) -> str:
    return ", ".join(re.findall(r"'([^']*)'", expected)) or expected


def _join(names: list[str]) -> str:
    return ", ".join(f"`{n}`" for n in names)


def _kind_of(value: Any) -> str:
    if isinstance(value, dict):
        return "a group of keys"
    if isinstance(value, list):
        return "a list"
    text = str(value)
    return f"'{text[:60]}...'" if len(text) > 60 else f"'{text}'"


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model of the item at `loc` (the model itself when `loc` names no field)."""
    current: Any = model
    if any(not isinstance(part, int) for part in loc):
        annotation = _field_annotation(model, loc)
        current = inner_model(annotation) if annotation is not None else None
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def _field_names(model: type[BaseModel], loc: tuple) -> list[str]:
    target = _model_at(model, loc)
    return list(target.model_fields) if target else []


# --- walking the data beside the model ---------------------------------------------------

def _scalars(data: Any, key_path: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _scalars(value, (*key_path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _scalars(value, (*key_path, index))
    elif isinstance(data, str):
        yield key_path, data


def _check_markdown(doc: LoadedDocument, model: type[BaseModel]) -> list[Diagnostic]:
    problems = []
    for key_path, text in markdown_texts(model, doc.data):
        if len(text) > MAX_MARKDOWN_CHARS:
            continue  # refused for its length (assets.asset_problems), and never scanned
        match = RAW_HTML.search(text)
        if match:
            snippet = match.group(0)[:40]
            problems.append(doc.diagnostic(key_path, f"raw HTML is not allowed in Markdown text "
                                           f"(found `{snippet}`); write it in Markdown",
                                           offset=match.start()))
    return problems


# --- cross-references ---------------------------------------------------------------------

def _items(data: Any, key: str) -> list[tuple[int, dict]]:
    value = data.get(key) if isinstance(data, dict) else None
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)] if isinstance(value, list) else []


def _ids_in(data: dict, key: str) -> list[tuple[int, str]]:
    value = data.get(key)
    return [(i, v) for i, v in enumerate(value) if isinstance(v, str)] if isinstance(value, list) else []


def _check_references(doc: LoadedDocument, people: PeopleRegistry) -> tuple[dict[str, Person], list[Diagnostic]]:
    data = doc.data if isinstance(doc.data, dict) else {}
    problems: list[Diagnostic] = []
    found: dict[str, Person] = {}
    missing: dict[str, list[KeyPath]] = {}     # person id -> where the brief names them

    def unique(section: str, key: str) -> set[str]:
        seen: dict[str, int] = {}
        for index, item in _items(data, section):
            value = item.get(key)
            if not isinstance(value, str):
                continue
            if value in seen:
                problems.append(doc.diagnostic((section, index, key), f"`{value}` is listed twice in "
                                               f"`{section}` (first as item {seen[value] + 1})"))
            else:
                seen[value] = index
        return set(seen)

    participant_ids = unique("participants", "person") | {v for _, v in _ids_in(data, "participants")}
    participants_listed = isinstance(data.get("participants"), list)
    source_ids = unique("sources", "id")
    unique("deliverables", "id")

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

    for index, item in _items(data, "participants"):
        if isinstance(item.get("person"), str):
            need_person(("participants", index, "person"), item["person"])
    event = _mapping(data.get("event"))
    if isinstance(event.get("host"), str):
        need_person(("event", "host"), event["host"], participant=True)
    for section, key, participant in (("agenda", "participants", True), ("deliverables", "owners", False)):
        for index, item in _items(data, section):
            for j, person_id in _ids_in(item, key):
                need_person((section, index, key, j), person_id, participant=participant)
    for index, item in _items(data, "quotes"):
        if isinstance(item.get("by"), str):
            need_person(("quotes", index, "by"), item["by"])
    for index, item in _items(data, "points"):
        if isinstance(item.get("to"), str):
            need_person(("points", index, "to"), item["to"], participant=True)
    for index, item in _items(data, "agenda"):
        problems.extend(_agenda_roles(doc, index, item, need_person))
    for index, item in _items(data, "decisions"):
        if "due_reason" in item and "due" not in item:
            problems.append(doc.diagnostic(("decisions", index, "due_reason"), "`due_reason` "
                                           "needs a `due` date beside it; add the date or remove "
                                           "the reason"))
    for key_path, source_id, offset in _source_references(data):
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


def _agenda_roles(doc: LoadedDocument, index: int, item: dict, need_person) -> list[Diagnostic]:
    """The lead and the speakers of an agenda item are participants of the brief and, where
    the item lists its own participants, of the item."""
    problems = []
    in_item = {v for _, v in _ids_in(item, "participants")}
    named: list[tuple[KeyPath, str]] = (
        [(("agenda", index, "lead"), item["lead"])] if isinstance(item.get("lead"), str) else [])
    named += [(("agenda", index, "speaking_order", j), v) for j, v in _ids_in(item, "speaking_order")]
    for key_path, person_id in named:
        role = "leads" if key_path[-1] == "lead" else "speaks in"
        if in_item and person_id not in in_item:
            problems.append(doc.diagnostic(key_path, f"`{person_id}` {role} agenda item {index + 1} "
                                           "but is not among its `participants`"))
        else:
            need_person(key_path, person_id, participant=True)
    return problems


def _recipient_people(data: dict) -> Iterator[tuple[KeyPath, str]]:
    """Person ids named by recipients, in the brief's distribution and its audiences'."""
    places: list[tuple[KeyPath, Any]] = [(("distribution",), data.get("distribution"))]
    places += [(("audiences", index, "distribution"), item.get("distribution"))
               for index, item in _items(data, "audiences")]
    for at, distribution in places:
        for field_name in ("to", "cc", "bcc"):
            for index, item in _items(_mapping(distribution), field_name):
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


# --- warnings -----------------------------------------------------------------------------

# The scripts that tell the CJK languages apart, by the start of a character's Unicode name.
_SCRIPT_NAMES = {"HANGUL": "Hangul", "HIRAGANA": "kana", "KATAKANA": "kana", "CJK UNIFIED": "Han",
                 "CJK COMPATIBILITY IDEOGRAPH": "Han"}
# What a name in each language may be written in; Korean names may use Han (hanja).
_LANG_SCRIPTS = {"ja": {"Han", "kana"}, "ko": {"Hangul", "Han"}, "zh": {"Han"}}
_LANG_FOR_SCRIPT = {"Hangul": "ko", "kana": "ja", "Han": "zh-Hans, zh-Hant or ja"}


def _cjk_scripts(text: str) -> set[str]:
    import unicodedata
    found = set()
    for char in text:
        name = unicodedata.name(char, "")
        found |= {script for prefix, script in _SCRIPT_NAMES.items() if name.startswith(prefix)}
    return found


def _script_warnings(doc: LoadedDocument, person: Person | None) -> list[Diagnostic]:
    """A native name whose script does not match its `lang` is drawn with the wrong
    language's glyphs (or a font that lacks them): Hangul marked `ja`, kana marked `zh`,
    or CJK with no `lang` at all."""
    if person is None or not person.native_name:
        return []
    scripts = _cjk_scripts(person.native_name)
    if not scripts:
        return []
    language = (person.lang or "").split("-")[0]
    allowed = _LANG_SCRIPTS.get(language)
    if allowed is not None and scripts <= allowed:
        return []
    wrong = sorted(scripts - (allowed or set())) or sorted(scripts)
    suggestion = _LANG_FOR_SCRIPT["kana" if "kana" in scripts else
                                  "Hangul" if "Hangul" in scripts else "Han"]
    has = f"`lang` is `{person.lang}`" if person.lang else "it has no `lang`"
    return [doc.diagnostic(("native_name",), f"`native_name` is written in {' and '.join(wrong)} but "
                           f"{has}; set `lang` to the name's language ({suggestion}) so it is drawn "
                           "with that language's glyphs", severity="warning")]


def _warnings(doc: LoadedDocument) -> list[Diagnostic]:
    """What a careful chief of staff would flag. Each check looks only at the parts that are
    valid on their own, so warnings appear beside errors elsewhere in the same run."""
    data = doc.data if isinstance(doc.data, dict) else {}

    def warn(key_path: KeyPath, message: str) -> Diagnostic:
        return doc.diagnostic(key_path, message, severity="warning")

    found = _text_warnings(doc)
    for index, item in _valid(Deliverable, data, "deliverables"):
        if not item.sources:
            found.append(warn(("deliverables", index), f"deliverable `{item.id}` has no source"))
        if not item.owners:
            found.append(warn(("deliverables", index), f"deliverable `{item.id}` has no owner"))
    for index, participant in _valid(Participant, data, "participants"):
        if participant.role is None:
            found.append(warn(("participants", index), f"participant `{participant.person}` has no role"))
    event = _mapping(data.get("event"))
    event_day = _day(event.get("date")) or _day(event.get("start"))
    found += _agenda_order(_valid(AgendaItem, data, "agenda"), event_day, warn)
    found += _as_of_warnings(_day(data.get("as_of")), event_day, _day(event.get("end")) or event_day, warn)
    found += _decision_warnings(_valid(Decision, data, "decisions"), _day(data.get("as_of")), warn)
    objectives = data.get("objectives")
    if isinstance(objectives, list) and len(objectives) > MAX_OBJECTIVES:
        found.append(warn(("objectives", MAX_OBJECTIVES), f"{len(objectives)} objectives: a "
                          "brief gives one to three; keep the ones that matter most"))
    cited = {source for _, source in _cited_sources(data)}
    for index, source in _valid(Source, data, "sources"):
        if source.id not in cited:
            found.append(warn(("sources", index), f"source `{source.id}` is never cited"))
    return found


def _text_warnings(doc: LoadedDocument) -> list[Diagnostic]:
    found = []
    for key_path, text in _scalars(doc.data, ()):
        match = PLACEHOLDER.search(text)
        if match:
            found.append(doc.diagnostic(key_path, f"'{match.group(1)}' left in the text",
                                        severity="warning", offset=match.start()))
    return found


def _valid(model: type[BaseModel], data: dict, section: str) -> list[tuple[int, Any]]:
    """The items of a list section that are valid on their own, with their index."""
    valid = []
    for index, item in _items(data, section):
        try:
            valid.append((index, model.model_validate(item)))
        except ValidationError:
            continue
    return valid


def _day(value: Any) -> dt.date | None:
    try:
        return _DAY.validate_python(value)
    except ValidationError:
        return None


def _mapping(value: Any) -> dict:
    """`value` when it is a mapping, else an empty one (the model reports the wrong shape)."""
    return value if isinstance(value, dict) else {}


def _cited_sources(data: dict) -> Iterator[tuple[KeyPath, str]]:
    """Every source id the brief refers to, with where it is referred to."""
    for key_path, source_id, _ in _source_references(data):
        yield key_path, source_id


def _source_references(data: dict) -> Iterator[tuple[KeyPath, str, int | None]]:
    """Every source id the brief refers to, where, and for a `[@id]` citation in Markdown
    its offset in the text (so a bad one is reported at its own line and column)."""
    event = _mapping(data.get("event"))
    for index, source_id in _ids_in(event, "sources"):
        yield ("event", "sources", index), source_id, None
    for section in ("agenda", "deliverables", "objectives", "decisions", "points", "if_raised",
                    "key_messages", "sensitivities"):
        for index, item in _items(data, section):
            for j, source_id in _ids_in(item, "sources"):
                yield (section, index, "sources", j), source_id, None
    press_line: dict = data["press_line"] if isinstance(data.get("press_line"), dict) else {}
    for index, source_id in _ids_in(press_line, "sources"):
        yield ("press_line", "sources", index), source_id, None
    for index, item in _items(data, "quotes"):
        if isinstance(item.get("source"), str):
            yield ("quotes", index, "source"), item["source"], None
    for key_path, text in markdown_texts(Brief, data):
        for match in CITATION.finditer(text):
            yield key_path, match.group(1), match.start()


def _as_of_warnings(as_of: dt.date | None, first_day: dt.date | None, last_day: dt.date | None,
                    warn) -> list[Diagnostic]:
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
                       warn) -> list[Diagnostic]:
    found = []
    for index, decision in decisions:
        if decision.due and as_of and decision.due < as_of:
            found.append(warn(("decisions", index, "due"), f"decision {index + 1} was due on "
                              f"{decision.due}, before `as_of` ({as_of}); is the date right?"))
        if decision.due and not decision.due_reason:
            found.append(warn(("decisions", index, "due"), f"decision {index + 1} has a due date "
                              "but no `due_reason`; say why it is needed by then"))
    return found


def _agenda_clashes(doc: LoadedDocument) -> list[Diagnostic]:
    """Errors: a duration that runs into the next item, items that overlap (schedule.py)."""
    data: dict = doc.data if isinstance(doc.data, dict) else {}
    event: dict = data["event"] if isinstance(data.get("event"), dict) else {}
    event_day = _day(event.get("date")) or _day(event.get("start"))
    event_zone = event.get("timezone") if isinstance(event.get("timezone"), str) else None
    timeline = slots(_valid(AgendaItem, data, "agenda"), event_day,
                     event_zone if event_zone and zone(event_zone) else None)
    return clash_problems(timeline, lambda key_path, message: doc.diagnostic(key_path, message))


def _agenda_order(items: list[tuple[int, AgendaItem]], event_day: dt.date | None, warn) -> list[Diagnostic]:
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


# --- markings and audiences ---------------------------------------------------------------

def _check_markings(doc: LoadedDocument, brief: Brief | None, people: PeopleRegistry) -> list[Diagnostic]:
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


def _written_markings(data: dict) -> Iterator[tuple[KeyPath, str]]:
    """(key path, text) of every marking written in a brief's raw data."""
    markings = _mapping(data.get("markings"))
    if isinstance(markings.get("default"), str):
        yield ("markings", "default"), markings["default"]
    for section in (*ITEM_SECTIONS, "participants"):
        for index, item in _items(data, section):
            if isinstance(item.get("marking"), str):
                yield (section, index, "marking"), item["marking"]
    for index, item in _items(data, "audiences"):
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


def _clearances(doc: LoadedDocument, at: KeyPath, distribution, rules: Rules, marking: Marking,
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
