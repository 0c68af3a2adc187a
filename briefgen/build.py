"""The pipeline, brief by brief: load and validate, render HTML, lay out the PDF, write.

Known user errors (content that does not validate, a brief that overflows) become a
failed result with messages; one failing brief never stops the others. Outputs are
written only when every stage has succeeded, so the last good output stays in place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from briefgen.errors import BriefgenError, ContentError, Diagnostic, UsageError
from briefgen.output import write_outputs
from briefgen.render_html import TEMPLATES_DIR, render_html
from briefgen.validate import PeopleRegistry, ValidatedBrief, validate_brief


@dataclass(frozen=True)
class Project:
    """Where content, people, templates and output live; every path is resolved here."""

    root: Path
    content_dir: Path
    output_dir: Path
    templates_dir: Path = TEMPLATES_DIR

    @classmethod
    def at(cls, root: Path, output_dir: Path | None = None) -> "Project":
        root = root.resolve()
        return cls(root, root / "content", (output_dir or root / "output").resolve())

    @classmethod
    def find(cls, start: Path, output_dir: Path | None = None) -> "Project":
        """The nearest folder at or above `start` that has a `content/` folder."""
        start = start.resolve()
        for folder in (start, *start.parents):
            if (folder / "content").is_dir():
                return cls.at(folder, output_dir)
        return cls.at(start, output_dir)

    @property
    def asset_roots(self) -> tuple[Path, ...]:
        return (self.templates_dir, self.content_dir / "assets")

    def display(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.root))
        except ValueError:
            return str(path)

    def people_for(self, brief_path: Path) -> PeopleRegistry:
        return PeopleRegistry(brief_path.resolve().parent / "people", self.root)


@dataclass
class BriefResult:
    """What happened to one brief."""

    path: Path
    brief_id: str
    ok: bool
    errors: list[str] = field(default_factory=list)
    warnings: list[Diagnostic] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


def find_briefs(project: Project, files: Iterable[Path] = ()) -> list[Path]:
    """The briefs named, or every brief directly under content/ (people files are not briefs)."""
    named = [Path(f) for f in files]
    if not named:
        if not project.content_dir.is_dir():
            raise UsageError(f"no content folder at {project.content_dir}; run briefgen from a "
                             "project, or name the brief files")
        return sorted(project.content_dir.glob("*.yaml"))
    found = []
    for path in named:
        if path.is_dir():
            found += sorted(path.glob("*.yaml"))
        elif path.is_file():
            found.append(path)
        else:
            raise UsageError(f"no such file: {path}")
    return found


def check_brief(project: Project, path: Path, people: PeopleRegistry | None = None) -> tuple[ValidatedBrief | None, BriefResult]:
    """Validate one brief; the result carries every diagnostic."""
    display = project.display(path)
    try:
        validated = validate_brief(path, people or project.people_for(path), display_path=display)
    except ContentError as exc:
        result = BriefResult(path, path.stem, False, exc.messages(),
                             [d for d in exc.diagnostics if not d.is_error], diagnostics=exc.diagnostics)
        return None, result
    return validated, BriefResult(path, path.stem, True, warnings=list(validated.warnings),
                                  diagnostics=list(validated.warnings))


def build_brief(project: Project, path: Path, *, strict: bool = False) -> BriefResult:
    """Validate, render and write one brief; on any user error nothing is written."""
    validated, result = check_brief(project, path)
    if validated is None:
        return result
    if strict and validated.warnings:
        result.ok = False
        result.errors = [w.format() for w in validated.warnings] + [
            f"{validated.display_path}: error: warnings are errors with --strict"]
        return result
    try:
        html = render_html(validated, project.templates_dir)
        from briefgen.pdf import write_pdf  # WeasyPrint is heavy: import it only to build
        pdf = write_pdf(html, validated, project.asset_roots)
    except BriefgenError as exc:
        result.ok = False
        result.errors = exc.messages()
        return result
    result.outputs = write_outputs(project.output_dir, validated.brief_id,
                                   {".html": html.encode("utf-8"), ".pdf": pdf})
    return result


def build(project: Project, files: Iterable[Path] = (), *, strict: bool = False) -> list[BriefResult]:
    return [build_brief(project, path, strict=strict) for path in find_briefs(project, files)]


def check(project: Project, files: Iterable[Path] = ()) -> list[BriefResult]:
    return [check_brief(project, path)[1] for path in find_briefs(project, files)]
