"""Where a project's content, templates and output live: every path is resolved here.

This module sits at the bottom of the package beside `errors`: every stage may use it,
and it uses none of them.
"""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def builtin_templates_dir() -> Path:
    """The templates that ship with briefgen: package data in an installed wheel
    (briefgen/templates/), the checkout's top-level templates/ in an editable install."""
    packaged = PACKAGE_DIR / "templates"
    return packaged if packaged.is_dir() else PACKAGE_DIR.parent / "templates"


TEMPLATES_DIR = builtin_templates_dir()


def builtin_houses_dir() -> Path:
    """The houses that ship with briefgen (default, and the examples), placed as the templates are."""
    packaged = PACKAGE_DIR / "houses"
    return packaged if packaged.is_dir() else PACKAGE_DIR.parent / "houses"


BUILTIN_HOUSES_DIR = builtin_houses_dir()
GLOSSARY_FILE = "glossary.yaml"   # content/glossary.yaml: the project's acronyms, not a brief



@dataclass(frozen=True)
class Project:
    """Where content, people, templates and output live."""

    root: Path
    content_dir: Path
    output_dir: Path
    templates_dir: Path = TEMPLATES_DIR

    @classmethod
    def at(cls, root: Path, output_dir: Path | None = None,
           templates_dir: Path | None = None) -> Project:
        """A project at `root`. Its templates are `templates_dir` when given, else the
        project's own `templates/` folder when it has one, else briefgen's built-in ones."""
        root = root.resolve()
        own = root / "templates"
        templates = templates_dir or (own if (own / "one-pager.html.j2").is_file() else TEMPLATES_DIR)
        # The default output/ keeps its own name even if it is a link (a pull request can add
        # one), so writing refuses it instead of following it; an --output given is resolved.
        output = output_dir.resolve() if output_dir else root / "output"
        return cls(root, root / "content", output, templates.resolve())

    @classmethod
    def find(cls, start: Path, output_dir: Path | None = None,
             templates_dir: Path | None = None) -> Project:
        """The nearest folder at or above `start` that has a `content/` folder."""
        start = start.resolve()
        for folder in (start, *start.parents):
            if (folder / "content").is_dir():
                return cls.at(folder, output_dir, templates_dir)
        return cls.at(start, output_dir, templates_dir)

    @property
    def asset_roots(self) -> tuple[Path, ...]:
        return (self.templates_dir, self.content_dir / "assets")

    def display(self, path: Path) -> str:
        """The path relative to the project, named as written: a link is shown as the link,
        not as what it points to."""
        try:
            return str((path.parent.resolve() / path.name).relative_to(self.root))
        except ValueError:
            return str(path)

    @property
    def books_dir(self) -> Path:
        """Where briefing books live: content/books/."""
        return self.content_dir / "books"

    def book_files(self) -> list[Path]:
        """Every book under content/books/ (found without reading any)."""
        return sorted(self.books_dir.glob("*.yaml")) if self.books_dir.is_dir() else []

    def is_book(self, path: Path) -> bool:
        """Whether a content file is a book: it sits in content/books/."""
        return path.resolve().parent == self.books_dir.resolve()

    def people_dir_for(self, brief_path: Path) -> Path:
        """The people folder a brief's ids refer to: `people/` beside the brief."""
        return brief_path.resolve().parent / "people"


def briefgen_command() -> str:
    """How to run this briefgen from the current folder, for hints that print a command:
    `briefgen` when the PATH finds this installation's script, else the script's path
    (`.venv/bin/briefgen` in a checkout where the virtualenv is not activated)."""
    script = Path(sys.executable).parent / "briefgen"   # the venv's bin/, symlinks not followed
    found = shutil.which("briefgen")
    if not script.is_file() or (found and Path(found).resolve() == script.resolve()):
        return "briefgen"
    try:
        return os.path.relpath(script, Path.cwd()) if script.is_relative_to(Path.cwd()) else str(script)
    except ValueError:
        return str(script)
