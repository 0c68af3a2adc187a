"""The Word round trip of a project's briefs: write output/<id>.docx, import an edited one.

Writing records the project's commit and a hash of the YAML in the file. Importing finds the
brief by the id the file records (only a brief under this project's content/), reads the
YAML it was made from out of git at that commit (the base of a three-way merge), merges the
Word edits into the current YAML (content/wordmerge.py), keeps only the edits that still
validate, and writes the comments and the summary to output/<id>.review.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from briefgen.content.files import TooBig, UnsafeFile, read_regular_file
from briefgen.content.ids import ID
from briefgen.content.loader import MAX_FILE_BYTES, LoadedDocument, load_yaml, parse_yaml
from briefgen.content.validate import validate_document
from briefgen.content.wordfile import WordComment, read_word_file
from briefgen.content.wordmerge import FieldChange, MergePlan, keep_valid_changes, plan_merge
from briefgen.engine.names import output_path
from briefgen.engine.output import write_atomic
from briefgen.engine.revisions import RevisionError, repository_of
from briefgen.errors import ContentError, Diagnostic, UsageError
from briefgen.project import Project
from briefgen.render.docx import Provenance, content_hash, render_docx, template_path
from briefgen.render.typography import language_quotes
from briefgen.workflows.brief import check_brief, people_registry

_COMMIT = re.compile(r"[0-9a-f]{40}")


def write_docx(project: Project, path: Path, audience: str | None = None) -> list[Path]:
    """output/<id>.docx and one output/<id>.<audience>.docx per audience (or only `audience`'s)."""
    validated, result = check_brief(project, path)
    if validated is None:
        raise ContentError(result.diagnostics)
    raw = _read(path, project.display(path))
    provenance = Provenance(validated.brief_id, _head(project), content_hash(raw))
    if audience:
        try:
            versions = [validated.for_audience(audience)]
        except KeyError as exc:
            raise UsageError(str(exc.args[0])) from None
    else:
        versions = validated.versions()
    template = template_path(project.templates_dir, project.root / "templates")
    written = []
    for version in versions:
        made = Provenance(provenance.brief_id, provenance.commit, provenance.content_sha256,
                          version.audience.id if version.audience else "")
        target = output_path(project.output_dir, version.output_id, ".docx")
        write_atomic(target, render_docx(version, template, made))
        written.append(target)
    return written


def _read(path: Path, shown: str) -> bytes:
    try:
        return read_regular_file(path, MAX_FILE_BYTES)
    except (TooBig, UnsafeFile) as exc:
        raise ContentError([Diagnostic(shown, 0, 0, "error", str(exc))]) from None


def _head(project: Project) -> str:
    """The project's commit ('' outside git: such a file can be imported only without a base)."""
    try:
        repo = repository_of(project)
        return repo.git("rev-parse", "--verify", "HEAD").decode().strip()
    except RevisionError:
        return ""


@dataclass
class ImportReport:
    brief_id: str
    display_path: str
    applied: list[FieldChange] = field(default_factory=list)
    refused: list[Diagnostic] = field(default_factory=list)
    already_invalid: list[Diagnostic] = field(default_factory=list)
    comments: list[WordComment] = field(default_factory=list)
    review_path: Path | None = None


def import_docx(project: Project, docx_path: Path) -> ImportReport:
    """Merge an edited Word file into its brief's YAML; see the module's docstring."""
    try:
        word = read_word_file(docx_path)
    except UnsafeFile as exc:
        raise UsageError(str(exc)) from None
    brief_id = word.recorded("brief_id")
    path = project.content_dir / f"{brief_id}.yaml"
    if not ID.fullmatch(brief_id) or not path.is_file() or path.is_symlink():
        raise UsageError(f"{docx_path} was not made from a brief of this project (it names "
                         f"{brief_id or 'no brief'!r}; expected content/<id>.yaml to exist)")
    shown = project.display(path)
    current = load_yaml(path, shown)
    base = _base(project, path, shown, word.recorded("commit"), word.recorded("content_sha256"))
    # the quotes its fields were set in (none recorded: a file made before quotes were set)
    quotes = language_quotes(word.recorded("quotes")) if word.recorded("quotes") else None
    plan = plan_merge(word, base, current, quotes)
    text = _valid_merge(project, path, shown, current, plan)
    if plan.changes:
        write_atomic(path, text.encode("utf-8"))
    report = ImportReport(brief_id, shown, plan.changes, plan.refused, plan.already_invalid, word.comments)
    report.review_path = output_path(project.output_dir, brief_id, ".review.md")
    write_atomic(report.review_path, review_markdown(report, docx_path.name).encode("utf-8"))
    return report


def _base(project: Project, path: Path, shown: str, commit: str, digest: str) -> LoadedDocument:
    """The brief's YAML as it was when the Word file was made (git show <commit>:<path>)."""
    if not _COMMIT.fullmatch(commit):
        raise UsageError("the Word file records no commit to merge from (it was made outside git); "
                         "make it again with `briefgen docx` in the project's repository")
    repo = repository_of(project)
    relative = path.relative_to(project.root).as_posix()
    raw = repo.git("show", f"{commit}:{repo.path_of(relative)}", check=False)
    if not raw:
        raise UsageError(f"{shown} is not in commit {commit[:10]}, which the Word file was made "
                         "from (fetch the history, or make the Word file again)")
    if content_hash(raw) != digest:
        raise UsageError(f"the Word file was made from {shown} with changes that were not committed "
                         f"(it differs from commit {commit[:10]}); there is no base to merge with")
    return parse_yaml(raw, path, shown)


def _valid_merge(project: Project, path: Path, shown: str, current: LoadedDocument,
                 plan: MergePlan) -> str:
    """The merged YAML, without the edits that add a validation error (each is reported)."""
    people = people_registry(project, path)

    def errors_of(text: str) -> list[Diagnostic]:
        try:
            validate_document(parse_yaml(text.encode("utf-8"), path, shown), people)
        except ContentError as exc:
            return [d for d in exc.diagnostics if d.is_error]
        return []
    return keep_valid_changes(plan, current, errors_of)


def review_markdown(report: ImportReport, docx_name: str) -> str:
    """The review file: what was merged, what was not, and every comment with its anchor."""
    lines = [f"## Word review of `{report.brief_id}` ({docx_name})", ""]
    lines += ["### Merged", ""] + ([f"- `{c.tag}` (line {c.line}), by {', '.join(c.authors) or 'an untracked edit'}"
                                   for c in report.applied] or ["- nothing"]) + [""]
    if report.refused:
        lines += ["### Not merged: for the author", ""]
        lines += [f"- {d.format()}" for d in report.refused] + [""]
    if report.already_invalid:
        lines += ["### Already failing validation before the import", ""]
        lines += [f"- {d.format()}" for d in report.already_invalid] + [""]
    lines += ["### Comments", ""]
    for comment in report.comments:
        where = f"`{comment.tag}`" if comment.tag else "outside the fields"
        when = f" ({comment.date})" if comment.date else ""
        lines.append(f"- **{comment.author}**{when} on {where}: {comment.text}")
        if comment.anchor:
            lines.append(f"  > {comment.anchor}")
    if not report.comments:
        lines.append("- none")
    return "\n".join(lines) + "\n"

