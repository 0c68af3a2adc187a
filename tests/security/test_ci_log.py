"""Attack class: workflow commands injected into the CI log through file names.

GitHub Actions treats a printed line starting with `::` as a command (`::warning`,
`::add-mask::`, `::stop-commands::`...). A content file name may hold a line break, so
in CI every file name and message briefgen prints is escaped the way `check --format
github` escapes its annotations (one function does both): no line it prints can start
a command of its own.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from hostile import MINI_BRIEF, make_project

sys.path.insert(0, str(Path(__file__).parents[1]))
from conftest import run_cli

INJECTED = "x\n::warning file=README.md::injected\n::add-mask::secret\rz"


@pytest.fixture
def ci(monkeypatch):
    monkeypatch.setenv("GITHUB_ACTIONS", "true")


def _hostile_names(tmp_path: Path) -> None:
    project = make_project(tmp_path)
    (project.root / "content" / f"{INJECTED}.yaml").write_text(MINI_BRIEF, encoding="utf-8")
    (project.root / "content" / f"bad{INJECTED}.yaml").write_text("title: [\n", encoding="utf-8")


def _no_command_lines(*streams: str) -> None:
    for stream in streams:
        for line in stream.splitlines():
            assert not line.lstrip().startswith("::"), line


def test_build_output_cannot_start_a_workflow_command(tmp_path: Path, ci):
    _hostile_names(tmp_path)
    result = run_cli("build", "--root", tmp_path)
    assert result.code == 1
    _no_command_lines(result.out, result.err)
    # the name is refused (a file name is held to the rules of an id), and printed escaped
    assert "failed    content/x%0A::warning file=README.md::injected%0A::add-mask::secret%0Dz.yaml" in result.out
    assert "failed    content/badx%0A::warning" in result.out


@pytest.mark.parametrize("output_format", ["text", "github"])
def test_check_output_cannot_start_a_workflow_command(tmp_path: Path, ci, output_format: str):
    _hostile_names(tmp_path)
    result = run_cli("check", "--root", tmp_path, "--format", output_format)
    assert result.code == 1
    annotations = [line for line in result.out.splitlines() if line.startswith("::error ")]
    assert len(annotations) == (2 if output_format == "github" else 0)   # a name; a syntax error
    _no_command_lines(result.err, "\n".join(line for line in result.out.splitlines()
                                            if line not in annotations))
    for line in annotations:
        assert line.count("::") == 2  # its own `::error` and the one before the message


def test_outside_ci_names_print_as_they_are(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
    make_project(tmp_path)
    (tmp_path / "content" / "100%.yaml").write_text(MINI_BRIEF, encoding="utf-8")
    result = run_cli("check", "--root", tmp_path)
    assert result.code == 1   # its name is not an id
    assert "%25" not in result.out + result.err
    assert "content/100%.yaml: error: the file name is not a valid id" in result.err


def test_one_escaping_for_data_and_properties():
    from briefgen.cli.ci import escape_data, escape_property
    assert escape_data("a%b\r\nc") == "a%25b%0D%0Ac"
    assert escape_property("a:b,c\n") == "a%3Ab%2Cc%0A"
