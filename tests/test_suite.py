"""The test suite itself: the two lanes (`make test-fast` leaves out the tests marked slow, by
the rule in tests/conftest.py) and the map in docs/architecture.md of which tests cover which
module."""

from __future__ import annotations

import ast
import re
import subprocess
import sys

import pytest
from conftest import REPO, SLOW_FIXTURES, SLOW_FOLDERS, slow_reason

TESTS = REPO / "tests"
MAP_ROW = re.compile(r"^\| `(briefgen/[\w/]+\.py)` \| (.+) \|$", flags=re.MULTILINE)


def fixtures_defined_under_tests() -> set[str]:
    """The name of every function under tests/ decorated with pytest.fixture."""
    names = set()
    for path in TESTS.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and any(
                    "pytest.fixture" in ast.unparse(decorator) for decorator in node.decorator_list):
                names.add(node.name)
    return names


def fast_lane(*paths: str) -> list[str]:
    """The tests `make test-fast` runs among `paths`, collected as it collects them."""
    collected = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                                "-m", "not slow", *paths], cwd=REPO, capture_output=True, text=True, check=False)
    assert collected.returncode in (0, 5), collected.stdout + collected.stderr    # 5: none selected
    assert "deselected" in collected.stdout, collected.stdout
    return [line for line in collected.stdout.splitlines() if line.startswith("tests/")]


def test_the_rule_says_why_a_test_is_slow():
    assert slow_reason(TESTS / "browser" / "test_axe.py", ["page"]) == "in tests/browser/"
    assert slow_reason(TESTS / "accessibility" / "test_pdf.py", []) == "in tests/accessibility/"
    assert slow_reason(TESTS / "test_pipeline.py", ["sample_build", "tmp_path"]) == "uses sample_build"
    assert slow_reason(TESTS / "test_check.py", ["project", "tmp_path"]) is None


def test_each_slow_folder_and_fixture_of_the_rule_exists():
    """A renamed fixture or folder would quietly move its tests into the fast lane."""
    assert sorted(SLOW_FIXTURES - fixtures_defined_under_tests()) == []
    assert sorted(folder for folder in SLOW_FOLDERS if not (TESTS / folder).is_dir()) == []


@pytest.mark.slow   # a second pytest collects the browser tests
def test_the_fast_lane_leaves_out_the_browser_and_every_user_of_a_slow_fixture():
    fast = fast_lane("tests/browser", "tests/accessibility", "tests/test_pipeline.py")
    assert [test for test in fast if test.startswith(("tests/browser/", "tests/accessibility/"))] == []
    assert "tests/test_pipeline.py::test_sample_pdf_metadata" not in fast                  # uses sample_build
    assert "tests/test_pipeline.py::test_failed_build_leaves_last_good_output_untouched" in fast


def test_the_architecture_page_maps_every_module_to_tests_that_exist():
    """docs/architecture.md says which tests cover each module, since tests are named for
    what a user does rather than for a module."""
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    mapped = {module: re.findall(r"`(tests/[\w/]+\.py)`", tests) for module, tests in MAP_ROW.findall(text)}
    modules = {path.relative_to(REPO).as_posix() for path in (REPO / "briefgen").rglob("*.py")
               if path.name != "__init__.py"}
    assert sorted(modules - mapped.keys()) == [], "modules missing from the map in docs/architecture.md"
    assert sorted(mapped.keys() - modules) == [], "the map names modules that do not exist"
    assert sorted(module for module, tests in mapped.items() if not tests) == []
    assert sorted(test for tests in mapped.values() for test in tests if not (REPO / test).is_file()) == []
