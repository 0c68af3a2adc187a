"""`briefgen serve`: a live preview of every brief, rebuilt on every save.

The server binds 127.0.0.1 only. It watches content/ and templates/, re-renders what a
save touched in this warm process, and tells the open pages to reload; problems show
over the last good version. See preview/state.py (the state), preview/server.py (the
pages and the event stream), preview/pdf_worker.py (the warm PDF process) and
preview/watch.py (inotify).
"""

from __future__ import annotations

import argparse
import errno
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn, Self, TextIO

from briefgen.errors import ExitCode, UsageError
from briefgen.preview.pdf_worker import PdfWorker
from briefgen.preview.server import PreviewServer
from briefgen.preview.state import ChangeFeed, Preview
from briefgen.preview.watch import FolderWatcher
from briefgen.project import Project

DESCRIPTION = """\
Serve every brief on http://127.0.0.1:PORT/ (this machine only): an index of the
briefs with their status, and each brief's one-pager with a link to its PDF.
content/ and templates/ are watched: on every save the brief is validated and
rendered again, and the page in the browser reloads itself; the PDF follows.
A brief with errors keeps showing its last good version, with the errors
(file:line:col) over it; a brief too long for one page says by how much.
A brief with audiences has a page per version, /briefs/<id>/for/<audience>:
that audience's one-pager, PDF and changes since the last commit, and nothing
it may not see. Outputs go to output/ as with `briefgen build`. Stop with Ctrl-C.

examples:
  briefgen serve                 serve on http://127.0.0.1:8000/
  briefgen serve --port 0        pick a free port (printed on start)"""

DEFAULT_PORT = 8000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=_port, default=DEFAULT_PORT, metavar="N",
                        help=f"port on 127.0.0.1 (default: {DEFAULT_PORT}; 0 picks a free one)")
    parser.add_argument("--root", type=Path, default=None,
                        help="project folder (default: the nearest folder with content/)")
    parser.add_argument("--output", type=Path, default=None, help="output folder (default: output/)")


def run(args: argparse.Namespace, project: Project, stdout: TextIO, stderr: TextIO) -> int:

    if not project.content_dir.is_dir():
        raise UsageError(f"no content folder at {project.content_dir}; run briefgen serve from a "
                         "project, or give --root")
    say = _printer(stderr)
    feed = ChangeFeed()
    pdf_worker = PdfWorker(project)           # its process starts with the first PDF
    preview = Preview(project, feed, pdf_worker.build, log=say, layouts=pdf_worker.pool)
    server = _bind(preview, feed, args.port)
    watcher = FolderWatcher([project.content_dir, project.templates_dir], preview.files_changed)
    pdf_thread = threading.Thread(target=preview.build_pdfs_until_stopped, name="briefgen-pdf",
                                  daemon=True)
    watcher.start()
    watcher.ready.wait()          # inotify is on: no save from here on can be missed
    if watcher.error:
        server.server_close()
        raise UsageError(watcher.error)
    preview.refresh_all()
    pdf_thread.start()
    try:
        with _StopOnSigterm():
            print(f"serving {server.url} (this machine only); watching "
                  f"{project.display(project.content_dir)}/ and "
                  f"{project.display(project.templates_dir)}/; Ctrl-C stops", file=stdout, flush=True)
            server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        watcher.stop()
        preview.stop()
        pdf_worker.stop()
        feed.close()
        server.server_close()
    print("stopped", file=stdout, flush=True)
    return ExitCode.OK


def _bind(preview: Preview, feed: ChangeFeed, port: int) -> PreviewServer:

    try:
        return PreviewServer(preview, feed, port)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise UsageError(f"port {port} on 127.0.0.1 is in use; pick another with --port N "
                             "(--port 0 picks a free one)") from None
        raise UsageError(f"cannot serve on 127.0.0.1:{port}: {exc.strerror}") from None


class _StopOnSigterm:
    """Turn SIGTERM into KeyboardInterrupt while serving, so `kill` stops cleanly too."""

    def __enter__(self) -> Self:
        self.previous: Callable[[int, FrameType | None], Any] | int | signal.Handlers | None = None
        if threading.current_thread() is threading.main_thread():
            self.previous = signal.signal(signal.SIGTERM, self._interrupt)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.previous is not None:
            signal.signal(signal.SIGTERM, self.previous)

    @staticmethod
    def _interrupt(signum: int, frame: FrameType | None) -> NoReturn:
        raise KeyboardInterrupt


def _printer(stream: TextIO) -> Callable[[str], None]:
    lock = threading.Lock()

    def say(line: str) -> None:
        with lock:
            print(line, file=stream, flush=True)
    return say


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 0 to 65535, got '{text}'")
    return int(text)
