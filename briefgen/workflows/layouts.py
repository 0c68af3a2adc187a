"""Every layout a command needs besides a brief's own build, as a job for the worker pool.

WeasyPrint's layout is the one stage whose cost can grow far beyond its input's size, so
it never runs in the command's own process: an amended email's page, the pages `check`
and `diff` lay out to see whether a brief fits, `diff`'s picture of page 1, and a book's
own parts are each a job on the command's `WorkerPool` (engine/workers.py), within the
same time and memory budget as a brief's build. A user's problem (a page that overflows,
a glyph no font has) comes back as diagnostics, never as an exception across the pipe;
a job over its budget is a `LayoutFailed` naming what was being laid out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from briefgen.content.sourcemap import ContentText
from briefgen.engine.workers import JobFailed, WorkerPool
from briefgen.errors import BriefgenError, ContentError, Diagnostic
from briefgen.render.fit import Overflow


class LayoutFailed(BriefgenError):
    """A layout that did not come back: over its time or memory budget, or its worker died."""


@dataclass(frozen=True)
class Problems:
    """What a layout job sends back instead of its result: the user's problems."""

    diagnostics: tuple[Diagnostic, ...]


def _problems_of(exc: BriefgenError, source: ContentText) -> Problems:
    if isinstance(exc, ContentError):
        return Problems(tuple(exc.diagnostics))
    return Problems(tuple(Diagnostic.of_file(source.display_path, message, "template")
                          for message in exc.messages()))


def run_layout(pool: WorkerPool, task: Any, job: Any, what: str) -> Any:
    """The job's result on the pool; its user problems raised as a ContentError; a job over
    budget as a LayoutFailed that says `what` it was laying out."""
    return run_layouts(pool, task, [(job, what)])[0]


def run_layouts(pool: WorkerPool, task: Any, jobs: Sequence[tuple[Any, str]]) -> list[Any]:
    """Each job's result, in the order given, the jobs spread over the pool's workers (a
    book's briefs lay out side by side); every job's user problems raised together as one
    ContentError; a job over budget as a LayoutFailed that says what it was laying out."""
    if len(jobs) <= 1:
        outcomes = [pool.run_one(task, job) for job, _ in jobs]
    else:
        order = {id(job): n for n, (job, _) in enumerate(jobs)}
        outcomes = [None] * len(jobs)
        for job, outcome in pool.run(task, [job for job, _ in jobs]):
            outcomes[order[id(job)]] = outcome
    problems: list[Diagnostic] = []
    for outcome, (_, what) in zip(outcomes, jobs, strict=True):
        if isinstance(outcome, JobFailed):
            if outcome.reason == "bug":
                raise RuntimeError(f"laying out {what} failed inside briefgen:\n{outcome.message}")
            raise LayoutFailed(f"{what} {outcome.message}; nothing was written")
        if isinstance(outcome, Problems):
            problems += outcome.diagnostics
    if problems:
        raise ContentError(problems)
    return outcomes


@dataclass(frozen=True)
class _GuardedLayout:
    """A layout job whose job is `(html, source, ...)`: a user's problem raised while laying
    it out comes back as Problems (one guard for every kind of layout), never across the
    pipe as an exception, which the worker would report as a bug."""

    asset_roots: tuple[Path, ...]

    def __call__(self, job: tuple[Any, ...]) -> Any:
        try:
            return self.lay_out(*job)
        except BriefgenError as exc:
            return _problems_of(exc, job[1])

    def lay_out(self, html: str, source: ContentText, *rest: Any) -> Any:
        raise NotImplementedError


class FittedPdf(_GuardedLayout):
    """`write_pdf` in a worker: a page that must fit (an amended email's page)."""

    def lay_out(self, html: str, source: ContentText, *rest: Any) -> bytes:
        from briefgen.render.pdf import write_pdf

        return write_pdf(html, source, self.asset_roots)


@dataclass(frozen=True)
class Verdict:
    """How a brief lays out, as `check` and `diff` need it: its layout problems, the words
    on page 1, and how far it runs past its pages when it does."""

    problems: tuple[Diagnostic, ...]
    words: int
    overflow: Overflow | None = None


class FitVerdict(_GuardedLayout):
    """Whether a brief fits its pages, and the words on page 1 (`check --layout`, `diff`):
    a page that does not fit is a verdict, not a failure of the job."""

    def lay_out(self, html: str, source: ContentText, *rest: Any) -> Verdict:
        from briefgen.render.pdf import PageOverflow, check_fit, lay_out_stepped

        try:
            html, laid_out, _ = lay_out_stepped(html, source, self.asset_roots, largest=source.largest_step)
            fit = check_fit(html, laid_out, source, self.asset_roots, draft=False)
        except BriefgenError as exc:
            problems = _problems_of(exc, source).diagnostics
            overflow = exc.overflow if isinstance(exc, PageOverflow) else \
                Overflow() if any(problem.kind == "overflow" for problem in problems) else None
            return Verdict(problems, 0, overflow)
        return Verdict((), fit.words)


class PageOne(_GuardedLayout):
    """A brief's PDF, whatever its length, and how full page 1 is (`diff --picture`)."""

    def lay_out(self, html: str, source: ContentText, *rest: Any) -> tuple[bytes, str]:
        from briefgen.render.pdf import lay_out_stepped, page_fill

        _, laid, _ = lay_out_stepped(html, source, self.asset_roots, largest=source.largest_step)
        document: Any = laid.document
        return document.write_pdf(), page_fill(laid)


class PdfAtStep(_GuardedLayout):
    """A brief's PDF at a given body step (a book sets all its briefs at the smallest step
    any of them needs): the job is `(html, source, step)`."""

    def lay_out(self, html: str, source: ContentText, *rest: Any) -> bytes:
        from briefgen.render.pdf import write_pdf_at_step

        return write_pdf_at_step(html, source, self.asset_roots, rest[0])


@dataclass(frozen=True)
class LaidOutPart:
    """A part of a book laid out: its tagged PDF, its pages, and the page of each anchor."""

    pdf: bytes
    pages: int
    anchors: dict[str, int]


class BookPart(_GuardedLayout):
    """One of a book's own parts (cover and contents, schedule, biographies) as tagged PDF:
    the job is `(html, source, anchors)`."""

    def lay_out(self, html: str, source: ContentText, *rest: Any) -> LaidOutPart:
        from briefgen.render.pdf import lay_out_document

        laid_out = lay_out_document(html, source, self.asset_roots)
        return LaidOutPart(laid_out.write(), laid_out.pages, {a: laid_out.page_of(a) for a in rest[0]})


@dataclass(frozen=True)
class BookFooter:
    """The footer line of every page of a book (render/book.footer_pdf)."""

    def __call__(self, job: tuple[dict[str, Any], list[tuple[float, float]]]) -> bytes:
        from briefgen.render.book import footer_pdf

        view, sizes = job
        return footer_pdf(view, sizes)
