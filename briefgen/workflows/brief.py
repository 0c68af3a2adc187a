"""The pipeline, brief by brief: load and validate, render HTML, lay out the PDF, write.

Known user errors (content that does not validate, a brief that overflows) become a
failed result with messages; one failing brief never stops the others. Outputs are
written only when every stage has succeeded, so the last good output stays in place.

`build_briefs` skips briefs whose inputs have not changed (engine/stamps.py). It validates
and renders the rest here, one by one, under the time budget, and hands each to one of the
long-lived worker processes that lay out and write PDFs, each within the time and memory
budget (engine/workers.py): layout is the stage whose cost can grow far beyond the input's size.
This module imports nothing heavy at the top, so a build with nothing to do stays fast.
"""

from __future__ import annotations

import os
import resource
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

from briefgen.content.sourcemap import ContentText
from briefgen.engine import stamps
from briefgen.engine.names import output_path
from briefgen.engine.revisions import FileHistories
from briefgen.engine.workers import (
    Budget,
    BudgetExceeded,
    JobFailed,
    WorkerPool,
    over_time,
    peak_address_space_mb,
    time_limit,
)
from briefgen.errors import BriefgenError, ContentError, Diagnostic, Kind, UsageError
from briefgen.project import GLOSSARY_FILE, Project

if TYPE_CHECKING:
    from briefgen.content.validate import PeopleRegistry, ValidatedBrief
    from briefgen.render.fit import Overflow, PageFit
    from briefgen.workflows.record import Provenance

@dataclass
class BriefResult:
    """What happened to one brief: every problem as a Diagnostic, text made only where printed."""

    path: Path
    brief_id: str
    ok: bool
    diagnostics: list[Diagnostic] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)
    skipped: bool = False
    superseded: bool = False         # built, but a build of newer content wrote first
    seconds: float = 0.0
    peak_memory_mb: float = 0.0      # of the worker that laid it out (resident)
    peak_address_space_mb: float = 0.0   # the same worker's address space: what its budget caps
    person: bool = False             # a person file checked on its own, not a brief
    fit: PageFit | None = None       # how its pages fit: reading load of page 1, room per region
    draft: Path | None = None        # output/<id>.overflow.pdf, written when it does not fit
    audience: str = ""               # the audience of a version laid out on its own ("" the full brief)
    # build_brief: each audience's version on its own (its problems and fit), by audience id;
    # this result holds them all, as a build reports them
    audience_results: dict[str, BriefResult] = field(default_factory=dict)

    @property
    def errors(self) -> list[str]:
        """The errors as printed, one line each."""
        return [d.format() for d in self.diagnostics if d.is_error]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if not d.is_error]

    def kinds(self) -> set[Kind]:
        """What went wrong, for callers that act on it (the preview, the email)."""
        return {d.kind for d in self.diagnostics if d.is_error}

    @classmethod
    def failure(cls, path: Path, display_path: str, message: str, kind: Kind) -> BriefResult:
        """A brief not built for one reason that concerns the whole brief."""
        return cls(path, path.stem, False, [Diagnostic.of_file(display_path, message, kind)])

    def fail(self, diagnostics: Iterable[Diagnostic]) -> BriefResult:
        """Mark the brief as not built, for these reasons (warnings found so far are kept)."""
        self.ok = False
        self.diagnostics = [*self.warnings, *diagnostics]
        return self


def diagnostics_of(error: BriefgenError, display_path: str) -> list[Diagnostic]:
    """The diagnostics a user error carries, or one for the whole brief."""
    if isinstance(error, ContentError):
        return list(error.diagnostics)
    return [Diagnostic.of_file(display_path, str(error), "invalid")]


def find_briefs(project: Project, files: Iterable[Path] = ()) -> list[Path]:
    """The briefs named, or every brief directly under content/ (people files are not briefs)."""
    named = [Path(f) for f in files]
    if not named:
        if project.content_dir.is_symlink():
            raise UsageError(f"{project.display(project.content_dir)}/ is a symbolic link; the "
                             "content folder must be a real folder inside the project")
        if not project.content_dir.is_dir():
            raise UsageError(f"no content folder at {project.content_dir}; run briefgen from a "
                             "project, or name the brief files")
        return _briefs_in(project.content_dir)
    found = []
    for path in named:
        if path.is_dir():
            found += _briefs_in(path)
        elif os.path.lexists(path):   # a link or a pipe too: loading it reports what it is
            found.append(path)
        else:
            raise UsageError(f"no such file: {path}")
    return found


def _briefs_in(folder: Path) -> list[Path]:
    """The briefs directly in a folder."""
    return sorted(path for path in folder.glob("*.yaml") if is_brief_file(path))


def is_brief_file(path: PurePath) -> bool:
    """Whether a file of content/ is a brief: a YAML file but the project's glossary and the
    editions' texts (`<id>.<lang>.yaml`, content/translations.py)."""
    from briefgen.content.languages import is_translation_file

    return path.suffix == ".yaml" and path.name != GLOSSARY_FILE and not is_translation_file(path)


def check_brief(project: Project, path: Path,
                people: PeopleRegistry | None = None) -> tuple[ValidatedBrief | None, BriefResult]:
    """Validate one brief; the result carries every diagnostic."""
    from briefgen.content.house import validate_in_house
    from briefgen.workflows.clearance import with_records

    display = project.display(path)
    people = people or people_registry(project, path)
    try:
        validated = validate_in_house(project, path, people, display)
        validated, edition_problems = with_editions(validated, people)
    except ContentError as exc:
        return None, BriefResult(path, path.stem, False, list(exc.diagnostics))
    validated, problems = with_records(project, validated, people)   # its clearance, what it follows
    validated = replace(validated, warnings=(*validated.warnings, *(p for p in problems if not p.is_error)))
    if any(p.is_error for p in problems):
        return None, BriefResult(path, path.stem, False, [*validated.warnings, *problems])
    return validated, BriefResult(path, path.stem, True, [*validated.warnings, *edition_problems])


def with_editions(validated: ValidatedBrief, people: PeopleRegistry) -> tuple[ValidatedBrief, list[Diagnostic]]:
    """The brief with each of its translated editions checked (content/translations.py), and
    what is untranslated or stale in them. A missing edition file, or an edition the model
    refuses, is a ContentError. Each edition's file joins the brief's inputs (its digest
    and its text as read), so a changed translation rebuilds the brief."""
    from briefgen.content.translations import (
        edition_document,
        edition_problem,
        load_translation,
        translation_problems,
    )
    from briefgen.content.validate import validate_document

    editions, problems, translations = [], [], []
    for lang in validated.brief.editions:
        translation = load_translation(validated.path, lang, validated.display_path)
        translations.append(translation)
        problems += translation_problems(validated.document, translation)
        try:
            edition = validate_document(edition_document(validated.document, translation, lang), people)
        except ContentError as exc:
            problems += [edition_problem(d, validated.document, translation, lang)
                         for d in exc.diagnostics if d.is_error]
            continue
        editions.append(replace(edition, house=validated.house, edition=lang))
    if any(problem.is_error for problem in problems):
        raise ContentError([*validated.warnings, *problems])
    return replace(validated, editions=tuple(editions),
                   input_files=(*validated.input_files, *(t.path for t in translations)),
                   input_digests=(*validated.input_digests, *((t.path, t.sha256) for t in translations)),
                   input_texts=(*validated.input_texts, *((t.path, t.source) for t in translations))), problems


def build_brief(project: Project, path: Path, *, strict: bool = False,
                on_brief: Callable[[BriefResult], None] | None = None) -> BriefResult:
    """Validate, render and write one brief and its audiences' versions in this process (the
    live preview's PDF worker); a version that fails leaves the others written, as in `build`.
    On any user error in the brief itself nothing is written. `on_brief` hears the full
    brief's own result as soon as it is written, before its versions are laid out."""
    started = time.perf_counter()
    result, versions = prepare_versions(project, path, strict=strict)
    merged, own = None, {}
    for prepared in versions:
        written = write_brief(project, prepared)
        if prepared.output_id:
            own[prepared.output_id.removeprefix(f"{prepared.brief_id}.")] = written
        elif on_brief is not None and len(versions) > 1:
            on_brief(written)
        merged = merge_results(merged, written)
    result = merged or result
    result.audience_results = own
    result.seconds = time.perf_counter() - started
    return result


@dataclass
class PreparedBrief:
    """A brief validated and rendered to HTML, ready to be laid out as a PDF. Small and
    free of the content model, so a worker takes it without importing validation."""

    brief_id: str
    path: Path
    input_files: tuple[Path, ...]
    input_digests: tuple[tuple[Path, str], ...]   # SHA-256 of each input as validated
    source: ContentText              # to point layout errors back at the content
    html: str
    version: int                     # newest modification time of its inputs, as read
    result: BriefResult
    output_id: str = ""              # `<id>.<audience>` for an audience's version; "" the full brief
    variants: tuple[str, ...] = ()   # on the full brief: the output ids of its audiences' versions
    named: str = ""                  # how a problem names it: "the version for audience `press`"...
    flip_side: str = ""              # back to back: the other language's HTML, printed upside down after

    as_of: str = ""                  # YYYY-MM-DD: the record copy's date when nothing else gives one
    clearance: tuple[dict[str, Any], ...] = ()   # the chain, as the record copy's manifest lists it
    history: str = ""                # the digest of its file's commits (revisions.history_digest)

    @property
    def output_name(self) -> str:
        return self.output_id or self.brief_id

    def fingerprint(self, shared_digest: str) -> str:
        """The inputs' fingerprint, from the bytes validated (stamps.fingerprint_of)."""
        return stamps.fingerprint_of(self.input_digests, shared_digest, self.history)



def prepare_brief(project: Project, path: Path, *, strict: bool = False,
                  people: PeopleRegistry | None = None) -> tuple[BriefResult, PreparedBrief | None]:
    """The cheap stages: validate and render HTML. None when the brief cannot be built."""
    validated, result = check_brief(project, path, people)
    if validated is None:
        return result, None
    return _prepare(project, validated, result, strict)


def _prepare(project: Project, validated: ValidatedBrief, result: BriefResult,
             strict: bool) -> tuple[BriefResult, PreparedBrief | None]:
    version = _inputs_version(validated.input_files)  # as read, before the slow layout
    if strict and validated.warnings:
        return result.fail([Diagnostic.of_file(validated.display_path,
                                               "warnings are errors with --strict", "strict")]), None
    from briefgen.render.html import render_html
    try:
        html = render_html(validated, project.templates_dir)
    except BriefgenError as exc:
        return result.fail(diagnostics_of(exc, validated.display_path)), None
    return result, PreparedBrief(validated.brief_id, validated.path, validated.input_files,
                                 validated.input_digests, validated.content_text(), html, version, result,
                                 as_of=validated.brief.as_of.isoformat(),
                                 clearance=tuple(r.as_dict() for r in validated.clearances),
                                 history=validated.history)


def prepare_versions(project: Project, path: Path, *, strict: bool = False,
                     people: PeopleRegistry | None = None) -> tuple[BriefResult, list[PreparedBrief]]:
    """Like prepare_brief, for the full brief and then each of its audiences' versions, its
    translated editions (and theirs) and its bilingual document: one validation, one HTML
    (and later one layout) per version. Each version's model is made by
    `ValidatedBrief.for_audience` before rendering, so it holds nothing the audience may not see."""
    validated, result = check_brief(project, path, people)
    if validated is None:
        return result, []
    return versions_of(project, validated, result, strict)


def versions_of(project: Project, validated: ValidatedBrief, result: BriefResult,
                strict: bool = False) -> tuple[BriefResult, list[PreparedBrief]]:
    """A validated brief prepared for layout: the full brief, then each audience's version, its
    translated editions (and their audiences' versions), and its bilingual document."""
    path = validated.path
    result, full = _prepare(project, validated, result, strict)
    others = validated.all_versions()[1:]
    if full is None or not others:
        return result, [full] if full else []
    from briefgen.render.html import render_html

    versions = []
    for version in others:
        try:
            html = render_html(version, project.templates_dir)
        except BriefgenError as exc:
            return result.fail(diagnostics_of(exc, validated.display_path)), []
        versions.append(PreparedBrief(validated.brief_id, validated.path, validated.input_files,
                                      validated.input_digests, full.source, html, full.version,
                                      BriefResult(path, path.stem, True,
                                                  audience=version.output_id.removeprefix(f"{path.stem}.")),
                                      version.output_id, named=version_name(version), history=validated.history))
    bilingual = _bilingual(project, validated, full, path)
    if bilingual is not None:
        versions.append(bilingual)
    full.variants = tuple(v.output_id for v in versions)
    return result, [full, *versions]


BILINGUAL_SUFFIX = "bilingual"     # output/<id>.bilingual.pdf


def _bilingual(project: Project, validated: ValidatedBrief, full: PreparedBrief,
               path: Path) -> PreparedBrief | None:
    """The brief and its first edition as one document: side by side (`bilingual: side-by-side`),
    laid out and checked as a page 1 of its own, or back to back (the edition's pages after
    the brief's, upside down: tête-bêche); None when the brief asks for neither."""
    if validated.brief.bilingual is None or not validated.editions:
        return None
    from briefgen.render.bilingual import render_side_by_side
    from briefgen.render.html import render_html

    edition = validated.editions[0]
    side_by_side = validated.brief.bilingual == "side-by-side"
    html = render_side_by_side(validated, edition, project.templates_dir) if side_by_side else full.html
    return PreparedBrief(validated.brief_id, validated.path, validated.input_files, validated.input_digests,
                         full.source, html, full.version, BriefResult(path, path.stem, True, audience=BILINGUAL_SUFFIX),
                         f"{validated.brief_id}.{BILINGUAL_SUFFIX}", named="the bilingual version",
                         flip_side="" if side_by_side else render_html(edition, project.templates_dir),
                         history=validated.history)


def write_brief(project: Project, prepared: PreparedBrief, shared_digest: str | None = None,
                record: Provenance | None = None) -> BriefResult:
    """The expensive stage: lay out the PDF (page 1 and its annex, or an error) and write the
    outputs; with `record`, the record copy too (record.py), from the same layout.
    `shared_digest` (stamps.shared_inputs_digest) is computed here when not given."""
    from briefgen.engine.output import write_outputs
    from briefgen.render.pdf import PageOverflow, write_pdfs

    result = prepared.result
    shared_digest = shared_digest or stamps.shared_inputs_digest(project.asset_roots)
    try:
        embedded = None
        if record is not None and not prepared.output_id:   # the full brief has a record copy
            from briefgen.workflows.record import record_files
            embedded = record_files(project, prepared, record)
        pdf, record_pdf, result.fit = write_pdfs(prepared.html, prepared.source, project.asset_roots,
                                                 embedded)
        if prepared.flip_side:       # each language laid out and checked as its own page 1
            from briefgen.render.bilingual import back_to_back
            pdf = back_to_back(pdf, write_pdfs(prepared.flip_side, prepared.source, project.asset_roots)[0])
    except PageOverflow as exc:
        result.fit = exc.fit
        if not prepared.output_id:          # the full brief: its draft and its verdict for check
            record_layout(project, prepared, exc.diagnostics, 0, shared_digest, overflow=exc.overflow)
            try:
                result.draft = write_overflow_draft(project, prepared, exc.draft)
            except BriefgenError as unsafe:  # a link planted in output/: no draft, and say why
                return result.fail([*_of_version(list(exc.diagnostics), prepared),
                                    *diagnostics_of(unsafe, project.display(prepared.path))])
        return result.fail(_of_version(list(exc.diagnostics), prepared))
    except BriefgenError as exc:
        return result.fail(_of_version(diagnostics_of(exc, project.display(prepared.path)), prepared))
    if not prepared.output_id:
        remove_overflow_draft(project, prepared.brief_id)
        record_layout(project, prepared, [], result.fit.words if result.fit else 0, shared_digest,
                      result.fit.body if result.fit else "")
    outputs = {".html": prepared.html.encode("utf-8"), ".pdf": pdf}
    if record_pdf is not None:
        outputs[stamps.RECORD_SUFFIX] = record_pdf
    try:
        result.outputs = write_outputs(project.output_dir, prepared.output_name, outputs,
                                       version=prepared.version)
    except BriefgenError as exc:        # a link planted in output/: refused, not followed
        return result.fail(_of_version(diagnostics_of(exc, project.display(prepared.path)), prepared))
    if not result.outputs:
        result.superseded = True
        return result
    stamps.record_build(prepared.path, list(prepared.input_files), project.output_dir,
                        prepared.fingerprint(shared_digest),
                             prepared.output_id or None, prepared.variants, tuple(outputs))
    return result


def _of_version(diagnostics: list[Diagnostic], prepared: PreparedBrief) -> list[Diagnostic]:
    """Say which audience's version a problem is in (nothing to add for the full brief)."""
    if not prepared.output_id:
        return diagnostics
    return [replace(d, message=f"in {prepared.named}: {d.message}") for d in diagnostics]


def version_name(version: ValidatedBrief) -> str:
    """How a problem names a version: "the version for audience `press`", "the `fr` edition",
    "the `fr` edition's version for audience `press`"."""
    audience = f"version for audience `{version.audience.id}`" if version.audience else ""
    if not version.edition:
        return f"the {audience}"
    return f"the `{version.edition}` edition" + (f"'s {audience}" if audience else "")


def merge_results(first: BriefResult | None, second: BriefResult) -> BriefResult:
    """One result for a brief built as several versions (the full brief and its audiences'),
    in whatever order the workers finish them: its fit (the build line's page-1 words) and
    its draft are the full brief's."""
    if first is None:
        return second
    if first.audience and not second.audience:
        first.fit, first.draft, first.audience = second.fit, second.draft, ""
    first.ok = first.ok and second.ok
    first.diagnostics = [*first.diagnostics, *second.diagnostics]
    first.outputs = [*first.outputs, *second.outputs]
    first.superseded = first.superseded or second.superseded
    first.seconds += second.seconds
    first.peak_memory_mb = max(first.peak_memory_mb, second.peak_memory_mb)
    return first


def built_output(project: Project, output_id: str, suffix: str) -> bytes:
    """An output as this project's last build wrote it: its bytes must be those the build
    recorded in its stamp, so a file put in output/ by hand (or by a pull request) under that
    name is refused, never attached or sent."""
    import hashlib

    path = output_path(project.output_dir, output_id, suffix)
    data = stamps.read_kept(path)
    recorded = stamps.recorded_output(project.output_dir, output_id, suffix)
    if data is None or recorded is None or hashlib.sha256(data).hexdigest() != recorded:
        raise UsageError(f"{project.display(path)} is not the file the build wrote (it was changed or "
                         "replaced after the build); build again with --force; nothing was sent")
    return data


def overflow_draft_path(project: Project, brief_id: str) -> Path:
    """Where the draft of a brief that does not fit goes: beside its outputs, never in
    their place, and never attached to an email."""
    return output_path(project.output_dir, brief_id, ".overflow.pdf")


def write_overflow_draft(project: Project, prepared: PreparedBrief, draft: bytes | None) -> Path | None:
    from briefgen.engine.output import write_atomic
    if draft is None:
        return None
    path = overflow_draft_path(project, prepared.brief_id)
    write_atomic(path, draft, durable=False)
    return path


def remove_overflow_draft(project: Project, brief_id: str) -> None:
    overflow_draft_path(project, brief_id).unlink(missing_ok=True)


def _inputs_version(files: tuple[Path, ...]) -> int:
    """The newest modification time among a brief's inputs: orders two builds of one brief."""
    return max((p.stat().st_mtime_ns for p in files if p.exists()), default=0)


@dataclass(frozen=True)
class BuildOptions:
    strict: bool = False
    force: bool = False
    jobs: int = 0                    # 0: one per core
    budget: Budget = field(default_factory=Budget)
    record: bool = False             # also write output/<id>.record.pdf (workflows/record.py)


def build_briefs(project: Project, files: Iterable[Path] = (), options: BuildOptions = BuildOptions(),
                 on_result: Callable[[BriefResult], None] | None = None, *,
                 pool: WorkerPool | None = None,
                 validated: Mapping[Path, ValidatedBrief] | None = None) -> list[BriefResult]:
    """Build every brief named (default: all under content/), skipping those up to date.

    Results come back in the order of the briefs; `on_result` sees each one as it finishes.
    The layouts run on `pool` (the command's own, kept warm for its other layouts), else on
    a pool of this build's. A brief in `validated` (a caller that has validated it for its
    own use: `email`) is not validated again.
    """
    report = on_result or (lambda result: None)
    paths = find_briefs(project, files)
    people = [path for path in paths if is_person_file(path)]
    if people:
        raise UsageError(f"{project.display(people[0])} is a person file, not a brief: a person is "
                         "built into the briefs that name them (check it alone with `check`)")
    results: dict[Path, BriefResult] = {}
    todo = []
    with ExitStack() as stack:
        workers = stack.enter_context(pool_for(options, pool)) if options.force and paths else None
        if workers is not None:   # every brief is built: its workers warm up beside what follows
            workers.warm(len(paths))
        shared = stamps.shared_inputs_digest(project.asset_roots)
        suffixes = stamps.OUTPUT_SUFFIXES + ((stamps.RECORD_SUFFIX,) if options.record else ())
        histories = FileHistories(project)
        for path in paths:
            if not options.force and stamps.is_up_to_date(path, project.output_dir, shared, suffixes,
                                                          history=histories.digest(path)):
                remove_overflow_draft(project, path.stem)   # from a failed attempt since
                results[path] = BriefResult(path, path.stem, True, skipped=True)
                report(results[path])
            else:
                todo.append(path)
        if todo:
            workers = workers or stack.enter_context(pool_for(options, pool))
            _lay_out_all(project, todo, options, shared, workers, results, report, validated or {})
    return [results[path] for path in paths]


def layout_pool(options: BuildOptions) -> WorkerPool:
    """A pool for a command's layouts: one worker per core (or `--jobs`), started as work
    appears, each warmed up with the PDF stage, within the command's budget."""
    return WorkerPool(options.jobs or os.cpu_count() or 1, options.budget, warm_up_layout)


@contextmanager
def pool_for(options: BuildOptions, pool: WorkerPool | None) -> Iterator[WorkerPool]:
    """The caller's pool (left open for its other layouts), or one for this build alone."""
    if pool is not None:
        yield pool
        return
    with layout_pool(options) as own:
        yield own


def _lay_out_all(project: Project, todo: list[Path], options: BuildOptions, shared: str, pool: WorkerPool,
                 results: dict[Path, BriefResult], report: Callable[[BriefResult], None],
                 validated: Mapping[Path, ValidatedBrief]) -> None:
    """Prepare the briefs here while the workers lay them out; each brief's result is
    reported when all its versions are done."""
    pending: dict[Path, int] = {}
    built: dict[Path, BriefResult] = {}
    jobs = _prepared(project, todo, options, results, report, pending, validated)
    origin = None
    if options.record:
        from briefgen.workflows.record import provenance
        origin = provenance(project)
    for job, outcome in pool.run(_WriteTask(project, shared, origin), jobs):
        path = job.path
        outcome = outcome if isinstance(outcome, BriefResult) else failure_result(project, path, outcome)
        outcome.seconds += job.result.seconds
        built[path] = merge_results(built.get(path), outcome)
        pending[path] -= 1
        if not pending[path]:       # every version of this brief is done
            results[path] = built[path]
            report(results[path])


def _prepared(project: Project, paths: list[Path], options: BuildOptions,
              results: dict[Path, BriefResult], report: Callable[[BriefResult], None],
              pending: dict[Path, int], validated: Mapping[Path, ValidatedBrief]) -> Iterator[PreparedBrief]:
    """Validate and render each brief here, while the workers lay out PDFs (and, at the
    start, while they import WeasyPrint): the two halves of a build overlap on two cores.
    A brief that fails here is reported at once and never reaches a worker."""
    registries: dict[Path, PeopleRegistry] = {}
    for path in paths:
        started = time.perf_counter()
        try:
            with time_limit(options.budget.seconds):
                if path in validated:
                    result, versions = versions_of(project, validated[path],
                                                   BriefResult(path, path.stem, True, list(validated[path].warnings)),
                                                   options.strict)
                else:
                    result, versions = prepare_versions(project, path, strict=options.strict,
                                                        people=shared_people(project, path, registries))
        except BudgetExceeded:
            result, versions = failure_result(project, path, over_time(options.budget)), []
        except UsageError:             # the command itself is wrong (a house that is not there)
            raise
        except Exception as exc:  # a bug met on this brief fails this brief, not the build
            result, versions = bug_failure(project, path, exc), []
        result.seconds = time.perf_counter() - started
        if not versions:
            results[path] = result
            report(result)
        else:
            pending[path] = len(versions)
            yield from versions


@dataclass(frozen=True)
class _WriteTask:
    """What a worker does with a prepared brief (a picklable callable)."""

    project: Project
    shared_digest: str
    record: Provenance | None = None

    def __call__(self, prepared: PreparedBrief) -> BriefResult:
        started = time.perf_counter()
        result = write_brief(self.project, prepared, self.shared_digest, self.record)
        result.seconds = time.perf_counter() - started
        result.peak_memory_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        result.peak_address_space_mb = peak_address_space_mb()
        return result


def warm_up_layout() -> None:
    """Run in each worker before its memory budget is set: import the PDF stage and load the
    fonts once, so every brief it lays out starts warm and no import can fail for memory.
    pikepdf (the PDF/UA finishing, render/pdf_tags.py) is imported on a thread beside
    WeasyPrint's import, which leaves it time (loading their libraries): a cold build's first
    layout starts sooner. The two share only standard modules that import neither."""
    import importlib
    import threading

    finishing = threading.Thread(target=importlib.import_module, args=("briefgen.render.pdf_tags",),
                                 name="import-pdf-tags")
    finishing.start()
    import briefgen.engine.output  # noqa: F401  (writing the outputs)
    from briefgen.render.pdf import font_configuration
    font_configuration()
    finishing.join()


def failure_result(project: Project, path: Path, failure: JobFailed) -> BriefResult:
    """A brief whose job did not return: over its budget, or its worker died. A bug in
    briefgen is raised, with the worker's traceback, for the command to show."""
    display = project.display(path)
    if failure.reason == "bug":
        return bug_failure(project, path, failure.message)
    return BriefResult.failure(path, display, f"the brief {failure.message}; nothing was written",
                               failure.reason)


def bug_failure(project: Project, path: Path, error: BaseException | str) -> BriefResult:
    """A bug in briefgen met while handling one brief (in this process or a worker): that
    brief fails, of kind "bug", with the traceback so it gets reported and fixed, and every
    other brief is still checked and built. The CLI exits with its internal-error code."""
    details = error if isinstance(error, str) else "".join(traceback.format_exception(error))
    return BriefResult.failure(path, project.display(path), "briefgen failed on this brief; this is a bug "
                               "in briefgen, not in your content; please report it with this "
                               f"traceback (nothing was written for it):\n{details.rstrip()}", "bug")


def is_person_file(path: Path) -> bool:
    """Whether a content file is a person: briefs name people from the `people/` folder
    beside them, so a file in a folder named `people` is a person, not a brief."""
    return path.resolve().parent.name == "people"


def record_layout(project: Project, prepared: PreparedBrief, problems: list[Diagnostic],
                  words: int, shared_digest: str, body: str = "", overflow: Overflow | None = None) -> None:
    """What a build learnt about the layout, for the next `check` (and its body step, for a book)."""
    stamps.record_layout_verdict(project.output_dir, prepared.brief_id, prepared.fingerprint(shared_digest),
                                 [asdict(d) for d in problems], words, body, overflow)


def people_registry(project: Project, brief_path: Path) -> PeopleRegistry:
    """A fresh registry of the people a brief can name."""
    from briefgen.content.validate import PeopleRegistry
    return PeopleRegistry(project.people_dir_for(brief_path), project.root)


def shared_people(project: Project, brief_path: Path,
                  registries: dict[Path, PeopleRegistry]) -> PeopleRegistry:
    """The people of a brief's folder from `registries` (added there on first use), so each
    person file is loaded once however many briefs name it."""
    people = people_registry(project, brief_path)
    return registries.setdefault(people.people_dir, people)
