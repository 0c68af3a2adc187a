"""The live preview's state: each brief's last good HTML, its problems, and its PDF.

A save is handled at two speeds. At once, on the watcher's thread, the brief is
validated and its HTML rendered (tens of milliseconds) and open pages are told to
reload. Then one PDF thread in this same warm process (WeasyPrint imported once)
lays out and writes the PDF with `build_brief`, and open pages learn whether
the brief fits on one page. When content is broken, the last good HTML is kept and
the problems are shown over it; nothing a brief contains can stop the server.

A brief with audiences has a page per audience's version too: its HTML is rendered from
the version (`for_audience`, as the build does) on the same save, and its PDF is built
with the full one. A version's state holds only what the version shows: when the brief
itself is broken, the version says how many problems there are, not what they are (their
messages may quote portions the audience may not see).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import jinja2

from briefgen.content.assets import ASSETS_FOLDER, IMAGE_SIGNATURES
from briefgen.content.books import validate_book
from briefgen.content.languages import is_translation_file
from briefgen.content.validate import PeopleRegistry, ValidatedBrief
from briefgen.engine.names import OutputKey, output_path, path_of
from briefgen.engine.workers import DEFAULT_BUDGET, WorkerPool
from briefgen.errors import ContentError, Diagnostic
from briefgen.project import Project
from briefgen.render.html import render_html
from briefgen.render.labels import event_dates
from briefgen.workflows.book import build_books, find_books
from briefgen.workflows.brief import BriefResult, check_brief, find_briefs, shared_people, warm_up_layout

# JSON-ready: what the pages and their event stream are sent.
Json = dict[str, Any]
# One open event stream: each change event, then None when the stream is to end.
Subscriber = queue.Queue[Json | None]

TEMPLATE_SUFFIXES = (".j2", ".css")       # what the page is rendered from
STATUS_LABELS = {"building": "building PDF", "built": "built", "failing": "failing",
                 "overflowing": "overflowing"}


@dataclass(frozen=True)
class Problem:
    """One thing to show in the overlay: where (file:line:col, or a file) and what."""

    where: str
    message: str
    key: str = ""
    kind: str = "invalid"

    @classmethod
    def from_diagnostic(cls, diagnostic: Diagnostic) -> Problem:
        return cls(diagnostic.place, diagnostic.message, diagnostic.key_path, diagnostic.kind)


@dataclass
class BriefState:
    """What the preview knows about one brief right now."""

    brief_id: str
    path: Path
    file: str
    title: str = ""
    when: str = ""
    html: str | None = None           # the last HTML that rendered; None until one has
    html_version: int = 0             # goes up each time `html` changes: pages reload
    status: str = "building"          # one of STATUS_LABELS
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    inputs: frozenset[Path] = frozenset()   # the person files the last good version read
    generation: int = 0               # goes up with every save, so a stale PDF result is dropped
    fit: Json | None = None           # reading load and fill per region, from the last PDF build
    versions: dict[str, VersionState] = field(default_factory=dict)   # by audience id, in order

    def public(self) -> Json:
        """The state as the overlay and the index see it (JSON-ready)."""
        return {
            "brief": self.brief_id, "file": self.file, "title": self.title or self.brief_id,
            "when": self.when, "status": self.status, "status_label": STATUS_LABELS[self.status],
            "html_version": self.html_version, "has_html": self.html is not None,
            "problems": [vars(p) for p in self.problems],
            "warnings": [vars(p) for p in self.warnings],
            "fit": self.fit, "pdf": f"/briefs/{self.brief_id}.pdf",
            "versions": [{"audience": v.audience, "name": v.name, "url": version_url(self.brief_id, v.audience)}
                         for v in self.versions.values()],
        }


def version_url(brief_id: str, audience: str) -> str:
    """Where the preview shows an audience's version (see server.py)."""
    return f"/briefs/{brief_id}/for/{audience}"


@dataclass
class VersionState:
    """What the preview knows about one audience's version of a brief: only what it shows."""

    audience: str
    name: str
    html: str | None = None
    html_version: int = 0
    status: str = "building"
    problems: list[Problem] = field(default_factory=list)
    fit: Json | None = None

    def public(self, brief: BriefState) -> Json:
        """As BriefState.public, for the version's page: its own status, problems and fit, the
        brief's title and file, and no warnings (the brief's may quote any portion)."""
        url = version_url(brief.brief_id, self.audience)
        return {
            "brief": brief.brief_id, "audience": self.audience, "name": self.name, "file": brief.file,
            "title": brief.title or brief.brief_id, "when": brief.when, "status": self.status,
            "status_label": STATUS_LABELS[self.status], "html_version": self.html_version,
            "has_html": self.html is not None, "problems": [vars(p) for p in self.problems],
            "warnings": [], "fit": self.fit, "pdf": f"{url}.pdf", "changes": f"{url}/changes",
        }

    def failed_with_the_brief(self, brief: BriefState, count: int) -> None:
        """The brief itself does not build: say how many problems, not what they are."""
        self.status = "failing"
        self.fit = None
        it, are = ("it", "is") if count == 1 else ("they", "are")
        self.problems = [Problem(brief.file, f"the brief has {count} problem{'s' * (count != 1)}; {it} "
                                 f"{are} listed on the full brief's page, not on a version's ({it} may "
                                 "quote what this audience may not see)")]


@dataclass
class BookState:
    """What the preview knows about one briefing book."""

    book_id: str
    path: Path
    file: str
    title: str = ""
    briefs: tuple[str, ...] = ()
    status: str = "building"          # one of STATUS_LABELS (never "overflowing")
    problems: list[Problem] = field(default_factory=list)

    def public(self) -> Json:
        return {"book": self.book_id, "file": self.file, "title": self.title or self.book_id,
                "briefs": list(self.briefs), "status": self.status,
                "status_label": STATUS_LABELS[self.status], "problems": [vars(p) for p in self.problems]}


class ChangeFeed:
    """Fan-out of change events to every open page (one queue per server-sent-events stream)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: set[Subscriber] = set()
        self.sequence = 0

    def subscribe(self) -> Subscriber:
        subscriber: Subscriber = queue.Queue()
        with self._lock:
            self._subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._subscribers.discard(subscriber)

    def publish(self, kind: str, brief_id: str, **data: object) -> None:
        with self._lock:
            self.sequence += 1
            event = {"kind": kind, "brief": brief_id, "sequence": self.sequence, **data}
            for subscriber in self._subscribers:
                subscriber.put(event)

    def close(self) -> None:
        """End every open stream (a None tells a stream to finish)."""
        with self._lock:
            for subscriber in self._subscribers:
                subscriber.put(None)


class PdfBuilder(Protocol):
    """Builds one brief's PDFs (e.g. PdfWorker.build, or build_brief in this process);
    never raises for content. `on_brief` hears the full brief's result before its versions."""

    def __call__(self, path: Path, *,
                 on_brief: Callable[[BriefResult], None] | None = None) -> BriefResult: ...


def _built_pdf(path: Path) -> Path | None:
    """`path` if it is a PDF the preview wrote: a link (to a secret, or out of the project)
    never is, nor a file in a linked folder."""
    return path if path.is_file() and not path.is_symlink() and not path.parent.is_symlink() else None


class Preview:
    """Every brief of a project, kept up to date as its files change."""

    def __init__(self, project: Project, feed: ChangeFeed, build_pdf: PdfBuilder,
                 log: Callable[[str], None] = lambda line: None, layouts: WorkerPool | None = None) -> None:
        self.project = project
        self.feed = feed
        self._build_pdf_of = build_pdf     # e.g. PdfWorker.build: never raises for content
        # Where a book's own pages are laid out: the PDF worker's pool (PdfWorker.pool), or
        # a spawned worker of the preview's own (never forked from the server's threads).
        self._layouts = layouts or WorkerPool(1, DEFAULT_BUDGET, warm_up_layout, start_method="spawn")
        self._owns_layouts = layouts is None      # a shared pool is closed by its owner
        self._log = log
        self._lock = threading.RLock()
        self._briefs: dict[str, BriefState] = {}
        self._pdf_todo: dict[str, None] = {}          # an ordered set of brief ids
        self._pdf_wanted = threading.Condition(self._lock)
        self._render_lock = threading.RLock()         # one brief renders at a time
        self._people: dict[Path, PeopleRegistry] = {}
        self._stopping = False
        self._books: dict[str, BookState] = {}
        self._books_todo: dict[str, None] = {}        # books to re-assemble, in the PDF thread

    # --- reading -------------------------------------------------------------------------

    def snapshot(self, brief_id: str) -> tuple[str | None, Json] | None:
        """The brief's last good HTML and its public state, taken together; None if unknown."""
        with self._lock:
            state = self._briefs.get(brief_id)
            return None if state is None else (state.html, state.public())

    def version_snapshot(self, brief_id: str, audience: str) -> tuple[str | None, Json] | None:
        """An audience's version: its last good HTML and its public state; None if the brief
        or its version is unknown (never the full brief in its place)."""
        with self._lock:
            state = self._briefs.get(brief_id)
            version = state.versions.get(audience) if state else None
            return None if state is None or version is None else (version.html, version.public(state))

    def audiences_of(self, brief_id: str) -> list[str] | None:
        """The ids of a brief's versions (as last rendered); None for an unknown brief."""
        with self._lock:
            state = self._briefs.get(brief_id)
            return None if state is None else list(state.versions)

    def all_states(self) -> list[Json]:
        with self._lock:
            return [self._briefs[key].public() for key in sorted(self._briefs)]

    def html_versions(self) -> dict[str, int]:
        with self._lock:
            return {key: state.html_version for key, state in self._briefs.items()}

    def all_books(self) -> list[Json]:
        with self._lock:
            return [self._books[key].public() for key in sorted(self._books)]

    def book_pdf_path(self, book_id: str) -> Path | None:
        with self._lock:
            if book_id not in self._books:
                return None
        return _built_pdf(output_path(self.project.output_dir, book_id, ".pdf"))

    def pdf_path(self, brief_id: str, audience: str | None = None) -> Path | None:
        """output/<id>.pdf, or output/<id>.<audience>.pdf for a version the brief has."""
        with self._lock:
            state = self._briefs.get(brief_id)
            if state is None or (audience is not None and audience not in state.versions):
                return None
        return _built_pdf(path_of(self.project.output_dir, OutputKey(brief_id, ".pdf", audience)))

    # --- changes -------------------------------------------------------------------------

    def refresh_all(self) -> None:
        """Render every brief under content/ (and forget briefs whose file has gone)."""
        paths = find_briefs(self.project)
        with self._lock:
            gone = set(self._briefs) - {path.stem for path in paths}
        for brief_id in gone:
            self._remove(brief_id)
        for path in paths:
            self.refresh(path)
        self.refresh_books()

    def refresh_books(self) -> None:
        """Read every book under content/books/ (cheap: its own file only) and queue each
        for assembly; books whose file has gone are forgotten."""
        paths = find_books(self.project)
        with self._lock:
            for gone in set(self._books) - {path.stem for path in paths}:
                del self._books[gone]
                self._books_todo.pop(gone, None)
        for path in paths:
            self._read_book(path)

    def _read_book(self, path: Path) -> None:
        display = self.project.display(path)
        try:
            book = validate_book(path, display_path=display)
        except ContentError as exc:
            with self._lock:
                state = self._books.setdefault(path.stem, BookState(path.stem, path.resolve(), display))
                state.status = "failing"
                state.problems = [Problem.from_diagnostic(d) for d in exc.diagnostics if d.is_error]
            self.feed.publish("state", path.stem)
            return
        with self._lock:
            state = self._books.setdefault(path.stem, BookState(path.stem, path.resolve(), display))
            state.title, state.briefs = book.book.title, tuple(book.book.briefs)
            state.status, state.problems = "building", []
            self._books_todo[path.stem] = None
            self._pdf_wanted.notify()
        self.feed.publish("state", path.stem)

    def _queue_books_with(self, brief_id: str) -> None:
        with self._lock:
            for state in self._books.values():
                if brief_id in state.briefs:
                    state.status = "building"
                    self._books_todo[state.book_id] = None
            self._pdf_wanted.notify()

    def _build_book(self, book_id: str) -> None:
        """Re-assemble one book from its briefs' PDFs (built by the preview, or built now)."""
        with self._lock:
            state = self._books.get(book_id)
            if state is None:
                return
            path, briefs = state.path, self._brief_results(state.briefs)
        started = time.perf_counter()
        # The briefs' PDFs are the preview's own; the book's own pages are laid out on the
        # preview's spawned worker (never a worker forked from this process's threads).
        [result] = build_books(self.project, [path], brief_results=briefs, pool=self._layouts)
        with self._lock:
            state.problems = problems_of(result)
            state.status = "built" if result.ok else "failing"
        self.feed.publish("state", book_id)
        if result.ok:
            self._log(f"built {state.file} -> output/{book_id}.pdf in {time.perf_counter() - started:.2f} s")
        else:
            for problem in state.problems:
                self._log(f"{problem.where}: error: {problem.message}")

    def _brief_results(self, brief_ids: tuple[str, ...]) -> dict[Path, BriefResult]:
        """Each brief of a book as the preview last built it (call with the lock held)."""
        results = {}
        for brief_id in brief_ids:
            state = self._briefs.get(brief_id)
            path = state.path if state else self.project.content_dir / f"{brief_id}.yaml"
            if state is not None and state.status == "built":
                results[path] = BriefResult(path, brief_id, True, skipped=True)
            else:
                why = "has not been built in the preview" if state is None or state.status == "building" \
                    else "does not build"
                results[path] = BriefResult.failure(path, self.project.display(path),
                                                          f"the brief {why}", "invalid")
        return results

    def files_changed(self, paths: Iterable[Path]) -> None:
        """React to saved, added or deleted files under content/ or templates/; anything that
        is not a brief, a person, an image asset or a template is ignored."""
        changed = {path.resolve() for path in paths if self.is_input(path.resolve())}
        if not changed:
            return
        with self._render_lock:
            for folder in {path.parent for path in changed} & set(self._people):
                del self._people[folder]
        for path in sorted(self._briefs_affected_by(changed)):
            if path.is_file():
                self.refresh(path)
            else:
                self._remove(path.stem)
        if any(self.project.is_book(path) for path in changed):
            self.refresh_books()

    def is_input(self, path: Path) -> bool:
        """Whether a changed file can change a brief: a brief (content/*.yaml), a person
        (content/people/*.yaml), an image in content/assets/, or a template or its CSS. Not
        what editors write beside the file they save: vim's `4913` probe and `name~`
        backups, `sed -i`'s `sedAbc123`, swap, lock and hidden temporary files."""
        if path.name.startswith((".", "#")) or path.name.endswith(("~", "#")):
            return False
        content = self.project.content_dir.resolve()
        if path.parent in (content, content / "people"):
            return path.suffix == ".yaml"
        if path.is_relative_to(content / ASSETS_FOLDER):
            return path.suffix.lower() in IMAGE_SIGNATURES
        if path.is_relative_to(self.project.templates_dir.resolve()):
            return path.suffix in TEMPLATE_SUFFIXES
        return False

    def _briefs_affected_by(self, changed: set[Path]) -> set[Path]:
        content = self.project.content_dir.resolve()
        people = content / "people"
        with self._lock:
            known = {state.path: state for state in self._briefs.values()}
        affected: set[Path] = set()
        for path in changed:
            if path.parent == content and path.suffix == ".yaml":
                # An edition's text (content/<id>.<lang>.yaml) changes its brief, <id>.yaml.
                affected.add(path.with_name(path.name.split(".")[0] + ".yaml")
                             if is_translation_file(path) else path)
            elif path.parent == people:
                affected |= {brief for brief, state in known.items()
                             if path in state.inputs or state.status == "failing"}
            elif path.suffix != ".yaml" or not path.is_relative_to(content):
                affected |= set(known)        # a template, the CSS or an asset: every brief
        return affected

    def refresh(self, path: Path) -> None:
        """Validate and render one brief now, tell its pages, and queue its PDF if it rendered."""
        with self._render_lock:
            started = time.perf_counter()
            validated, result = check_brief(self.project, path, self._people_for(path))
            html, versions, problems = None, {}, []
            if validated is None:
                problems = problems_of(result)
            else:
                try:
                    html = render_html(validated, self.project.templates_dir)
                    versions = {a.id: (a.name, render_html(validated.for_audience(a.id),
                                                           self.project.templates_dir))
                                for a in validated.brief.audiences}
                except jinja2.TemplateError as exc:   # a template being edited: shown, not fatal
                    problems = [Problem.from_diagnostic(template_diagnostic(exc, self.project))]
            state, html_changed = self._record_render(path, result, html, versions, problems)
            self._announce("reload" if html_changed else "state", state)
            elapsed = time.perf_counter() - started
            if html is not None and validated is not None:
                self._remember_heading(state, validated)   # for the index; after the reload
        self._log_render(state, problems, elapsed)

    def _record_render(self, path: Path, result: BriefResult, html: str | None,
                       versions: dict[str, tuple[str, str]],
                       problems: list[Problem]) -> tuple[BriefState, bool]:
        """Store what rendering gave (`versions`: each audience's name and HTML); True with
        the state when open pages of the full brief must reload (a version's page compares
        its own `html_version`)."""
        with self._lock:
            state = self._state_for(path)
            state.generation += 1
            state.warnings = [Problem.from_diagnostic(w) for w in result.warnings]
            if problems:
                state.status, state.problems = "failing", problems
                for version in state.versions.values():
                    version.failed_with_the_brief(state, len(problems))
                return state, False
            changed = html != state.html
            if changed:
                state.html, state.html_version = html, state.html_version + 1
            if state.status != "overflowing":    # the overflow note stays until the PDF says
                state.status, state.problems = "building", []
            state.versions = {audience: _rendered(state.versions.get(audience), audience, name, page)
                              for audience, (name, page) in versions.items()}
            self._queue_pdf(state.brief_id)
            return state, changed

    def _remember_heading(self, state: BriefState, validated: ValidatedBrief) -> None:
        with self._lock:
            state.title, state.when = validated.brief.title, event_dates(validated.brief.event)
            state.inputs = frozenset(p.resolve() for p in validated.input_files)

    def _people_for(self, brief_path: Path) -> PeopleRegistry:
        """One registry per people folder, kept across saves (each person file is parsed once)
        and dropped when a file in that folder changes (files_changed)."""
        return shared_people(self.project, brief_path, self._people)

    def _log_render(self, state: BriefState, problems: list[Problem], seconds: float) -> None:
        if not problems:
            self._log(f"rendered {state.file} in {1000 * seconds:.0f} ms")
            return
        count = f"{len(problems)} problem{'s' * (len(problems) != 1)}"
        shown = ("the preview shows the last good version" if state.html is not None
                 else "there is no good version to show yet")
        self._log(f"{state.file}: {count}; {shown}")
        for problem in problems:
            self._log(f"  {problem.where}: {problem.message}")

    def _state_for(self, path: Path) -> BriefState:
        state = self._briefs.get(path.stem)
        if state is None:
            state = BriefState(path.stem, path.resolve(), self.project.display(path))
            self._briefs[path.stem] = state
        return state

    def _remove(self, brief_id: str) -> None:
        with self._lock:
            if self._briefs.pop(brief_id, None) is None:
                return
            self._pdf_todo.pop(brief_id, None)
        self.feed.publish("removed", brief_id)

    def _announce(self, kind: str, state: BriefState) -> None:
        self.feed.publish(kind, state.brief_id, html_version=state.html_version, status=state.status)

    # --- the PDF thread ------------------------------------------------------------------

    def _queue_pdf(self, brief_id: str) -> None:
        with self._lock:
            self._pdf_todo[brief_id] = None
            self._pdf_wanted.notify()

    def build_pdfs_until_stopped(self) -> None:
        """The PDF thread's loop: build each queued brief, newest content first come first."""
        while True:
            with self._lock:
                while not self._pdf_todo and not self._books_todo and not self._stopping:
                    self._pdf_wanted.wait()
                if self._stopping:
                    return
                book_id = None
                if self._pdf_todo:
                    brief_id = next(iter(self._pdf_todo))
                    del self._pdf_todo[brief_id]
                    state = self._briefs[brief_id]
                    generation, path = state.generation, state.path
                else:                           # a book waits until no brief is waiting
                    book_id = next(iter(self._books_todo))
                    del self._books_todo[book_id]
            if book_id is None:
                self._build_pdf(brief_id, path, generation)
            else:
                self._build_book(book_id)

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            self._pdf_wanted.notify_all()
        if self._owns_layouts:
            self._layouts.close()

    def _build_pdf(self, brief_id: str, path: Path, generation: int) -> None:
        started = time.perf_counter()

        def brief_written(own: BriefResult) -> None:
            """The full brief is written and its versions are still being laid out: its page
            need not wait for them."""
            state = self._record_pdf(brief_id, generation, own)
            if state is not None:
                self._announce("state", state)

        result = self._build_pdf_of(path, on_brief=brief_written)
        seconds = time.perf_counter() - started
        with self._lock:
            state = self._record_pdf(brief_id, generation, result)
            if state is None:
                return
            problems = state.problems
            for audience, version in state.versions.items():
                own = result.audience_results.get(audience)
                if own is None:                   # the brief itself did not build
                    if problems:
                        version.failed_with_the_brief(state, len(problems))
                    continue
                version.problems = [] if own.ok else problems_of(own)
                version.fit = own.fit.public() if own.fit else None
                version.status = _status(own, version.problems)
        self._announce("state", state)
        if state.status == "built":
            versions = f" and {brief_id}.<{'|'.join(result.audience_results)}>" if result.audience_results else ""
            self._log(f"built {state.file} -> output/{brief_id}.html, .pdf{versions} in {seconds:.2f} s")
            self._queue_books_with(brief_id)
        else:
            for problem in problems:
                self._log(f"{problem.where}: error: {problem.message}")

    def _record_pdf(self, brief_id: str, generation: int, result: BriefResult) -> BriefState | None:
        """The full brief's state after its PDF was built (None: saved again meanwhile, and a
        newer build is coming)."""
        with self._lock:
            state = self._briefs.get(brief_id)
            if state is None or state.generation != generation:
                return None
            state.problems = [] if result.ok else problems_of(result)
            state.fit = result.fit.public() if result.fit else None
            state.status = _status(result, state.problems)
            return state


def _rendered(version: VersionState | None, audience: str, name: str, html: str) -> VersionState:
    """A version's state after its brief rendered again: its new HTML, and building."""
    version = version or VersionState(audience, name)
    version.name = name
    if html != version.html:
        version.html, version.html_version = html, version.html_version + 1
    if version.status != "overflowing":
        version.status, version.problems = "building", []
    return version


def _status(result: BriefResult, problems: list[Problem]) -> str:
    return "built" if not problems else "overflowing" if "overflow" in result.kinds() else "failing"


def problems_of(result: BriefResult) -> list[Problem]:
    """A failed result's problems, with file:line:col when the pipeline knows them."""
    return [Problem.from_diagnostic(d) for d in result.diagnostics if d.is_error]


def template_diagnostic(exc: jinja2.TemplateError, project: Project) -> Diagnostic:
    """A template that does not compile or render, located in its file when Jinja knows where."""
    filename = getattr(exc, "filename", None) or getattr(exc, "name", None) or "templates"
    line = getattr(exc, "lineno", None) or 0
    return Diagnostic(project.display(Path(filename)), line, 0, "error",
                      f"template error: {exc.message or exc}", kind="template")
