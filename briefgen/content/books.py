"""The briefing book: a trip's briefs in order, in content/books/<id>.yaml, and its checks.

A book names briefs by id (the stem of content/<id>.yaml) and adds what only a book has:
its own marking, time zones for the schedule at a glance, extra sections and its own
distribution. The checks that need the briefs themselves (a marking lower than a brief's,
agenda items that overlap across briefs) are in `book_checks`, run once the briefs validate.
"""

from __future__ import annotations

import difflib
import zoneinfo
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import AfterValidator, Field

from briefgen.content.assets import markdown_problems
from briefgen.content.fields import markdown_texts
from briefgen.content.ids import ID, file_name_problems
from briefgen.content.loader import LoadedDocument, load_yaml, one_line
from briefgen.content.markdown import CITATION, raw_html_problems
from briefgen.content.messages import validate_model
from briefgen.content.models import Day, Distribution, Line, Markdown, PrintedLanguage, StrictModel
from briefgen.content.placeholders import text_warnings, without_placeholder_noise
from briefgen.errors import ContentError, Diagnostic, Severity

if TYPE_CHECKING:
    Id = str
    Classification = str
    TimeZone = str
else:
    from briefgen.content.models import Classification, Id

# Markings in rising order; a marking that starts with none of these is not compared.


@cache
def _zone_names() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _check_zone(value: str) -> str:
    if value not in _zone_names():
        close = difflib.get_close_matches(value, sorted(_zone_names()), n=1, cutoff=0.7)
        hint = f"; did you mean '{close[0]}'?" if close else " such as Asia/Tokyo or America/New_York"
        raise ValueError(f"'{value}' is not an IANA time zone name{hint}")
    return value


if not TYPE_CHECKING:
    TimeZone = Annotated[str, AfterValidator(_check_zone),
                         Field(json_schema_extra={"pattern": r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$"},
                               examples=["Asia/Tokyo"])]


class BookSection(StrictModel):
    """A titled text of the book's own: the trip's overview on the contents page, or an extra
    section on pages of its own."""

    title: Line = Field(description="Heading of the section.", examples=["Logistics"])
    text: Markdown = Field(description="What it says (Markdown).",
                           examples=["The delegation stays at the Grand Prince Hotel."])


class Book(StrictModel):
    """A briefing book, in content/books/<id>.yaml; the file stem is the book's id."""

    title: Line = Field(description="Title on the cover.", examples=["G7 Summit, Hiroshima"])
    subtitle: Line | None = Field(None, description="One line under the title.",
                                  examples=["The President's meetings, May 18–21, 2023"])
    addressee: Line | None = Field(None, description="Whom the book is for, as the cover names "
                                   "them: \"BRIEFING BOOK FOR THE PRESIDENT\" (default: \"BRIEFING "
                                   "BOOK\").", examples=["the President"])
    classification: Classification = Field(description="The book's marking, printed on every page; "
                                           "never lower than the marking of any of its briefs "
                                           "(in their marking scheme, caveats included).")
    prepared_by: Line = Field(description="Office that prepared the book; the PDF's author.",
                              examples=["Briefing staff, from public reporting"])
    as_of: Day = Field(description="The facts are current as of this date.")
    paper: Literal["letter", "a4"] = Field("letter", description="Paper size of the book's own "
                                           "pages (each brief keeps its own).", examples=["a4"])
    timezone: TimeZone | None = Field(None, description="IANA time zone of the agenda times of "
                                      "the book's briefs that name none (where the meetings take "
                                      "place).",
                                      examples=["Asia/Tokyo"])
    home_timezone: TimeZone | None = Field(None, description="IANA time zone of the principal's "
                                           "home; the schedule shows home time beside local time "
                                           "(default: the one the briefs agree on).",
                                           examples=["America/New_York"])
    lang: PrintedLanguage = Field("en", description="The language of the book's own pages (cover, "
                                  "contents, schedule) and of its calendar.", examples=["fr"])
    bilingual: Literal["side-by-side", "back-to-back"] | None = Field(
        None, description="Print the book in two languages. `side-by-side`: each brief with its "
        "first edition in two columns, the brief's own bilingual document (so each brief needs "
        "`editions` and `bilingual: side-by-side`); the book's own pages stay in its `lang`. "
        "`back-to-back` (tête-bêche): the book, then the whole book again in the language of the "
        "first brief's first edition (its own pages in that language, each brief's edition), "
        "upside down, so the document turned over opens on its second cover; each brief needs an "
        "edition in that language.", examples=["side-by-side"])
    briefs: list[Id] = Field(min_length=1, description="Ids of the briefs (content/<id>.yaml), in "
                             "the order of the book.",
                             examples=[["hiroshima-bilateral-2023", "hiroshima-trilateral-2023"]])
    overview: BookSection | None = Field(None, description="The trip in a paragraph or two "
                                         "(where, when, why), printed on the contents page under "
                                         "the contents, not on a page of its own.",
                                         examples=[{"title": "The trip", "text": "The President "
                                                    "visits Hiroshima for the G7 Summit."}])
    sections: list[BookSection] = Field(default_factory=list, description="Extra sections, each "
                                        "on pages of its own after the schedule and before the briefs.",
                                        examples=[[{"title": "Logistics", "text": "Motorcade."}]])
    distribution: Distribution | None = Field(None, description="Who `briefgen email` sends the "
                                              "book to (to, cc, bcc); not printed.")


@dataclass(frozen=True)
class ValidatedBook:
    """A book that passed its own checks; its briefs are checked separately."""

    book_id: str
    path: Path
    display_path: str
    book: Book
    warnings: tuple[Diagnostic, ...]
    document: LoadedDocument

    def brief_path(self, brief_id: str) -> Path:
        return self.path.resolve().parent.parent / f"{brief_id}.yaml"

    def at_brief(self, index: int, message: str, severity: Severity = "error") -> Diagnostic:
        """A problem about the book's `index`-th brief, at its line in the book."""
        return self.document.diagnostic(("briefs", index), message, severity=severity)

    def at_key(self, key: str, message: str, severity: Severity = "error") -> Diagnostic:
        return self.document.diagnostic((key,), message, severity=severity)


def validate_book(path: Path, *, display_path: str | None = None) -> ValidatedBook:
    """Load and check one book. Raises ContentError with every problem found."""
    doc = load_yaml(path, display_path)
    book, problems = validate_model(Book, doc)
    problems = [one_line(p) for p in (
        *file_name_problems(doc), *doc.diagnostics,
        *without_placeholder_noise([*problems, *_brief_references(doc, path)], doc),
        *raw_html_problems(doc, Book), *_section_problems(doc, path), *text_warnings(doc))]
    if any(p.is_error for p in problems) or book is None:
        raise ContentError(problems)
    return ValidatedBook(path.stem, path, doc.display_path, book,
                         tuple(sorted(p for p in problems if not p.is_error)), doc)


def _section_problems(doc: LoadedDocument, path: Path) -> list[Diagnostic]:
    """Images and links as in a brief (images from content/assets/); no citations: a book
    has no sources of its own, so a section links to its source instead."""
    problems = markdown_problems(doc, Book, path.resolve().parent.parent)
    for key_path, text in markdown_texts(Book, doc.data):
        for match in CITATION.finditer(text):
            problems.append(doc.diagnostic(key_path, f"`[@{match.group(1)}]`: a book has no `sources` to "
                                           "cite; link to the source instead, e.g. [publisher](https://...)"))
    return problems


def _brief_references(doc: LoadedDocument, path: Path) -> list[Diagnostic]:
    """Each brief id names an existing brief, once; the book's id is not also a brief's."""
    data = doc.data if isinstance(doc.data, dict) else {}
    briefs_dir = path.resolve().parent.parent
    problems = []
    if (briefs_dir / f"{path.stem}.yaml").is_file():
        problems.append(doc.diagnostic((), f"the book `{path.stem}` has the same id as the brief "
                                       f"content/{path.stem}.yaml, and their outputs would collide; "
                                       "rename the book's file"))
    seen: dict[str, int] = {}
    value = data.get("briefs")
    for index, brief_id in enumerate(value if isinstance(value, list) else []):
        if not isinstance(brief_id, str) or not ID.fullmatch(brief_id):
            continue  # the model reports it
        if brief_id in seen:
            problems.append(doc.diagnostic(("briefs", index), f"brief `{brief_id}` is listed twice "
                                           f"(first as item {seen[brief_id] + 1})"))
            continue
        seen[brief_id] = index
        if not (briefs_dir / f"{brief_id}.yaml").is_file():
            known = sorted(p.stem for p in briefs_dir.glob("*.yaml"))
            close = difflib.get_close_matches(brief_id, known, n=1)
            hint = f"; did you mean `{close[0]}`?" if close else ""
            problems.append(doc.diagnostic(("briefs", index), f"no brief `{brief_id}`: expected a file "
                                           f"content/{brief_id}.yaml{hint}"))
    return problems

