"""`briefgen ledger`: every deliverable across the briefs, with its status history from git.

Every deliverable of the project's briefs, by id, with who changed its status and when.

Each brief's file is read at every commit that touched it (workflows/clearance.file_history)
and at the working tree, as YAML only: a status history needs no layout and no validation,
and an old version that would not validate today still says what its statuses were. A
status is listed each time it changed: the first one it had, then every change, with the
commit's author and day ("not committed" for the working tree).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefgen.content.loader import parse_yaml
from briefgen.errors import ContentError
from briefgen.project import Project
from briefgen.workflows.brief import find_briefs
from briefgen.workflows.clearance import file_history

NOT_COMMITTED = "not committed"


@dataclass(frozen=True)
class StatusChange:
    status: str
    who: str
    day: dt.date | None              # None: the working tree
    commit: str = ""                 # "": the working tree

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, "who": self.who, "when": self.day.isoformat() if self.day else None,
                "commit": self.commit or None}


@dataclass
class LedgerEntry:
    brief_id: str
    deliverable_id: str
    title: str
    status: str                      # now ("" when the brief no longer lists it)
    history: list[StatusChange] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"brief": self.brief_id, "deliverable": self.deliverable_id, "title": self.title,
                "status": self.status or None, "history": [c.as_dict() for c in self.history]}


def build_ledger(project: Project) -> list[LedgerEntry]:
    """The deliverables of every brief under content/, in the briefs' order and each brief's."""
    entries: list[LedgerEntry] = []
    for path in find_briefs(project):
        entries += _brief_ledger(project, path)
    return entries


def _brief_ledger(project: Project, path: Path) -> list[LedgerEntry]:
    versions: list[tuple[StatusChange, bytes]] = [
        (StatusChange("", version.author, version.day, version.commit), version.data)
        for version in file_history(project, path) or [] if version.data is not None]
    now = path.read_bytes()
    if not versions or versions[-1][1] != now:
        versions.append((StatusChange("", NOT_COMMITTED, None), now))
    entries: dict[str, LedgerEntry] = {}
    for when, data in versions:
        for deliverable_id, (title, status) in _deliverables(data, path).items():
            entry = entries.setdefault(deliverable_id, LedgerEntry(path.stem, deliverable_id, title, status))
            entry.title = title
            if not entry.history or entry.history[-1].status != status:
                entry.history.append(StatusChange(status, when.who, when.day, when.commit))
    current = _deliverables(now, path)
    for deliverable_id, entry in entries.items():
        entry.status = current[deliverable_id][1] if deliverable_id in current else ""
    order = list(current) + [d for d in entries if d not in current]
    return [entries[d] for d in order]


def _deliverables(data: bytes, path: Path) -> dict[str, tuple[str, str]]:
    """id -> (title, status) of the deliverables a version of a brief lists, read as YAML."""
    try:
        document = parse_yaml(data, path, path.name).data
    except ContentError:
        return {}
    items = document.get("deliverables") if isinstance(document, dict) else None
    return {item["id"]: (str(item.get("title", "")), str(item.get("status", "")))
            for item in items if isinstance(item, dict) and isinstance(item.get("id"), str)} \
        if isinstance(items, list) else {}
