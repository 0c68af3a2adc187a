"""The pipeline, brief by brief: load and validate, render HTML, lay out the PDF, write.

Known user errors (content that does not validate, a brief that overflows) become a
failed result with messages; one failing brief never stops the others. Outputs are
written only when every stage has succeeded, so the last good output stays in place.

`build` skips briefs whose inputs have not changed (see incremental.py). It validates and
renders the rest here, one by one, under the time budget, and hands each to one of the
long-lived worker processes that lay out and write PDFs, each within the time and memory
budget (workers.py): layout is the stage whose cost can grow far beyond the input's size.
This module imports nothing heavy at the top, so a build with nothing to do stays fast.
"""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.build import incremental
from briefgen.build.record import RECORD_SUFFIX
from briefgen.project import Project
from briefgen.errors import BriefgenError, ContentError, Diagnostic, UsageError
from briefgen.content.sourcemap import ContentText
from briefgen.build.workers import Budget, BudgetExceeded, JobFailed, run_jobs, time_limit

if TYPE_CHECKING:
    from briefgen.build.record import Provenance
    from briefgen.content.validate import PeopleRegistry, ValidatedBrief

@dataclass
class BriefResult:
    """What happened to one brief."""

    path: Path
    brief_id: str
    ok: bool
    errors: list[str] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    skipped: bool = False
    superseded: bool = False         # built, but a build of newer content wrote first
    seconds: float = 0.0
    peak_memory_mb: float = 0.0      # of the worker that laid it out

    def fail(self, messages: list[str]) -> "BriefResult":
        """Mark the brief as not built, for these reasons."""
        self.ok, self.errors = False, list(messages)
        return self


def find_briefs(project: Project, files: Iterable[Path] = ()) -> list[Path]:
    """The briefs named, or every brief directly under content/ (people files are not briefs)."""
    named = [Path(f) for f in files]
    if not named:
        if not project.content_dir.is_dir():
            raise UsageError(f"no content folder at {project.content_dir}; run briefgen from a "
                             "project, or name the brief files")
        return sorted(project.content_dir.glob("*.yaml"))
    found = []
    for path in named:
        if path.is_dir():
            found += sorted(path.glob("*.yaml"))
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(f"no such file: {path}")
    return found


def check_brief(project: Project, path: Path,
                people: "PeopleRegistry | None" = None) -> tuple["ValidatedBrief | None", BriefResult]:
    """Validate one brief; the result carries every diagnostic."""
    from briefgen.content.validate import validate_brief

    display = project.display(path)
    try:
        validated = validate_brief(path, people or people_registry(project, path), display_path=display)
    except ContentError as exc:
        result = BriefResult(path, path.stem, False, exc.messages(),
                             [d for d in exc.diagnostics if not d.is_error], diagnostics=exc.diagnostics)
        return None, result
    return validated, BriefResult(path, path.stem, True, warnings=list(validated.warnings),
                                  diagnostics=list(validated.warnings))


def build_brief(project: Project, path: Path, *, strict: bool = False) -> BriefResult:
    """Validate, render and write one brief in this process; on any user error nothing is written."""
    started = time.perf_counter()
    result, prepared = prepare_brief(project, path, strict=strict)
    if prepared is not None:
        result = write_brief(project, prepared)
    result.seconds = time.perf_counter() - started
    return result


@dataclass
class PreparedBrief:
    """A brief validated and rendered to HTML, ready to be laid out as a PDF. Small and
    free of the content model, so a worker takes it without importing validation."""

    brief_id: str
    path: Path
    input_files: tuple[Path, ...]
    source: ContentText              # to point layout errors back at the content
    html: str
    version: int                     # newest modification time of its inputs, as read
    result: BriefResult
    as_of: str = ""                  # YYYY-MM-DD: the record copy's date when nothing else gives one


def prepare_brief(project: Project, path: Path, *, strict: bool = False,
                  people: "PeopleRegistry | None" = None) -> tuple[BriefResult, PreparedBrief | None]:
    """The cheap stages: validate and render HTML. None when the brief cannot be built."""
    validated, result = check_brief(project, path, people)
    if validated is None:
        return result, None
    version = _inputs_version(validated.input_files)  # as read, before the slow layout
    if strict and validated.warnings:
        return result.fail([w.format() for w in validated.warnings] + [
            f"{validated.display_path}: error: warnings are errors with --strict"]), None
    from briefgen.render.html import render_html
    try:
        html = render_html(validated, project.templates_dir)
    except BriefgenError as exc:
        return result.fail(exc.messages()), None
    return result, PreparedBrief(validated.brief_id, validated.path, validated.input_files,
                                 validated.content_text(), html, version, result,
                                 validated.brief.as_of.isoformat())


def write_brief(project: Project, prepared: PreparedBrief, shared_digest: str | None = None,
                record: "Provenance | None" = None) -> BriefResult:
    """The expensive stage: lay out the PDF (one page, or an error) and write the outputs;
    with `record`, the record copy too (record.py), from the same layout.
    `shared_digest` (incremental.shared_inputs_digest) is computed here when not given."""
    from briefgen.build.output import write_outputs
    from briefgen.render.pdf import write_pdfs

    result = prepared.result
    try:
        embedded = None
        if record is not None:
            from briefgen.build.record import record_files
            embedded = record_files(project, prepared, record)
        pdf, record_pdf = write_pdfs(prepared.html, prepared.source, project.asset_roots, embedded)
    except BriefgenError as exc:
        return result.fail(exc.messages())
    outputs = {".html": prepared.html.encode("utf-8"), ".pdf": pdf}
    if record_pdf is not None:
        outputs[RECORD_SUFFIX] = record_pdf
    result.outputs = write_outputs(project.output_dir, prepared.brief_id, outputs,
                                   version=prepared.version)
    if not result.outputs:
        result.superseded = True
        return result
    incremental.record_build(prepared.path, list(prepared.input_files), project.output_dir,
                             shared_digest or incremental.shared_inputs_digest(project.asset_roots),
                             tuple(outputs))
    return result


def _inputs_version(files: tuple[Path, ...]) -> int:
    """The newest modification time among a brief's inputs: orders two builds of one brief."""
    return max((p.stat().st_mtime_ns for p in files if p.exists()), default=0)


@dataclass(frozen=True)
class BuildOptions:
    strict: bool = False
    force: bool = False
    jobs: int = 0                    # 0: one per core
    budget: Budget = Budget()
    record: bool = False             # also write output/<id>.record.pdf (build/record.py)


def build(project: Project, files: Iterable[Path] = (), options: BuildOptions = BuildOptions(),
          on_result: Callable[[BriefResult], None] | None = None) -> list[BriefResult]:
    """Build every brief named (default: all under content/), skipping those up to date.

    Results come back in the order of the briefs; `on_result` sees each one as it finishes.
    """
    report = on_result or (lambda result: None)
    paths = find_briefs(project, files)
    results: dict[Path, BriefResult] = {}
    todo = []
    shared = incremental.shared_inputs_digest(project.asset_roots)
    suffixes = incremental.OUTPUT_SUFFIXES + ((RECORD_SUFFIX,) if options.record else ())
    for path in paths:
        if not options.force and incremental.is_up_to_date(path, project.output_dir, shared, suffixes):
            results[path] = BriefResult(path, path.stem, True, skipped=True)
            report(results[path])
        else:
            todo.append(path)
    if todo:
        workers = min(options.jobs or os.cpu_count() or 1, len(todo))
        jobs = _prepared(project, todo, options, results, report)
        origin = None
        if options.record:
            from briefgen.build.record import provenance
            origin = provenance(project)
        for job, outcome in run_jobs(_WriteTask(project, shared, origin), jobs, workers=workers,
                                     budget=options.budget, warm_up=_warm_up_worker):
            path = job.path
            results[path] = outcome if isinstance(outcome, BriefResult) else _failed(project, path, outcome)
            results[path].seconds += job.result.seconds
            report(results[path])
    return [results[path] for path in paths]


def _prepared(project: Project, paths: list[Path], options: BuildOptions,
              results: dict[Path, BriefResult], report) -> Iterator[PreparedBrief]:
    """Validate and render each brief here, while the workers lay out PDFs (and, at the
    start, while they import WeasyPrint): the two halves of a build overlap on two cores.
    A brief that fails here is reported at once and never reaches a worker."""
    registries: dict[Path, "PeopleRegistry"] = {}
    for path in paths:
        started = time.perf_counter()
        try:
            with time_limit(options.budget.seconds):
                result, prepared = prepare_brief(project, path, strict=options.strict,
                                                 people=shared_people(project, path, registries))
        except BudgetExceeded:
            result, prepared = _failed(project, path, JobFailed(
                "timeout", f"took longer than its time budget ({options.budget.seconds:g} s) "
                "and was stopped")), None
        result.seconds = time.perf_counter() - started
        if prepared is None:
            results[path] = result
            report(result)
        else:
            yield prepared


@dataclass(frozen=True)
class _WriteTask:
    """What a worker does with a prepared brief (a picklable callable)."""

    project: Project
    shared_digest: str
    record: "Provenance | None" = None

    def __call__(self, prepared: PreparedBrief) -> BriefResult:
        started = time.perf_counter()
        result = write_brief(self.project, prepared, self.shared_digest, self.record)
        result.seconds = time.perf_counter() - started
        result.peak_memory_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        return result


def _warm_up_worker() -> None:
    """Run in each worker before its memory budget is set: import the PDF stage and load the
    fonts once, so every brief it lays out starts warm and no import can fail for memory."""
    import briefgen.build.output  # noqa: F401
    import briefgen.render.pdf_tags  # noqa: F401  (pikepdf, for the PDF/UA finishing)
    from briefgen.render.pdf import font_configuration
    font_configuration()


def _failed(project: Project, path: Path, failure: JobFailed) -> BriefResult:
    display = project.display(path)
    if failure.reason == "bug":
        raise InternalBuildError(f"building {display} failed inside briefgen:\n{failure.message}")
    return BriefResult(path, path.stem, False, [f"{display}: error: the brief {failure.message}; "
                                                "nothing was written"])


class InternalBuildError(RuntimeError):
    """A bug in briefgen surfaced by a worker; carries the worker's traceback."""


def check(project: Project, files: Iterable[Path] = ()) -> list[BriefResult]:
    """Validate the briefs named (default: all). Checking the whole project also checks the
    person files that no brief names yet, so a broken one is found before it is needed."""
    files = list(files)
    registries: dict[Path, "PeopleRegistry"] = {}
    results = [check_brief(project, path, shared_people(project, path, registries))[1]
               for path in find_briefs(project, files)]
    if not files:
        results += _check_people(shared_people(project, project.content_dir / "any.yaml", registries))
    return results


def people_registry(project: Project, brief_path: Path) -> "PeopleRegistry":
    """A fresh registry of the people a brief can name."""
    from briefgen.content.validate import PeopleRegistry
    return PeopleRegistry(project.people_dir_for(brief_path), project.root)


def shared_people(project: Project, brief_path: Path,
                  registries: dict[Path, "PeopleRegistry"]) -> "PeopleRegistry":
    """The people of a brief's folder from `registries` (added there on first use), so each
    person file is loaded once however many briefs name it."""
    people = people_registry(project, brief_path)
    return registries.setdefault(people.people_dir, people)


def _check_people(people: "PeopleRegistry") -> list[BriefResult]:
    """A result for each person file with problems that no checked brief has reported."""
    results = []
    for path in sorted(people.people_dir.glob("*.yaml")):
        if people.is_loaded(path.stem):
            continue
        _, problems = people.get(path.stem)
        if problems:
            results.append(BriefResult(path, path.stem, not any(p.is_error for p in problems),
                                       [p.format() for p in problems if p.is_error],
                                       [p for p in problems if not p.is_error], diagnostics=problems))
    return results
