"""Every brief of a project compared between a git revision and the working tree.

The base side is read from git into a temporary project folder and validated there by
the normal pipeline, exactly as the working tree is. A brief whose file is the same
blob on both sides, and names no person file (and no asset) that changed, is not read
further: unchanged briefs cost a hash of their file. A brief that is new, deleted or
renamed (same blob, or mostly the same text, under a new name) is reported as such; a
side that does not validate is reported with its problems. Every read is within the content
caps: working files through the capped reader, base blobs measured by git before they are
read (`revisions.read_blobs`), and the rename guess bounded in pairs and in lines.

With an audience, each side is first made into that audience's version (`for_audience`,
the function the build uses, each side with its own definition of the audience), and
only the versions are compared: a portion the audience may not see is never compared, so
it is never reported, not even as removed. A side without that audience has no version
(the version is new, or gone); a side that does not validate has its problems counted,
not listed, as their messages may quote what the audience may not see.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from briefgen.content.compare import BriefDiff, BriefState, Side, compare
from briefgen.content.files import MAX_ASSET_BYTES, UnsafeFile, read_regular_file
from briefgen.content.loader import MAX_FILE_BYTES
from briefgen.engine import revisions, stamps
from briefgen.engine.names import OutputKey, path_of
from briefgen.engine.output import write_atomic
from briefgen.engine.workers import WorkerPool
from briefgen.errors import BriefgenError, ContentError, Diagnostic, UsageError
from briefgen.project import Project
from briefgen.workflows.brief import BuildOptions, check_brief, is_brief_file, layout_pool, shared_people
from briefgen.workflows.check import layout_verdict
from briefgen.workflows.layouts import PageOne, run_layout

if TYPE_CHECKING:
    from briefgen.content.validate import PeopleRegistry, ValidatedBrief

CONTENT = "content"
PEOPLE = "content/people/"
ASSETS = "content/assets/"
RENAME_SIMILARITY = 0.6
EXACT_SIMILARITY_LINES = 500    # a brief is a few hundred lines (hostile text: 0.1 s a pair)
MAX_RENAME_GUESSES = 400        # pairs of a deleted and a new brief compared by their text
MAX_TEMPLATE_BYTES = 5 * 1024 * 1024
# One side of a brief: absent (None), or its validated brief (None if invalid) and its errors.
_Checked = tuple["ValidatedBrief | None", list[Diagnostic]] | None


@dataclass
class ProjectDiff:
    """The briefs compared, and the shared files (templates) that changed."""

    base: revisions.Revision
    briefs: list[BriefDiff] = field(default_factory=list)
    template_files: list[str] = field(default_factory=list)
    audience: str | None = None                  # whose versions were compared (None: the full briefs)
    left_out: list[str] = field(default_factory=list)   # briefs without that audience at either side

    @property
    def changed(self) -> list[BriefDiff]:
        return [b for b in self.briefs if b.has_changes]


class NoSuchAudience(UsageError):
    """`--audience` names an audience a brief has at neither side."""


@dataclass(frozen=True)
class _Pair:
    before: str | None           # project-relative path at the base
    after: str | None            # project-relative path in the working tree


@dataclass
class _Sides:
    """The files of both sides, by project-relative path: blob ids, and bytes when read."""

    repo: revisions.Repository
    base: dict[str, revisions.TreeFile]
    work: dict[str, Path]
    work_blobs: dict[str, str] = field(default_factory=dict)
    work_bytes: dict[str, bytes] = field(default_factory=dict)

    def work_data(self, path: str) -> bytes:
        """A working file's bytes, read as content is (no link, regular, within its cap);
        b"" for one that cannot be (its validation says why)."""
        if path not in self.work_bytes:
            try:
                self.work_bytes[path] = read_regular_file(self.work[path], cap_of(path))
            except UnsafeFile:
                self.work_bytes[path] = b""
                self.work_blobs[path] = f"unreadable:{path}"   # equal to no blob at the base
        return self.work_bytes[path]

    def work_blob(self, path: str) -> str:
        if path not in self.work_blobs:
            data = self.work_data(path)
            self.work_blobs.setdefault(path, revisions.blob_id(data))
        return self.work_blobs[path]

    def base_data(self, paths: list[str]) -> dict[str, bytes | revisions.Oversized]:
        """The base's files, each read only within its cap (its size asked of git first)."""
        blobs = revisions.read_blobs(self.repo, {self.base[p].blob: cap_of(p) for p in paths})
        return {p: blobs[self.base[p].blob] for p in paths}

    def same(self, path: str) -> bool:
        return path in self.base and path in self.work and self.base[path].blob == self.work_blob(path)

    def changed_under(self, folder: str) -> set[str]:
        paths = {p for p in (*self.base, *self.work) if p.startswith(folder)}
        return {p for p in paths if not self.same(p)}


def cap_of(path: str) -> int:
    """The size a file of this kind may have: an image's, else a content file's."""
    return MAX_ASSET_BYTES if path.startswith(ASSETS) else MAX_FILE_BYTES


def diff_project(project: Project, base: str | None = None, briefs: Iterable[Path] = (),
                 pictures: bool = False, audience: str | None = None) -> ProjectDiff:
    """Compare each brief (default: all) between `base` (default: where the branch left
    main, or HEAD) and the working tree. With `pictures`, each changed brief's page 1 is
    also laid out at both sides and output/<id>.diff.png written (see render/picture.py).
    With `audience`, that audience's version of each brief is compared instead (its
    picture is output/<id>.<audience>.diff.png); briefs that have it at neither side are
    left out, and a brief named that has it at neither side is a usage error."""
    repo = revisions.repository_of(project)
    revision = revisions.resolve(repo, base) if base else revisions.default_base(repo)
    sides = _Sides(repo, revisions.files_at(repo, revision, CONTENT),
                   revisions.working_files(project, CONTENT))
    result = ProjectDiff(revision, template_files=_changed_templates(project, repo, revision),
                         audience=audience)
    wanted = _wanted(project, briefs)
    pairs = _select(_pairs(sides), wanted)
    present: dict[_Pair, tuple[bool, bool]] = {}
    if audience is not None:
        pairs, present, result.left_out = _with_audience(sides, pairs, audience, named=bool(wanted))
    changed_people = {PurePosixPath(p).stem for p in sides.changed_under(PEOPLE)}
    changed_assets = {PurePosixPath(p).name for p in sides.changed_under(ASSETS)}
    template_changed = bool(result.template_files)
    todo = [pair for pair in pairs
            if (pictures and template_changed) or not _untouched(pair, sides, changed_people, changed_assets)]
    result.briefs = [BriefDiff(PurePosixPath(p.after or "").stem, p.after or "", "unchanged",
                               audience=audience or "")
                     for p in pairs if p not in todo]
    if todo:
        result.briefs += _compare_pairs(project, repo, revision, sides, todo, pictures,
                                        _Versions(audience, present))
    result.briefs.sort(key=lambda b: b.path)
    return result


def _wanted(project: Project, briefs: Iterable[Path]) -> set[str]:
    wanted = set()
    for brief in briefs:
        path = Path(brief)
        if not path.suffix:
            path = project.content_dir / f"{brief}.yaml"
        elif not path.is_absolute() and not path.exists():
            path = project.root / path          # as the project names it (a deleted brief, too)
        try:
            wanted.add(path.resolve().relative_to(project.root).as_posix())
        except ValueError:
            raise UsageError(f"{brief} is not in the project at {project.root}") from None
    return wanted


def _select(pairs: list[_Pair], wanted: set[str]) -> list[_Pair]:
    if not wanted:
        return pairs
    chosen = [p for p in pairs if p.before in wanted or p.after in wanted]
    missing = wanted - {p.before for p in chosen} - {p.after for p in chosen}
    if missing:
        raise UsageError(f"no such brief at either side: {', '.join(sorted(missing))}")
    return chosen


def _with_audience(sides: _Sides, pairs: list[_Pair], audience: str,
                   named: bool) -> tuple[list[_Pair], dict[_Pair, tuple[bool, bool]], list[str]]:
    """The pairs with a version for `audience` at either side, at which sides they have one,
    and the briefs left out. Read from each file's `audiences:` as YAML, before anything is
    validated; a side that cannot be read counts as having one (its problems are counted)."""
    base = sides.base_data([p.before for p in pairs if p.before])
    declared = {pair: (_audience_ids(base[pair.before], pair.before) if pair.before else [],
                       _audience_ids(sides.work_data(pair.after), pair.after) if pair.after else [])
                for pair in pairs}

    def has(ids: list[str] | None) -> bool:
        return ids is None or audience in ids

    kept = [pair for pair in pairs if has(declared[pair][0]) or has(declared[pair][1])]
    left = [pair for pair in pairs if pair not in kept]
    if left and (named or not kept):
        reasons = [_no_version(pair.after or pair.before or "", audience,
                               [*(declared[pair][1] or []), *(declared[pair][0] or [])]) for pair in left]
        if named or len(reasons) == 1:
            raise NoSuchAudience("\n".join(reasons))
        raise NoSuchAudience(f"no brief has an audience `{audience}`:\n" + "\n".join(f"  {r}" for r in reasons))
    present = {pair: (has(declared[pair][0]) and pair.before is not None,
                      has(declared[pair][1]) and pair.after is not None) for pair in kept}
    return kept, present, [pair.after or pair.before or "" for pair in left]


def _no_version(path: str, audience: str, ids: list[str]) -> str:
    if not ids:
        return (f"{path} has no audiences, so no version for `{audience}` (a brief lists its "
                "versions under `audiences:`)")
    return f"{path} has no audience `{audience}` (its audiences: {', '.join(dict.fromkeys(ids))})"


def _audience_ids(data: bytes | revisions.Oversized, path: str) -> list[str] | None:
    """The ids a brief's file lists under `audiences:`, read as YAML only; None when it cannot
    be read as YAML at all (or is over its cap)."""
    from briefgen.content.loader import parse_yaml

    if isinstance(data, revisions.Oversized):
        return None
    try:
        document = parse_yaml(data, Path(path), path)
    except ContentError:
        return None
    items = document.data.get("audiences") if isinstance(document.data, dict) else None
    return [item["id"] for item in items if isinstance(item, dict) and isinstance(item.get("id"), str)] \
        if isinstance(items, list) else []


def _is_brief(path: str) -> bool:
    """A brief directly in content/ (workflows/brief.py, is_brief_file)."""
    pure = PurePosixPath(path)
    return str(pure.parent) == CONTENT and is_brief_file(pure)


def _pairs(sides: _Sides) -> list[_Pair]:
    """Each brief as (path before, path after): the same path, a rename, new or deleted."""
    before = {p for p in sides.base if _is_brief(p)}
    after = {p for p in sides.work if _is_brief(p)}
    pairs = [_Pair(p, p) for p in sorted(before & after)]
    gone, new = sorted(before - after), sorted(after - before)
    for old_path, new_path in _renames(sides, gone, new):
        pairs.append(_Pair(old_path, new_path))
        gone.remove(old_path)
        new.remove(new_path)
    return pairs + [_Pair(p, None) for p in gone] + [_Pair(None, p) for p in new]


def _renames(sides: _Sides, gone: list[str], new: list[str]) -> list[tuple[str, str]]:
    """A deleted brief and a new one with the same file, or mostly the same text (guessed
    for at most MAX_RENAME_GUESSES pairs, each file within its cap)."""
    if not gone or not new:
        return []
    found, taken = [], set()
    for new_path in new:
        for old_path in gone:
            if old_path not in taken and sides.base[old_path].blob == sides.work_blob(new_path):
                found.append((old_path, new_path))
                taken.add(old_path)
                break
    left_new = [p for p in new if p not in {n for _, n in found}]
    left_gone = [p for p in gone if p not in taken]
    if left_new and left_gone and len(left_new) * len(left_gone) <= MAX_RENAME_GUESSES:
        repo_texts = {p: [] if isinstance(data, revisions.Oversized) else
                      data.decode("utf-8", errors="replace").splitlines()
                      for p, data in sides.base_data(left_gone).items()}
        for new_path in left_new:
            text = sides.work_data(new_path).decode("utf-8", errors="replace").splitlines()
            best = max(left_gone, key=lambda old: _text_similarity(repo_texts[old], text), default=None)
            if best and best not in taken and _text_similarity(repo_texts[best], text) >= RENAME_SIMILARITY:
                found.append((best, new_path))
                taken.add(best)
    return found


def _text_similarity(a: list[str], b: list[str]) -> float:
    """How alike two files' lines are. The line matcher's work grows with the cube of the
    lengths on hostile text, so it runs only within EXACT_SIMILARITY_LINES; past that, the
    share of lines in common (linear) decides."""
    if not a or not b:
        return 0.0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    in_common = matcher.quick_ratio()
    if len(a) > EXACT_SIMILARITY_LINES or len(b) > EXACT_SIMILARITY_LINES:
        return in_common
    return in_common and matcher.ratio()


def _untouched(pair: _Pair, sides: _Sides, changed_people: set[str], changed_assets: set[str]) -> bool:
    """The brief's file is the same blob at both sides, and it names no changed person or asset."""
    if pair.before != pair.after or pair.after is None or not sides.same(pair.after):
        return False
    if not changed_people and not changed_assets:
        return True
    text = sides.work_data(pair.after).decode("utf-8", errors="replace")
    names = [*changed_people, *changed_assets]
    return not any(re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w-])", text) for name in names)


@dataclass(frozen=True)
class _Versions:
    """What is compared: the full briefs (no audience), or each side's version for an audience."""

    audience: str | None = None
    present: dict[_Pair, tuple[bool, bool]] = field(default_factory=dict)  # sides with a version

    def of(self, pair: _Pair, before: _Checked, after: _Checked) -> tuple[_Checked, _Checked]:
        """Each side as compared: itself, or its version for the audience (None: it has none)."""
        if self.audience is None:
            return before, after
        present = self.present[pair]
        return (self._version(before) if present[0] else None,
                self._version(after) if present[1] else None)

    def _version(self, side: _Checked) -> _Checked:
        assert self.audience is not None
        if side is None:
            return None
        validated, problems = side
        if validated is None:
            return None, _counted(problems, self.audience)
        if self.audience not in {a.id for a in validated.brief.audiences}:
            return None
        return validated.for_audience(self.audience), []

    def note(self, pair: _Pair, state: BriefState) -> str:
        """Why a version is new or gone when its brief is not."""
        if self.audience is None:
            return ""
        if state == "added":
            return "new brief" if pair.before is None else f"no audience `{self.audience}` at the base"
        if state == "deleted":
            return "brief deleted" if pair.after is None else f"no audience `{self.audience}` now"
        return ""


def _counted(problems: list[Diagnostic], audience: str) -> list[Diagnostic]:
    """A side's problems as their number only: their messages may quote portions the
    audience may not see."""
    if not problems:
        return []
    count = len(problems)
    it = "it" if count == 1 else "they"
    return [Diagnostic.of_file(problems[0].path, f"{count} problem{'s' * (count != 1)}, not listed "
                               f"in the diff of the version for `{audience}` ({it} may quote what the "
                               f"audience may not see); the diff without --audience lists {it}", "invalid")]


def _beside_the_briefs(path: str) -> bool:
    """A YAML file directly in content/: a brief another may `follow`, or the glossary."""
    posix = PurePosixPath(path)
    return str(posix.parent) == CONTENT and posix.suffix == ".yaml"


def _compare_pairs(project: Project, repo: revisions.Repository, revision: revisions.Revision,
                   sides: _Sides, pairs: list[_Pair], pictures: bool,
                   versions: _Versions) -> list[BriefDiff]:
    # The briefs compared, and beside them every brief at the base (unread unless a brief
    # compared `follows` it), the people and the assets.
    base_needed = list(dict.fromkeys([*(p.before for p in pairs if p.before), *(
        p for p in sides.base if p.startswith((PEOPLE, ASSETS)) or _beside_the_briefs(p))]))
    templates = _base_templates(project, repo, revision)
    with revisions.temporary_project(sides.base_data(base_needed), project, templates) as base_project:
        registries: dict[Path, PeopleRegistry] = {}
        diffs = []
        with layout_pool(BuildOptions()) as pool:     # each side is laid out on a worker
            layouts = _Layouts(base_project, project, pool)
            for pair in pairs:
                diff, before, after = _compare_pair(project, base_project, sides, pair, registries, versions)
                layouts.measure(diff, before, after)
                if pictures and (diff.state != "unchanged" or sides_differ(project, base_project)):
                    _add_picture(project, base_project, diff, before, after, revision, pool)
                diffs.append(diff)
        return diffs


def _compare_pair(project: Project, base_project: Project, sides: _Sides, pair: _Pair,
                  registries: dict[Path, PeopleRegistry],
                  versions: _Versions) -> tuple[BriefDiff, ValidatedBrief | None, ValidatedBrief | None]:
    before, after = versions.of(pair, _validate(base_project, pair.before, registries),
                                _validate(project, pair.after, registries))
    path = pair.after or pair.before or ""
    state: BriefState = ("added" if before is None else "deleted" if after is None
                         else "renamed" if pair.before != pair.after else "changed")
    diff = BriefDiff(PurePosixPath(path).stem, path, state,
                     renamed_from=pair.before if state == "renamed" and pair.before else "",
                     audience=versions.audience or "", note=versions.note(pair, state))
    diff.files = _changed_inputs(pair, sides, before, after)
    if before:
        diff.problems_before = before[1]
    if after:
        diff.problems_after = after[1]
    old, new = (before[0] if before else None), (after[0] if after else None)
    described = new or old
    if described is not None:
        diff.lang = described.lang
    if old is not None and new is not None:
        diff.changes = compare(_side(old), _side(new))
    if versions.audience is not None and not diff.changes and not diff.problems_before + diff.problems_after:
        diff.files = []          # what changed in the file was withheld from this version
    if state == "changed" and not diff.changes and not diff.files:
        diff.state = "unchanged"
    return diff, old, new


class _Layouts:
    """Each side laid out as `check` lays it out (its cached verdict, or a layout recorded
    for next time): the words on page 1, and whether page 1 overflows and by how much."""

    def __init__(self, base_project: Project, project: Project, pool: WorkerPool):
        self.projects = (base_project, project)
        self.pool = pool
        self.digests: list[str | None] = [None, None]

    def measure(self, diff: BriefDiff, before: ValidatedBrief | None, after: ValidatedBrief | None) -> None:
        if diff.state == "unchanged":
            return
        words: list[int | None] = [None, None]
        overflow = ["", ""]
        for index, validated in enumerate((before, after)):
            if validated is None:
                continue
            digest = self.digests[index]
            if digest is None:
                digest = self.digests[index] = stamps.shared_inputs_digest(
                    self.projects[index].asset_roots)
            verdict = layout_verdict(self.projects[index], validated, digest, self.pool)
            words[index] = verdict.words
            overflow[index] = verdict.overflow.describe() if verdict.overflow else ""
            if index == 1:   # a layout problem now (a glyph no font has, a refused image) is an error
                diff.problems_after += [p for p in verdict.problems if p.kind != "overflow"]
        diff.words = (None if overflow[0] else words[0], None if overflow[1] else words[1])
        diff.overflow = (overflow[0], overflow[1])


def sides_differ(project: Project, base_project: Project) -> bool:
    """Whether the two sides are laid out with different templates."""
    return project.templates_dir != base_project.templates_dir


def _add_picture(project: Project, base_project: Project, diff: BriefDiff,
                 before: ValidatedBrief | None, after: ValidatedBrief | None,
                 revision: revisions.Revision, pool: WorkerPool) -> None:
    """Lay out page 1 at both sides, note how full it is, and write output/<id>.diff.png."""
    from briefgen.render.picture import first_page, side_by_side

    pages, fills = [], []
    for side_project, validated, problems in ((base_project, before, diff.problems_before),
                                              (project, after, diff.problems_after)):
        laid = _page_one(side_project, validated, problems, pool)
        pages.append(first_page(laid[0]) if laid else None)
        fills.append(laid[1] if laid else "")
    diff.fill = (fills[0], fills[1])
    if pages[0] is None and pages[1] is None:
        return
    png, _ = side_by_side(pages[0], pages[1], (f"before: {revision.short}", "after: working tree"))
    target = path_of(project.output_dir, OutputKey(diff.brief_id, ".diff.png", diff.audience or None))
    write_atomic(target, png)
    diff.picture = project.display(target)


def _page_one(project: Project, validated: ValidatedBrief | None, problems: list[Diagnostic],
              pool: WorkerPool) -> tuple[bytes, str] | None:
    """The brief's PDF (every page; the picture shows page 1) and how full page 1 is, laid
    out on a worker."""
    if validated is None:
        return None
    from briefgen.render.html import render_html

    try:
        laid: tuple[bytes, str] = run_layout(
            pool, PageOne(project.asset_roots),
            (render_html(validated, project.templates_dir), validated.content_text()),
            f"page 1 of {validated.display_path}")
        return laid
    except ContentError as exc:
        problems.extend(exc.diagnostics)
    except BriefgenError as exc:
        problems.extend(Diagnostic.of_file(validated.display_path, m, "template") for m in exc.messages())
    return None


def _validate(project: Project, relative: str | None, registries: dict[Path, PeopleRegistry]) -> _Checked:
    if relative is None:
        return None
    path = project.root / relative
    validated, result = check_brief(project, path, shared_people(project, path, registries))
    return validated, [d for d in result.diagnostics if d.is_error]


def _side(validated: ValidatedBrief) -> Side:
    return Side(validated.brief, validated.people,
                str(PurePosixPath(validated.display_path).parent / "people"))


def _changed_inputs(pair: _Pair, sides: _Sides, before: _Checked, after: _Checked) -> list[str]:
    """The brief's own file and the person files it names (at either side) that differ."""
    changed = []
    if pair.before and pair.after and not (pair.before == pair.after and sides.same(pair.after)):
        changed.append(pair.after)
    named = set()
    for side in (before, after):
        if side and side[0] is not None:
            named |= set(side[0].people)
    for person_id in sorted(named):
        person_file = f"{PEOPLE}{person_id}.yaml"
        if not sides.same(person_file):
            changed.append(person_file + _existence_note(person_file, sides))
    return changed


def _existence_note(path: str, sides: _Sides) -> str:
    if path not in sides.work:
        return " (deleted)"
    return " (new)" if path not in sides.base else ""


def _templates_folder(project: Project) -> str | None:
    try:
        return project.templates_dir.resolve().relative_to(project.root).as_posix()
    except ValueError:
        return None              # briefgen's own templates: not the project's to compare


def _changed_templates(project: Project, repo: revisions.Repository,
                       revision: revisions.Revision) -> list[str]:
    folder = _templates_folder(project)
    if folder is None:
        return []
    sides = _Sides(repo, revisions.files_at(repo, revision, folder),
                   revisions.working_files(project, folder))
    return sorted(sides.changed_under(folder + "/"))


def _base_templates(project: Project, repo: revisions.Repository,
                    revision: revisions.Revision) -> dict[str, bytes | revisions.Oversized] | None:
    folder = _templates_folder(project)
    if folder is None:
        return None
    files = revisions.files_at(repo, revision, folder)
    if not files:
        return None
    blobs = revisions.read_blobs(repo, {f.blob: MAX_TEMPLATE_BYTES for f in files.values()})
    return {str(PurePosixPath(p).relative_to(folder)): blobs[f.blob] for p, f in files.items()}
