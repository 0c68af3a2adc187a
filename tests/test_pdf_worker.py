"""The preview's PDF worker: stopping the server while the worker is starting is clean."""

from __future__ import annotations

import threading
from pathlib import Path

from briefgen.build.pipeline import Project
from briefgen.preview.pdf_worker import PdfWorker
from conftest import SAMPLE_ID


def test_stop_while_the_worker_is_starting_never_fails(project: Path):
    """The server's PDF thread may be starting the worker (a spawned interpreter takes a
    while) at the moment Ctrl-C or SIGTERM stops the server: stop() must wait, not crash."""
    brief = project / "content" / f"{SAMPLE_ID}.yaml"
    for _ in range(3):
        worker = PdfWorker(Project.at(project))
        results = []
        builder = threading.Thread(target=lambda: results.append(worker.build(brief)))
        builder.start()
        worker.stop()                       # raced against the start in the other thread
        builder.join(timeout=60)
        assert not builder.is_alive()
        assert len(results) == 1
        assert worker.build(brief).errors == [
            "content/camp-david-2023.yaml: error: the preview is stopping; not built"]
