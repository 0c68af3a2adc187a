"""The one worker loop: long-lived processes that run jobs within a time and memory budget.

A `WorkerPool` starts its workers as work appears, each started once ("fork", or
"spawn" from a process with threads: the live preview), warmed up once (WeasyPrint
imported, the fonts loaded) and capped in address space, so a pathological document ends
in a clear error instead of taking the machine down. Every layout of every command runs
here: a brief and its versions (`build`, `email`, the preview), an amended email's page,
`check`'s layouts, a book's own pages. A job past its time budget gets its worker killed
and replaced; a job may `report` a result on the way (the preview hears that the full
brief is written before its versions). The budget's defaults live in `Budget`, once.

A worker never outlives the command: it closes every parent end of a pipe it inherited
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


DEFAULT_BUDGET = Budget()   # every command's default, and the live preview's


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

    def expire(signum: int, frame: object) -> None:
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
PARTIAL, DONE = "partial", "done"    # what a worker sends: a result on the way, or the outcome


# What a worker runs: a picklable callable (a module-level function or a dataclass), sent
# with each job, so one pool serves every kind of job of a command.
Task = Callable[[Any], Any]
StartMethod = Literal["fork", "spawn"]


def _nothing() -> None:
    """The warm-up of a worker that needs none."""


class Worker:
    """One long-lived process: started once ("fork", or "spawn" from a process with threads),
    warmed up once, capped in memory, then running one job at a time within its time budget."""

    def __init__(self, budget: Budget, warm_up: Callable[[], None] = _nothing,
                 start_method: StartMethod = "fork") -> None:
        context = (multiprocessing.get_context("spawn") if start_method == "spawn"
                   else multiprocessing.get_context("fork"))
        self.connection, child_end = context.Pipe()
        _PARENT_ENDS.add(self.connection)
        self.budget = budget
        self.process = context.Process(target=_serve, args=(child_end, budget, warm_up, os.getpid()),
                                       name="briefgen-worker", daemon=True)
        self.process.start()
        child_end.close()
        self.job: Any = None
        self.deadline = 0.0

    def _close(self) -> None:
        _PARENT_ENDS.discard(self.connection)
        self.connection.close()

    def give(self, task: Task, job: Any) -> None:
        self.job, self.deadline = job, time.monotonic() + self.budget.seconds
        self.connection.send((task, job))

    def receive(self) -> tuple[str, Any]:
        """The next message of the job it holds: (PARTIAL, value) or (DONE, outcome); a
        worker that died gives (DONE, JobFailed("crashed", ...)) and must be replaced."""
        try:
            kind, value = self.connection.recv()
        except (EOFError, OSError):
            code = self.process.exitcode
            return DONE, JobFailed("crashed", "could not be built: the process building it "
                                   f"died ({describe_exit(self.process, code, self.budget)})")
        if kind == DONE:
            self.job = None
        return kind, value

    def run(self, task: Task, job: Any, on_partial: Callable[[Any], None] | None = None) -> Any:
        """Run one job here and wait for its outcome (a JobFailed when over budget or dead;
        the worker must then be replaced)."""
        try:
            self.give(task, job)
            while self.connection.poll(max(0.0, self.deadline - time.monotonic())):
                kind, value = self.receive()
                if kind == DONE:
                    return value
                if on_partial is not None:
                    on_partial(value)
        except OSError:    # the pool was closed from another thread (a preview stopping)
            return JobFailed("crashed", "was not built: its workers were stopped")
        return over_time(self.budget)

    def kill(self) -> None:
        if self.process.is_alive() and self.process.pid is not None:
            try:
                os.kill(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:   # gone already (another thread stopped it)
                pass
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


def over_time(budget: Budget) -> JobFailed:
    return JobFailed("timeout", f"took longer than its time budget ({budget.seconds:g} s) and was stopped")


_REPORT: Callable[[Any], None] | None = None


def report(value: Any) -> None:
    """Inside a job: send `value` to the parent at once, before the job's outcome (the
    preview hears that a brief is written before its versions are laid out). Outside a
    worker: nothing."""
    if _REPORT is not None:
        _REPORT(value)


def _serve(connection: Connection, budget: Budget, warm_up: Callable[[], None], parent_pid: int) -> None:
    """The worker's loop: warm up, limit memory, then run jobs until told to stop."""
    global _REPORT
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C
    _follow_parent(parent_pid)
    warm_up()
    # Made before the cap, so that saying a job ran out of memory needs none.
    out_of_memory = JobFailed("memory", f"ran out of its memory budget ({budget.memory_mb} MiB)")
    limit = _capped(budget.memory_mb * 1024 * 1024)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    _REPORT = partial(_send_partial, connection)
    while True:
        try:
            message = connection.recv()
        except EOFError:
            return
        except MemoryError:              # too little room left even to receive the job
            os._exit(OUT_OF_MEMORY_EXIT)
        if message is None:
            return
        task, job = message
        outcome = within_memory(partial(_run_job, task, job, limit), _as_job_failure,
                                out_of_memory, limit)
        del job, message
        _reply(connection, outcome, out_of_memory)


def _capped(limit: int) -> int:
    """The budget, or the cap this process already has when that is lower (a limit can be
    lowered, never raised: briefgen run under `ulimit -v` keeps it)."""
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    return limit if hard == resource.RLIM_INFINITY else min(limit, hard)


def _send_partial(connection: Connection, value: Any) -> None:
    connection.send((PARTIAL, value))


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
        connection.send((DONE, outcome))
        return
    except MemoryError:
        failure = out_of_memory
    except Exception as exc:
        failure = within_memory(partial(_as_job_failure, exc), _as_job_failure, out_of_memory, 0)
    del outcome
    try:
        connection.send((DONE, failure))
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


class WorkerPool:
    """Up to `size` workers, started as work appears (the first at once, so its warm-up
    overlaps whatever makes the first job), kept warm for every batch a command runs, and
    stopped at the end. A worker over budget or dead is replaced; the others carry on."""

    def __init__(self, size: int, budget: Budget = DEFAULT_BUDGET, warm_up: Callable[[], None] = _nothing,
                 start_method: StartMethod = "fork") -> None:
        self.size, self.budget, self.warm_up, self.start_method = max(1, size), budget, warm_up, start_method
        self.workers: list[Worker] = []
        self.closed = False
        # Starting, replacing and closing never overlap: the preview closes its pool from
        # the main thread while its PDF thread may be starting or replacing a worker.
        self._lifecycle = threading.Lock()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _start(self) -> Worker:
        with self._lifecycle:
            if self.closed:
                raise PoolClosed
            worker = Worker(self.budget, self.warm_up, self.start_method)
            self.workers.append(worker)
            return worker

    def _idle(self) -> Worker | None:
        """A worker with no job, if there is one."""
        return next((w for w in self.workers if w.job is None), None)

    def _can_take_more(self) -> bool:
        return self._idle() is not None or len(self.workers) < self.size

    def warm(self, count: int = 1) -> None:
        """Start the first `count` workers (at most the pool's size) now, so that they warm
        up while the caller prepares work."""
        while len(self.workers) < min(count, self.size):
            self._start()

    def run(self, task: Task, jobs: Iterable[Any],
            on_partial: Callable[[Any, Any], None] | None = None) -> Iterator[tuple[Any, Any]]:
        """Run `task(job)` for every job; yield (job, outcome or JobFailed) in completion order.
        `jobs` is read lazily, one job each time a worker is free, so producing the next job
        overlaps with the work; `on_partial(job, value)` hears what a job reports on the way."""
        self.warm()
        pending = iter(jobs)
        busy: dict[Connection, Worker] = {}
        exhausted = False
        try:
            while True:
                while not exhausted and self._can_take_more():
                    job = next(pending, _NO_MORE)   # a new worker starts only for a job that waits
                    if job is _NO_MORE:
                        exhausted = True
                        break
                    worker = self._idle() or self._start()
                    worker.give(task, job)
                    busy[worker.connection] = worker
                if not busy:
                    return
                nearest = min(w.deadline for w in busy.values())
                ready = wait(list(busy), timeout=max(0.0, nearest - time.monotonic()))
                for connection in ready:
                    assert isinstance(connection, Connection)
                    worker = busy[connection]
                    job = worker.job
                    kind, value = worker.receive()
                    if kind == PARTIAL:
                        if on_partial is not None:
                            on_partial(job, value)
                        continue
                    del busy[connection]
                    if isinstance(value, JobFailed) and value.reason == "crashed":
                        self._replace(worker)
                    yield job, value
                now = time.monotonic()
                for connection, worker in list(busy.items()):
                    if worker.deadline <= now and connection not in ready:
                        del busy[connection]
                        job = worker.job
                        self._replace(worker)
                        yield job, over_time(self.budget)
        finally:
            for worker in list(busy.values()):   # a run left early: its jobs are abandoned
                self._replace(worker)

    def run_one(self, task: Task, job: Any, on_partial: Callable[[Any], None] | None = None) -> Any:
        """One job, waited for here (the live preview, one brief at a time)."""
        try:
            worker = self._idle() or self._start()
        except PoolClosed:
            return JobFailed("crashed", "was not built: its workers were stopped")
        outcome = worker.run(task, job, on_partial)
        if isinstance(outcome, JobFailed) and outcome.reason in ("crashed", "timeout"):
            self._replace(worker)
        return outcome

    def _replace(self, worker: Worker) -> None:
        """A worker over budget, dead, or holding an abandoned job: killed, and forgotten
        (a fresh one is started when work needs it)."""
        with self._lifecycle:
            if worker in self.workers:   # not when close() came first (from another thread)
                worker.kill()
                self.workers.remove(worker)

    def close(self) -> None:
        with self._lifecycle:
            self.closed = True
            for worker in self.workers:
                if worker.job is not None:
                    worker.kill()
                else:
                    worker.stop()
            self.workers = []


def run_jobs(task: Task, jobs: Iterable[Any], *, workers: int, budget: Budget,
             warm_up: Callable[[], None] = _nothing) -> Iterator[tuple[Any, Any]]:
    """One batch on a pool of its own (see WorkerPool.run)."""
    with WorkerPool(workers, budget, warm_up) as pool:
        yield from pool.run(task, jobs)


_NO_MORE = object()


class PoolClosed(Exception):
    """Work asked of a pool after it was closed (a preview that is stopping)."""


def describe_exit(process: multiprocessing.process.BaseProcess, code: int | None, budget: Budget) -> str:
    """Why a worker process ended, in words: its budget, a signal, or its exit code."""
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
