"""Time zones by IANA name (`America/New_York`), checked against the zone database.

The name is content, so it is checked by its shape before the database is asked:
`zoneinfo` reads a file named after the zone, and only a plain `Area/City` name may
reach it. The database is the system's (/usr/share/zoneinfo) or, where there is none,
the `tzdata` package's.
"""

from __future__ import annotations

import difflib
import re
import zoneinfo
from functools import lru_cache

_ZONE_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_+\-]{0,30}(/[A-Za-z0-9_+\-]{1,30}){0,2}")
# Names the database holds that are not places: never what an author means.
_NOT_PLACES = {"localtime", "posixrules", "Factory"}


@lru_cache(maxsize=256)
def zone(name: str) -> zoneinfo.ZoneInfo | None:
    """The zone of an IANA name, or None when the name is not a known zone."""
    if not _ZONE_NAME.fullmatch(name) or name in _NOT_PLACES:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None


def time_zone_problem(name: str) -> str | None:
    """None for a known zone; otherwise what is wrong, with the closest known name."""
    if zone(name) is not None:
        return None
    close = difflib.get_close_matches(name, sorted(_known_names()), n=1, cutoff=0.75)
    hint = f"; did you mean {close[0]}?" if close else (
        "; write an IANA name such as America/New_York, Europe/London or Asia/Tokyo")
    return f"'{name}' is not a time zone in the IANA database{hint}"


@lru_cache(maxsize=1)
def _known_names() -> frozenset[str]:
    """Every zone name (read once, and only when a name is wrong)."""
    return frozenset(zoneinfo.available_timezones() - _NOT_PLACES)
