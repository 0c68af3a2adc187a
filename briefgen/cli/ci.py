"""Printing safely in a CI log, where a line can be a command to the CI system.

GitHub Actions reads every line a step prints, and a line that starts with `::` is a
workflow command (`::warning file=...::`, `::add-mask::`, `::stop-commands::`...). File
names and messages come from content, and a file name may hold a line break, so in CI
everything briefgen prints goes through `escape_data` (render/escape.ci_data, with the
terminal's escaping of invisible characters): a line break can no longer start
a line of its own. The same escaping writes the annotations of `check --format github`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TextIO

from briefgen.render.escape import ci_data, ci_property, terminal


def in_github_actions(environ: Mapping[str, str] | None = None) -> bool:
    return (os.environ if environ is None else environ).get("GITHUB_ACTIONS") == "true"


# The CI log's escaping is the CI sink's one function (render/escape.py), as is the terminal's.
escape_data, escape_property = ci_data, ci_property


def for_log(text: str) -> str:
    """`text` as briefgen prints it: invisible characters shown as escapes (a terminal would
    act on them), and in GitHub Actions also '%', CR and LF escaped as GitHub's."""
    return terminal(escape_data(text)) if in_github_actions() else terminal(text)


def wants_colour(stream: TextIO) -> bool:
    """Colour only on a terminal, and never when NO_COLOR is set (https://no-color.org)."""
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty()) and not os.environ.get("NO_COLOR")
