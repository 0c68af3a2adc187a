"""The build's worker loop at its memory cap: whatever fails, and however little memory is
left to say so, the worker reports the job's failure and serves the next job.

Each task here really fills the worker's capped address space (RLIMIT_AS) to the last
few bytes, as a brief too big to lay out does, and only then fails. Looking at such a
failure (the traceback, /proc) needs memory; the loop once died of that, exit code 1,
leaving a stray `Process ForkProcess-1:` line and "the process building it died (exit
code 1)" in place of the budget's message (issue 22, seen under load).
"""

from __future__ import annotations

import errno
import os

import pytest

from briefgen.engine.workers import Budget, JobFailed, peak_address_space_mb, run_jobs

pytestmark = pytest.mark.slow   # worker processes held to their memory cap

HEADROOM_MB = 200


def fill_the_address_space() -> list[bytearray]:
    """Take every byte the cap allows, down to the smallest blocks."""
    hoard = []
    size = 1 << 24
    while size >= 8:
        try:
            hoard.append(bytearray(size))
        except MemoryError:
            size //= 2
    return hoard


def task(job: str):
    """`full:<failure>` fills memory, then fails so; `<failure>` fails at once."""
    full, _, failure = job.rpartition(":")
    hoard = fill_the_address_space() if full else []
    if failure == "memory":
        raise MemoryError
    if failure == "bug":
        raise ValueError("a simulated bug")
    if failure == "io":
        raise OSError(errno.EIO, "a simulated I/O error")
    del hoard
    return os.getpid()


def run(*jobs: str) -> tuple[dict[str, object], JobFailed]:
    """Each job's outcome on one worker, and what the memory budget's failure looks like."""
    # The worker is forked from this process: its cap is what it has now, and some room.
    budget = Budget(seconds=600, memory_mb=int(peak_address_space_mb()) + HEADROOM_MB)
    out_of_memory = JobFailed("memory", f"ran out of its memory budget ({budget.memory_mb} MiB)")
    return dict(run_jobs(task, jobs, workers=1, budget=budget)), out_of_memory


def test_every_failure_at_the_cap_is_the_memory_budget_and_the_worker_serves_on():
    outcomes, out_of_memory = run("full:memory", "full:bug", "full:io", "pid")
    assert outcomes["full:memory"] == out_of_memory
    assert outcomes["full:bug"] == out_of_memory
    assert outcomes["full:io"] == out_of_memory
    assert isinstance(outcomes["pid"], int)      # no worker died: no new one had to be forked


def test_a_bug_away_from_the_cap_is_reported_with_its_traceback_and_the_worker_serves_on():
    outcomes, _ = run("pid", "bug", "io", "pid2")
    for name, error in (("bug", "ValueError: a simulated bug"), ("io", "OSError: [Errno 5] a simulated I/O error")):
        outcome = outcomes[name]
        assert isinstance(outcome, JobFailed), outcome
        assert outcome.reason == "bug", outcome
        assert "Traceback (most recent call last)" in outcome.message
        assert error in outcome.message
    assert outcomes["pid"] == outcomes["pid2"]   # the same worker, still serving


def test_a_pool_starts_workers_as_work_appears_and_keeps_them_warm():
    """No guess made before validating: one job, one worker; jobs that wait for a free
    worker start more, up to the pool's size; a second batch reuses the warm workers."""
    import time

    from briefgen.engine.workers import WorkerPool

    with WorkerPool(4, Budget(seconds=30, memory_mb=1024)) as pool:
        assert [outcome for _, outcome in pool.run(abs, [-1])] == [1]
        assert len(pool.workers) == 1
        first = {worker.process.pid for worker in pool.workers}
        assert [outcome for _, outcome in pool.run(time.sleep, [0.5, 0.5, 0.5])] == [None] * 3
        assert len(pool.workers) == 3
        assert first <= {worker.process.pid for worker in pool.workers}
        assert pool.run_one(abs, -2) == 2
        assert len(pool.workers) == 3
    assert pool.workers == []


def test_a_job_reports_on_the_way_and_a_closed_pool_takes_no_work():
    from briefgen.engine.workers import WorkerPool

    heard: list[object] = []
    with WorkerPool(1, Budget(seconds=30, memory_mb=1024)) as pool:
        assert pool.run_one(_report_twice, "x", heard.append) == "done"
    assert heard == ["x1", "x2"]
    outcome = pool.run_one(abs, -1)
    assert isinstance(outcome, JobFailed)
    assert outcome.reason == "crashed"


def _report_twice(job: str) -> str:
    from briefgen.engine.workers import report

    report(job + "1")
    report(job + "2")
    return "done"


def _layout_like(job: tuple[str, str]) -> object:
    """A stand-in for a layout job: a user's problem comes back as Problems; else, after a
    while, the job's name and the worker that ran it."""
    import time

    from briefgen.errors import Diagnostic
    from briefgen.workflows.layouts import Problems

    kind, name = job
    if kind == "problem":
        return Problems((Diagnostic.of_file(name, "does not fit", "layout"),))
    time.sleep(0.5)
    return name, os.getpid()


def test_many_layouts_run_side_by_side_come_back_in_order_and_report_every_problem():
    """A book's briefs are laid out on every worker at once (before: one after another on
    one), their results in the book's order, and every brief's problem at once."""
    from briefgen.engine.workers import WorkerPool
    from briefgen.errors import ContentError
    from briefgen.workflows.layouts import run_layouts

    with WorkerPool(2, Budget(seconds=30, memory_mb=1024)) as pool:
        results = run_layouts(pool, _layout_like, [(("ok", name), name) for name in "abc"])
        assert [name for name, _ in results] == ["a", "b", "c"]
        assert len({pid for _, pid in results}) == 2
        with pytest.raises(ContentError) as raised:
            run_layouts(pool, _layout_like, [(("problem", "x.yaml"), "x"), (("ok", "b"), "b"),
                                             (("problem", "y.yaml"), "y")])
    assert [d.path for d in raised.value.diagnostics] == ["x.yaml", "y.yaml"]
