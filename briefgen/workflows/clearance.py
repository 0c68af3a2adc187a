"""A brief's clearance chain pinned in git, and the brief it `follows`.

What a brief needs from outside its own file.

The chain is the brief's `clearance:` entries and the `Cleared-by: Name <email>` trailers
of the commits that touched its file. Each entry is pinned to the brief as it was in the
commit that added it (a trailer, to its own commit; an entry not yet committed, to the
working tree), and compared with the brief now (content/clearance.py): a clearance given
before the text changed is stale, and `check` says who cleared and what changed since.
Outside git, the entries are taken as given for the text as it is.

Only git's plumbing and `git log` are used, through engine/revisions.py; the versions are
read as blobs and validated in memory, never written anywhere.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.content.clearance import (
    TRAILER,
    ClearanceRecord,
    brief_entries,
    changes_since,
    latest_per_person,
    same_entry,
    stale_warning,
    trailer_entry,
)
from briefgen.content.compare import Side
from briefgen.engine import revisions
from briefgen.errors import ContentError, Diagnostic
from briefgen.project import Project

if TYPE_CHECKING:
    from briefgen.content.validate import PeopleRegistry, ValidatedBrief


@dataclass(frozen=True)
class Version:
    """A commit that touched the brief's file: its day, its trailers and the file then."""

    commit: str
    day: dt.date
    author: str
    trailers: tuple[str, ...]
    data: bytes | None           # None: the file did not exist in that commit


def with_records(project: Project, validated: ValidatedBrief,
                 people: PeopleRegistry) -> tuple[ValidatedBrief, list[Diagnostic]]:
    """The brief with its clearance chain pinned and the brief it follows attached; the
    problems found (stale clearances are warnings; a `follows` that cannot be met, errors)."""
    history = file_history(project, validated.path)
    chain = clearance_chain(validated, people, history)
    earlier, problems = _earlier(project, validated, people)
    problems += [stale_warning(record, validated.display_path, _place(validated, record))
                 for record in chain if record.stale]
    digest = revisions.history_digest(v.commit for v in reversed(history or []))
    validated = dataclasses.replace(validated, clearances=chain, earlier=earlier, history=digest)
    if earlier is not None:   # its files shape "Since the last meeting": inputs of this brief too
        validated = dataclasses.replace(
            validated, input_files=(*validated.input_files, *earlier.input_files),
            input_digests=(*validated.input_digests, *earlier.input_digests))
    return validated, problems


def clearance_chain(validated: ValidatedBrief, people: PeopleRegistry,
                    history: list[Version] | None) -> tuple[ClearanceRecord, ...]:
    """The chain of the brief's entries and its file's trailers, given its `history`."""
    entries = brief_entries(validated.brief)
    if history is None:
        return tuple(entries)
    pinned = [_pin(entry, history) for entry in entries]
    trailers = [record for version in history for value in version.trailers
                if (record := trailer_entry(value, version.day, version.commit)) is not None]
    order = {version.commit: index for index, version in enumerate(history)}
    ordered = sorted([*pinned, *trailers], key=lambda r: order.get(r.commit, len(history)))
    now = validated.path.read_bytes()
    sides: dict[str, Side | None] = {}
    chain = []
    for record in latest_per_person(ordered):
        data = next((v.data for v in history if v.commit == record.commit), None)
        if record.role != "drafted" and record.commit and data is not None and data != now:
            if record.commit not in sides:
                sides[record.commit] = _side_of(data, validated, people)
            record = dataclasses.replace(record, changed_since=changes_since(
                sides[record.commit], _side(validated)))
        chain.append(record)
    return tuple(chain)


def _pin(entry: ClearanceRecord, history: list[Version]) -> ClearanceRecord:
    """The entry pinned to the first commit whose file holds it (none: the working tree)."""
    from briefgen.content.loader import parse_yaml

    for version in history:
        if version.data is None:
            continue
        try:
            data = parse_yaml(version.data, Path("version.yaml"), "version.yaml").data
        except ContentError:
            continue
        if isinstance(data, dict) and same_entry(entry, data.get("clearance")):
            return dataclasses.replace(entry, commit=version.commit)
    return entry


def file_history(project: Project, path: Path) -> list[Version] | None:
    """The commits that touched the file, oldest first, each with the file as it was; None
    outside git (or when the file was never committed)."""
    try:
        repo = revisions.repository_of(project)
        relative = path.resolve().relative_to(project.root.resolve()).as_posix()
        where = repo.path_of(relative)
        log = repo.git("log", "--format=%H%x1f%cs%x1f%an%x1f%(trailers:key=" + TRAILER
                       + ",valueonly,separator=%x1e)%x1d", "--", where)
    except (revisions.RevisionError, ValueError):
        return None
    commits = []
    for entry in log.decode("utf-8", errors="replace").split("\x1d"):
        fields = entry.strip("\n").split("\x1f")   # not strip(): \x1f is white space to Python
        if len(fields) == 4:
            commits.append((fields[0], dt.date.fromisoformat(fields[1]), fields[2],
                            tuple(t.strip() for t in fields[3].split("\x1e") if t.strip())))
    if not commits:
        return None
    files = _read_at(repo, [f"{commit}:{where}" for commit, *_ in commits])
    return [Version(commit, day, author, trailers, files.get(f"{commit}:{where}"))
            for commit, day, author, trailers in reversed(commits)]


def _read_at(repo: revisions.Repository, names: list[str]) -> dict[str, bytes]:
    """`commit:path` names read in one `git cat-file --batch`; a missing one is left out."""
    out = repo.git("cat-file", "--batch", stdin="".join(f"{name}\n" for name in names).encode())
    found, position = {}, 0
    for name in names:
        header_end = out.index(b"\n", position)
        header = out[position:header_end].split()
        position = header_end + 1
        if len(header) != 3 or header[1] != b"blob":
            continue                                   # "<name> missing": deleted then
        size = int(header[2])
        found[name] = out[position:position + size]
        position += size + 1
    return found


def _side(validated: ValidatedBrief) -> Side:
    return Side(validated.brief, validated.people)


def _side_of(data: bytes, validated: ValidatedBrief, people: PeopleRegistry) -> Side | None:
    """A version of the brief validated in memory, with today's people; None if it is not valid."""
    from briefgen.content.loader import parse_yaml
    from briefgen.content.validate import validate_document

    try:
        version = validate_document(parse_yaml(data, validated.path, validated.display_path), people)
    except ContentError:
        return None
    return _side(version)


def _place(validated: ValidatedBrief, record: ClearanceRecord) -> tuple[int, int]:
    """Where a stale clearance is written: its entry, or the `clearance` key, or the file."""
    if record.source == "brief":
        key = ("clearance", "cleared", record.index) if record.role == "cleared" else ("clearance", record.role)
        return validated.document.locate(key)
    return validated.locate_key("clearance") if validated.brief.clearance else (0, 0)


def _earlier(project: Project, validated: ValidatedBrief,
             people: PeopleRegistry) -> tuple[ValidatedBrief | None, list[Diagnostic]]:
    """The brief this one `follows`, validated (its own `follows` is not followed further)."""
    from briefgen.content.validate import validate_brief

    earlier_id = validated.brief.follows
    if earlier_id is None:
        return None, []
    line, column = validated.document.locate(("follows",))

    def problem(message: str) -> list[Diagnostic]:
        return [Diagnostic(validated.display_path, line, column, "error", message, "follows")]

    path = validated.path.parent / f"{earlier_id}.yaml"
    if earlier_id == validated.brief_id:
        return None, problem("names this brief itself; name the brief of the last meeting")
    if not path.is_file():
        return None, problem(f"'{earlier_id}' is not a brief here (there is no "
                             f"{project.display(path)}); name the id of the last meeting's brief")
    try:
        return validate_brief(path, people, display_path=project.display(path)), []
    except ContentError as exc:
        errors = sum(d.is_error for d in exc.diagnostics)
        return None, problem(f"'{earlier_id}' has {errors} error{'s' * (errors != 1)}; run "
                             f"`briefgen check {project.display(path)}` and fix it first")
