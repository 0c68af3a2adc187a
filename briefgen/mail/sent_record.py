"""What was delivered to whom: output/<id>.sent.json, so nobody gets the same brief twice.

Entries are keyed by the message's content (subject, bodies and PDF, see
MailParts.content_key): after a partial failure a re-run sends only to those who do
not have this content yet, and a changed brief is a new message for everybody.
The file is rewritten atomically after every accepted delivery. `make clean` leaves it.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from briefgen.build.output import write_atomic
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
    def _read(path: Path) -> dict:
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

    def delivered(self, content_key: str) -> dict[str, dict]:
        """address -> {"at", "message_id", "server"} for those who already have this content."""
        return self.data["messages"].get(content_key, {}).get("delivered", {})

    def add(self, content_key: str, subject: str, addresses: list[str], message_id: str,
            server: str) -> None:
        entry = self.data["messages"].setdefault(content_key, {"subject": subject, "delivered": {}})
        when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        for address in addresses:
            entry["delivered"][address] = {"at": when, "message_id": message_id, "server": server}
        write_atomic(self.path, (json.dumps(self.data, indent=2, ensure_ascii=False) + "\n").encode())
