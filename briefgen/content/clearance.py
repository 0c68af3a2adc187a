"""The clearance chain: who drafted, cleared and approved a brief, and what changed since.

Whether the brief still reads as it did when each of them did it.

Each clearance is pinned to the brief's content as it was when it was given (the commit
that added it, found by workflows/clearance.py, which reads git); the drafter's entry is
pinned too, but the text changes after drafting by design, so only clearers and approvers
go stale. Given that content, this
module says what changed since, in the brief's own terms (compare.py), named by key path:
"bottom line, decisions[1]". What is not the text cleared does not count: the clearance
itself, the decisions' recorded outcomes and the distribution.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from briefgen.content.compare import DISTRIBUTION, Side, compare
from briefgen.content.loader import LoadedDocument
from briefgen.content.models import Brief, Clearer
from briefgen.errors import Diagnostic

Role = Literal["drafted", "cleared", "approved"]
ROLES: tuple[Role, ...] = ("drafted", "cleared", "approved")
TRAILER = "Cleared-by"
_TRAILER_VALUE = re.compile(r"\s*(?P<name>[^<>]*?)\s*(?:<(?P<email>[^<>\s]+)>)?\s*")

# compare.py's sections, as the keys a writer knows them by
_SECTION_KEYS = {"Bottom line": "bottom line", "Event": "event", "Objectives": "objectives",
                 "Decisions": "decisions", "Participants": "participants",
                 "Deliverables": "deliverables", "Key messages": "key_messages",
                 "Points to make": "points", "If raised": "if_raised", "Press line": "press line",
                 "Sensitivities": "sensitivities", "Background": "background", "Agenda": "agenda",
                 "Quotes": "quotes", "Sources": "sources", "People": "people"}
WHOLE_BRIEF = "the whole brief (the version cleared does not validate now)"


@dataclass(frozen=True)
class ClearanceRecord:
    """One link of the chain, pinned to the text it was given for."""

    role: Role
    by: str
    office: str = ""
    on: dt.date | None = None
    email: str = ""
    source: Literal["brief", "trailer"] = "brief"
    index: int = 0                   # its place under `clearance.cleared` (brief entries only)
    commit: str = ""                 # the commit it is pinned to ("": the working tree)
    changed_since: tuple[str, ...] = ()   # the parts changed since it was given

    @property
    def stale(self) -> bool:
        return bool(self.changed_since)

    @property
    def key_path(self) -> str:
        if self.source == "trailer":
            return ""
        return f"clearance.cleared[{self.index}]" if self.role == "cleared" else f"clearance.{self.role}"

    def sentence(self) -> str:
        """'cleared by Priya Natarajan on 18 Sep 2024'."""
        return f"{self.role} by {self.by}" + (f" on {day_label(self.on)}" if self.on else "")

    def as_dict(self) -> dict[str, Any]:
        """As the record copy's manifest lists it."""
        return {"role": self.role, "by": self.by, "office": self.office or None,
                "on": self.on.isoformat() if self.on else None, "email": self.email or None,
                "source": self.source, "commit": self.commit or None,
                "changed_since": list(self.changed_since)}


def day_label(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def brief_entries(brief: Brief) -> list[ClearanceRecord]:
    """The chain as the brief's `clearance:` writes it, in order, not yet pinned."""
    chain = brief.clearance
    if chain is None:
        return []
    listed: list[tuple[Role, Clearer | None, int]] = [("drafted", chain.drafted, 0),
              *(("cleared", clearer, index) for index, clearer in enumerate(chain.cleared)),
              ("approved", chain.approved, 0)]
    return [ClearanceRecord(role, clearer.by, clearer.office or "", clearer.on, index=index)
            for role, clearer, index in listed if clearer is not None]


def trailer_entry(value: str, day: dt.date, commit: str) -> ClearanceRecord | None:
    """A `Cleared-by: Name <email>` trailer's clearance, pinned to its commit."""
    match = _TRAILER_VALUE.fullmatch(value)
    if not match or not match.group("name"):
        return None
    return ClearanceRecord("cleared", match.group("name"), on=day, email=match.group("email") or "",
                           source="trailer", commit=commit)


def same_entry(record: ClearanceRecord, data: object) -> bool:
    """Whether a version's raw `clearance:` data (YAML, not validated) holds this entry."""
    if not isinstance(data, dict):
        return False
    value = data.get(record.role)
    candidates = value if isinstance(value, list) else [value]
    on = record.on.isoformat() if record.on else None
    return any(isinstance(c, dict) and c.get("by") == record.by and (c.get("on") or None) == on
               for c in candidates)


def latest_per_person(records: list[ClearanceRecord]) -> list[ClearanceRecord]:
    """One clearance per person and role: the last given (records come oldest first)."""
    kept: dict[tuple[str, str], ClearanceRecord] = {}
    for record in records:
        earlier = kept.pop((record.role, record.by.casefold()), None)
        if earlier is not None and not record.office:      # a trailer says no office: keep the brief's
            record = dataclasses.replace(record, office=earlier.office)
        kept[(record.role, record.by.casefold())] = record
    return sorted(kept.values(), key=lambda r: ROLES.index(r.role))


def text_cleared(brief: Brief) -> Brief:
    """The brief without what a clearance is not about: the chain itself, the decisions'
    recorded outcomes, the distribution."""
    decisions = [d.model_copy(update={"outcome": None}) for d in brief.decisions]
    return brief.model_copy(update={"clearance": None, "distribution": None, "decisions": decisions})


def content_hash(brief: Brief) -> str:
    """A fingerprint of the text as cleared (the same after an outcome is recorded): a PDF
    carries it, so a ticked PDF is read back only into the brief it was made from."""
    return hashlib.sha256(text_cleared(brief).model_dump_json().encode("utf-8")).hexdigest()[:32]


def changes_since(cleared: Side | None, now: Side) -> tuple[str, ...]:
    """The parts of the brief changed since the version cleared, by key path, in page order
    ('bottom line', 'decisions[1]'); the whole brief when that version is not valid now."""
    if cleared is None:
        return (WHOLE_BRIEF,)
    before = Side(text_cleared(cleared.brief), cleared.people, cleared.people_folder)
    after = Side(text_cleared(now.brief), now.people, now.people_folder)
    parts = []
    for change in compare(before, after):
        if change.section == DISTRIBUTION:
            continue
        key = _SECTION_KEYS.get(change.section, change.field or change.section.lower())
        if change.action == "removed":
            parts.append(f"{key} (an item removed)")
        elif change.index >= 0:
            parts.append(f"{key}[{change.index}]")
        else:
            parts.append(key)
    return tuple(dict.fromkeys(parts))


def stale_warning(record: ClearanceRecord, path: str, place: tuple[int, int]) -> Diagnostic:
    """`check`'s warning: who cleared, when, and what changed since."""
    again = ("add a new `Cleared-by:` trailer" if record.source == "trailer"
             else "update the date under `clearance:`")
    return Diagnostic(path, place[0], place[1], "warning",
                      f"{record.sentence()}; since then: {', '.join(record.changed_since)}; "
                      f"have {record.by} clear it again ({again})", record.key_path, "clearance")


def who_must_clear_again(records: tuple[ClearanceRecord, ...]) -> list[str]:
    return list(dict.fromkeys(r.by for r in records if r.stale))


def footer_line(records: tuple[ClearanceRecord, ...], lang: str = "en") -> str:
    """The footer's short line: 'Cleared by P. Natarajan, J. Lee · Approved by K. Campbell',
    with what is stale said so, in `lang` (content/catalogues)."""
    from briefgen.content.languages import catalogue

    words = catalogue(lang)
    parts = []
    for role in ("cleared", "approved"):
        names = [r.by + (f" {words['before_last_changes']}" if r.stale else "") for r in records if r.role == role]
        if names:
            parts.append(words[f"{role}_by"].format(names=words["list_separator"].join(names)))
    return " · ".join(parts)


_HOW_TO_ADD = {"drafted": "`drafted: {by: Name, on: YYYY-MM-DD}` under `clearance:`",
               "cleared": "an entry under `clearance:` `cleared:` (or a `Cleared-by:` trailer on a commit)",
               "approved": "`approved: {by: Name, on: YYYY-MM-DD}` under `clearance:`"}


def missing_roles_problems(records: tuple[ClearanceRecord, ...], required: Sequence[Role],
                           doc: LoadedDocument, house: str) -> list[Diagnostic]:
    """The roles a house requires that the chain lacks, as one error at the brief's
    `clearance:` (at its top when it has none)."""
    missing = [role for role in ROLES if role in required and not any(r.role == role for r in records)]
    if not missing:
        return []
    data = doc.data if isinstance(doc.data, dict) else {}
    line, column = doc.locate(("clearance",), key=True) if "clearance" in data else doc.locate(())
    def roles(listed: Sequence[Role]) -> str:
        names = [f"`{role}`" for role in ROLES if role in listed]
        return " and ".join(filter(None, [", ".join(names[:-1]), names[-1]]))
    return [Diagnostic(doc.display_path, line, column, "error",
                       f"{house} requires a brief's clearance chain to hold {roles(required)}; this "
                       f"one lacks {roles(missing)}: add {'; and '.join(_HOW_TO_ADD[r] for r in missing)}",
                       "clearance", "clearance")]
