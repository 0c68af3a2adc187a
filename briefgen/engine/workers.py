"""Long-lived worker processes that build briefs within a time and memory budget.

Each worker is forked once, warms up once (imports WeasyPrint, loads the fonts)
and reuses one font configuration for every brief it builds. A brief that runs past
its time budget gets its worker killed and replaced; a worker's address space is
capped, so a pathological document ends in a clear error instead of taking the
machine down. Results come back in completion order.

A worker never outlives the build: it closes every parent end of a pipe it inherited
by forking (its own and those of the workers forked before it), so a parent that dies
leaves it reading the end of its pipe; and it asks the kernel to kill it when its parent
dies (PR_SET_PDEATHSIG), so even a worker busy laying out a page goes at once.
"""

from __future__ import annotations

import ctypes
import errno
import multiprocessing
import os
import resource
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Literal


@dataclass(frozen=True)
class Budget:
    """Limits for one brief: wall time in seconds, and address space per worker in MiB."""

    seconds: float = 60.0
    memory_mb: int = 2048


@dataclass(frozen=True)
class JobFailed:
    """A job that did not return normally: over budget, a crashed worker, or a bug."""

    reason: Literal["timeout", "memory", "crashed", "bug"]
    message: str


OUT_OF_MEMORY_EXIT = 86    # a worker's exit code when it could not even take its job in memory


class BudgetExceeded(Exception):
    """Raised in the main process when work under `time_limit` runs out of time."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise BudgetExceeded if the block runs longer than `seconds` (main thread only;
    elsewhere the block runs unlimited, as signals can only be caught there)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise BudgetExceeded

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# The parent's ends of every worker's pipe: a forked worker closes them all (see above).
_PARENT_ENDS: set[Connection] = set()
_PR_SET_PDEATHSIG = 1


class _Worker:
    def __init__(self, task: Callable[[Any], Any], budget: Budget, warm_up: Callable[[], None]):
        context = multiprocessing.get_context("fork")
        self.connection, child_end = context.Pipe()
        _PARENT_ENDS.add(self.connection)
        self.process = context.Process(target=_serve, args=(child_end, task, budget, warm_up,
                                                            os.getpid()), daemon=True)
        self.process.start()
        child_end.close()
        self.job: Any = None
        self.deadline = 0.0

    def _close(self) -> None:
        _PARENT_ENDS.discard(self.connection)
        self.connection.close()

    def give(self, job: Any, seconds: float) -> None:
        self.job, self.deadline = job, time.monotonic() + seconds
        self.connection.send(job)

    def kill(self) -> None:
        if self.process.is_alive() and self.process.pid is not None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.join()
        self._close()

    def stop(self) -> None:
        try:
            self.connection.send(None)
        except (BrokenPipeError, OSError):
            pass
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.kill()
        else:
            self._close()


def _serve(connection: Connection, task: Callable[[Any], Any], budget: Budget,
           warm_up: Callable[[], None], parent_pid: int) -> None:
    """The worker's loop: warm up, limit memory, then run jobs until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    _follow_parent(parent_pid)
    warm_up()
    # Made before the cap, so that saying a job ran out of memory needs none.
    out_of_memory = JobFailed("memory", f"ran out of its memory budget ({budget.memory_mb} MiB)")
    limit = budget.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    while True:
        try:
            job = connection.recv()
        except EOFError:
            return
        except MemoryError:              # too little room left even to receive the job
            os._exit(OUT_OF_MEMORY_EXIT)
        if job is None:
            return
        outcome = within_memory(partial(_run_job, task, job, limit), _as_job_failure,
                                out_of_memory, limit)
        del job
        _reply(connection, outcome, out_of_memory)


def _run_job(task: Callable[[Any], Any], job: Any, limit: int) -> Any:
    """The job's result; but a result made at the cap is a memory failure (see _touched_limit)."""
    peak_before = _peak_address_space()
    outcome = task(job)
    if _touched_limit(peak_before, limit):
        raise MemoryError
    return outcome


def _as_job_failure(exc: Exception) -> JobFailed:
    if isinstance(exc, RecursionError):
        return JobFailed("memory", "is nested too deeply to lay out")
    return JobFailed("bug", "".join(traceback.format_exception(exc)))


def _reply(connection: Connection, outcome: Any, out_of_memory: JobFailed) -> None:
    """Send the outcome; if it cannot be, the budget's failure; if not even that, exit with
    the code that says so (an unpicklable result is a bug, reported as one)."""
    try:
        connection.send(outcome)
        return
    except MemoryError:
        failure = out_of_memory
    except Exception as exc:
        failure = within_memory(partial(_as_job_failure, exc), _as_job_failure, out_of_memory, 0)
    del outcome
    try:
        connection.send(failure)
    except MemoryError:
        os._exit(OUT_OF_MEMORY_EXIT)


def within_memory(run: Callable[[], Any], on_error: Callable[[Exception], Any],
                  out_of_memory: Any, limit: int) -> Any:
    """`run()`, or what to report when it raises: `on_error(exc)` for a bug, `out_of_memory`
    (made before the job, so returning it needs no memory) for the memory budget at work.

    At the cap, C libraries fail in odd ways (SystemError, ValueError, an OSError...), so
    an exception raised near it is the budget, not a bug. And while the failed job's frames
    are still held (by the exception's traceback), looking at the failure (/proc, the
    traceback's text) may itself run out of memory: that too is the budget, never a
    MemoryError escaping the worker's loop, which killed the worker with exit code 1
    before it could say why. `limit` 0: no cap to be near."""
    try:
        try:
            return run()
        except MemoryError:
            return out_of_memory
        except Exception as exc:
            if _is_enomem(exc) or (limit and _near_limit(limit)):
                return out_of_memory
            return on_error(exc)
    except MemoryError:
        return out_of_memory


def _is_enomem(exc: Exception) -> bool:
    return isinstance(exc, OSError) and exc.errno == errno.ENOMEM


def peak_address_space_mb() -> float:
    """This process's largest address space so far (VmPeak), in MiB; 0 where /proc has none."""
    try:
        status = Path("/proc/self/status").read_text()
    except OSError:
        return 0.0
    for line in status.splitlines():
        if line.startswith("VmPeak:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _follow_parent(parent_pid: int) -> None:
    """In a new worker: let go of the parent's pipe ends, and die with the parent."""
    for parent_end in list(_PARENT_ENDS):
        parent_end.close()
    _PARENT_ENDS.clear()
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass                                  # not Linux: the closed pipe ends still do it
    if os.getppid() != parent_pid:            # the parent died before prctl took effect
        os._exit(1)


def _peak_address_space() -> int:
    """This process's peak address space in bytes (VmPeak), 0 when unknown."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmPeak:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _touched_limit(peak_before: int, limit: int) -> bool:
    """Whether the job just run took this process's address space to within 5% of its cap.
    At the cap, C libraries may refuse an allocation and carry on without a word (HarfBuzz
    then shapes no text, Pango may leave a run out), so what such a job produced, an
    overflow report or a PDF, cannot be trusted: it is a memory failure, whatever it says."""
    peak = _peak_address_space()
    return peak > peak_before and peak >= 0.95 * limit


def _near_limit(limit: int) -> bool:
    """Whether this process's address space is within 10% of its cap."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return False
    return pages * resource.getpagesize() > 0.9 * limit


def run_jobs(task: Callable[[Any], Any], jobs: Iterable[Any], *, workers: int, budget: Budget,
             warm_up: Callable[[], None] = lambda: None) -> Iterator[tuple[Any, Any]]:
    """Run `task(job)` for every job on `workers` processes; yield (job, result or JobFailed).

    The workers are started (and run `warm_up`) first; `jobs` is then read lazily, one job
    each time a worker is free, so producing the next job overlaps with the work."""
    pending = iter(jobs)
    pool = [_Worker(task, budget, warm_up) for _ in range(max(1, workers))]
    busy: dict[Connection, _Worker] = {}
    exhausted = False
    try:
        while True:
            for worker in pool:
                if worker.job is None and not exhausted:
                    job = next(pending, _NO_MORE)
                    if job is _NO_MORE:
                        exhausted = True
                        break
                    worker.give(job, budget.seconds)
                    busy[worker.connection] = worker
            if not busy:
                return
            nearest = min(w.deadline for w in busy.values())
            ready = wait(list(busy), timeout=max(0.0, nearest - time.monotonic()))
            for connection in ready:
                assert isinstance(connection, Connection)
                worker = busy.pop(connection)
                job = worker.job
                try:
                    outcome = connection.recv()
                    worker.job = None
                except (EOFError, OSError):
                    code = worker.process.exitcode
                    outcome = JobFailed("crashed", "could not be built: the process building it "
                                        f"died ({_describe_exit(worker.process, code, budget)})")
                    pool[pool.index(worker)] = _replace(worker, task, budget, warm_up)
                yield job, outcome
            now = time.monotonic()
            for connection, worker in list(busy.items()):
                if worker.deadline <= now and connection not in ready:
                    busy.pop(connection)
                    job = worker.job
                    pool[pool.index(worker)] = _replace(worker, task, budget, warm_up)
                    yield job, JobFailed("timeout", f"took longer than its time budget "
                                         f"({budget.seconds:g} s) and was stopped")
    finally:
        for worker in pool:
            if worker.job is not None:
                worker.kill()
            else:
                worker.stop()


_NO_MORE = object()


def _replace(worker: _Worker, task: Callable[[Any], Any], budget: Budget,
             warm_up: Callable[[], None]) -> _Worker:
    worker.kill()
    return _Worker(task, budget, warm_up)


def _describe_exit(process, code: int | None, budget: Budget) -> str:
    process.join(timeout=1)
    code = process.exitcode if code is None else code
    if code == OUT_OF_MEMORY_EXIT:
        return f"it ran out of its memory budget ({budget.memory_mb} MiB)"
    if code is not None and code < 0:
        name = signal.Signals(-code).name
        # The kernel's OOM killer sends SIGKILL; GLib and the C runtime abort (SIGTRAP,
        # SIGABRT) or fault when an allocation fails under the address-space cap.
        if name in ("SIGKILL", "SIGTRAP", "SIGABRT", "SIGSEGV", "SIGBUS"):
            return f"killed by {name}; most likely it ran out of its memory budget ({budget.memory_mb} MiB)"
        return f"killed by {name}"
    return f"exit code {code}"
