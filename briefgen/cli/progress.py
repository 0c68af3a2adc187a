"""What `briefgen build` prints while it works.

On a terminal: a progress bar with the brief just finished. Elsewhere (CI, pipes): one
line per brief with its result and time. Always: every error and warning, and a
summary line (built, skipped, failed, total time). In GitHub Actions every line is
escaped (`ci.for_log`), so a file name cannot start a workflow command.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import TextIO

from briefgen.cli.ci import for_log
from briefgen.engine.names import output_path
from briefgen.errors import ExitCode
from briefgen.project import Project
from briefgen.workflows.brief import BriefResult

BAR_WIDTH = 24


class BuildProgress:
    def __init__(self, project: Project, total: int, stdout: TextIO, stderr: TextIO, noun: str = "brief"):
        self.project, self.total, self.noun = project, total, noun
        self.stdout, self.stderr = stdout, stderr
        self.done = 0
        self.started = time.perf_counter()
        self.on_terminal = stderr.isatty()

    def brief_done(self, result: BriefResult) -> None:
        self.done += 1
        if self.on_terminal:
            self._clear_bar()
        for diagnostic in result.diagnostics:
            print(for_log(diagnostic.format()), file=self.stderr)
        if self.on_terminal:
            self._draw_bar(result.brief_id)
        else:
            print(for_log(self._line(result)), file=self.stdout, flush=True)

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
            print(failure_summary(results, self.project.output_dir, self.noun), file=self.stderr)

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
        self.stderr.write(f"\r[{bar}] {self.done}/{self.total} {for_log(current[:40])}")
        self.stderr.flush()

    def _clear_bar(self) -> None:
        self.stderr.write("\r\033[K")
        self.stderr.flush()


def exit_code(results: list[BriefResult], failed: bool) -> int:
    """The exit status of a run: a bug met on any brief (reported with that brief, the others
    done) is an internal error; else content errors when `failed`."""
    if any("bug" in r.kinds() for r in results):
        return ExitCode.INTERNAL_ERROR
    return ExitCode.CONTENT_ERROR if failed else ExitCode.OK


def failure_summary(results: list[BriefResult], output_dir: Path, noun: str = "brief") -> str:
    """'1 of 3 briefs failed; its previous output is unchanged', in the right number, and
    saying 'nothing was written' for a brief that has never been built, unless another
    brief was written in this run (then the failed one 'was not written, the other was')."""
    failed = [r for r in results if not r.ok]
    total = len(results)
    head = f"{len(failed)} of {total} {noun}{'s' * (total != 1)} failed"
    built_before = sum(_built_before(output_dir, r.brief_id) for r in failed)
    if built_before == len(failed):
        whose = "its" if len(failed) == 1 else "their"
        return f"{head}; {whose} previous output is unchanged"
    written = sum(r.ok and bool(r.outputs) for r in results)
    if not written:
        return f"{head}; nothing was written" + (", and earlier output is unchanged" if built_before else "")
    earlier = f" ({built_before} kept {'its' if built_before == 1 else 'their'} earlier output)" \
        if built_before else ""
    failed_part = "it was not written" if len(failed) == 1 else "they were not written"
    others = ("the other was" if written == 1 else "the others were") if written == total - len(failed) \
        else f"{written} other{'s' * (written != 1)} {'was' if written == 1 else 'were'}"
    return f"{head}; {failed_part}{earlier}, {others}"


def _built_before(output_dir: Path, brief_id: str) -> bool:
    try:
        return output_path(output_dir, brief_id, ".pdf").is_file()
    except ValueError:    # a file name that is no id (refused at check) was never built
        return False
