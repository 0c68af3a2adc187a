"""The errors briefgen can report, and how each becomes a message and an exit code.

A *user error* is something a person can fix in content or on the command line:
it is shown as plain text, without a traceback. Anything else is a bug in
briefgen and keeps its traceback, so it gets reported and fixed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]
# What went wrong, for the code that decides what to do about it (the preview, the CLI,
# the email): content that does not validate; a page that does not fit; over the time or
# memory budget; a worker that died; a glyph no font has; a URL refused or not fetched;
# a template that fails; warnings refused by --strict; a placeholder left by `briefgen new`;
# text changed after its clearance (content/clearance.py).
# (And "bug": briefgen itself failed inside a long-lived process that reports and goes on.)
Kind = Literal["invalid", "overflow", "timeout", "memory", "crashed", "font", "fetch",
               "template", "strict", "placeholder", "clearance", "bug"]


class ExitCode(IntEnum):
    OK = 0
    CONTENT_ERROR = 1
    USAGE_ERROR = 2
    INTERNAL_ERROR = 70


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem in one content file, at one place."""

    path: str
    line: int                   # 0 when the problem belongs to the whole file
    column: int
    severity: Severity = field(compare=False)
    message: str = field(compare=False)
    key_path: str = field(default="", compare=False)
    kind: Kind = field(default="invalid", compare=False)

    def format(self) -> str:
        """The one text form: `path:line:col: severity: message (key.path)`."""
        where = f" ({self.key_path})" if self.key_path else ""
        return f"{self.place}: {self.severity}: {self.message}{where}"

    @property
    def place(self) -> str:
        """`path:line:col`, `path:line` or `path`, as much as is known."""
        if not self.line:
            return self.path
        return f"{self.path}:{self.line}" + (f":{self.column}" if self.column else "")

    @classmethod
    def of_file(cls, path: Path | str, message: str, kind: Kind) -> Diagnostic:
        """An error about a whole brief (it does not fit, a worker died...)."""
        return cls(str(path), 0, 0, "error", message, kind=kind)

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
        self.diagnostics = sorted(diagnostics, key=lambda d: (d.path, d.line == 0, d.line, d.column))
        super().__init__("\n".join(d.format() for d in self.diagnostics))

    def messages(self) -> list[str]:
        return [d.format() for d in self.diagnostics]


class RenderError(ContentError):
    """Valid content that cannot be typeset as asked (overflow, missing glyphs, refused URL)."""

    def __init__(self, path: Path | str, message: str, kind: Kind):
        self.path = str(path)
        super().__init__([Diagnostic.of_file(path, message, kind)])
