"""The one form of an id: of a person, a source, a deliverable, an audience, a book.

The model's `Id` type checks it, and every other place that reads an id (a file name that
becomes a path or an attachment's name, a command-line option, a URL) uses the same
pattern. Kept apart from the model so the command line can use it without loading pydantic.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from briefgen.errors import Diagnostic

if TYPE_CHECKING:
    from briefgen.content.loader import LoadedDocument

ID_PATTERN = r"[a-z0-9][a-z0-9-]{0,63}"
ID = re.compile(ID_PATTERN)


def file_name_problems(doc: LoadedDocument) -> list[Diagnostic]:
    """A content file's name is its id (a brief's, a person's, a book's), printed in terminals,
    logs, Markdown summaries and output names: it is held to the rules of an id, so no line
    break, bidi override, zero-width or other character can hide in it."""
    stem = doc.path.name.removesuffix(".yaml")
    if ID.fullmatch(stem):
        return []
    return [Diagnostic(doc.display_path, 0, 0, "error", "the file name is not a valid id, which a file "
                       "name is: use lower-case letters, digits and hyphens, starting "
                       "with a letter or digit, at most 64 (e.g. `camp-david-2023.yaml`); rename the file")]


# Every word the build puts after an id in an output or bookkeeping name (engine/names.py
# makes those names: output/<id>.record.pdf, output/.briefgen/<id>.layout.json, ...). An
# audience's version is output/<brief>.<audience>.*, so an audience may not be called by
# one of them: `record` would write over the archival record copy.
RESERVED_WORDS = frozenset({
    "html", "pdf", "ics", "json", "md", "png", "eml", "docx",      # file types
    "record", "overflow", "diff", "sent", "review", "readout", "public-readout",
    "layout", "lock", "version", "mail", "part",
})
# Versions the build makes itself besides the audiences' (output/<brief>.bilingual.pdf): an
# output may be named by one, an audience may not.
VARIANT_WORDS = frozenset({"bilingual"})


def reserved_word_problem(word: str) -> str | None:
    """Why an audience id cannot be `word` (None when it can)."""
    if word not in RESERVED_WORDS | VARIANT_WORDS:
        return None
    return (f"`{word}` is a word briefgen uses in its own output names (output/<brief>.{word}...), "
            "so this audience's version would take that file's place; choose another id "
            "(e.g. `press-office`)")
