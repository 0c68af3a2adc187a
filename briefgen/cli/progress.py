"""What `briefgen build` prints while it works.

On a terminal: a progress bar with the brief just finished. Elsewhere (CI, pipes): one
line per brief with its result and time. Always: every error and warning, and a
summary line (built, skipped, failed, total time).
"""

from __future__ import annotations

import time
from typing import TextIO

from briefgen.build.pipeline import BriefResult
from briefgen.project import Project

BAR_WIDTH = 24


class BuildProgress:
    def __init__(self, project: Project, total: int, stdout: TextIO, stderr: TextIO):
        self.project, self.total = project, total
        self.stdout, self.stderr = stdout, stderr
        self.done = 0
        self.started = time.perf_counter()
        self.on_terminal = stderr.isatty()

    def brief_done(self, result: BriefResult) -> None:
        self.done += 1
        if self.on_terminal:
            self._clear_bar()
        for message in (*[w.format() for w in result.warnings if result.ok], *result.errors):
            print(message, file=self.stderr)
        if self.on_terminal:
            self._draw_bar(result.brief_id)
        else:
            print(self._line(result), file=self.stdout, flush=True)

    def finish(self, results: list[BriefResult]) -> None:
        if self.on_terminal:
            self._clear_bar()
        built = sum(r.ok and not r.skipped for r in results)
        skipped = sum(r.skipped for r in results)
        failed = sum(not r.ok for r in results)
        seconds = time.perf_counter() - self.started
        print(f"{built} built, {skipped} unchanged, {failed} failed in {seconds:.2f} s",
              file=self.stdout, flush=True)
        if failed:
            print(f"{failed} of {len(results)} brief{'s' * (len(results) != 1)} failed; "
                  "their previous output is unchanged", file=self.stderr)

    def _line(self, result: BriefResult) -> str:
        if result.skipped:
            return f"unchanged {self.project.display(result.path)}"
        if not result.ok:
            draft = f" (draft, not for sending: {self.project.display(result.draft)})" if result.draft else ""
            return f"failed    {self.project.display(result.path)}{draft}"
        if result.superseded:
            return (f"superseded {self.project.display(result.path)} (a build of newer content "
                    "wrote its output first)")
        outputs = ", ".join(self.project.display(p) for p in result.outputs)
        load = f"; {result.fit.reading_load()}" if result.fit else ""
        return f"built     {outputs} ({result.seconds:.2f} s){load}"

    def _draw_bar(self, current: str) -> None:
        filled = BAR_WIDTH * self.done // max(self.total, 1)
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        self.stderr.write(f"\r[{bar}] {self.done}/{self.total} {current[:40]}")
        self.stderr.flush()

    def _clear_bar(self) -> None:
        self.stderr.write("\r\033[K")
        self.stderr.flush()
