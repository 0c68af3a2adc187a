"""Property test: whatever an author does to the sample, `check` answers cleanly.

Hypothesis mutates the sample brief and a person file (deleted keys, wrong types,
random text and unicode, swapped ids, renamed keys, truncated files, stray characters,
deleted lines). Whatever comes out, `briefgen check` exits 0 or 1, never shows a
traceback, and every line it prints on stderr is `path:line:col: error|warning: message`.
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import REPO, SAMPLE_ID, copy_sample, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefgen.content.loader import load_yaml

pytestmark = pytest.mark.slow   # Hypothesis: 150 mutations of the sample, each checked

BRIEF = REPO / "content" / f"{SAMPLE_ID}.yaml"
PERSON = REPO / "content" / "people" / "kishida.yaml"
LOCATED = re.compile(r"^content/[\w./-]+\.yaml:\d+:\d+: (error|warning): \S.*$")
SUMMARY = re.compile(r"^checked 1 brief: \d+ errors?, \d+ warnings?\n$")

WRONG_VALUES = st.one_of(
    st.just([]), st.just({}), st.none(), st.just(["a", "b"]), st.just({"x": "y"}),
    st.sampled_from(["yes", "NO", "~", "10:30", "1e3", "0o17", "2023-02-30", "<b>x</b>", "TBD",
                     "FILL IN: something", "[@missing]", "obama", "summit"]),
    st.text(max_size=40),
)


def _paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    """Every path to a value in plain data."""
    found = [prefix] if prefix else []
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*prefix, index))
    return found


def _parent(data: Any, path: tuple) -> Any:
    for part in path[:-1]:
        data = data[part]
    return data


def _scalar_paths(data: Any) -> list[tuple]:
    return [p for p in _paths(data) if isinstance(_parent(data, p)[p[-1]], str)]


@st.composite
def mutated_data(draw, original: Any) -> Any:
    data = copy.deepcopy(original)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent, last = _parent(data, path), path[-1]
        action = draw(st.sampled_from(["delete", "wrong", "text", "swap", "rename"]))
        if action == "delete":
            del parent[last]
        elif action == "wrong":
            parent[last] = copy.deepcopy(draw(WRONG_VALUES))  # st.just() shares one object
        elif action == "text":
            parent[last] = draw(st.text(alphabet=st.characters(codec="utf-8"), max_size=30))
        elif action == "swap":
            scalars = _scalar_paths(data)
            if len(scalars) >= 2:
                one, two = draw(st.sampled_from(scalars)), draw(st.sampled_from(scalars))
                a, b = _parent(data, one), _parent(data, two)
                a[one[-1]], b[two[-1]] = b[two[-1]], a[one[-1]]
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=12))] = parent.pop(last)
    return data


def _as_yaml(data: Any) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@st.composite
def mutated_text(draw, text: str) -> str:
    action = draw(st.sampled_from(["truncate", "insert", "delete_line"]))
    if action == "truncate":
        return text[: draw(st.integers(0, len(text)))]
    if action == "insert":
        at = draw(st.integers(0, len(text)))
        stray = draw(st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=5)
                     | st.sampled_from([": ", "\t", "- ", "[", "{", "&a ", "*a", "!!bool ", "\"", "\u202e",
                                        "\u200b", "\x00", "\r", "\x85", "---\n", "<<: "]))
        return text[:at] + stray + text[at:]
    lines = text.splitlines(keepends=True)
    index = draw(st.integers(0, len(lines) - 1))
    return "".join(lines[:index] + lines[index + 1:])


def _sample(path: Path) -> tuple[str, Any]:
    return path.read_text(encoding="utf-8"), load_yaml(path).data


BRIEF_TEXT, BRIEF_DATA = _sample(BRIEF)
PERSON_TEXT, PERSON_DATA = _sample(PERSON)


def one_edit(text: str, data: Any):
    return st.one_of(mutated_data(data).map(_as_yaml), mutated_text(text))


EDITS = st.one_of(
    st.tuples(one_edit(BRIEF_TEXT, BRIEF_DATA), st.just(PERSON_TEXT)),
    st.tuples(st.just(BRIEF_TEXT), one_edit(PERSON_TEXT, PERSON_DATA)),
)


@pytest.fixture(scope="module")
def scratch_project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("mutations")
    copy_sample(root / "content")
    return root


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edit=EDITS)
def test_check_answers_every_mutation_cleanly(scratch_project: Path, edit: tuple[str, str]):
    brief_text, person_text = edit
    (scratch_project / "content" / BRIEF.name).write_text(brief_text, encoding="utf-8")
    (scratch_project / "content" / "people" / PERSON.name).write_text(person_text, encoding="utf-8")
    result = run_cli("check", "--root", scratch_project)
    assert result.code in (0, 1), result.err
    assert "Traceback" not in result.err
    lines = result.err.splitlines()
    assert all(LOCATED.match(line) for line in lines), lines
    assert SUMMARY.match(result.out), result.out
    assert (result.code == 1) == any(": error: " in line for line in lines)


def test_the_unmutated_sample_is_clean(scratch_project: Path):
    (scratch_project / "content" / BRIEF.name).write_text(BRIEF_TEXT, encoding="utf-8")
    (scratch_project / "content" / "people" / PERSON.name).write_text(PERSON_TEXT, encoding="utf-8")
    assert run_cli("check", "--root", scratch_project).code == 0
