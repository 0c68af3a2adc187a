"""Attack class: symlinks and special files in content/.

Git stores symlinks, so a pull request can add them. Content files (briefs, person files,
images) and the content, people and assets folders must be regular files and folders
inside the project: a link, a device or a pipe is refused at its path with a clear error,
every file is read with a size cap before it is parsed, and one bad file never stops the
others from being checked and built.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from hostile import MINI_BRIEF, MINI_PERSON, RED_PNG, briefgen, make_project

sys.path.insert(0, str(Path(__file__).parents[1]))
from conftest import run_cli

pytestmark = pytest.mark.slow   # builds and checks in processes that must not hang on a FIFO

SECRET = "TOP-SECRET-OUTSIDE-THE-PROJECT"
GENEROUS = 120  # seconds; the work itself takes a few


def _outside(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    return outside


def _second_brief(project) -> Path:
    other = project.root / "content" / "other.yaml"
    other.write_text(MINI_BRIEF.replace("title: Mini brief", "title: Other brief"), encoding="utf-8")
    return other


def _run(*args: str | Path, timeout: float = GENEROUS) -> tuple[int, str, str]:
    process = briefgen(*args)
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, 9)
        process.communicate()
        pytest.fail(f"briefgen {' '.join(map(str, args))} did not finish in {timeout} s")
    return process.returncode, out, err


def test_a_person_file_that_is_a_link_to_an_outside_file_is_refused(tmp_path: Path):
    project = make_project(tmp_path)
    outside = _outside(tmp_path)
    (outside / "alice.yaml").write_text(MINI_PERSON.replace("A short bio.", SECRET), encoding="utf-8")
    project.person.unlink()
    project.person.symlink_to(outside / "alice.yaml")
    result = run_cli("build", "--root", tmp_path)
    assert result.code == 1
    assert ("content/people/alice.yaml: error: the file is a symbolic link; content files must be "
            "regular files inside the project") in result.err, result.err
    assert not project.output(".html").exists()


def test_a_people_folder_that_is_a_link_is_refused(tmp_path: Path):
    project = make_project(tmp_path)
    outside = _outside(tmp_path)
    (outside / "alice.yaml").write_text(MINI_PERSON.replace("A short bio.", SECRET), encoding="utf-8")
    shutil.rmtree(project.root / "content" / "people")
    (project.root / "content" / "people").symlink_to(outside)
    result = run_cli("build", "--root", tmp_path)
    assert result.code == 1
    assert "content/people/alice.yaml: error: the folder people/ is a symbolic link" in result.err, result.err
    assert not project.output(".html").exists()


def test_an_assets_folder_that_is_a_link_is_refused(tmp_path: Path):
    project = make_project(tmp_path)
    outside = _outside(tmp_path)
    (outside / "red.png").write_bytes(RED_PNG)
    shutil.rmtree(project.assets)
    project.assets.symlink_to(outside)
    line = project.replace_line("background: The background.", "background: A map ![map](assets/red.png).")
    result = run_cli("build", "--root", tmp_path)
    assert result.code == 1
    assert (f"content/mini.yaml:{line}:26: error: the assets/ folder is a symbolic link; it must be a "
            "real folder inside the project (background)") in result.err, result.err
    assert not project.output(".html").exists()


def test_a_brief_linked_to_dev_zero_is_refused_at_once_and_the_others_are_checked(tmp_path: Path):
    project = make_project(tmp_path)
    _second_brief(project)
    (project.root / "content" / "zero.yaml").symlink_to("/dev/zero")
    code, out, err = _run("check", "--root", tmp_path)
    assert code == 1
    assert "content/zero.yaml: error: the file is a symbolic link" in err, err
    assert "Traceback" not in err
    assert "checked 3 briefs: 1 error" in out, out


def test_a_dangling_link_does_not_stop_the_build(tmp_path: Path):
    project = make_project(tmp_path)
    _second_brief(project)
    (project.root / "content" / "dangling.yaml").symlink_to(tmp_path / "nowhere.yaml")
    code, out, err = _run("build", "--root", tmp_path)
    assert code == 1, err
    assert "content/dangling.yaml: error: the file is a symbolic link" in err, err
    assert "2 built, 0 unchanged, 1 failed" in out, out
    assert project.output(".pdf").exists()
    assert (project.root / "output" / "other.pdf").exists()


def test_a_fifo_brief_does_not_hang_check_or_build(tmp_path: Path):
    project = make_project(tmp_path)
    _second_brief(project)
    os.mkfifo(project.root / "content" / "pipe.yaml")
    code, out, err = _run("check", "--root", tmp_path)
    assert code == 1
    assert "content/pipe.yaml: error: the file is a named pipe, not a regular file" in err, err
    assert "checked 3 briefs: 1 error" in out, out
    code, out, err = _run("build", "--root", tmp_path)
    assert code == 1
    assert "2 built, 0 unchanged, 1 failed" in out, out


def test_a_fifo_person_file_does_not_hang_check(tmp_path: Path):
    project = make_project(tmp_path)
    project.person.unlink()
    os.mkfifo(project.person)
    code, _, err = _run("check", "--root", tmp_path)
    assert code == 1
    assert "content/people/alice.yaml: error: the file is a named pipe, not a regular file" in err, err


def test_a_content_folder_that_is_a_link_is_refused(tmp_path: Path):
    project = make_project(tmp_path / "real")
    (tmp_path / "linked").mkdir()
    (tmp_path / "linked" / "content").symlink_to(project.root / "content")
    result = run_cli("check", "--root", tmp_path / "linked")
    assert result.code == 2
    assert "content/ is a symbolic link" in result.err, result.err


def test_an_image_linked_to_dev_zero_inside_assets_is_refused(tmp_path: Path):
    project = make_project(tmp_path)
    (project.assets / "zero.png").symlink_to("/dev/zero")
    line = project.replace_line("background: The background.", "background: A map ![map](assets/zero.png).")
    code, _, err = _run("build", "--root", tmp_path)
    assert code == 1
    assert f"content/mini.yaml:{line}:26: error: " in err, err
    assert "zero.png" in err, err
