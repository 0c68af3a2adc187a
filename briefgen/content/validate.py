"""Stage 2: check loaded data against the model and against itself.

Every problem is collected and reported together with its file, line and column: model
errors in plain English (`messages`), cross-references (`references`), raw HTML in
Markdown (`markdown`), what Markdown points at (`assets`), placeholders (`placeholders`),
warnings a careful chief of staff would raise (`warnings`), markings and audiences
(`marking_checks`); person files through the `people` registry. This module puts them
together and holds the result, a `ValidatedBrief`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefgen.content.assets import asset_problems
from briefgen.content.audiences import (
    Withheld,
    audience_brief,
    earlier_for_audience,
    referenced_people,
    with_computed_banner,
)
from briefgen.content.clearance import ClearanceRecord
from briefgen.content.ids import file_name_problems
from briefgen.content.loader import LoadedDocument, format_key_path, load_yaml, one_line
from briefgen.content.markdown import raw_html_problems
from briefgen.content.marking_checks import marking_problems
from briefgen.content.messages import validate_model
from briefgen.content.models import DEFAULT_ANNEX, Audience, Brief, Person
from briefgen.content.people import PeopleRegistry
from briefgen.content.placeholders import placeholder_warnings, without_placeholder_noise
from briefgen.content.rawdata import as_mapping, scalars
from briefgen.content.references import check_references, source_references
from briefgen.content.sourcemap import ContentText
from briefgen.content.warnings import Agenda, agenda_clashes, brief_warnings
from briefgen.errors import ContentError, Diagnostic

__all__ = ["PeopleRegistry", "ValidatedBrief", "placeholder_warnings", "validate_brief", "validate_document"]


@dataclass(frozen=True)
class ValidatedBrief:
    """A brief that passed every check, with the people it names."""

    brief_id: str
    path: Path
    display_path: str
    brief: Brief
    people: dict[str, Person]
    warnings: tuple[Diagnostic, ...]
    input_files: tuple[Path, ...]
    document: LoadedDocument
    audience: Audience | None = None       # set on an audience's version (see for_audience)
    withheld: Withheld = field(default_factory=Withheld)
    full_brief: Brief | None = None        # on an audience's version: the brief it was made from
    # The house it was checked in (content/house.House, which imports this module: typed
    # loosely here so that the import runs one way).
    house: Any = None
    edition: str | None = None             # set on a translated edition (content/translations.py)
    editions: tuple[ValidatedBrief, ...] = ()   # on the source: its translated editions, each checked
    # (path, SHA-256) of the brief and each person file, of the bytes as read for this validation
    input_digests: tuple[tuple[Path, str], ...] = ()
    # (path, text) of the same files, as read: what an email records as sent, with no second read
    input_texts: tuple[tuple[Path, str], ...] = ()
    # Added by the workflows, which read git and the other briefs (workflows/clearance.py):
    clearances: tuple[ClearanceRecord, ...] = ()   # the chain, each pinned and maybe stale
    earlier: ValidatedBrief | None = None  # the brief it `follows` (on a version: as its audience may see it)
    history: str = ""                      # the digest of its file's commits (engine/revisions.history_digest)

    @property
    def output_id(self) -> str:
        """The outputs' file stem: `<id>` for the full brief, `<id>.<audience>` for a version,
        `<id>.<lang>` for an edition (`<id>.<audience>.<lang>` for an audience's version of it)."""
        return ".".join(filter(None, [self.brief_id, self.audience.id if self.audience else None,
                                      self.edition]))

    @property
    def lang(self) -> str:
        """The language it prints in: its edition's, else its audience's, else the brief's."""
        return self.edition or (self.audience.lang if self.audience else None) or self.brief.lang

    def for_audience(self, audience_id: str) -> ValidatedBrief:
        """This brief as one of its audiences may see it: a new validated brief from which
        every portion above the audience's ceiling is gone (content/audiences.py)."""
        audience = next((a for a in self.brief.audiences if a.id == audience_id), None)
        if audience is None:
            known = ", ".join(a.id for a in self.brief.audiences) or "none"
            raise KeyError(f"{self.display_path} has no audience `{audience_id}` (its audiences: {known})")
        brief, withheld = audience_brief(self.brief, audience, self.people)
        people = {pid: person for pid, person in self.people.items() if pid in referenced_people(brief)}
        return dataclasses.replace(self, brief=brief, people=people, audience=audience, withheld=withheld,
                                   full_brief=self.brief, earlier=self._earlier_for(audience))

    def _earlier_for(self, audience: Audience) -> ValidatedBrief | None:
        """The brief it follows, as the audience may see it (None: the version has no "Since
        the last meeting"; content/audiences.earlier_for_audience)."""
        if self.earlier is None:
            return None
        seen = earlier_for_audience(self.earlier.brief, self.brief, audience, self.earlier.people)
        return None if seen is None else dataclasses.replace(self.earlier, brief=seen)

    def versions(self) -> list[ValidatedBrief]:
        """The full brief, then one version per audience."""
        return [self, *(self.for_audience(a.id) for a in self.brief.audiences)]

    def all_versions(self) -> list[ValidatedBrief]:
        """Its versions, then each translated edition's versions (the edition, its audiences')."""
        return [*self.versions(), *(version for edition in self.editions for version in edition.versions())]

    def locate_text(self, needle: str) -> str:
        """Where in the content a piece of text comes from, as 'file:line:col (key.path)'."""
        return self.content_text().locate_text(needle)

    def locate_key(self, key_path: str) -> tuple[int, int]:
        """Line and column of a top-level key, as the PDF stage reports them."""
        return self.document.locate((key_path,), key=True) if key_path in (self.document.data or {}) \
            else (0, 0)

    def content_text(self) -> ContentText:
        """The brief's text with where each piece was written, for the PDF stage."""
        entries = []
        people_folder = Path(self.display_path).parent / "people"   # as PeopleRegistry finds them
        for key_path, value in scalars(self.document.data, ()):
            line, column = self.document.locate(key_path)
            entries.append((value, f"{self.display_path}:{line}:{column} ({format_key_path(key_path)})"))
        for person_id, person in self.people.items():
            # JSON mode: a choice is its plain text, not the content model's enum, which
            # would import the model (pydantic) in the worker that unpickles this index
            for name, value in person.model_dump(mode="json", exclude_none=True).items():
                if isinstance(value, str):
                    entries.append((value, f"{people_folder / (person_id + '.yaml')} ({name})"))
        data = self.document.data if isinstance(self.document.data, dict) else {}
        keys = tuple((key, *self.document.locate((key,), key=True)) for key in data)
        annex = DEFAULT_ANNEX if self.brief.annex is None else self.brief.annex
        return ContentText(self.path, self.display_path, tuple(entries), keys,
                           tuple(section.value for section in annex), self.brief.annex is not None,
                           self.largest_step)

    @property
    def largest_step(self) -> str | None:
        """The largest body step its house sets page 1 at (None: briefgen's largest)."""
        return self.house.settings.type_step if self.house is not None else None



def validate_brief(path: Path, people: PeopleRegistry, *, display_path: str | None = None) -> ValidatedBrief:
    """Load and check one brief. Raises ContentError with every problem (and warning) found."""
    return validate_document(load_yaml(path, display_path), people)


def validate_document(doc: LoadedDocument, people: PeopleRegistry) -> ValidatedBrief:
    """Check one brief already loaded (from its file, or as it would be after an edit)."""
    path = doc.path
    brief, model_problems = validate_model(Brief, doc)
    data = as_mapping(doc.data)
    references, agenda = list(source_references(data)), Agenda.of(data)
    people_found, reference_problems = check_references(doc, people, references)
    problems = [one_line(p) for p in (
        *file_name_problems(doc), *doc.diagnostics,
        *without_placeholder_noise([*model_problems, *reference_problems], doc),
        *raw_html_problems(doc, Brief), *agenda_clashes(doc, agenda), *brief_warnings(doc, agenda, references))]
    person_files = [d for d in map(people.document, sorted(people_found)) if d is not None]
    problems += asset_problems(doc, person_files)  # images, links, Markdown limits
    problems += marking_problems(doc, brief, people)
    errors = [p for p in problems if p.is_error]
    if errors or brief is None:
        raise ContentError(problems)
    brief = with_computed_banner(brief)
    inputs = (path, *(people.path_of(pid) for pid in sorted(people_found)))
    digests = ((path, doc.sha256), *((d.path, d.sha256) for d in person_files))
    texts = ((path, doc.source), *((d.path, d.source) for d in person_files))
    return ValidatedBrief(path.stem, path, doc.display_path, brief, people_found,
                          tuple(sorted(p for p in problems if not p.is_error)), inputs, doc,
                          input_digests=digests, input_texts=texts)

