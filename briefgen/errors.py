"""The errors briefgen can report, and how each becomes a message and an exit code.

A *user error* is something a person can fix in content or on the command line:
it is shown as plain text, without a traceback. Anything else is a bug in
briefgen and keeps its traceback, so it gets reported and fixed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path


class ExitCode(IntEnum):
    OK = 0
    CONTENT_ERROR = 1
    USAGE_ERROR = 2
    INTERNAL_ERROR = 70


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem in one content file, at one place."""

    path: str
    line: int
    column: int
    severity: str = field(compare=False)  # "error" | "warning"
    message: str = field(compare=False)
    key_path: str = field(default="", compare=False)

    def format(self) -> str:
        where = f" ({self.key_path})" if self.key_path else ""
        return f"{self.path}:{self.line}:{self.column}: {self.severity}: {self.message}{where}"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class BriefgenError(Exception):
    """A problem the user can fix. Shown as a message, never with a traceback."""

    exit_code = ExitCode.CONTENT_ERROR

    def messages(self) -> list[str]:
        return [str(self)]


class UsageError(BriefgenError):
    """The command line asked for something impossible (a missing file, a bad option)."""

    exit_code = ExitCode.USAGE_ERROR


class ContentError(BriefgenError):
    """Content that does not validate; carries every problem found, not just the first."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = sorted(diagnostics)
        super().__init__("\n".join(d.format() for d in self.diagnostics))

    def messages(self) -> list[str]:
        return [d.format() for d in self.diagnostics]


class RenderError(BriefgenError):
    """Valid content that cannot be typeset as asked (overflow, missing glyphs, refused URL)."""

    def __init__(self, path: Path | str, message: str):
        self.path = str(path)
        super().__init__(f"{self.path}: error: {message}")
