"""Every name briefgen writes in output/: one typed key per file, one function that makes it.

output/ is one flat name space shared by every brief, book and audience, so each file's
name is derived here, from who owns it (a brief's or a book's id), which version (an
audience, later a language) and what it is (the suffix), and never written as an f-string
elsewhere. The owner and the audience are ids (content/ids.py: no dots), and an audience
may not be one of the words the build itself puts after an id (content/ids.RESERVED_WORDS),
so no two keys can make the same name:

    output/<owner>.<suffix>                  the brief's or book's own files
    output/<owner>.<audience>.<suffix>       an audience's version
    output/.briefgen/<owner>[.<audience>].<suffix>   bookkeeping (stamps, locks, caches)

A book and a brief may not share an id (content/books.py refuses it at the book's file).
Imports nothing heavy: a no-op build goes through here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from briefgen.content.ids import ID, RESERVED_WORDS


class Kind(Enum):
    """Whose file it is, in output/."""

    OUTPUT = "output"            # a brief's or book's own files, or an audience's version
    BOOKKEEPING = "bookkeeping"  # output/.briefgen/: stamps, layout verdicts, locks, caches


# What follows an id in a name: the outputs, then the bookkeeping.
OUTPUT_SUFFIXES = frozenset({
    ".html", ".pdf", ".ics", ".eml", ".docx", ".record.pdf", ".overflow.pdf", ".diff.png",
    ".sent.json", ".review.md", ".readout.md", ".public-readout.md",
})
BOOKKEEPING_SUFFIXES = frozenset({".json", ".layout.json", ".lock", ".mail.lock", ".version"})
_PART = re.compile(r"[a-z0-9][a-z0-9-]{0,80}")   # a book's cached part: front, brief-<id>, ...
BOOKKEEPING_FOLDER = ".briefgen"


@dataclass(frozen=True)
class OutputKey:
    """One file in output/: `owner` a brief's or book's id, `audience` one of its versions,
    `part` a cached piece of a book (bookkeeping only), `suffix` what the file is."""

    owner: str
    suffix: str
    audience: str | None = None
    kind: Kind = Kind.OUTPUT
    part: str | None = None

    def __post_init__(self) -> None:
        if not ID.fullmatch(self.owner):
            raise ValueError(f"not an id: {self.owner!r}")
        if self.audience is not None and (not ID.fullmatch(self.audience) or self.audience in RESERVED_WORDS):
            raise ValueError(f"not an audience id: {self.audience!r}")
        if self.part is not None and (self.kind is not Kind.BOOKKEEPING or not _PART.fullmatch(self.part)
                                      or self.part in RESERVED_WORDS):
            raise ValueError(f"not a part name: {self.part!r}")
        allowed = BOOKKEEPING_SUFFIXES | {".pdf"} if self.kind is Kind.BOOKKEEPING else OUTPUT_SUFFIXES
        if self.suffix not in allowed:
            raise ValueError(f"not a suffix briefgen writes: {self.suffix!r}")

    @classmethod
    def of(cls, output_id: str, suffix: str, kind: Kind = Kind.OUTPUT, part: str | None = None) -> OutputKey:
        """The key of `<owner>` or `<owner>.<audience>` (a ValidatedBrief's output_id)."""
        owner, _, audience = output_id.partition(".")
        return cls(owner, suffix, audience or None, kind, part)

    @property
    def stem(self) -> str:
        return ".".join(w for w in (self.owner, self.audience, self.part) if w)

    @property
    def name(self) -> str:
        return f"{self.stem}{self.suffix}"


def path_of(output_dir: Path, key: OutputKey) -> Path:
    """Where the file of `key` is."""
    folder = output_dir / BOOKKEEPING_FOLDER if key.kind is Kind.BOOKKEEPING else output_dir
    return folder / key.name


def output_path(output_dir: Path, output_id_: str, suffix: str) -> Path:
    """An output of `<owner>` or `<owner>.<audience>` (a shorthand for path_of)."""
    return path_of(output_dir, OutputKey.of(output_id_, suffix))


def bookkeeping_path(output_dir: Path, output_id_: str, suffix: str, part: str | None = None) -> Path:
    """A bookkeeping file of `<owner>` or `<owner>.<audience>` in output/.briefgen/."""
    return path_of(output_dir, OutputKey.of(output_id_, suffix, Kind.BOOKKEEPING, part))
