"""Printing safely in a CI log, where a line can be a command to the CI system.

GitHub Actions reads every line a step prints, and a line that starts with `::` is a
workflow command (`::warning file=...::`, `::add-mask::`, `::stop-commands::`...). File
names and messages come from content, and a file name may hold a line break, so in CI
everything briefgen prints goes through `escape_data`: a line break can no longer start
a line of its own. The same escaping writes the annotations of `check --format github`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TextIO

_DATA_ESCAPES = {"%": "%25", "\r": "%0D", "\n": "%0A"}
_PROPERTY_ESCAPES = {**_DATA_ESCAPES, ":": "%3A", ",": "%2C"}


def in_github_actions(environ: Mapping[str, str] | None = None) -> bool:
    return (os.environ if environ is None else environ).get("GITHUB_ACTIONS") == "true"


def escape_data(text: str) -> str:
    """Text on one log line: '%', CR and LF written as GitHub's %25, %0D and %0A."""
    return "".join(_DATA_ESCAPES.get(char, char) for char in text)


def escape_property(text: str) -> str:
    """A workflow command's property value (file=..., title=...): also ':' and ','."""
    return "".join(_PROPERTY_ESCAPES.get(char, char) for char in text)


def for_log(text: str) -> str:
    """`text` as briefgen prints it: escaped in GitHub Actions, unchanged elsewhere."""
    return escape_data(text) if in_github_actions() else text


def wants_colour(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("NO_COLOR")
