"""Generated artefacts and documentation stay in step with the code.

The JSON Schemas under schema/ and the content reference in README.md are generated
from the model; `briefgen --help` and README name the same commands and options.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import yaml

from briefgen.cli.main import COMMANDS, parser
from briefgen.content.schema import REFERENCE_END, REFERENCE_START, content_reference, schema_texts
from conftest import REPO, run_cli

README = REPO / "README.md"
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)\n")
# Keys whose examples belong to the helper that owns the `distribution` section.
EXAMPLES_OWNED_ELSEWHERE = {"Distribution", "Recipient", "Brief.distribution", "Book.distribution"}


def _subcommands() -> dict:
    actions = [a for a in parser()._actions if a.dest == "command"]
    return actions[0].choices


@pytest.mark.parametrize("name", sorted(schema_texts()))
def test_committed_schema_matches_the_model(name: str):
    committed = REPO / "schema" / f"{name}.schema.json"
    assert committed.read_text(encoding="utf-8") == schema_texts()[name], (
        f"{committed.name} is out of date: run .venv/bin/briefgen schema --write")


def test_schema_command_prints_both_schemas():
    result = run_cli("schema")
    assert result.code == 0
    printed = json.loads(result.out)
    assert printed == {name: json.loads(text) for name, text in schema_texts().items()}


def test_schema_write_writes_what_the_drift_test_compares(tmp_path: Path):
    (tmp_path / "content").mkdir()
    result = run_cli("schema", "--write", "--root", tmp_path)
    assert result.out == ("wrote schema/brief.schema.json\nwrote schema/person.schema.json\n"
                          "wrote schema/book.schema.json\n")
    for name, text in schema_texts().items():
        assert (tmp_path / "schema" / f"{name}.schema.json").read_text(encoding="utf-8") == text


def _properties(schema: dict):
    yield schema.get("title"), schema["properties"]
    for name, definition in schema.get("$defs", {}).items():
        if "properties" in definition:
            yield name, definition["properties"]


@pytest.mark.parametrize("name", sorted(schema_texts()))
def test_every_field_has_a_description_and_an_example(name: str):
    schema = json.loads(schema_texts()[name])
    for model, properties in _properties(schema):
        for key, prop in properties.items():
            assert prop.get("description"), f"{model}.{key} has no description"
            if not {model, f"{model}.{key}"} & EXAMPLES_OWNED_ELSEWHERE:
                assert prop.get("examples"), f"{model}.{key} has no example"


def _content_files() -> list[Path]:
    return (sorted((REPO / "content").glob("*.yaml")) + sorted((REPO / "content" / "people").glob("*.yaml"))
            + sorted((REPO / "content" / "books").glob("*.yaml")))


@pytest.mark.parametrize("path", _content_files(), ids=lambda p: p.name)
def test_every_content_file_names_its_schema(path: Path):
    match = MODELINE.match(path.read_text(encoding="utf-8"))
    assert match, f"{path.name} does not start with a yaml-language-server $schema line"
    target = (path.parent / match.group(1)).resolve()
    expected = {"people": "person.schema.json", "books": "book.schema.json"}.get(path.parent.name,
                                                                               "brief.schema.json")
    assert target == REPO / "schema" / expected


def test_golden_briefs_name_an_existing_schema():
    for path in sorted((REPO / "tests" / "errors").glob("*/content/**/*.yaml")):
        match = MODELINE.match(path.read_text(encoding="utf-8", errors="replace"))
        if match:
            assert (path.parent / match.group(1)).resolve().is_file(), path


def test_readme_content_reference_is_generated_from_the_model():
    text = README.read_text(encoding="utf-8")
    start, end = text.index(REFERENCE_START), text.index(REFERENCE_END) + len(REFERENCE_END) + 1
    if os.environ.get("BRIEFGEN_UPDATE_GOLDEN"):
        text = text[:start] + content_reference() + text[end:]
        README.write_text(text, encoding="utf-8")
    assert text[start:end] == content_reference(), (
        "README's content reference is out of date: refresh it with BRIEFGEN_UPDATE_GOLDEN=1")


def test_every_command_in_help_is_documented_in_readme():
    help_text = run_cli("--help").out
    readme = README.read_text(encoding="utf-8")
    for name in _subcommands():
        assert re.search(rf"^\s+{name}\s", help_text, flags=re.MULTILINE), f"{name} not in --help"
        assert f"briefgen {name}" in readme, f"`briefgen {name}` is not documented in README.md"
    assert set(COMMANDS) == set(_subcommands())


def test_every_command_readme_shows_exists_with_its_options():
    """The usage lines in README's code blocks name real commands and real options."""
    readme = README.read_text(encoding="utf-8")
    commands = _subcommands()
    usages = re.findall(r"^\.venv/bin/briefgen ([\w-]+)(.*)$", readme, flags=re.MULTILINE)
    assert {"build", "check", "schema", "new"} <= {name for name, _ in usages}
    for name, rest in usages:
        assert name in commands, f"README shows `briefgen {name}`, which does not exist"
        options = set(commands[name]._option_string_actions)
        for option in re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", rest.split("#")[0]):
            assert option in options, f"README shows `briefgen {name} {option}`, which does not exist"


def test_check_options_are_documented():
    readme = README.read_text(encoding="utf-8")
    check = _subcommands()["check"]
    for action in check._actions:
        for option in action.option_strings:
            if option.startswith("--") and option != "--help":
                assert option in readme, f"`check {option}` is not documented in README.md"
    for choice in ("text", "json", "github"):
        assert f"--format {choice}" in readme


def test_pull_request_workflow_checks_builds_and_uploads():
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "brief.yml").read_text(encoding="utf-8"))
    assert "pull_request" in workflow[True]  # YAML 1.1 reads the key `on` as true
    steps = workflow["jobs"]["brief"]["steps"]
    runs = [step.get("run", "") for step in steps]
    assert any("setup-python" in step.get("uses", "") for step in steps)
    assert any(run.startswith(".venv/bin/briefgen check --format github") for run in runs)
    assert "make brief" in runs
    upload = next(step for step in steps if step.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"]["path"].split() == ["output/*.pdf", "output/*.html", "output/*.diff.png"]
    checkout = next(step for step in steps if step.get("uses", "").startswith("actions/checkout"))
    assert checkout["with"]["fetch-depth"] == 0          # `briefgen diff` needs the base commit
    diff = next(run for run in runs if "briefgen diff" in run)
    assert "--format markdown" in diff and '>> "$GITHUB_STEP_SUMMARY"' in diff and "--picture" in diff
    for option in runs[runs.index(next(r for r in runs if "briefgen check" in r))].split()[2:]:
        assert option in _subcommands()["check"]._option_string_actions or option == "github"


def test_pre_commit_hook_runs_check_on_content():
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "briefgen-check")
    assert hook["entry"] == "briefgen check" and hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert re.search(hook["files"], "content/people/kishida.yaml")
    assert re.search(hook["files"], "content/camp-david-2023.yaml")
    assert not re.search(hook["files"], "templates/one-pager.css")
