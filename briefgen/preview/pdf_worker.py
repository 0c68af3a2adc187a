"""The live preview's PDF builder: one warm process of its own, started once.

Laying out a PDF takes hundreds of milliseconds of pure Python; in the server's own
process it would hold the interpreter lock while pages are being served, and a crash
inside the layout engine would take the server with it. So PDFs are built by
`build_brief` in a separate process that imports WeasyPrint and loads the fonts
once, then waits for briefs. It is started with "spawn" (a fresh interpreter), not
forked from the server's threads. A build that runs past its time budget, or a
process that dies, is reported as a failed build, and a fresh process takes over.
"""

from __future__ import annotations

import multiprocessing
import resource
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from functools import partial
from multiprocessing.connection import Connection
from pathlib import Path

from briefgen.engine.workers import within_memory
from briefgen.errors import Kind
from briefgen.project import Project
from briefgen.workflows.brief import BriefResult, build_brief

SECONDS_PER_BRIEF = 60        # the same budgets as `briefgen build`
MEMORY_MB = 2048
# What the worker sends back for a brief: the full brief written (when it has versions to
# lay out after it), then the result of all of it.
BRIEF_WRITTEN, DONE = "brief", "done"


class PdfWorker:
    """Builds one brief at a time in the worker process; `build()` never raises for content."""

    def __init__(self, project: Project, seconds: float = SECONDS_PER_BRIEF) -> None:
        self.project = project
        self.seconds = seconds
        self._context = multiprocessing.get_context("spawn")
        self._process: multiprocessing.process.BaseProcess | None = None   # started on first use
        # The PDF thread starts the process while the main thread may be stopping the server:
        # starting and stopping never overlap, and nothing starts once stopped.
        self._lock = threading.Lock()
        self._stopped = False

    def _start(self) -> None:
        if self._stopped:
            raise _Stopped
        self._connection, child_end = self._context.Pipe()
        self._process = self._context.Process(target=_serve, args=(child_end,),
                                              name="briefgen-pdf", daemon=True)
        self._process.start()
        child_end.close()

    def build(self, path: Path, *,
              on_brief: Callable[[BriefResult], None] | None = None) -> BriefResult:
        """Validate, render, lay out and write one brief and its versions; a failure comes
        back as a result. `on_brief` hears the full brief's result before its versions are
        laid out (see build_brief)."""
        with self._lock:
            if self._stopped:
                return BriefResult.failure(path, self.project.display(path),
                                                 "the preview is stopping; not built", "crashed")
            if self._process is None:
                self._start()
        deadline = time.monotonic() + self.seconds
        try:
            self._connection.send((self.project, path))
            while self._connection.poll(max(0.0, deadline - time.monotonic())):
                stage, result = self._connection.recv()
                if stage == DONE:
                    return result
                if on_brief is not None:
                    on_brief(result)
            failure = f"took longer than its time budget ({self.seconds:g} s) and was stopped"
            kind: Kind = "timeout"
        except (EOFError, OSError):
            failure = f"stopped the process laying it out ({_exit_of(self._process)})"
            kind = "crashed"
        self._restart()
        return BriefResult.failure(path, self.project.display(path),
                                         f"the brief {failure}; nothing was written", kind)

    def _restart(self) -> None:
        with self._lock:
            if self._process is not None:
                self._process.kill()
                self._process.join()
            self._connection.close()
            self._process = None
            try:
                self._start()
            except _Stopped:
                pass

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
            if self._process is None:
                return
            try:
                self._connection.send(None)
            except OSError:
                pass
            self._process.join(timeout=5)
            if self._process.is_alive():
                self._process.kill()
                self._process.join()


class _Stopped(Exception):
    """The worker was asked to start after the server began to stop."""


def _serve(connection: Connection) -> None:
    """The worker's loop: warm up once, then build each brief it is sent."""
    import jinja2  # noqa: F401  (warm: imported before the memory cap, for _failed)

    import briefgen.preview.state  # noqa: F401
    from briefgen.render.pdf import font_configuration

    signal.signal(signal.SIGINT, signal.SIG_IGN)     # Ctrl-C is for the server to handle
    limit = MEMORY_MB * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    font_configuration()
    while True:
        try:
            job = connection.recv()
        except EOFError:                             # the server has gone
            return
        if job is None:
            return
        project, path = job
        # Made before the build, so that saying it ran out of memory needs none.
        out_of_memory = BriefResult.failure(path, project.display(path), "the brief ran out of "
                                                  f"its memory budget ({MEMORY_MB} MiB); nothing was "
                                                  "written", "memory")
        result = within_memory(partial(_build, connection, project, path),
                               partial(_failed, project, path), out_of_memory, limit)
        try:
            connection.send((DONE, result))
        except MemoryError:
            connection.send((DONE, out_of_memory))


def _build(connection: Connection, project: Project, path: Path) -> BriefResult:
    return build_brief(project, path,
                             on_brief=lambda written: connection.send((BRIEF_WRITTEN, written)))


def _failed(project: Project, path: Path, exc: Exception) -> BriefResult:
    """What a build that raised is reported as: a template's error, or a bug."""
    import jinja2

    from briefgen.preview.state import template_diagnostic

    if isinstance(exc, jinja2.TemplateError):          # a template being edited
        return BriefResult(path, path.stem, False, [template_diagnostic(exc, project)])
    traceback.print_exception(exc, file=sys.stderr)    # a bug: report it, keep serving
    return BriefResult.failure(path, project.display(path), "briefgen failed while building "
                                     "the PDF (a bug in briefgen, not in your content; the "
                                     "traceback is in the terminal)", "bug")


def _exit_of(process: multiprocessing.process.BaseProcess | None) -> str:
    if process is None:
        return "it was not running"
    process.join(timeout=1)
    code = process.exitcode
    if code is not None and code < 0:
        return f"killed by {signal.Signals(-code).name}"
    return f"exit code {code}"
