"""Generated artefacts and documentation stay in step with the code.

The JSON Schemas under schema/ and the content reference in docs/content-reference.md are
generated from the model; `briefgen --help`, the README's command summary and the manual in
docs/ name the same commands and options; every relative link in them leads to a file.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
import yaml
from conftest import REPO, run_cli

from briefgen.cli.main import COMMANDS, parser
from briefgen.content.schema import REFERENCE_END, REFERENCE_START, content_reference, schema_texts

README = REPO / "README.md"
DOCS = REPO / "docs"
CONTENT_REFERENCE = DOCS / "content-reference.md"
AUTHORING = DOCS / "authoring.md"          # writing a brief, and `briefgen check`
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)\n")
# Keys whose examples belong to the helper that owns the `distribution` section.
EXAMPLES_OWNED_ELSEWHERE = {"Distribution", "Recipient", "Brief.distribution", "Book.distribution"}


def _manual() -> str:
    """Every page of the manual under docs/."""
    return "\n".join(page.read_text(encoding="utf-8") for page in sorted(DOCS.glob("*.md")))


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
                          "wrote schema/book.schema.json\nwrote schema/house.schema.json\n")
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


def test_content_reference_is_generated_from_the_model():
    text = CONTENT_REFERENCE.read_text(encoding="utf-8")
    start, end = text.index(REFERENCE_START), text.index(REFERENCE_END) + len(REFERENCE_END) + 1
    if os.environ.get("BRIEFGEN_UPDATE_GOLDEN"):
        text = text[:start] + content_reference() + text[end:]
        CONTENT_REFERENCE.write_text(text, encoding="utf-8")
        end = start + len(content_reference())
    assert text[start:end] == content_reference(), (
        "docs/content-reference.md is out of date: refresh it with BRIEFGEN_UPDATE_GOLDEN=1")


def test_every_command_in_help_is_in_the_readme_summary_and_the_manual():
    help_text = run_cli("--help").out
    readme, manual = README.read_text(encoding="utf-8"), _manual()
    for name in _subcommands():
        assert re.search(rf"^\s+{name}\s", help_text, flags=re.MULTILINE), f"{name} not in --help"
        assert re.search(rf"^\.venv/bin/briefgen {name}\b", readme, flags=re.MULTILINE), (
            f"`briefgen {name}` is not in the README's command summary")
        assert f"briefgen {name}" in manual, f"`briefgen {name}` is not documented in docs/"
    assert set(COMMANDS) == set(_subcommands())


@pytest.mark.parametrize("page", [README, *sorted(DOCS.glob("*.md"))], ids=lambda p: p.name)
def test_every_command_a_page_shows_exists_with_its_options(page: Path):
    """The usage lines in the code blocks of the README and the manual name real commands
    and real options."""
    text = page.read_text(encoding="utf-8")
    commands = _subcommands()
    usages = re.findall(r"^(?:\$ )?\.venv/bin/briefgen ([\w-]+)(.*)$", text, flags=re.MULTILINE)
    if page == README:
        assert {"build", "check", "schema", "new"} <= {name for name, _ in usages}
    for name, rest in usages:
        assert name in commands, f"{page.name} shows `briefgen {name}`, which does not exist"
        options = set(commands[name]._option_string_actions)
        for option in re.findall(r"(?<![\w-])(--[a-z][a-z-]*)", rest.split("#")[0]):
            assert option in options, f"{page.name} shows `briefgen {name} {option}`, which does not exist"


def test_check_options_are_documented_where_checking_is():
    authoring = AUTHORING.read_text(encoding="utf-8")
    check = _subcommands()["check"]
    for action in check._actions:
        for option in action.option_strings:
            if option.startswith("--") and option != "--help":
                assert option in authoring, f"`check {option}` is not documented in docs/authoring.md"
    for choice in ("text", "json", "github"):
        assert f"--format {choice}" in authoring


# --- links ---------------------------------------------------------------------------------

LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")


def _anchors(text: str) -> set[str]:
    """The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces
    to hyphens."""
    headings = re.findall(r"^#+ (.+)$", _without_code_blocks(text), flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-") for heading in headings}


def _without_code_blocks(text: str) -> str:
    return re.sub(r"^```.*?^```", "", text, flags=re.DOTALL | re.MULTILINE)


def _without_code(text: str) -> str:
    """The text with its code blocks and inline code taken out: a link shown as code is an
    example, not a link."""
    return re.sub(r"`[^`\n]*`", "", _without_code_blocks(text))


def relative_links(page: Path) -> list[tuple[str, Path, str]]:
    """Each relative link on a page: as written, the file it points at, and its anchor."""
    found = []
    for target in LINK.findall(_without_code(page.read_text(encoding="utf-8"))):
        if re.match(r"[a-z][a-z+.-]*:", target):
            continue                                  # https:, mailto:
        path, _, anchor = target.partition("#")
        found.append((target, (page.parent / path).resolve() if path else page, anchor))
    return found


def broken_links(pages: list[Path]) -> list[str]:
    broken = []
    for page in pages:
        for target, path, anchor in relative_links(page):
            if not path.exists():
                broken.append(f"{page.name}: {target} (no such file)")
            elif anchor and path.suffix == ".md" and anchor not in _anchors(path.read_text(encoding="utf-8")):
                broken.append(f"{page.name}: {target} (no such heading)")
    return broken


def test_every_relative_link_in_the_readme_and_the_manual_leads_somewhere():
    pages = [README, *sorted(DOCS.glob("*.md"))]
    assert sum(len(relative_links(page)) for page in pages) > 20      # the links were found
    assert broken_links(pages) == []


def test_the_link_check_finds_a_missing_file_and_a_missing_heading(tmp_path: Path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("# Page A\n\n## Some section\n", encoding="utf-8")
    page = tmp_path / "README.md"
    page.write_text("[a](docs/a.md#some-section) [b](docs/b.md) [c](docs/a.md#gone) "
                    "![d](docs/pages/d.png) `[e](not-a-link.md)` [f](https://example.org/x)\n",
                    encoding="utf-8")
    assert broken_links([page]) == ["README.md: docs/b.md (no such file)",
                                    "README.md: docs/a.md#gone (no such heading)",
                                    "README.md: docs/pages/d.png (no such file)"]


def test_the_readme_stays_a_front_page():
    """What it is, a picture, the two commands, a first brief, links: the manual is in docs/."""
    readme = README.read_text(encoding="utf-8")
    assert len(readme.splitlines()) < 200
    assert "make brief" in readme
    assert "make test" in readme
    assert "## Your first brief in five steps" in readme
    assert "](docs/pages/camp-david-2023-page1.png)" in readme
    linked = {path for _, path, _ in relative_links(README)}
    assert {page.resolve() for page in DOCS.glob("*.md")} <= linked, "a page of docs/ is not linked from README"


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
    assert "--format markdown" in diff
    assert '>> "$GITHUB_STEP_SUMMARY"' in diff
    assert "--picture" in diff
    for option in runs[runs.index(next(r for r in runs if "briefgen check" in r))].split()[2:]:
        assert option in _subcommands()["check"]._option_string_actions or option == "github"


def test_pre_commit_hook_runs_check_on_content():
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    hook = next(h for h in hooks if h["id"] == "briefgen-check")
    assert hook["entry"] == "briefgen check"
    assert hook["language"] == "python"
    assert hook["pass_filenames"] is False
    assert re.search(hook["files"], "content/people/kishida.yaml")
    assert re.search(hook["files"], "content/camp-david-2023.yaml")
    assert not re.search(hook["files"], "templates/one-pager.css")
