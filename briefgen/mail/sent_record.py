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
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefgen.content.files import UnsafeFile, read_regular_file
from briefgen.engine.names import output_path
from briefgen.engine.output import write_atomic
from briefgen.engine.seal import sealed, unsealed

MAX_RECORD_BYTES = 16 * 1024 * 1024
_AT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")


def record_path(output_dir: Path, brief_id: str) -> Path:
    return output_path(output_dir, brief_id, ".sent.json")


class SentRecord:
    """The deliveries of one brief, by content key, then by address.

    The file sits in output/, which may come from the repository, and what it keeps writes
    the "What changed" box of an amended email: it is read without following a link and at
    most MAX_RECORD_BYTES, must carry this machine's seal (engine/seal.py) and have the
    shape `add` writes. Anything else is "no record" (`warning` says why): everyone gets
    this version as if it were the first."""

    def __init__(self, path: Path):
        self.path = path
        self.warning: str | None = None
        self.data = self._read(path)

    def _read(self, path: Path) -> dict[str, Any]:
        if not path.exists() and not path.is_symlink():
            return {"messages": {}}
        try:
            data = unsealed(json.loads(read_regular_file(path, MAX_RECORD_BYTES)))
        except UnsafeFile as exc:
            return self._no_record(f"it cannot be read safely ({exc})")
        except (ValueError, RecursionError):
            return self._no_record("it is not JSON")
        if data is None:
            return self._no_record("it was not written by briefgen on this machine (no valid seal)")
        if not _is_record(data):
            return self._no_record("it does not have the shape of a record of sent mail")
        return data

    def _no_record(self, why: str) -> dict[str, Any]:
        self.warning = (f"{self.path.name}: ignoring the record of sent mail: {why}; everyone gets "
                        "this version as if nothing had been sent")
        return {"messages": {}}

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
        text = json.dumps(sealed(self.data), indent=2, ensure_ascii=False) + "\n"
        write_atomic(self.path, text.encode(), mode=0o600)

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


def _is_record(data: dict[str, Any]) -> bool:
    """The shape `SentRecord.add` writes, exactly: {"messages": {key: {"subject", "delivered":
    {address: {"at", "message_id", "server"}}, "revision"?, "sent_content"?: {name: text}}}}."""
    messages = data.get("messages")
    return set(data) == {"messages"} and isinstance(messages, dict) and all(
        isinstance(key, str) and isinstance(entry, dict) and _is_entry(entry)
        for key, entry in messages.items())


def _is_entry(entry: dict[str, Any]) -> bool:
    delivered, content = entry.get("delivered"), entry.get("sent_content", {})
    revision = entry.get("revision", 1)
    return (set(entry) <= {"subject", "delivered", "revision", "sent_content"}
            and isinstance(entry.get("subject"), str) and isinstance(delivered, dict)
            and type(revision) is int and revision >= 1
            and isinstance(content, dict) and all(isinstance(v, str) for v in content.values())
            and all(isinstance(address, str) and isinstance(d, dict) and set(d) == {"at", "message_id", "server"}
                    and all(isinstance(v, str) for v in d.values()) and bool(_AT.fullmatch(d["at"]))
                    for address, d in delivered.items()))
