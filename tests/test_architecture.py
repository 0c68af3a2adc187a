"""The package's folders follow the data, and imports point one way only.

cli → (preview | mail) → workflows → engine → render → content → (errors, project). Every import of a
briefgen module counts, also those inside functions: a lazy import that runs back up
the layers is still a circle, only a hidden one.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest
from conftest import REPO

PACKAGE = REPO / "briefgen"
# Lower numbers sit lower. Two folders on one level may not import each other.
LAYERS = {"errors": 0, "project": 0, "content": 1, "render": 2, "engine": 3, "workflows": 4,
          "preview": 5, "mail": 5, "cli": 6, "__main__": 7}


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
        assert len(docstring.split()) >= 15, init
        assert "Entry point" in docstring, init


@pytest.fixture
def package_with_a_back_import(tmp_path: Path) -> Path:
    """A tiny copy of the layout in which content imports a workflow."""
    package = tmp_path / "briefgen"
    for folder in ("content", "workflows"):
        (package / folder).mkdir(parents=True)
        (package / folder / "__init__.py").write_text('"""x"""\n')
    (package / "__init__.py").write_text("")
    (package / "workflows" / "brief.py").write_text("from briefgen.content import models\n")
    (package / "content" / "models.py").write_text(
        "def load():\n    from briefgen.workflows.brief import build_briefs  # lazy, and still wrong\n")
    return package


def test_the_checks_catch_a_back_import_and_its_circle(package_with_a_back_import: Path):
    problems = back_imports(package_with_a_back_import)
    assert problems == ["briefgen/content/models.py: briefgen.content.models (content, level 1) "
                        "imports briefgen.workflows.brief (workflows, level 4)"]
    assert ["briefgen.content.models", "briefgen.workflows.brief", "briefgen.content.models"] in \
        circles(package_with_a_back_import)


LAYOUT_START, LAYOUT_END = "<!-- layout: generated from the module docstrings -->", "<!-- end of layout -->"
LAYER_ORDER = ("", "content", "render", "build", "preview", "mail", "cli")


def layout_listing() -> str:
    """The tree in docs/architecture.md: one line per module, with the first line of its docstring."""
    rows = []
    for folder in LAYER_ORDER:
        directory = PACKAGE / folder if folder else PACKAGE
        for path in sorted(directory.glob("*.py"), key=lambda p: (p.stem != "__init__", p.stem)):
            summary = (ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or "").split("\n")[0]
            rows.append((str(path.relative_to(REPO)), summary))
    width = max(len(name) for name, _ in rows)
    lines = [f"{name:<{width}}  {summary}".rstrip() for name, summary in rows]
    return f"{LAYOUT_START}\n```text\n" + "\n".join(lines) + f"\n```\n{LAYOUT_END}\n"


def test_architecture_page_lists_every_module():
    import os
    page = REPO / "docs" / "architecture.md"
    text = page.read_text(encoding="utf-8")
    start, end = text.index(LAYOUT_START), text.index(LAYOUT_END) + len(LAYOUT_END) + 1
    if os.environ.get("BRIEFGEN_UPDATE_GOLDEN"):
        text = text[:start] + layout_listing() + text[end:]
        page.write_text(text, encoding="utf-8")
        end = start + len(layout_listing())
    assert text[start:end] == layout_listing(), (
        "docs/architecture.md's layout of the code is out of date: refresh it with BRIEFGEN_UPDATE_GOLDEN=1")


# --- the package's faces: each folder's __init__ names what the folder holds ----------------------

# A module is named in backquotes, alone or with what it holds: `loader`, `validate.validate_brief`
# (a name in capitals, such as `Diagnostic`, is a class, not a module).
# Any backquoted dotted name in an __init__ docstring is read this way (but the package's own
# name, as in the `briefgen` command), so one that names no module of the folder is stale.
NAMED = re.compile(r"`([a-z_]\w*)((?:\.\w+)*)`")


def packages(package: Path = PACKAGE) -> list[Path]:
    """Every folder of the package with an __init__.py, the package itself first."""
    return [package, *sorted(p.parent for p in package.rglob("*/__init__.py"))]


def modules_in(folder: Path) -> set[str]:
    """What a folder holds, by the file system: its modules and its sub-packages."""
    return ({p.stem for p in folder.glob("*.py")} - {"__init__"}
            | {p.parent.name for p in folder.glob("*/__init__.py")})


def named_in_face(folder: Path, package: Path = PACKAGE) -> dict[str, set[str]]:
    """The modules an __init__ docstring names, each with the names it gives inside it
    (`validate.validate_brief` names validate_brief in validate)."""
    docstring = ast.get_docstring(ast.parse((folder / "__init__.py").read_text(encoding="utf-8"))) or ""
    named: dict[str, set[str]] = {}
    for module, attributes in NAMED.findall(docstring):
        if module != package.name:
            named.setdefault(module, set()).update(attributes.split(".")[1:2])
    return named


def top_level_names(path: Path) -> set[str]:
    """What a module defines or imports at its top level."""
    names = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {(alias.asname or alias.name).split(".")[0] for alias in node.names}
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {target.id for target in targets if isinstance(target, ast.Name)}
    return names


def face_problems(package: Path = PACKAGE) -> list[str]:
    problems = []
    for folder in packages(package):
        where = (folder / "__init__.py").relative_to(package.parent)
        present, named = modules_in(folder), named_in_face(folder, package)
        problems += [f"{where} does not name `{m}`" for m in sorted(present - named.keys())]
        problems += [f"{where} names `{m}`, which is not a module of {folder.name}/"
                     for m in sorted(named.keys() - present)]
        for module in sorted(named.keys() & present):
            file = folder / f"{module}.py" if (folder / f"{module}.py").exists() else folder / module / "__init__.py"
            problems += [f"{where} names `{module}.{name}`, which {module} does not define"
                         for name in sorted(named[module] - top_level_names(file))]
    return problems


def test_each_folder_face_names_every_module_it_holds_and_no_other():
    assert len(packages()) > 1
    assert face_problems() == []


def test_the_face_check_finds_a_missing_and_a_stale_module(tmp_path: Path):
    package = tmp_path / "briefgen"
    (package / "stage").mkdir(parents=True)
    (package / "__init__.py").write_text('"""The package: `stage` and `errors`."""\n')
    (package / "errors.py").write_text("")
    (package / "stage" / "__init__.py").write_text('"""A stage: `one.run`, `one.walk` and `gone`."""\n')
    (package / "stage" / "one.py").write_text("def run():\n    pass\n")
    (package / "stage" / "two.py").write_text("")
    assert face_problems(package) == ["briefgen/stage/__init__.py does not name `two`",
                                      "briefgen/stage/__init__.py names `gone`, which is not a module of stage/",
                                      "briefgen/stage/__init__.py names `one.walk`, which one does not define"]


# --- every path and module a docstring names exists ----------------------------------------------

PACKAGE_PATH = re.compile(r"(?<![\w/.])(briefgen/[\w./-]*\w)")
PY_FILE = re.compile(r"(?<![\w/.-])((?:\w+/)*\w+\.py)\b")
DOTTED = re.compile(r"(?<![\w.])(briefgen(?:\.\w+)+)")


def docstrings(path: Path):
    """Every docstring of a module: its own, its classes' and its functions'."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            yield ast.get_docstring(node) or ""


def shipped_folders(root: Path) -> dict[str, str]:
    """Folders the wheel ships under the package from elsewhere in the checkout
    (pyproject's package-dir: briefgen/templates/ is templates/)."""
    pyproject = root / "pyproject.toml"
    if not pyproject.exists():
        return {}
    setuptools = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}).get("setuptools", {})
    return {package.replace(".", "/"): folder for package, folder in setuptools.get("package-dir", {}).items()
            if package}


def exists_in_checkout(root: Path, named: str) -> bool:
    """Whether a path of the package (briefgen/render/pdf.py) is in the checkout, folders the
    wheel ships from elsewhere included."""
    for shipped, folder in shipped_folders(root).items():
        if named == shipped or named.startswith(shipped + "/"):
            named = folder + named[len(shipped):]
    return (root / named).exists()


def is_module(root: Path, dotted: str) -> bool:
    """Whether `briefgen.a.b[.attr]` names a module (or something in one) that exists."""
    parts = dotted.split(".")
    return any(exists_in_checkout(root, "/".join(parts[:n]) + ".py")
               or exists_in_checkout(root, "/".join(parts[:n]) + "/__init__.py")
               or (exists_in_checkout(root, "/".join(parts[:n])) and n == len(parts))
               for n in range(2, len(parts) + 1))


def named_but_missing(package: Path = PACKAGE) -> list[str]:
    """Paths (`briefgen/render/pdf.py`, `render/pdf.py`, `pdf.py`) and dotted module names
    (`briefgen.render.pdf`) that a docstring names and that do not exist. A bare file name is
    looked for beside the module, a folder/file name inside the package or the checkout."""
    root = package.parent
    return [f"{path.relative_to(root)}: names {problem}" for path in sorted(package.rglob("*.py"))
            for text in docstrings(path) for problem in _missing_in(text, path, package)]


def _missing_in(text: str, path: Path, package: Path):
    root = package.parent
    for named in PACKAGE_PATH.findall(text):
        if "<" not in named and not exists_in_checkout(root, named):
            yield f"{named}, which does not exist"
    for named in PY_FILE.findall(text):
        if named.startswith(f"{package.name}/"):
            continue                                  # checked above
        places = [path.parent] if "/" not in named else [package, root]
        if not any((place / named).exists() for place in places):
            yield f"{named}, which does not exist"
    for named in DOTTED.findall(text):
        if not is_module(root, named):
            yield f"{named}, which is not a module"


def test_docstrings_name_only_files_and_modules_that_exist():
    assert named_but_missing() == []


def test_the_name_check_finds_files_and_modules_that_are_gone(tmp_path: Path):
    package = tmp_path / "briefgen"
    (package / "preview").mkdir(parents=True)
    (package / "__init__.py").write_text('"""See briefgen/preview/state.py and briefgen.preview.state."""\n')
    (package / "preview" / "__init__.py").write_text("")
    (package / "preview" / "state.py").write_text("")
    (package / "preview" / "serve.py").write_text(
        '"""See state.py, preview/state.py, preview.py (gone), preview/server.py (gone)\n'
        'and briefgen.preview_server (gone)."""\n')
    assert named_but_missing(package) == [
        "briefgen/preview/serve.py: names preview.py, which does not exist",
        "briefgen/preview/serve.py: names preview/server.py, which does not exist",
        "briefgen/preview/serve.py: names briefgen.preview_server, which is not a module",
    ]
