"""The preview's PDF worker: stopping the server while the worker is starting is clean."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from conftest import SAMPLE_ID

from briefgen.preview.pdf_worker import PdfWorker
from briefgen.workflows.brief import Project

pytestmark = pytest.mark.slow   # the preview's PDF worker is a spawned interpreter


def test_stop_while_the_worker_is_starting_never_fails(project: Path):
    """The server's PDF thread may be starting the worker (a spawned interpreter takes a
    while) at the moment Ctrl-C or SIGTERM stops the server: stop() must wait, not crash."""
    brief = project / "content" / f"{SAMPLE_ID}.yaml"
    for _ in range(3):
        worker = PdfWorker(Project.at(project))
        results = []
        builder = threading.Thread(target=lambda w, r: r.append(w.build(brief)), args=(worker, results))
        builder.start()
        worker.stop()                       # raced against the start in the other thread
        builder.join(timeout=60)
        assert not builder.is_alive()
        assert len(results) == 1
        assert worker.build(brief).errors == [
            "content/camp-david-2023.yaml: error: the preview is stopping; not built"]


def test_the_worker_reports_the_full_brief_before_laying_out_its_versions(tmp_path: Path):
    """A brief with audiences: the worker process sends the full brief's result as soon as
    it is written (its versions' PDFs not yet there), then the result of all of it."""
    import shutil

    from conftest import REPO

    shutil.copytree(REPO / "tests" / "audiences" / "content", tmp_path / "content")
    shutil.copytree(REPO / "content" / "people", tmp_path / "content" / "people")
    project = Project.at(tmp_path)
    brief = tmp_path / "content" / "ally-talks.yaml"
    heard = []

    def brief_written(result):
        heard.append((result.ok, result.audience_results, sorted(p.name for p in project.output_dir.glob("*.pdf"))))

    worker = PdfWorker(project)
    try:
        final = worker.build(brief, on_brief=brief_written)
    finally:
        worker.stop()
    assert heard == [(True, {}, ["ally-talks.pdf"])]
    assert final.ok
    assert sorted(final.audience_results) == ["partner", "press", "staff"]
    assert sorted(p.name for p in project.output_dir.glob("*.pdf")) == [
        "ally-talks.partner.pdf", "ally-talks.pdf", "ally-talks.press.pdf", "ally-talks.staff.pdf"]


def test_a_worker_whose_pool_the_preview_closed_first_reports_a_failure(project: Path):
    """`briefgen serve` stops the preview (which closes the pool it shares with the PDF
    worker) before the worker: a build asked for then is a failed build, not an exception."""
    brief = project / "content" / f"{SAMPLE_ID}.yaml"
    worker = PdfWorker(Project.at(project))
    worker.pool.close()
    try:
        result = worker.build(brief)
    finally:
        worker.stop()
    assert not result.ok
    assert result.errors == ["content/camp-david-2023.yaml: error: the preview is stopping; not built"]
