"""A local secret that tells briefgen's own bookkeeping from a file committed beside it.

output/ may come from the repository (a pull request can commit `output/<id>.pdf` with a
stamp whose digests match, a cached book part, or a record of sent mail), and every digest
in that bookkeeping is of public inputs, so anyone can compute it. What decides what is
built again or sent (stamps, layout verdicts, the book's part cache, the sent record) is
therefore sealed with an HMAC keyed by a secret that never enters the repository:
`$XDG_CONFIG_HOME/briefgen/secret` (default `~/.config/briefgen/secret`), created with
mode 0600 on first use. A file whose seal is missing or wrong is treated as absent: the
brief is built again, the record is "no record".

Only the standard library (hmac, hashlib, secrets): a no-op build reads it once.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Any

from briefgen.content.files import UnsafeFile, read_regular_file

SEAL_FIELD = "seal"
_KEY_BYTES = 32
_keys: dict[Path, bytes | None] = {}


def secret_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "briefgen" / "secret"


def local_key() -> bytes | None:
    """The secret (made on first use); None when it can be neither read nor made (a
    read-only home): then nothing is sealed, and nothing kept is trusted."""
    path = secret_path()
    if path not in _keys:
        _keys[path] = _read_or_make(path)
    return _keys[path]


def _read_or_make(path: Path) -> bytes | None:
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        pass
    except OSError:
        return None
    else:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(_KEY_BYTES))
    try:   # a regular file only, never through a link
        key = read_regular_file(path, 1024).strip()
    except UnsafeFile:
        return None
    return key if len(key) >= _KEY_BYTES else None


def _mac(key: bytes, body: dict[str, Any]) -> str:
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()


def sealed(body: dict[str, Any]) -> dict[str, Any]:
    """`body` with its seal added (unchanged when there is no key)."""
    key = local_key()
    plain = {k: v for k, v in body.items() if k != SEAL_FIELD}
    return plain if key is None else {**plain, SEAL_FIELD: _mac(key, plain)}


def unsealed(data: object) -> dict[str, Any] | None:
    """The body of a sealed object, or None unless its seal is this machine's."""
    key = local_key()
    if key is None or not isinstance(data, dict) or not isinstance(data.get(SEAL_FIELD), str):
        return None
    body = {k: v for k, v in data.items() if k != SEAL_FIELD}
    try:
        good = hmac.compare_digest(_mac(key, body), data[SEAL_FIELD])
    except (TypeError, ValueError, RecursionError):
        return None
    return body if good else None
