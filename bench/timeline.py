"""Where a cold `briefgen build --force` of one brief spends its time, in both processes.

Run as `python bench/timeline.py [--log FILE] build --root DIR --force ... BRIEF`: the
command runs as `briefgen` would (its own command line), and every entry and exit of the
functions named in WATCH, every import of the modules named, and the worker's fork are
logged with `time.perf_counter()` (CLOCK_MONOTONIC: one clock for both processes), then
printed in order, in seconds from this script's start. Nothing here is asserted. Compare
two versions of briefgen with PYTHONPATH=<a checkout> (run from outside the checkout).
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import multiprocessing.process
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

STARTED = time.perf_counter()
LOG = "/tmp/briefgen-timeline.log"
WATCH = {
    "briefgen.cli.main": ["main"],
    "briefgen.workflows.brief": ["build_briefs", "prepare_versions", "write_brief", "warm_up_layout"],
    "briefgen.engine.stamps": ["shared_inputs_digest", "record_build"],
    "briefgen.engine.output": ["write_outputs"],
    "briefgen.render.pdf": ["lay_out", "write_pdfs"],
    "briefgen.render.pdf_tags": ["finish_tags"],
    "briefgen.render.html": ["render_html"],
    "weasyprint": [], "pikepdf": [], "yaml": [], "pydantic": [], "jinja2": [],
}


def stamp(what: str) -> None:
    with open(LOG, "a", encoding="utf-8") as log:
        log.write(f"{os.getpid()} {time.perf_counter() - STARTED:.4f} {what}\n")


def logged(module: ModuleType, name: str) -> None:
    function = getattr(module, name)
    short = f"{module.__name__.rsplit('.', 1)[-1]}.{name}"

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        stamp(f"> {short}")
        try:
            return function(*args, **kwargs)
        finally:
            stamp(f"< {short}")
    setattr(module, name, wrapper)


class Imports(importlib.abc.MetaPathFinder):
    """Logs the import of each module in WATCH, and wraps its functions once imported."""

    def find_spec(self, name: str, path: Sequence[str] | None, target: ModuleType | None = None) \
            -> importlib.machinery.ModuleSpec | None:
        if name not in WATCH:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is None or spec.loader is None:
            return spec
        execute: Callable[[ModuleType], None] = spec.loader.exec_module

        def exec_module(module: ModuleType) -> None:
            stamp(f"import> {name}")
            execute(module)
            stamp(f"import< {name}")
            for function in WATCH[name]:
                logged(module, function)
        spec.loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


def show() -> None:
    lines = [line.split(maxsplit=2) for line in Path(LOG).read_text(encoding="utf-8").splitlines()]
    main_pid = lines[0][0]
    for pid, seconds, what in lines:
        print(f"{'main  ' if pid == main_pid else 'worker'} {float(seconds):7.3f} {what.rstrip()}")


def run() -> int:
    global LOG
    args = sys.argv[1:]
    if args[:1] == ["--log"]:
        LOG, args = args[1], args[2:]
    Path(LOG).unlink(missing_ok=True)
    sys.meta_path.insert(0, Imports())
    start = multiprocessing.process.BaseProcess.start

    def forked(process: multiprocessing.process.BaseProcess) -> None:
        stamp("fork")
        start(process)
    multiprocessing.process.BaseProcess.start = forked  # type: ignore[method-assign]
    stamp("start")
    from briefgen.cli.main import main
    sys.argv = ["briefgen", *args]     # as the command itself runs: main() reads sys.argv
    code = main()
    stamp("end")
    show()
    return code


if __name__ == "__main__":
    sys.exit(run())
