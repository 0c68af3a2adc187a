"""The package's folders follow the data, and imports point one way only.

cli → (preview | mail) → build → render → content → (errors, project). Every import of a
briefgen module counts, also those inside functions: a lazy import that runs back up
the layers is still a circle, only a hidden one.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import REPO

PACKAGE = REPO / "briefgen"
# Lower numbers sit lower. Two folders on one level may not import each other.
LAYERS = {"errors": 0, "project": 0, "content": 1, "render": 2, "build": 3,
          "preview": 4, "mail": 4, "cli": 5, "__main__": 6}


def module_name(path: Path, package: Path) -> str:
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules_of(package: Path) -> dict[str, Path]:
    return {module_name(path, package): path for path in sorted(package.rglob("*.py"))}


def imports_of(path: Path, known: dict[str, Path]) -> set[str]:
    """Every module of the package (`known`) that `path` imports, wherever in the file
    (`from briefgen.content import models` imports briefgen.content.models)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in known}
        elif isinstance(node, ast.ImportFrom) and node.module in known and node.level == 0:
            names = {f"{node.module}.{alias.name}" for alias in node.names}
            found |= (names & known.keys()) or {node.module}
    return found


def layer_of(module: str) -> tuple[str, int] | None:
    """The folder (or bottom module) a module belongs to, and its level; None for the package."""
    parts = module.split(".")
    return (parts[1], LAYERS[parts[1]]) if len(parts) > 1 else None


def back_imports(package: Path) -> list[str]:
    """Each import that runs up the layers or sideways between folders on one level."""
    problems = []
    known = modules_of(package)
    for importer, path in known.items():
        here = layer_of(importer)
        for imported in sorted(imports_of(path, known)):
            there = layer_of(imported)
            if here is None or there is None or here[0] == there[0]:
                continue
            if there[1] >= here[1]:
                problems.append(f"{path.relative_to(package.parent)}: {importer} ({here[0]}, level "
                                f"{here[1]}) imports {imported} ({there[0]}, level {there[1]})")
    return problems


def circles(package: Path) -> list[list[str]]:
    """Import cycles between modules (lazy imports included)."""
    known = modules_of(package)
    graph = {module: imports_of(path, known) for module, path in known.items()}
    found, done = [], set()

    def visit(module: str, trail: list[str]) -> None:
        if module in trail:
            found.append([*trail[trail.index(module):], module])
            return
        if module in done:
            return
        for imported in sorted(graph.get(module, ())):
            visit(imported, [*trail, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])
    return found


def test_every_folder_is_a_known_layer():
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    modules = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__"}
    assert folders | modules <= set(LAYERS), (folders | modules) - set(LAYERS)


def test_imports_point_one_way():
    assert back_imports(PACKAGE) == []


def test_no_import_circles():
    assert circles(PACKAGE) == []


def test_each_folder_says_what_it_holds_and_its_entry_points():
    for init in sorted(PACKAGE.glob("*/__init__.py")):
        docstring = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert len(docstring.split()) >= 15 and "Entry point" in docstring, init


@pytest.fixture
def package_with_a_back_import(tmp_path: Path) -> Path:
    """A tiny copy of the layout in which content imports the build stage."""
    package = tmp_path / "briefgen"
    for folder in ("content", "build"):
        (package / folder).mkdir(parents=True)
        (package / folder / "__init__.py").write_text('"""x"""\n')
    (package / "__init__.py").write_text("")
    (package / "build" / "pipeline.py").write_text("from briefgen.content import models\n")
    (package / "content" / "models.py").write_text(
        "def load():\n    from briefgen.build.pipeline import build  # lazy, and still wrong\n")
    return package


def test_the_checks_catch_a_back_import_and_its_circle(package_with_a_back_import: Path):
    problems = back_imports(package_with_a_back_import)
    assert problems == ["briefgen/content/models.py: briefgen.content.models (content, level 1) "
                        "imports briefgen.build.pipeline (build, level 3)"]
    assert ["briefgen.build.pipeline", "briefgen.content.models", "briefgen.build.pipeline"] in \
        circles(package_with_a_back_import)


LAYOUT_START, LAYOUT_END = "<!-- layout: generated from the module docstrings -->", "<!-- end of layout -->"
LAYER_ORDER = ("", "content", "render", "build", "preview", "mail", "cli")


def layout_listing() -> str:
    """The README's tree: one line per module, with the first line of its docstring."""
    rows = []
    for folder in LAYER_ORDER:
        directory = PACKAGE / folder if folder else PACKAGE
        for path in sorted(directory.glob("*.py"), key=lambda p: (p.stem != "__init__", p.stem)):
            summary = (ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or "").split("\n")[0]
            rows.append((str(path.relative_to(REPO)), summary))
    width = max(len(name) for name, _ in rows)
    lines = [f"{name:<{width}}  {summary}".rstrip() for name, summary in rows]
    return f"{LAYOUT_START}\n```text\n" + "\n".join(lines) + f"\n```\n{LAYOUT_END}\n"


def test_readme_layout_lists_every_module():
    import os
    readme = REPO / "README.md"
    text = readme.read_text(encoding="utf-8")
    start, end = text.index(LAYOUT_START), text.index(LAYOUT_END) + len(LAYOUT_END) + 1
    if os.environ.get("BRIEFGEN_UPDATE_GOLDEN"):
        text = text[:start] + layout_listing() + text[end:]
        readme.write_text(text, encoding="utf-8")
        end = start + len(layout_listing())
    assert text[start:end] == layout_listing(), (
        "README's layout of the code is out of date: refresh it with BRIEFGEN_UPDATE_GOLDEN=1")
