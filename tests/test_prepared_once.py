"""One prepared brief per command (issue 24): each command validates a brief once and reads
its file at most twice (the up-to-date check's hash, then the load); the workers lay it out
from what was prepared and never read it again. Counted in this process, where the CLI
runs, with an audit hook on every file opened (tests/conftest.py `counts`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import REPO, SAMPLE_ID, copy_trip, edit, run_cli

pytestmark = pytest.mark.slow     # real builds on real workers


def test_a_build_validates_each_brief_once_and_reads_it_at_most_twice(project: Path, counts):
    brief = project / "content" / f"{SAMPLE_ID}.yaml"
    counts.restart()
    assert run_cli("build", "--root", project).code == 0
    assert counts.validations_of(brief) == 1
    assert counts.reads_of(brief) <= 2
    assert counts.reads_of(project / "content" / "people" / "kishida.yaml") <= 2
    edit(brief, "broader coordination to the next level", "broader coordination to a new level")
    counts.restart()
    assert run_cli("build", "--root", project).code == 0     # up-to-date check, then a rebuild
    assert counts.validations_of(brief) == 1
    assert counts.reads_of(brief) <= 2


def test_a_brief_with_audiences_is_validated_once_for_all_its_versions(tmp_path: Path, counts):
    shutil.copytree(REPO / "tests" / "audiences" / "content", tmp_path / "content")
    shutil.copytree(REPO / "content" / "people", tmp_path / "content" / "people")
    brief = tmp_path / "content" / "ally-talks.yaml"
    counts.restart()
    assert run_cli("build", "--root", tmp_path, str(brief)).code == 0
    assert len(list((tmp_path / "output").glob("ally-talks.*.pdf"))) == 3
    assert counts.validations_of(brief) == 1
    assert counts.reads_of(brief) <= 2


def test_the_email_of_a_changed_brief_validates_it_once(project: Path, counts):
    brief = project / "content" / f"{SAMPLE_ID}.yaml"
    assert run_cli("build", "--root", project).code == 0
    edit(brief, "broader coordination to the next level", "broader coordination to a new level")
    counts.restart()
    drafted = run_cli("email", SAMPLE_ID, "--root", project)
    assert drafted.code == 0, drafted.err
    assert counts.validations_of(brief) == 1
    assert counts.reads_of(brief) <= 2


def test_a_book_validates_each_of_its_briefs_once(tmp_path: Path, counts):
    root = copy_trip(tmp_path)
    counts.restart()
    assert run_cli("book", "--root", root, "--force").code == 0
    briefs = sorted((root / "content").glob("*.yaml"))
    assert briefs
    for brief in briefs:
        assert counts.validations_of(brief) == 1, brief
        assert counts.reads_of(brief) <= 2, brief


def test_no_layout_runs_in_the_command_s_own_process(tmp_path: Path):
    """Every layout is a job on the workers: `book --force` lays out its briefs, the book's
    own pages and its footer, and the command's own process never imports WeasyPrint."""
    import subprocess
    import sys

    root = copy_trip(tmp_path)
    code = ("import sys; from briefgen.cli.main import main; "
            "code = main(['book', '--root', sys.argv[1], '--force']); "
            "print(code, 'weasyprint' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(root)], capture_output=True, text=True, check=True)
    assert out.stdout.split()[-2:] == ["0", "False"], out.stdout + out.stderr
    assert (root / "output" / "hiroshima-g7-2023.pdf").is_file()


def test_a_worker_warms_up_without_the_content_model():
    """A worker imports the PDF stage, not validation: a cold build's critical path is the
    worker's warm-up, which the main process's validation runs beside (render/fetcher.py
    needs only the asset size cap, from content/files.py)."""
    import subprocess
    import sys

    code = ("import sys; from briefgen.workflows.brief import warm_up_layout; warm_up_layout(); "
            "print(*(name in sys.modules for name in ('weasyprint', 'pydantic', 'yaml', 'jinja2')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False", "False", "False"], out.stdout


def test_a_worker_imports_pikepdf_on_a_thread_beside_weasyprint():
    """The warm-up is a cold build's critical path: pikepdf (the PDF/UA finishing) is
    imported on a thread of its own while the worker's main thread imports WeasyPrint, and
    is done when the warm-up returns (before the worker's memory cap)."""
    import subprocess
    import sys

    code = (
        "import sys, threading\n"
        "seen = {}\n"
        "class Watch:\n"
        "    def find_spec(self, name, path, target=None):\n"
        "        if name in ('pikepdf', 'weasyprint'):\n"
        "            seen[name] = threading.current_thread().name\n"
        "sys.meta_path.insert(0, Watch())\n"
        "from briefgen.workflows.brief import warm_up_layout\n"
        "warm_up_layout()\n"
        "print(seen['pikepdf'], seen['weasyprint'], 'pikepdf' in sys.modules, threading.active_count())\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["import-pdf-tags", "MainThread", "True", "1"], out.stdout


def test_a_worker_takes_a_brief_s_job_without_the_content_model(tmp_path: Path):
    """What a worker receives with a brief (its HTML and the index of its text) loads no
    content model: unpickled in a fresh process, it imports neither pydantic nor YAML (a
    person's `name_order` once travelled as the model's enum, and cost a cold build the
    import of pydantic on its critical path)."""
    import pickle
    import subprocess
    import sys

    from briefgen.workflows.brief import Project, prepare_brief

    root = copy_trip(tmp_path)
    _, prepared = prepare_brief(Project.at(root), root / "content" / "hiroshima-bilateral-2023.yaml")
    assert prepared is not None
    assert any(text == "family-first" for text, _ in prepared.source.entries)
    code = ("import pickle, sys; job = pickle.loads(sys.stdin.buffer.read()); "
            "print(*(name in sys.modules for name in ('pydantic', 'yaml')))")
    out = subprocess.run([sys.executable, "-c", code], input=pickle.dumps(prepared), capture_output=True,
                         check=True)
    assert out.stdout.split() == [b"False", b"False"], out.stdout + out.stderr


def test_a_forced_build_starts_its_worker_before_it_reads_what_the_briefs_share(tmp_path: Path, monkeypatch):
    """`build --force` builds every brief it names, so its workers (one per brief, up to
    --jobs) start at once and import WeasyPrint beside the hashing of templates, assets and
    code (a cold build's critical path is the first one's warm-up); a build that may have
    nothing to do starts none before it knows."""
    from briefgen.engine import stamps
    from briefgen.engine.workers import Worker
    from briefgen.workflows.brief import BuildOptions, Project, build_briefs

    root = copy_trip(tmp_path)
    started = []
    workers_when_hashed = []
    worker_init = Worker.__init__
    monkeypatch.setattr(Worker, "__init__", lambda self, *a, **k: started.append(1) or worker_init(self, *a, **k))
    digest = stamps.shared_inputs_digest
    monkeypatch.setattr(stamps, "shared_inputs_digest", lambda roots: workers_when_hashed.append(len(started))
                        or digest(roots))
    brief = root / "content" / "hiroshima-bilateral-2023.yaml"
    [forced] = build_briefs(Project.at(root), [brief], BuildOptions(force=True, jobs=1))
    [again] = build_briefs(Project.at(root), [brief], BuildOptions(jobs=1))
    assert forced.ok
    assert again.skipped
    assert workers_when_hashed[:2] == [1, 1]      # the forced build's worker, and none more for the no-op
    both = [brief, root / "content" / "hiroshima-trilateral-2023.yaml"]
    assert all(r.ok for r in build_briefs(Project.at(root), both, BuildOptions(force=True, jobs=2)))
    assert workers_when_hashed[2] == 1 + 2        # a worker for each brief, up to --jobs, at once
