"""What changed between two versions of a brief, in the brief's own terms.

Compares two validated briefs (the content model, not YAML lines): a deliverable whose
status moved, a participant added, a message reworded (word by word), an agenda item
moved, a person's bio edited (naming the person's file). Items of a list are matched by
their id where they have one (deliverables, sources, participants), else by their text;
what is left is paired by similarity, so a reworded message is one change rather than a
removal and an addition.
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from enum import Enum
from pathlib import PurePosixPath
from typing import Any, Literal

from pydantic import BaseModel

from briefgen.content.fields import is_markdown_field
from briefgen.content.models import Brief, Person
from briefgen.errors import Diagnostic

Action = Literal["added", "removed", "moved", "changed"]
WordOp = Literal["same", "removed", "added"]
SIMILAR_ENOUGH = 0.5          # two unmatched items this similar are one item, changed
LABEL_WORDS = 8


DISTRIBUTION = "Distribution (not printed)"   # who gets the brief: for reviewers, not readers


@dataclass(frozen=True)
class Change:
    """One difference: in a section, to an item (or the brief itself), maybe to one field."""

    section: str                  # "Deliverables", "Participants", "Event", "People", ...
    action: Action
    item: str                     # what the reader calls it: "Three-way hotline"
    field: str = ""               # "status", "summary", ... ("" for the whole item)
    before: str = ""
    after: str = ""
    words: tuple[tuple[WordOp, str], ...] = ()   # for reworded text
    origin: str = ""              # the file it comes from, when not the brief's own
    position: tuple[int, int] = (0, 0)            # for a move: place before and after (1-based)
    index: int = -1               # in a list: the item's index now (before, when removed)

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"section": self.section, "action": self.action, "item": self.item}
        for name in ("field", "before", "after", "origin"):
            if getattr(self, name):
                data[name] = getattr(self, name)
        if self.words:
            data["words"] = [{"op": op, "text": text} for op, text in self.words]
        if self.action == "moved":
            data["position"] = list(self.position)
        return data


@dataclass(frozen=True)
class Side:
    """One version of a brief: its model, the people it names, and where their files are."""

    brief: Brief
    people: dict[str, Person]
    people_folder: str = "content/people"

    def name(self, person_id: str) -> str:
        person = self.people.get(person_id)
        return person.name if person else person_id


def compare(before: Side, after: Side) -> list[Change]:
    """Every change from `before` to `after`, in the order of the page."""
    b, a = before.brief, after.brief
    changes = _fields("Brief", "the brief", b, a, ("title", "subtitle", "classification",
                                                    "prepared_by", "as_of", "paper"))
    changes += _fields("Brief", "the brief", b, a, ("home_timezone",))
    changes += _text_field("Bottom line", "bottom line", b.bottom_line, a.bottom_line)
    changes += _fields("Event", "the event", b.event, a.event, None)
    changes += _items("Objectives", b.objectives, a.objectives, key=lambda o: o.text,
                      label=lambda o, side: _first_words(o.text), sides=(before, after))
    changes += _items("Decisions", b.decisions, a.decisions, key=lambda d: d.issue,
                      label=lambda d, side: _first_words(d.issue), sides=(before, after))
    changes += _items("Participants", b.participants, a.participants, key=lambda p: p.person,
                      label=lambda p, side: side.name(p.person), sides=(before, after))
    changes += _items("Deliverables", b.deliverables, a.deliverables, key=lambda d: d.id,
                      label=lambda d, side: d.title, sides=(before, after))
    changes += _items("Key messages", b.key_messages, a.key_messages, key=lambda m: m.text,
                      label=lambda m, side: _first_words(m.text), sides=(before, after))
    changes += _items("Points to make", b.points, a.points, key=lambda p: p.text,
                      label=lambda p, side: _first_words(p.text), sides=(before, after))
    changes += _items("If raised", b.if_raised, a.if_raised, key=lambda i: i.question,
                      label=lambda i, side: _first_words(i.question), sides=(before, after))
    changes += _press_line(b, a)
    changes += _items("Sensitivities", b.sensitivities, a.sensitivities, key=lambda s: s.topic,
                      label=lambda s, side: s.topic, sides=(before, after))
    changes += _text_field("Background", "background", _background_text(b), _background_text(a))
    changes += _items("Agenda", b.agenda, a.agenda, key=lambda i: i.title,
                      label=lambda i, side: i.title, sides=(before, after))
    changes += _items("Quotes", b.quotes, a.quotes, key=lambda q: q.text,
                      label=lambda q, side: f"{side.name(q.by)}: {_first_words(q.text)}",
                      sides=(before, after))
    changes += _items("Sources", b.sources, a.sources, key=lambda s: s.id,
                      label=lambda s, side: s.title, sides=(before, after))
    changes += _distribution(b, a)
    changes += _people(before, after)
    return changes


def _background_text(brief: Brief) -> str | None:
    """The background as one text, its paragraphs apart by blank lines."""
    return "\n\n".join(p.text for p in brief.background) if brief.background else None


def _press_line(before: Brief, after: Brief) -> list[Change]:
    """The press line, one item: added, removed, or its lines reworded."""
    old, new = before.press_line, after.press_line
    if old is not None and new is not None:
        return _fields("Press line", "the press line", old, new, None)
    if new is not None:
        return [Change("Press line", "added", "the press line", after=_display(new))]
    if old is not None:
        return [Change("Press line", "removed", "the press line", before=_display(old))]
    return []


# --- lists of items -------------------------------------------------------------------------

def _items(section: str, before: Sequence[BaseModel], after: Sequence[BaseModel], *,
           key: Callable[[Any], str], label: Callable[[Any, Side], str],
           sides: tuple[Side, Side]) -> list[Change]:
    pairs = _match(before, after, key)
    changes: list[Change] = []
    matched_after = {j for _, j in pairs}
    for i, j in sorted(pairs, key=lambda pair: pair[1]):
        changes += [replace(c, index=j) for c in
                    _fields(section, label(after[j], sides[1]), before[i], after[j], None)]
    changes += _moves(section, pairs, lambda j: label(after[j], sides[1]))
    matched_before = {i for i, _ in pairs}
    changes += [Change(section, "removed", label(item, sides[0]), before=_display(item), index=i)
                for i, item in enumerate(before) if i not in matched_before]
    changes += [Change(section, "added", label(item, sides[1]), after=_display(item),
                       position=(0, j + 1), index=j)
                for j, item in enumerate(after) if j not in matched_after]
    return changes


def _match(before: Sequence[BaseModel], after: Sequence[BaseModel],
           key: Callable[[Any], str]) -> list[tuple[int, int]]:
    """Pairs (index before, index after) of the same item: same key first, then the most
    similar of what is left, when similar enough."""
    by_key: dict[str, list[int]] = {}
    for i, item in enumerate(before):
        by_key.setdefault(key(item), []).append(i)
    pairs, left_after = [], []
    for j, item in enumerate(after):
        candidates = by_key.get(key(item))
        if candidates:
            pairs.append((candidates.pop(0), j))
        else:
            left_after.append(j)
    used = {i for i, _ in pairs}
    left_before = [i for i in range(len(before)) if i not in used]
    scored = sorted(((_similarity(_summary(before[i]), _summary(after[j])), i, j)
                     for i in left_before for j in left_after), reverse=True)
    taken_before: set[int] = set()
    taken_after: set[int] = set()
    for score, i, j in scored:
        if score < SIMILAR_ENOUGH:
            break
        if i not in taken_before and j not in taken_after:
            pairs.append((i, j))
            taken_before.add(i)
            taken_after.add(j)
    return pairs


def _moves(section: str, pairs: list[tuple[int, int]], label: Callable[[int], str]) -> list[Change]:
    """Items whose place among the items on both sides changed (the fewest that explain it)."""
    in_before = [j for _, j in sorted(pairs)]
    in_after = sorted(in_before)
    kept = set()
    matcher = difflib.SequenceMatcher(None, in_before, in_after, autojunk=False)
    for block in matcher.get_matching_blocks():
        kept.update(in_before[block.a:block.a + block.size])
    before_place = {j: i for i, j in pairs}
    return [Change(section, "moved", label(j), position=(before_place[j] + 1, j + 1), index=j)
            for j in in_after if j not in kept]


# --- fields ---------------------------------------------------------------------------------

def _fields(section: str, item: str, before: BaseModel, after: BaseModel,
            names: Sequence[str] | None) -> list[Change]:
    """Changes to the plain fields of one item (lists of ids and text included)."""
    model = type(after)
    changes: list[Change] = []
    for name in names or model.model_fields:
        old, new = getattr(before, name), getattr(after, name)
        if isinstance(new, BaseModel) or (isinstance(new, list) and new and isinstance(new[0], BaseModel)):
            continue             # a nested model is compared on its own
        if old == new:
            continue
        if is_markdown_field(model, name):
            changes += _text_field(section, name, old, new, item=item)
        else:
            changes.append(Change(section, "changed", item, name, _plain(old), _plain(new)))
    return changes


def _text_field(section: str, name: str, before: str | None, after: str | None, *,
                item: str = "", origin: str = "") -> list[Change]:
    if (before or "").split() == (after or "").split():
        return []
    return [Change(section, "changed", item or name, name if item else "", before or "", after or "",
                   word_diff(before or "", after or ""), origin)]


def word_diff(before: str, after: str) -> tuple[tuple[WordOp, str], ...]:
    """The two texts word by word: runs of words kept, removed and added."""
    old, new = before.split(), after.split()
    runs: list[tuple[WordOp, str]] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            runs.append(("same", " ".join(old[i1:i2])))
            continue
        if i2 > i1:
            runs.append(("removed", " ".join(old[i1:i2])))
        if j2 > j1:
            runs.append(("added", " ".join(new[j1:j2])))
    return tuple(runs)


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return ", ".join(_plain(v) for v in value)
    return str(value)


def _summary(item: BaseModel) -> str:
    """An item's text in one line, to compare and to show when it is added or removed."""
    return " · ".join(_plain(value) for value in item.model_dump(exclude_none=True,
                                                                  exclude_defaults=True).values()
                      if not isinstance(value, (dict, list)) or value)


def _display(item: BaseModel, limit: int = 30) -> str:
    """An added or removed item in one short line, without what its label already says."""
    shown = {name: value for name, value in item.model_dump(exclude_none=True, exclude_defaults=True).items()
             if name not in ("id", "person", "title", "topic")}
    words = " · ".join(_plain(value) for value in shown.values()
                       if not isinstance(value, (dict, list)) or value).split()
    return " ".join(words[:limit]) + (" …" if len(words) > limit else "")


def _similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio()


def _first_words(text: str) -> str:
    words = text.split()
    return " ".join(words[:LABEL_WORDS]) + (" …" if len(words) > LABEL_WORDS else "")


# --- what is not on the page, and what comes from other files ---------------------------------

def _distribution(before: Brief, after: Brief) -> list[Change]:
    def addresses(brief: Brief) -> list[str]:
        d = brief.distribution
        return [f"{name}: {r.address}" for name in ("to", "cc", "bcc") for r in getattr(d, name)] if d else []
    old, new = addresses(before), addresses(after)
    return ([Change(DISTRIBUTION, "removed", a) for a in old if a not in new]
            + [Change(DISTRIBUTION, "added", a) for a in new if a not in old])


def _people(before: Side, after: Side) -> list[Change]:
    """Edits to the files of people both versions name, each naming the person's file."""
    changes: list[Change] = []
    for person_id in sorted(before.people.keys() & after.people.keys()):
        old, new = before.people[person_id], after.people[person_id]
        if old == new:
            continue
        origin = str(PurePosixPath(after.people_folder) / f"{person_id}.yaml")
        for name in Person.model_fields:
            old_value, new_value = getattr(old, name), getattr(new, name)
            if old_value == new_value:
                continue
            if is_markdown_field(Person, name):
                changes += _text_field("People", name, old_value, new_value, item=new.name, origin=origin)
            else:
                changes.append(Change("People", "changed", new.name, name, _plain(old_value),
                                      _plain(new_value), origin=origin))
    return changes


BriefState = Literal["changed", "unchanged", "added", "deleted", "renamed"]


@dataclass
class BriefDiff:
    """What happened to one brief between two versions of a project."""

    brief_id: str
    path: str                                   # where it is now (where it was, if deleted)
    state: BriefState
    renamed_from: str = ""
    changes: list[Change] = field(default_factory=list)
    files: list[str] = field(default_factory=list)       # its input files that differ
    problems_before: list[Diagnostic] = field(default_factory=list)
    problems_after: list[Diagnostic] = field(default_factory=list)
    words: tuple[int | None, int | None] = (None, None)   # words on page 1, before and after
    overflow: tuple[str, str] = ("", "")         # by how much page 1 overflows ("" when it fits)
    fill: tuple[str, str] = ("", "")             # how full page 1 is (with a picture only)
    picture: str = ""                            # the before/after picture, when made
    audience: str = ""                           # the audience whose versions were compared
    note: str = ""                               # why a version is new or gone ("no audience ... now")
    lang: str = "en"                             # the brief's language: the words said about it

    @property
    def invalid_after(self) -> bool:
        """Content errors now, or a page 1 that now overflows: `diff` exits 1 for either."""
        return any(p.is_error for p in self.problems_after) or bool(self.overflow[1])

    @property
    def has_changes(self) -> bool:
        return self.state != "unchanged" or bool(self.changes or self.files)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.brief_id, "path": self.path, "state": self.state,
            **({"audience": self.audience} if self.audience else {}),
            **({"note": self.note} if self.note else {}),
            **({"renamed_from": self.renamed_from} if self.renamed_from else {}),
            "files": self.files,
            "changes": [c.as_dict() for c in self.changes],
            "problems_before": [_problem(p) for p in self.problems_before],
            "problems_after": [_problem(p) for p in self.problems_after],
            "words": {"before": self.words[0], "after": self.words[1]},
            **({"overflow": {"before": self.overflow[0] or None, "after": self.overflow[1] or None}}
               if any(self.overflow) else {}),
            **({"fill": {"before": self.fill[0], "after": self.fill[1]}} if any(self.fill) else {}),
            **({"picture": self.picture} if self.picture else {}),
        }


def _problem(d: Diagnostic) -> dict[str, Any]:
    return {"path": d.path, "line": d.line, "column": d.column, "severity": d.severity,
            "message": d.message, "key": d.key_path}
