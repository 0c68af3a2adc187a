"""Watching folders for saved files, with inotify (through watchfiles), not by polling.

Changes that arrive together (an editor writing a file and then renaming it into
place) are handed over as one batch: a batch closes after STEP_MS without a new
change, and at the latest after DEBOUNCE_MS. Editors' swap and backup files, and
folders such as .git, are ignored by watchfiles' default filter; what is left that is not
an input of a brief (vim's `4913`, `sed -i`'s temporary file) is ignored by the preview
(state.Preview.is_input).
"""

from __future__ import annotations

import sys
import threading
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path

STEP_MS = 15           # quiet time that closes a batch: short, so a save shows at once
DEBOUNCE_MS = 300      # the longest a batch may grow while changes keep coming
WAKE_MS = 1000         # how often the watcher checks whether it was asked to stop


class FolderWatcher(threading.Thread):
    """A thread calling `on_change(paths)` for every batch of changed files in `folders`."""

    def __init__(self, folders: Iterable[Path], on_change: Callable[[set[Path]], None]) -> None:
        super().__init__(name="briefgen-watch", daemon=True)
        self.folders = [folder for folder in folders if folder.is_dir()]
        self.on_change = on_change
        self._stop_requested = threading.Event()
        self.ready = threading.Event()        # set once watching has begun (or failed)
        self.error: str | None = None

    def run(self) -> None:
        from watchfiles import watch

        try:
            changes = watch(*self.folders, debounce=DEBOUNCE_MS, step=STEP_MS,
                            stop_event=self._stop_requested, rust_timeout=WAKE_MS,
                            yield_on_timeout=True, raise_interrupt=False)
            for batch in changes:
                self.ready.set()              # the first (possibly empty) batch: inotify is on
                if batch:
                    self._hand_over({Path(path) for _change, path in batch})
        except (OSError, RuntimeError) as exc:   # e.g. the limit of inotify watches (watchfiles' RustInternalError)
            self.error = f"cannot watch {', '.join(map(str, self.folders))}: {exc}"
        finally:
            self.ready.set()

    def _hand_over(self, paths: set[Path]) -> None:
        try:
            self.on_change(paths)
        except Exception:
            traceback.print_exc(file=sys.stderr)

    def stop(self) -> None:
        self._stop_requested.set()
