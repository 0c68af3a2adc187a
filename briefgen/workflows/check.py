"""`check`: every problem in every brief, and in the person files, without writing anything.

Each brief is validated (`brief.check_brief`); a person file named on its own is checked as a
person; checking the whole project also checks the person files no brief names yet. With
`layout`, each valid brief is laid out too, or its verdict read from what the last `build` or
`check` recorded for the same inputs (`layout_verdict`, which `diff` uses as well), so a brief
that does not fit its pages fails here, before a build; its translated editions and its
bilingual document are laid out each time (`edition_layouts`): a translation runs longer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING

from briefgen.engine import stamps
from briefgen.engine.workers import WorkerPool
from briefgen.errors import ContentError, Diagnostic, UsageError
from briefgen.project import Project
from briefgen.workflows.brief import (
    BriefResult,
    BuildOptions,
    bug_failure,
    check_brief,
    find_briefs,
    is_person_file,
    layout_pool,
    shared_people,
    version_name,
)
from briefgen.workflows.layouts import FitVerdict, run_layout

if TYPE_CHECKING:
    from briefgen.content.validate import PeopleRegistry, ValidatedBrief

__all__ = ["Project", "check_briefs", "check_layout", "layout_verdict"]


def check_briefs(project: Project, files: Iterable[Path] = (), *, layout: bool = False) -> list[BriefResult]:
    """Validate the briefs named (default: all); a named file under a `people/` folder is
    checked as a person. Checking the whole project also checks the person files that no
    brief names yet, so a broken one is found before it is needed. With `layout`, each valid
    brief is also laid out (or its cached verdict read), so a brief that does not fit its
    pages fails here, before a build."""
    files = list(files)
    registries: dict[Path, PeopleRegistry] = {}
    shared = stamps.shared_inputs_digest(project.asset_roots) if layout else ""
    results = []
    with layout_pool(BuildOptions()) as pool:      # no worker starts unless a layout is needed
        for path in find_briefs(project, files):
            try:
                results.append(_check_one(project, path, registries, layout, shared, pool))
            except UsageError:             # the command itself is wrong (a house that is not there)
                raise
            except Exception as exc:  # a bug met on this file fails this file, not the check
                results.append(bug_failure(project, path, exc))
    if not files:
        results += _check_people(shared_people(project, project.content_dir / "any.yaml", registries))
    return results


def _check_one(project: Project, path: Path, registries: dict[Path, PeopleRegistry], layout: bool,
               shared: str, pool: WorkerPool) -> BriefResult:
    if is_person_file(path):
        return check_person(project, path, registries)
    validated, result = check_brief(project, path, shared_people(project, path, registries))
    if validated is not None:           # `check` and `email --send` only: drafts still build
        missing = missing_clearance_roles(validated)
        result.ok = result.ok and not missing
        result.diagnostics += missing
    if layout and validated is not None:
        check_layout(project, validated, result, shared, pool)
    return result


def missing_clearance_roles(validated: ValidatedBrief) -> list[Diagnostic]:
    """The clearance roles the brief's house requires and its chain lacks, as one error (none
    without a house)."""
    if validated.house is None:
        return []
    from briefgen.content.clearance import missing_roles_problems

    return missing_roles_problems(validated.clearances, validated.house.settings.clearance.required,
                                  validated.document, validated.house.name)


def check_person(project: Project, path: Path, registries: dict[Path, PeopleRegistry]) -> BriefResult:
    """Validate one person file as a person (the same checks as when a brief names them)."""
    from briefgen.content.validate import PeopleRegistry

    folder = path.resolve().parent
    people = registries.setdefault(folder, PeopleRegistry(folder, project.root))
    _, problems = people.get(path.stem)
    return BriefResult(path, path.stem, not any(p.is_error for p in problems), problems, person=True)


def check_layout(project: Project, validated: ValidatedBrief, result: BriefResult,
                 shared_digest: str, pool: WorkerPool) -> None:
    """Add to `result` the problems of laying the brief out (overflow, a glyph no font has),
    from the verdict cached for its fingerprint, or from a layout recorded for next time."""
    problems, _ = layout_verdict(project, validated, shared_digest, pool)
    problems += edition_layouts(project, validated, pool)
    if problems:
        result.ok = False
        result.diagnostics += problems


def layout_verdict(project: Project, validated: ValidatedBrief, shared_digest: str,
                   pool: WorkerPool) -> tuple[list[Diagnostic], int]:
    """The problems of laying the brief out and the words on page 1: the verdict cached for
    its fingerprint (by `check` or `build`), or a layout, recorded for next time. An
    audience's version is laid out each time (the cache holds the full brief's verdict)."""
    if validated.audience:
        return _lay_out_for_check(project, validated, pool)
    fingerprint = stamps.fingerprint_of(validated.input_digests, shared_digest, validated.history)
    verdict = stamps.read_layout_verdict(project.output_dir, validated.brief_id, fingerprint)
    if verdict is not None:
        return [Diagnostic(**record) for record in verdict.get("problems", [])], int(verdict.get("words", 0))
    problems, words = _lay_out_for_check(project, validated, pool)
    stamps.record_layout_verdict(project.output_dir, validated.brief_id, fingerprint,
                                      [asdict(d) for d in problems], words)
    return problems, words


def edition_layouts(project: Project, validated: ValidatedBrief, pool: WorkerPool) -> list[Diagnostic]:
    """The layout problems of the brief's translated editions and of its side-by-side
    bilingual document, each laid out on a worker, each problem saying which it is in."""
    problems = []
    for edition in validated.editions:
        found, _ = _lay_out_for_check(project, edition, pool)
        problems += [replace(d, message=f"in {version_name(edition)}: {d.message}") for d in found]
    if validated.brief.bilingual == "side-by-side" and validated.editions:
        from briefgen.render.bilingual import render_side_by_side

        html = render_side_by_side(validated, validated.editions[0], project.templates_dir)
        found, _ = _lay_out_for_check(project, validated, pool, html)
        problems += [replace(d, message=f"in the bilingual version: {d.message}") for d in found]
    return problems


def _lay_out_for_check(project: Project, validated: ValidatedBrief, pool: WorkerPool,
                       html: str | None = None) -> tuple[list[Diagnostic], int]:
    """Lay the brief (or the `html` made of it) out once, on a worker; its layout problems
    and the words on page 1."""
    from briefgen.render.html import render_html

    source = validated.content_text()
    try:
        html = html if html is not None else render_html(validated, project.templates_dir)
    except ContentError as exc:
        return list(exc.diagnostics), 0
    problems, words = run_layout(pool, FitVerdict(project.asset_roots), (html, source),
                                 f"the layout of {validated.display_path}")
    return list(problems), words


def _check_people(people: PeopleRegistry) -> list[BriefResult]:
    """A result for each person file with problems that no checked brief has reported."""
    results = []
    for path in sorted(people.people_dir.glob("*.yaml")):
        if people.is_loaded(path.stem):
            continue
        _, problems = people.get(path.stem)
        if problems:
            results.append(BriefResult(path, path.stem, not any(p.is_error for p in problems), problems,
                                       person=True))
    return results
