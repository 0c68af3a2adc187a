"""Briefing books: a trip's briefs, schedule and biographies assembled into one bookmarked PDF.

A book's briefs are built first through the normal incremental build; then the book's own
pages (cover, contents with the trip's overview, schedule at a glance, extra sections,
biographies) are laid out, and each brief is laid out from the HTML its build recorded,
with only its tab added to its masthead (and at the book's body step), so the book never
disagrees with the briefs that were emailed. The contents' page numbers, the outline
(book → brief → section) and the page labels come from one page plan; every page is
stamped with the book's marking and "Page N of M". The parts are tagged and joined with their structure trees
(render/pdf_join.py), so the book is as accessible as each brief. A book whose brief does
not build carries that brief's own errors and is not written.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.content.sourcemap import ContentText
from briefgen.engine import stamps
from briefgen.engine.names import bookkeeping_path, output_path
from briefgen.engine.output import UnsafeOutput, write_atomic, write_outputs
from briefgen.engine.workers import BudgetExceeded, WorkerPool, time_limit
from briefgen.errors import BriefgenError, ContentError, Diagnostic, RenderError, UsageError
from briefgen.project import Project
from briefgen.workflows.brief import (
    BILINGUAL_SUFFIX,
    BriefResult,
    BuildOptions,
    bug_failure,
    build_briefs,
    built_output,
    check_brief,
    layout_pool,
    pool_for,
    shared_people,
)
from briefgen.workflows.layouts import BookFooter, BookPart, PdfAtStep, run_layout, run_layouts

if TYPE_CHECKING:
    from briefgen.content.books import ValidatedBook
    from briefgen.content.validate import PeopleRegistry, ValidatedBrief
    from briefgen.render.labels import View

BOOK_SUFFIXES = (".html", ".pdf", ".ics")


def find_books(project: Project, ids: Iterable[str] = ()) -> list[Path]:
    """The books named by id (or file), or every book under content/books/."""
    folder = project.books_dir
    wanted = list(ids)
    if not wanted:
        return project.book_files()
    found = []
    for name in wanted:
        path = Path(name)
        if not path.suffix:
            path = folder / f"{name}.yaml"
        if not path.is_file():
            raise UsageError(f"no such book: {name} (looked for {project.display(path)})")
        found.append(path)
    return found


@dataclass(frozen=True)
class CheckedBook:
    """A book and its briefs, every one of them valid."""

    book: ValidatedBook
    briefs: list[ValidatedBrief]


def check_book(project: Project, path: Path,
               registries: dict[Path, PeopleRegistry] | None = None) -> tuple[CheckedBook | None, BriefResult]:
    """Validate a book and each of its briefs. A brief with errors gives the book those
    errors (so the book's result says why) and one more at the brief's line in the book."""
    from briefgen.content.book_checks import book_problems
    from briefgen.content.books import validate_book

    registries = {} if registries is None else registries
    display = project.display(path)
    try:
        validated = validate_book(path, display_path=display)
    except ContentError as exc:
        return None, BriefResult(path, path.stem, False, list(exc.diagnostics))
    diagnostics: list[Diagnostic] = list(validated.warnings)
    briefs: list[ValidatedBrief] = []
    for index, brief_id in enumerate(validated.book.briefs):
        brief_path = validated.brief_path(brief_id)
        brief, result = check_brief(project, brief_path, shared_people(project, brief_path, registries))
        if brief is None:
            diagnostics += result.diagnostics
            diagnostics.append(validated.at_brief(index, f"brief `{brief_id}` has errors (above), so "
                                                  "the book cannot be built"))
        else:
            briefs.append(brief)
    if len(briefs) == len(validated.book.briefs):
        diagnostics += book_problems(validated, briefs)
    ok = not any(d.is_error for d in diagnostics)
    checked = CheckedBook(validated, briefs) if ok else None
    return checked, BriefResult(path, path.stem, ok, diagnostics)


def check_books(project: Project, ids: Iterable[str] = ()) -> list[BriefResult]:
    registries: dict[Path, PeopleRegistry] = {}
    results = []
    for path in find_books(project, ids):
        try:
            results.append(check_book(project, path, registries)[1])
        except UsageError:             # the command itself is wrong (a house that is not there)
            raise
        except Exception as exc:  # a bug met on this book fails this book, not the check
            results.append(bug_failure(project, path, exc))
    return results


# --- building ------------------------------------------------------------------------------

def build_books(project: Project, paths: list[Path], options: BuildOptions | None = None,
                on_result: Callable[[BriefResult], None] | None = None,
                brief_results: dict[Path, BriefResult] | None = None, *,
                checked: Mapping[Path, CheckedBook] | None = None,
                pool: WorkerPool | None = None) -> list[BriefResult]:
    """Build each book: its briefs through the normal incremental build (unless their
    results are given), then the book's own pages and the assembly. A book in `checked` (a
    caller has checked it: `email`) is not checked again, nor are its briefs validated again.
    Every layout runs on `pool` (the command's), else on a pool of the books' own."""
    options = options or BuildOptions()
    with pool_for(options, pool) as workers:
        return _build_books(project, paths, options, on_result, brief_results, checked or {}, workers)


def _build_books(project: Project, paths: list[Path], options: BuildOptions,
                 on_result: Callable[[BriefResult], None] | None,
                 brief_results: dict[Path, BriefResult] | None,
                 checked_books: Mapping[Path, CheckedBook], pool: WorkerPool) -> list[BriefResult]:
    report = on_result or (lambda result: None)
    known = {p.resolve(): r for p, r in (brief_results or {}).items()}
    results = []
    registries: dict[Path, PeopleRegistry] = {}
    shared = stamps.shared_inputs_digest(project.asset_roots)
    for path in paths:
        try:
            result = _build_book(project, path, options, report, known, registries, shared, brief_results,
                                 checked_books, pool)
        except UsageError:             # the command itself is wrong (a house that is not there)
            raise
        except Exception as exc:  # a bug met on this book fails this book, not the build
            result = bug_failure(project, path, exc)
        report(result)
        results.append(result)
    return results


def _build_book(project: Project, path: Path, options: BuildOptions, report: Callable[[BriefResult], None],
                known: dict[Path, BriefResult], registries: dict[Path, PeopleRegistry], shared: str,
                brief_results: dict[Path, BriefResult] | None, checked_books: Mapping[Path, CheckedBook],
                pool: WorkerPool) -> BriefResult:
    """One book: skipped when up to date, else checked (unless a caller has), its briefs
    built (not validated again) and assembled, every layout on `pool`."""
    started = time.perf_counter()
    if not options.force and _no_brief_failed(known) and _up_to_date(project, path, None, shared):
        return BriefResult(path, path.stem, True, skipped=True)
    checked: CheckedBook | None
    if path in checked_books:
        checked, result = checked_books[path], BriefResult(path, path.stem, True,
                                                            list(checked_books[path].book.warnings))
    else:
        checked, result = check_book(project, path, registries)
    if checked is not None and options.strict and result.warnings:
        checked = None
        result.fail([Diagnostic.of_file(project.display(path), "warnings are errors with --strict",
                                        "strict")])
    if checked is not None:
        brief_paths = [b.path for b in checked.briefs]
        missing = [p for p in brief_paths if p.resolve() not in known]
        if missing:
            validated = {b.path: b for b in checked.briefs}    # checked with the book: not again
            built = build_briefs(project, missing, options, on_result=report, pool=pool, validated=validated)
            for brief_path, brief_result in zip(missing, built, strict=True):
                known[brief_path.resolve()] = brief_result
        started = time.perf_counter()
        result = _assemble_checked(project, checked, result, [known[p.resolve()] for p in brief_paths],
                                   options, shared, pool)
    result.seconds = time.perf_counter() - started
    result.diagnostics = _not_reported_before(result.diagnostics, brief_results)
    return result


def _not_reported_before(diagnostics: list[Diagnostic],
                         brief_results: dict[Path, BriefResult] | None) -> list[Diagnostic]:
    """A brief's problems that the same run has already reported with the brief are not
    repeated under the book (the book's own line still says which brief stopped it)."""
    seen = {d.format() for r in (brief_results or {}).values() for d in r.diagnostics}
    return [d for d in diagnostics if d.format() not in seen]


def _assemble_checked(project: Project, checked: CheckedBook, result: BriefResult,
                      brief_results: list[BriefResult], options: BuildOptions, shared: str,
                      pool: WorkerPool) -> BriefResult:
    """Assemble a checked book from its briefs' results, within the time budget of one brief."""
    book = checked.book
    failed = [(i, r) for i, r in enumerate(brief_results) if not r.ok]
    if failed:
        return result.fail([d for _, r in failed for d in r.diagnostics if d.is_error] + [
            book.at_brief(i, f"brief `{r.brief_id}` did not build, so the book was not built")
            for i, r in failed])
    second = other_side(checked)
    printed = [*checked.briefs, *(second.briefs if second else [])]
    pdfs = [output_path(project.output_dir, printed_id(book, b), ".pdf") for b in printed]
    inputs = [book.path, *dict.fromkeys(f for b in printed for f in b.input_files), *pdfs]
    if not options.force and _up_to_date(project, book.path, inputs, shared):
        result.skipped = True
        return result
    try:
        with time_limit(options.budget.seconds):
            files = assemble(project, checked, PartCache(project, book.book_id, shared), pool)
            if second is not None:
                from briefgen.render.bilingual import back_to_back

                turned = assemble(project, second, PartCache(project, f"{book.book_id}.{second.book.book.lang}",
                                                             shared), pool)
                files[".pdf"] = back_to_back(files[".pdf"], turned[".pdf"])
    except BudgetExceeded:
        return result.fail([Diagnostic.of_file(book.display_path, "the book took longer than its time budget "
                                               f"({options.budget.seconds:g} s) and was stopped; nothing was "
                                               "written", "timeout")])
    except BriefgenError as exc:
        return result.fail(exc.diagnostics if isinstance(exc, ContentError) else
                           [Diagnostic.of_file(book.display_path, str(exc), "invalid")])
    result.outputs = write_outputs(project.output_dir, book.book_id, files)
    _record(project, book, inputs, shared)
    return result


def _up_to_date(project: Project, book_path: Path, inputs: list[Path] | None, shared: str) -> bool:
    """Whether the book's last build used exactly these inputs (default: the ones it recorded,
    which a build with nothing to do checks without reading any YAML) and its outputs are
    untouched: the stamp a brief has, with the book's outputs."""
    return stamps.is_up_to_date(book_path, project.output_dir, shared, BOOK_SUFFIXES, inputs)


def _no_brief_failed(known: dict[Path, BriefResult]) -> bool:
    """No brief built in this run failed (a book with a failing brief fails, never skips;
    which briefs a book holds is not known before its file is read)."""
    return all(result.ok for result in known.values())


def _record(project: Project, book: ValidatedBook, inputs: list[Path], shared: str) -> None:
    stamps.record_build(book.path, inputs, project.output_dir, stamps.fingerprint(book.path, inputs, shared),
                        suffixes=BOOK_SUFFIXES)


# --- assembly -------------------------------------------------------------------------------

@dataclass(frozen=True)
class OwnPart:
    """One of the book's own parts (front, middle, biographies), laid out and written."""

    pdf: bytes
    pages: int
    anchors: dict[str, int]      # 1-based page of each element id asked for

    def page_of(self, anchor: str) -> int:
        return self.anchors[anchor]


@dataclass(frozen=True)
class PartCache:
    """The book's own parts as last written, kept beside the outputs (output/.briefgen/) and
    used again while their HTML, briefgen, the templates, the assets and the fonts are the
    same: a change to a brief's deliverables leaves the cover, schedule and biographies as
    they were, so the book is only joined again. Without a cache (None) each is laid out."""

    project: Project
    book_id: str
    shared: str                  # stamps.shared_inputs_digest()

    def _files(self, name: str) -> tuple[Path, Path]:
        output_dir = self.project.output_dir
        return (bookkeeping_path(output_dir, self.book_id, ".json", part=name),
                bookkeeping_path(output_dir, self.book_id, ".pdf", part=name))

    def key(self, made_from: str) -> str:
        return _sha256(f"{self.shared}\n{made_from}".encode())

    def get(self, name: str, key: str) -> OwnPart | None:
        """The part kept under `name` if it was made from the same `key` (and its PDF is the
        one written with that key: the two files are replaced one after the other)."""
        index, pdf = self._files(name)
        kept = stamps.read_stamp(index)
        data = stamps.read_kept(pdf)
        if kept is None or data is None or kept.get("key") != key or kept.get("pdf") != _sha256(data):
            return None
        return OwnPart(data, int(kept["pages"]), {str(k): int(v) for k, v in kept["anchors"].items()})

    def put(self, name: str, key: str, part: OwnPart) -> None:
        index, pdf = self._files(name)
        try:
            write_atomic(pdf, part.pdf, durable=False)
            stamps.write_stamp(index, {"key": key, "pages": part.pages, "anchors": part.anchors,
                                       "pdf": _sha256(part.pdf)})
        except (OSError, UnsafeOutput):   # read-only, or a linked output/: the book stands, uncached
            pass


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _kept_or_made(cache: PartCache | None, name: str, made_from: str,
                  make: Callable[[], OwnPart]) -> OwnPart:
    """The part kept under `name` when it was made from the same thing; else made (and kept)."""
    key = cache.key(made_from) if cache else ""
    kept = cache.get(name, key) if cache else None
    if kept is not None:
        return kept
    part = make()
    if cache:
        cache.put(name, key, part)
    return part


def _own_part(project: Project, pool: WorkerPool, cache: PartCache | None, name: str, html: str,
              source: ContentText, anchors: Iterable[str] = ()) -> OwnPart:
    """A part of the book's own, laid out on a worker and written as tagged PDF (or as it
    was last time)."""
    def lay_out() -> OwnPart:
        part = run_layout(pool, BookPart(project.asset_roots), (html, source, tuple(anchors)),
                          f"the {name} of {source.display_path}")
        return OwnPart(part.pdf, part.pages, part.anchors)
    return _kept_or_made(cache, name, html, lay_out)


def _footer(pool: WorkerPool, cache: PartCache | None, view: View, sizes: list[tuple[float, float]]) -> bytes:
    """The footer line of every page (render/book.footer_pdf, on a worker), or as it was last time."""
    def lay_out() -> OwnPart:
        pdf = run_layout(pool, BookFooter(), (view, sizes), f"the footer of {view['title']}")
        return OwnPart(pdf, len(sizes), {})

    made_from = repr((view["title"], view["classification"], view["lang"], sizes))
    return _kept_or_made(cache, "footer", made_from, lay_out).pdf


def printed_id(book: ValidatedBook, brief: ValidatedBrief) -> str:
    """The output of a brief (or of its edition) that the book prints: itself, or its bilingual
    document in a book side by side (checked to exist: content/book_checks.bilingual_problems)."""
    return f"{brief.output_id}.{BILINGUAL_SUFFIX}" if book.book.bilingual == "side-by-side" else brief.output_id


def other_side(checked: CheckedBook) -> CheckedBook | None:
    """A book back to back: its second side, the book in its second language, each brief's
    edition in that language (checked to exist); None for any other book."""
    from briefgen.content.book_checks import second_language

    second = second_language(checked.briefs) if checked.book.book.bilingual == "back-to-back" else None
    if second is None:
        return None
    book = dataclasses.replace(checked.book, book=checked.book.book.model_copy(update={"lang": second}))
    return CheckedBook(book, [next(e for e in b.editions if e.edition == second) for b in checked.briefs])


def _briefs_in_book(project: Project, checked: CheckedBook, cache: PartCache | None,
                    pool: WorkerPool) -> tuple[list[str], list[bytes]]:
    """Each brief's HTML and PDF as the book prints it: the HTML its build recorded, with its tab in
    the masthead (render/book.with_tab), every brief at the same body step, the smallest any
    of them needs (recorded by its build). Each is laid out on a worker and kept like the
    book's own parts, under a key made of what was laid out: the tab is in it, so a book
    whose briefs are reordered lays them out again with their new tabs; an unchanged brief
    in an unchanged place is taken as kept. The brief's own PDF keeps its own step. The
    tabbed HTML is the book's web page's too (assemble)."""
    from briefgen.render.book import brief_tab, with_tab
    from briefgen.render.labels import labels_for
    from briefgen.render.pdf import smallest_step

    words = labels_for(checked.briefs[0].house if checked.briefs else None, checked.book.book.lang)
    step = smallest_step([stamps.recorded_body(project.output_dir, b.brief_id) for b in checked.briefs])
    parts: dict[str, OwnPart | None] = {}
    missing: list[tuple[str, str, tuple[str, ContentText, str]]] = []     # (part, key, job)
    htmls = []
    for number, brief in enumerate(checked.briefs, start=1):
        printed = printed_id(checked.book, brief)
        html = with_tab(built_output(project, printed, ".html").decode("utf-8"), brief_tab(words, number))
        htmls.append(html)
        part = f"brief-{printed.replace('.', '--')}"     # a part's name has no dot: `x.fr` is `x--fr`
        key = cache.key(f"{step}\n{html}") if cache else ""
        parts[part] = cache.get(part, key) if cache else None
        if parts[part] is None:
            missing.append((part, key, (html, brief.content_text(), step)))
    made = run_layouts(pool, PdfAtStep(project.asset_roots),
                       [(job, f"{job[1].display_path} in the book") for _, _, job in missing])
    for (part, key, _), pdf in zip(missing, made, strict=True):
        parts[part] = made_part = OwnPart(pdf, 0, {})
        if cache:
            cache.put(part, key, made_part)
    return htmls, [own.pdf for own in parts.values() if own is not None]


def assemble(project: Project, checked: CheckedBook, cache: PartCache | None = None,
             pool: WorkerPool | None = None) -> dict[str, bytes]:
    """The book's PDF, HTML and calendar.

    Cover and contents come first, then the schedule and sections, the briefs and the
    biographies. The schedule, sections and biographies are laid out first (their length
    does not depend on page numbers); then the front, whose contents can now print every
    number. The front is laid out again only if it is not the two pages assumed. A part
    whose HTML is as it was last time is taken from `cache` without a layout. Layouts run on
    `pool` (a pool of the book's own when none is given)."""
    if pool is None:
        with layout_pool(BuildOptions()) as own:
            return assemble(project, checked, cache, own)
    from briefgen.render.book import PagePlan, book_view, brief_frame, render_book_part
    from briefgen.render.calendar import book_calendar
    from briefgen.render.pdf_join import BookInfo, JoinPart, join_tagged, page_count

    book, briefs = checked.book, checked.briefs
    brief_htmls, brief_pdfs = _briefs_in_book(project, checked, cache, pool)
    brief_pages = [page_count(pdf) for pdf in brief_pdfs]
    source = ContentText(book.path, book.display_path, ())

    def plan_for(front: int, middle: int, section_pages: list[int], bios: int) -> PagePlan:
        starts, page = [], front + middle + 1
        for count in brief_pages:
            starts.append(page)
            page += count
        return PagePlan(front + 1, tuple(front + p for p in section_pages), tuple(starts), page,
                        page - 1 + bios)

    def part(name: str, view: View, anchors: Iterable[str] = ()) -> OwnPart:
        return _own_part(project, pool, cache, name, render_book_part(view, name, project.templates_dir), source,
                         anchors)

    sections = [f"section-{n}" for n in range(1, len(book.book.sections) + 1)]
    draft = book_view(book, briefs, plan_for(2, 1, [1] * len(sections), 1))
    middle = part("middle", draft, sections)
    section_pages = [middle.page_of(anchor) for anchor in sections]
    bios = part("biographies", draft)
    front_pages = 2
    for _ in range(3):
        plan = plan_for(front_pages, middle.pages, section_pages, bios.pages)
        view = book_view(book, briefs, plan)
        front = part("front", view)
        if front.pages == front_pages:
            break
        front_pages = front.pages
    else:
        raise RenderError(book.display_path, "the contents' page numbers did not settle; "
                          "nothing was written", "overflow")
    parts = [JoinPart(front.pdf), JoinPart(middle.pdf)]
    parts += [JoinPart(pdf, b.brief.title) for b, pdf in zip(briefs, brief_pdfs, strict=True)]
    parts.append(JoinPart(bios.pdf))
    info = BookInfo(book.book.title, book.book.prepared_by, book.book.subtitle or book.book.title, view["lang"])
    pdf = join_tagged(parts, info, footer=lambda sizes: _footer(pool, cache, view, sizes),
                      destinations={entry["target"]: entry["page"] - 1 for entry in view["contents"]})
    pages_html = {b.brief_id: brief_frame(html) for b, html in zip(briefs, brief_htmls, strict=True)}
    page_html = render_book_part(book_view(book, briefs, plan, pages_html), "html", project.templates_dir)
    return {".html": page_html.encode("utf-8"), ".pdf": pdf, ".ics": book_calendar(book, briefs)}


def view_of_built(checked: CheckedBook, pdf: bytes) -> View:
    """The book's view (dates, schedule, contents) for a book already built, its page plan
    read back from the PDF's outline: cover, contents, schedule, the sections, one entry
    per brief, then the biographies."""
    from briefgen.render.book import PagePlan, book_view
    from briefgen.render.pdf_join import top_outline_pages

    starts, total = top_outline_pages(pdf)
    sections, count = len(checked.book.book.sections), len(checked.briefs)
    plan = PagePlan(starts[2], tuple(starts[3:3 + sections]), tuple(starts[3 + sections:3 + sections + count]),
                    starts[-1], total)
    return book_view(checked.book, checked.briefs, plan)
