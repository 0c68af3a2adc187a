"""Attack class: files outside the project through output/.

Git stores symbolic links, and output/ is in the repository (output/.gitkeep), so a pull
request can plant links there. A link planted as a brief's lock file used to have the
file it points to emptied; a linked output/ made builds write, and `make clean` delete,
in whatever it points to. Lock and output files are opened without following links, a
linked output/ (or output/.briefgen/) is refused, and `make clean` refuses it too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from hostile import MINI_BRIEF, REPO, briefgen, make_project

sys.path.insert(0, str(Path(__file__).parents[1]))
from conftest import run_cli

pytestmark = pytest.mark.slow   # builds in processes over planted links

PRECIOUS = "precious data that must survive\n"


def _outside(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.txt").write_text(PRECIOUS)
    return outside


def test_a_lock_file_linked_outside_is_not_emptied(tmp_path: Path):
    project = make_project(tmp_path / "project")
    outside = _outside(tmp_path)
    (project.root / "content" / "other.yaml").write_text(
        MINI_BRIEF.replace("title: Mini brief", "title: Other brief"), encoding="utf-8")
    (project.root / "output" / ".briefgen").mkdir(parents=True)
    (project.root / "output" / ".briefgen" / "mini.lock").symlink_to(outside / "precious.txt")
    result = run_cli("build", "--root", project.root)
    assert (outside / "precious.txt").read_text() == PRECIOUS
    assert result.code == 1, result.err
    assert "mini.lock: cannot open the lock file" in result.err, result.err
    assert "Traceback" not in result.err
    assert (project.root / "output" / "other.pdf").exists()


def test_a_linked_output_folder_is_refused(tmp_path: Path):
    project = make_project(tmp_path / "project")
    outside = _outside(tmp_path)
    (project.root / "output").symlink_to(outside)
    result = run_cli("build", "--root", project.root)
    assert result.code == 1, result.err
    assert "is a symbolic link; outputs are written only into a real folder" in result.err, result.err
    assert sorted(p.name for p in outside.iterdir()) == ["precious.txt"]


def test_a_linked_bookkeeping_folder_is_refused(tmp_path: Path):
    project = make_project(tmp_path / "project")
    outside = _outside(tmp_path)
    (project.root / "output").mkdir()
    (project.root / "output" / ".briefgen").symlink_to(outside)
    result = run_cli("build", "--root", project.root)
    assert result.code == 1, result.err
    assert ".briefgen is a symbolic link" in result.err, result.err
    assert sorted(p.name for p in outside.iterdir()) == ["precious.txt"]


def test_bookkeeping_linked_to_dev_zero_is_not_read(tmp_path: Path):
    project = make_project(tmp_path / "project")
    (project.root / "output" / ".briefgen").mkdir(parents=True)
    for name in ("mini.version", "mini.json"):
        (project.root / "output" / ".briefgen" / name).symlink_to("/dev/zero")
    process = briefgen("build", "--root", project.root)
    try:
        _, err = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        process.communicate()
        raise AssertionError("build read /dev/zero through a planted link") from None
    assert process.returncode == 0, err
    assert project.output(".pdf").exists()


def test_make_clean_refuses_a_linked_output_folder(tmp_path: Path):
    outside = _outside(tmp_path)
    for name in ("a.html", "a.pdf"):
        (outside / name).write_text(PRECIOUS)
    work = tmp_path / "checkout"
    work.mkdir()
    (work / "output").symlink_to(outside)
    result = subprocess.run(["make", "--no-print-directory", "-f", str(REPO / "Makefile"), "clean"],
                            cwd=work, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode != 0
    assert "output/ is a symbolic link" in result.stderr
    assert sorted(p.name for p in outside.iterdir()) == ["a.html", "a.pdf", "precious.txt"]


def test_make_clean_still_cleans_a_real_output_folder(tmp_path: Path):
    work = tmp_path / "checkout"
    (work / "output" / ".briefgen").mkdir(parents=True)
    (work / "output" / "a.pdf").write_text("x")
    (work / "output" / ".gitkeep").write_text("")
    result = subprocess.run(["make", "--no-print-directory", "-f", str(REPO / "Makefile"), "clean"],
                            cwd=work, capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (work / "output").iterdir()) == [".gitkeep"]
