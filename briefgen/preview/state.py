"""The live preview's state: each brief's last good HTML, its problems, and its PDF.

A save is handled at two speeds. At once, on the watcher's thread, the brief is
validated and its HTML rendered (tens of milliseconds) and open pages are told to
reload. Then one PDF thread in this same warm process (WeasyPrint imported once)
lays out and writes the PDF with `build.build_brief`, and open pages learn whether
the brief fits on one page. When content is broken, the last good HTML is kept and
the problems are shown over it; nothing a brief contains can stop the server.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from briefgen.build import pipeline as build
from briefgen.project import Project
from briefgen.errors import Diagnostic
from briefgen.render.html import event_dates, render_html
from briefgen.content.validate import PeopleRegistry, ValidatedBrief

OVERFLOW_MARK = "does not fit on one page"
STATUS_LABELS = {"building": "building PDF", "built": "built", "failing": "failing",
                 "overflowing": "overflowing"}


@dataclass(frozen=True)
class Problem:
    """One thing to show in the overlay: where (file:line:col, or a file) and what."""

    where: str
    message: str
    key: str = ""

    @classmethod
    def from_diagnostic(cls, diagnostic: Diagnostic) -> "Problem":
        return cls(f"{diagnostic.path}:{diagnostic.line}:{diagnostic.column}",
                   diagnostic.message, diagnostic.key_path)

    @classmethod
    def from_message(cls, text: str) -> "Problem":
        """A message formatted 'path: error: message' (as BriefgenError.messages() gives)."""
        where, separator, message = text.partition(": error: ")
        return cls(where, message) if separator else cls("", text)


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
    pdf_seconds: float | None = None
    fit: dict | None = None           # reading load and fill per region, from the last PDF build

    def public(self) -> dict:
        """The state as the overlay and the index see it (JSON-ready)."""
        return {
            "brief": self.brief_id, "file": self.file, "title": self.title or self.brief_id,
            "when": self.when, "status": self.status, "status_label": STATUS_LABELS[self.status],
            "html_version": self.html_version, "has_html": self.html is not None,
            "problems": [vars(p) for p in self.problems],
            "warnings": [vars(p) for p in self.warnings],
            "fit": self.fit,
        }


class ChangeFeed:
    """Fan-out of change events to every open page (one queue per server-sent-events stream)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: set[queue.Queue] = set()
        self.sequence = 0

    def subscribe(self) -> queue.Queue:
        subscriber: queue.Queue = queue.Queue()
        with self._lock:
            self._subscribers.add(subscriber)
        return subscriber

    def unsubscribe(self, subscriber: queue.Queue) -> None:
        with self._lock:
            self._subscribers.discard(subscriber)

    def publish(self, kind: str, brief_id: str, **data) -> None:
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


class Preview:
    """Every brief of a project, kept up to date as its files change."""

    def __init__(self, project: Project, feed: ChangeFeed,
                 build_pdf: Callable[[Path], build.BriefResult],
                 log: Callable[[str], None] = lambda line: None) -> None:
        self.project = project
        self.feed = feed
        self._build_pdf_of = build_pdf     # e.g. PdfWorker.build: never raises for content
        self._log = log
        self._lock = threading.RLock()
        self._briefs: dict[str, BriefState] = {}
        self._pdf_todo: dict[str, None] = {}          # an ordered set of brief ids
        self._pdf_wanted = threading.Condition(self._lock)
        self._render_lock = threading.RLock()         # one brief renders at a time
        self._people: dict[Path, PeopleRegistry] = {}
        self._stopping = False

    # --- reading -------------------------------------------------------------------------

    def snapshot(self, brief_id: str) -> tuple[str | None, dict] | None:
        """The brief's last good HTML and its public state, taken together; None if unknown."""
        with self._lock:
            state = self._briefs.get(brief_id)
            return None if state is None else (state.html, state.public())

    def all_states(self) -> list[dict]:
        with self._lock:
            return [self._briefs[key].public() for key in sorted(self._briefs)]

    def html_versions(self) -> dict[str, int]:
        with self._lock:
            return {key: state.html_version for key, state in self._briefs.items()}

    def pdf_path(self, brief_id: str) -> Path | None:
        with self._lock:
            if brief_id not in self._briefs:
                return None
        path = self.project.output_dir / f"{brief_id}.pdf"
        return path if path.is_file() else None

    # --- changes -------------------------------------------------------------------------

    def refresh_all(self) -> None:
        """Render every brief under content/ (and forget briefs whose file has gone)."""
        paths = build.find_briefs(self.project)
        with self._lock:
            gone = set(self._briefs) - {path.stem for path in paths}
        for brief_id in gone:
            self._remove(brief_id)
        for path in paths:
            self.refresh(path)

    def files_changed(self, paths: Iterable[Path]) -> None:
        """React to saved, added or deleted files under content/ or templates/."""
        changed = {path.resolve() for path in paths}
        with self._render_lock:
            for folder in {path.parent for path in changed} & set(self._people):
                del self._people[folder]
        for path in sorted(self._briefs_affected_by(changed)):
            if path.is_file():
                self.refresh(path)
            else:
                self._remove(path.stem)

    def _briefs_affected_by(self, changed: set[Path]) -> set[Path]:
        content = self.project.content_dir.resolve()
        people = content / "people"
        with self._lock:
            known = {state.path: state for state in self._briefs.values()}
        affected: set[Path] = set()
        for path in changed:
            if path.parent == content and path.suffix == ".yaml":
                affected.add(path)
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
            validated, result = build.check_brief(self.project, path, self._people_for(path))
            html, problems = None, []
            if validated is None:
                problems = problems_of(result)
            else:
                try:
                    html = render_html(validated, self.project.templates_dir)
                except jinja2.TemplateError as exc:   # a template being edited: shown, not fatal
                    problems = [template_problem(exc, self.project)]
            state, html_changed = self._record_render(path, result, html, problems)
            self._announce("reload" if html_changed else "state", state)
            elapsed = time.perf_counter() - started
            if html is not None:
                self._remember_heading(state, validated)   # for the index; after the reload
        self._log_render(state, problems, elapsed)

    def _record_render(self, path: Path, result: build.BriefResult, html: str | None,
                       problems: list[Problem]) -> tuple[BriefState, bool]:
        """Store what rendering gave; True with the state when open pages must reload."""
        with self._lock:
            state = self._state_for(path)
            state.generation += 1
            state.warnings = [Problem.from_diagnostic(w) for w in result.warnings]
            if problems:
                state.status, state.problems = "failing", problems
                return state, False
            changed = html != state.html
            if changed:
                state.html, state.html_version = html, state.html_version + 1
            if state.status != "overflowing":    # the overflow note stays until the PDF says
                state.status, state.problems = "building", []
            self._queue_pdf(state.brief_id)
            return state, changed

    def _remember_heading(self, state: BriefState, validated: ValidatedBrief) -> None:
        with self._lock:
            state.title, state.when = validated.brief.title, event_dates(validated.brief.event)
            state.inputs = frozenset(p.resolve() for p in validated.input_files)

    def _people_for(self, brief_path: Path) -> PeopleRegistry:
        """One registry per people folder, kept across saves (each person file is parsed once)
        and dropped when a file in that folder changes (files_changed)."""
        return build.shared_people(self.project, brief_path, self._people)

    def _log_render(self, state: BriefState, problems: list[Problem], seconds: float) -> None:
        if not problems:
            self._log(f"rendered {state.file} in {1000 * seconds:.0f} ms")
            return
        self._log(f"{state.file}: {len(problems)} problem(s); the preview shows the last good version")
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
                while not self._pdf_todo and not self._stopping:
                    self._pdf_wanted.wait()
                if self._stopping:
                    return
                brief_id = next(iter(self._pdf_todo))
                del self._pdf_todo[brief_id]
                state = self._briefs[brief_id]
                generation, path = state.generation, state.path
            self._build_pdf(brief_id, path, generation)

    def stop(self) -> None:
        with self._lock:
            self._stopping = True
            self._pdf_wanted.notify_all()

    def _build_pdf(self, brief_id: str, path: Path, generation: int) -> None:
        started = time.perf_counter()
        result = self._build_pdf_of(path)
        problems = [] if result.ok else problems_of(result)
        seconds = time.perf_counter() - started
        with self._lock:
            state = self._briefs.get(brief_id)
            if state is None or state.generation != generation:
                return                        # saved again meanwhile: a newer build is coming
            state.pdf_seconds = seconds
            state.problems = problems
            state.fit = result.fit.public() if result.fit else None
            state.status = ("built" if not problems else "overflowing"
                            if any(OVERFLOW_MARK in p.message for p in problems) else "failing")
        self._announce("state", state)
        if state.status == "built":
            self._log(f"built {state.file} -> output/{brief_id}.html, .pdf in {seconds:.2f} s")
        else:
            for problem in problems:
                self._log(f"{problem.where}: error: {problem.message}")


def problems_of(result: build.BriefResult) -> list[Problem]:
    """A failed result's problems, with file:line:col when the pipeline knows them."""
    diagnostics = [d for d in result.diagnostics if d.is_error]
    if diagnostics:
        return [Problem.from_diagnostic(d) for d in diagnostics]
    return [Problem.from_message(message) for message in result.errors]


def template_problem(exc: jinja2.TemplateError, project: Project) -> Problem:
    """A template that does not compile or render, located in its file when Jinja knows where."""
    filename = getattr(exc, "filename", None) or getattr(exc, "name", None) or "templates"
    line = getattr(exc, "lineno", None)
    where = project.display(Path(filename)) + (f":{line}" if line else "")
    return Problem(where, f"template error: {exc.message or exc}")
