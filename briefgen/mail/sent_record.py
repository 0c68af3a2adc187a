"""What was delivered to whom: output/<id>.sent.json, so nobody gets the same brief twice.

Entries are keyed by the message's content (subject, bodies and PDF, see
MailParts.content_key): after a partial failure a re-run sends only to those who do
not have this content yet, and a changed brief is a new message for everybody.
The file is rewritten atomically after every accepted delivery. `make clean` leaves it.

Each entry also keeps what was sent (the brief's file and the person files it named,
as text) and its revision number, so a later version can say what changed since the
one a recipient has. That makes the file as sensitive as the brief: it is written
readable by its owner only, and stays in output/.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefgen.engine.output import write_atomic
from briefgen.errors import BriefgenError


class RecordError(BriefgenError):
    """The record of sent mail cannot be read; sending could repeat deliveries, so we stop."""


def record_path(output_dir: Path, brief_id: str) -> Path:
    return output_dir / f"{brief_id}.sent.json"


class SentRecord:
    """The deliveries of one brief, by content key, then by address."""

    def __init__(self, path: Path):
        self.path = path
        self.data = self._read(path)

    @staticmethod
    def _read(path: Path) -> dict[str, Any]:
        if not path.exists():
            return {"messages": {}}
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise RecordError(f"{path}: cannot read the record of sent mail ({exc}); fix it, or "
                              "delete it to let everyone receive the brief again") from None
        if not isinstance(data, dict) or not isinstance(data.get("messages"), dict):
            raise RecordError(f"{path}: this is not a record of sent mail; fix it or delete it")
        return data

    def delivered(self, content_key: str) -> dict[str, dict[str, str]]:
        """address -> {"at", "message_id", "server"} for those who already have this content."""
        delivered: dict[str, dict[str, str]] = self.data["messages"].get(content_key, {}).get("delivered", {})
        return delivered

    def add(self, content_key: str, subject: str, addresses: list[str], message_id: str,
            server: str, *, sent_content: dict[str, str] | None = None) -> None:
        """Record deliveries of one version; its first delivery gives it its revision number
        and keeps `sent_content` (file name -> text) for comparing later versions with it."""
        revision = self.revision_of(content_key)
        entry = self.data["messages"].setdefault(content_key, {"subject": subject, "delivered": {}})
        entry.setdefault("revision", revision)
        if sent_content is not None:
            entry.setdefault("sent_content", sent_content)
        when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        for address in addresses:
            entry["delivered"][address] = {"at": when, "message_id": message_id, "server": server}
        write_atomic(self.path, (json.dumps(self.data, indent=2, ensure_ascii=False) + "\n").encode(),
                     mode=0o600)

    def revision_of(self, content_key: str) -> int:
        """This version's revision number: 1 for the first version anyone got, then 2, ..."""
        versions = self._versions()
        if content_key in versions:
            return versions[content_key]
        return max(versions.values(), default=0) + 1

    def _versions(self) -> dict[str, int]:
        """Revision number of each version delivered to anyone (in order of first delivery
        when an older record did not store it)."""
        sent = {key: entry for key, entry in self.data["messages"].items() if entry.get("delivered")}
        by_time = sorted(sent, key=lambda key: min(d["at"] for d in sent[key]["delivered"].values()))
        return {key: sent[key].get("revision", index) for index, key in enumerate(by_time, start=1)}

    def earlier_version(self, address: str, content_key: str) -> EarlierVersion | None:
        """The latest other version this address received, if any."""
        found = [EarlierVersion(key, entry["delivered"][address]["at"], entry.get("sent_content"))
                 for key, entry in self.data["messages"].items()
                 if key != content_key and address in entry.get("delivered", {})]
        return max(found, key=lambda version: version.at, default=None)


@dataclass(frozen=True)
class EarlierVersion:
    """A version of the brief someone already has: when they got it, and what it said."""

    content_key: str
    at: str                                    # 2026-11-28T00:45:00Z
    sent_content: dict[str, str] | None        # None in records older than this field
