"""The live preview's PDF builder: the engine's worker loop, one warm process of its own.

Laying out a PDF takes hundreds of milliseconds of pure Python; in the server's own
process it would hold the interpreter lock while pages are being served, and a crash
inside the layout engine would take the server with it. So each brief is built by
`build_brief` on a pool of one worker (engine/workers.py, the same loop and budgets as
`briefgen build`), which imports WeasyPrint and loads the fonts once. It is started with
"spawn" (a fresh interpreter), not forked from the server's threads. A build past its
budget, or a process that dies, is reported as a failed build, and a fresh process takes
over for the next one.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from briefgen.engine.workers import DEFAULT_BUDGET, Budget, JobFailed, WorkerPool, report
from briefgen.project import Project
from briefgen.workflows.brief import BriefResult, build_brief, failure_result, warm_up_layout


class PdfWorker:
    """Builds one brief at a time in the worker process; `build()` never raises for content."""

    def __init__(self, project: Project, budget: Budget = DEFAULT_BUDGET) -> None:
        self.project = project
        # The PDF thread starts the process while the main thread may be stopping the server:
        # the pool's own lifecycle keeps the two apart, and nothing starts once it is closed.
        self._pool = WorkerPool(1, budget, _warm_up, start_method="spawn")

    def build(self, path: Path, *,
              on_brief: Callable[[BriefResult], None] | None = None) -> BriefResult:
        """Validate, render, lay out and write one brief and its versions; a failure comes
        back as a result. `on_brief` hears the full brief's result before its versions are
        laid out (see build_brief)."""
        outcome = self._pool.run_one(_PreviewBuild(self.project), path, on_brief)
        if not isinstance(outcome, JobFailed):
            built: BriefResult = outcome
            return built
        if self._pool.closed:     # stopped (by stop(), or by the preview sharing the pool)
            return BriefResult.failure(path, self.project.display(path),
                                       "the preview is stopping; not built", "crashed")
        if outcome.reason == "bug":                      # report it, keep serving
            print(outcome.message, file=sys.stderr)
            return BriefResult.failure(path, self.project.display(path), "briefgen failed while "
                                       "building the PDF (a bug in briefgen, not in your content; "
                                       "the traceback is in the terminal)", "bug")
        return failure_result(self.project, path, outcome)

    @property
    def pool(self) -> WorkerPool:
        """Its worker, for the preview's other layouts (a book's own pages), one at a time."""
        return self._pool

    def stop(self) -> None:
        self._pool.close()


@dataclass(frozen=True)
class _PreviewBuild:
    """The job: build one brief, telling the server when the full brief is written. A
    template being edited may be broken: that is the template's problem, shown as one."""

    project: Project

    def __call__(self, path: Path) -> BriefResult:
        import jinja2

        from briefgen.preview.state import template_diagnostic

        try:
            return build_brief(self.project, path, on_brief=report)
        except jinja2.TemplateError as exc:
            return BriefResult(path, path.stem, False, [template_diagnostic(exc, self.project)])


def _warm_up() -> None:
    """The layout's warm-up, and what reporting a broken template needs (imported before
    the memory cap)."""
    import briefgen.preview.state  # noqa: F401

    warm_up_layout()
