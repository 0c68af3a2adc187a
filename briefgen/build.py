"""The pipeline, brief by brief: load and validate, render HTML, lay out the PDF, write.

Known user errors (content that does not validate, a brief that overflows) become a
failed result with messages; one failing brief never stops the others. Outputs are
written only when every stage has succeeded, so the last good output stays in place.

`build` skips briefs whose inputs have not changed (see incremental.py) and builds the
rest on long-lived worker processes, each within a time and memory budget (workers.py).
This module imports nothing heavy at the top, so a build with nothing to do stays fast.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen import incremental
from briefgen.errors import BriefgenError, ContentError, Diagnostic, UsageError
from briefgen.workers import Budget, JobFailed, run_jobs

if TYPE_CHECKING:
    from briefgen.validate import PeopleRegistry, ValidatedBrief

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"


@dataclass(frozen=True)
class Project:
    """Where content, people, templates and output live; every path is resolved here."""

    root: Path
    content_dir: Path
    output_dir: Path
    templates_dir: Path = TEMPLATES_DIR

    @classmethod
    def at(cls, root: Path, output_dir: Path | None = None) -> "Project":
        root = root.resolve()
        return cls(root, root / "content", (output_dir or root / "output").resolve())

    @classmethod
    def find(cls, start: Path, output_dir: Path | None = None) -> "Project":
        """The nearest folder at or above `start` that has a `content/` folder."""
        start = start.resolve()
        for folder in (start, *start.parents):
            if (folder / "content").is_dir():
                return cls.at(folder, output_dir)
        return cls.at(start, output_dir)

    @property
    def asset_roots(self) -> tuple[Path, ...]:
        return (self.templates_dir, self.content_dir / "assets")

    def display(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.root))
        except ValueError:
            return str(path)

    def people_for(self, brief_path: Path) -> "PeopleRegistry":
        from briefgen.validate import PeopleRegistry
        return PeopleRegistry(brief_path.resolve().parent / "people", self.root)


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
    from briefgen.validate import validate_brief

    display = project.display(path)
    try:
        validated = validate_brief(path, people or project.people_for(path), display_path=display)
    except ContentError as exc:
        result = BriefResult(path, path.stem, False, exc.messages(),
                             [d for d in exc.diagnostics if not d.is_error], diagnostics=exc.diagnostics)
        return None, result
    return validated, BriefResult(path, path.stem, True, warnings=list(validated.warnings),
                                  diagnostics=list(validated.warnings))


def build_brief(project: Project, path: Path, *, strict: bool = False) -> BriefResult:
    """Validate, render and write one brief in this process; on any user error nothing is written."""
    started = time.perf_counter()
    result = _build_brief(project, path, strict)
    result.seconds = time.perf_counter() - started
    return result


def _build_brief(project: Project, path: Path, strict: bool) -> BriefResult:
    validated, result = check_brief(project, path)
    if validated is None:
        return result
    version = _inputs_version(validated.input_files)  # as read, before the slow layout
    if strict and validated.warnings:
        result.ok = False
        result.errors = [w.format() for w in validated.warnings] + [
            f"{validated.display_path}: error: warnings are errors with --strict"]
        return result
    from briefgen.output import write_outputs
    from briefgen.pdf import write_pdf
    from briefgen.render_html import render_html
    try:
        html = render_html(validated, project.templates_dir)
        pdf = write_pdf(html, validated, project.asset_roots)
    except BriefgenError as exc:
        result.ok = False
        result.errors = exc.messages()
        return result
    result.outputs = write_outputs(project.output_dir, validated.brief_id,
                                   {".html": html.encode("utf-8"), ".pdf": pdf}, version=version)
    if not result.outputs:
        result.superseded = True
        return result
    incremental.record_build(path, list(validated.input_files), project.output_dir,
                             incremental.shared_inputs_digest(project.asset_roots))
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
    for path in paths:
        if not options.force and incremental.is_up_to_date(path, project.output_dir, shared):
            results[path] = BriefResult(path, path.stem, True, skipped=True)
            report(results[path])
        else:
            todo.append(path)
    if todo:
        _warm_up()
        workers = options.jobs or os.cpu_count() or 1
        for job, outcome in run_jobs(_BuildTask(project, options.strict), todo,
                                     workers=workers, budget=options.budget):
            results[job] = outcome if isinstance(outcome, BriefResult) else _failed(project, job, outcome)
            report(results[job])
    return [results[path] for path in paths]


@dataclass(frozen=True)
class _BuildTask:
    """What a worker does with one brief path (a picklable callable)."""

    project: Project
    strict: bool

    def __call__(self, path: Path) -> BriefResult:
        return build_brief(self.project, path, strict=self.strict)


def _warm_up() -> None:
    """Import every stage and load the fonts once, before the workers are forked from us:
    each worker starts warm, and nothing is loaded after its memory budget is set."""
    import briefgen.output  # noqa: F401
    import briefgen.render_html  # noqa: F401
    from briefgen.pdf import font_configuration
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
    return [check_brief(project, path)[1] for path in find_briefs(project, files)]
