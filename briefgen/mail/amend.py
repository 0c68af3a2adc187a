"""A brief sent again: the page carries its revision, and someone who has an earlier
version gets it marked `AMENDED:`, starting with what changed since the one they have.

What changed is found the way `briefgen diff` finds it: the earlier version's files (kept
in the sent record) are validated again in a temporary project, and the two content
models are compared, then written in plain words for the principal.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import html
import json
from typing import TYPE_CHECKING

from briefgen.content.compare import Side, compare
from briefgen.content.models import Brief, Person
from briefgen.content.validate import ValidatedBrief
from briefgen.errors import ContentError
from briefgen.mail.message import MailParts, mail_safe_html
from briefgen.mail.sent_record import EarlierVersion
from briefgen.render.labels import labels_for, medium_date

if TYPE_CHECKING:
    from pathlib import Path

    from briefgen.content.house import House
    from briefgen.engine.workers import WorkerPool
    from briefgen.project import Project

AMENDED = "AMENDED: "
BOX_STYLE = ("border:2px solid #b42318;background:#fff4f2;padding:8px 12px;margin:0 auto 12px;"
             "max-width:760px;font-family:sans-serif;font-size:11pt;color:#1a1d23")


VERSION_FILE = "version.json"   # an audience's version is kept as what it was sent, nothing more


def sent_content(validated: ValidatedBrief) -> dict[str, str]:
    """What is sent, as its files: the brief and the person files it names, by project path.
    For an audience's version, its filtered model instead: the record of a version must hold
    nothing the audience may not see, as the version itself does not."""
    if validated.audience is not None:
        version = {"brief": validated.brief.model_dump(mode="json", exclude_none=True),
                   "people": {person_id: person.model_dump(mode="json", exclude_none=True)
                              for person_id, person in sorted(validated.people.items())}}
        return {VERSION_FILE: json.dumps(version, ensure_ascii=False, sort_keys=True)}
    brief_folder = validated.path.parent
    return {f"content/{path.relative_to(brief_folder).as_posix()}": text for path, text in validated.input_texts}


def revision_line(number: int, today: dt.date, lang: str = "en", house: House | None = None) -> str:
    """'Revision 2 · November 28, 2026' ('第2版 · 2026年11月28日'), in the brief's language and house's words."""
    return labels_for(house, lang)["revision"].format(number=number, date=medium_date(today, lang))


def revised_parts(project: Project, validated: ValidatedBrief, parts: MailParts, line: str,
                  pool: WorkerPool) -> MailParts:
    """The same message with the revision line on the page (HTML body and PDF, laid out on
    the command's workers); the text says again what is attached, as the line can add a page."""
    from briefgen.render.html import render_email_html, render_html
    from briefgen.render.pdf_join import page_count
    from briefgen.render.text import brief_text
    from briefgen.workflows.layouts import FittedPdf, run_layout

    page = render_html(validated, project.templates_dir, revision=line)
    pdf = run_layout(pool, FittedPdf(project.asset_roots), (page, validated.content_text()),
                     f"the amended page of {validated.display_path}")
    body = render_email_html(validated, project.templates_dir, revision=line)
    return dataclasses.replace(parts, html=mail_safe_html(body, validated.brief.title), pdf=pdf,
                               text=brief_text(validated, parts.attachment_name, pages=page_count(pdf)))


def what_changed(project: Project, validated: ValidatedBrief, earlier: EarlierVersion) -> list[str]:
    """The changes since an earlier version, in plain sentences ([] when they cannot be
    worked out: an old record without the content, or content that no longer validates)."""
    from briefgen.engine.revisions import temporary_project
    from briefgen.render.changes import plain_summary
    if not earlier.sent_content:
        return []
    if VERSION_FILE in earlier.sent_content:
        return plain_summary(compare(_kept_version(earlier.sent_content[VERSION_FILE]),
                                     Side(validated.brief, validated.people)), validated.lang, validated.house)
    files = {name: text.encode("utf-8") for name, text in earlier.sent_content.items()}
    assets = project.content_dir / "assets"       # images are not kept; today's stand in
    if assets.is_dir():
        files.update({f"content/assets/{p.relative_to(assets).as_posix()}": p.read_bytes()
                      for p in assets.rglob("*") if p.is_file() and not p.is_symlink()})
    with temporary_project(files, project) as old_project:
        old = _validated_alone(old_project, old_project.content_dir / validated.path.name)
        if old is not None and validated.audience is not None:
            old = _earlier_version_for(old, validated.audience.id)
        if old is None:
            return []
        changes = compare(Side(old.brief, old.people), Side(validated.brief, validated.people))
    return plain_summary(changes, validated.lang, validated.house)


def _validated_alone(project: Project, path: Path) -> ValidatedBrief | None:
    """A brief kept in a record, validated in its house on its own: what it says, without
    what it takes from outside its files (the brief it `follows` and its clearance in git
    are not kept, and are not compared); None when it does not validate."""
    from briefgen.content.house import validate_in_house
    from briefgen.workflows.brief import people_registry

    try:
        return validate_in_house(project, path, people_registry(project, path), project.display(path))
    except ContentError:
        return None


def _earlier_version_for(old: ValidatedBrief, audience_id: str) -> ValidatedBrief | None:
    """A record that kept the whole brief for an audience's version (written before records
    kept the version itself): the audience's version of it, filtered with the audience as it
    was then, so the changes name nothing it may not see; None when it had no such audience."""
    try:
        return old.for_audience(audience_id)
    except KeyError:
        return None


def _kept_version(text: str) -> Side:
    """An audience's version as its record kept it."""
    data = json.loads(text)
    return Side(Brief.model_validate(data["brief"]),
                {person_id: Person.model_validate(person) for person_id, person in data["people"].items()})


def sent_on(at: str, words: dict[str, str], lang: str = "en") -> str:
    """'November 28, 2026 at 00:45 UTC' ('28 novembre 2026 à 00:45 UTC') from the record's
    '2026-11-28T00:45:00Z'."""
    when = dt.datetime.strptime(at, "%Y-%m-%dT%H:%M:%SZ")
    return words["sent_at"].format(date=medium_date(when.date(), lang), time=f"{when:%H:%M}")


def amended_parts(parts: MailParts, earlier: EarlierVersion, changes: list[str], lang: str = "en",
                  house: House | None = None) -> MailParts:
    """`parts` for someone who has an earlier version: subject marked, changes first, said
    in the brief's language (`lang`) in its `house`'s words. The subject's mark stays English:
    mail rules and filters match it."""
    words = labels_for(house, lang)
    heading = words["changed_since_sent"].format(when=sent_on(earlier.at, words, lang))
    lines = changes or [words["changes_not_listed"]]
    text = (heading + words["colon"].rstrip() + "\n\n" + "".join(f"- {line}\n" for line in lines) + "\n"
            + "-" * 40 + "\n\n" + parts.text)
    box = (f'<div style="{BOX_STYLE}"><p style="margin:0 0 6px;font-weight:bold">'
           f"{html.escape(heading)}</p><ul style=\"margin:0;padding-left:18px\">"
           + "".join(f"<li>{html.escape(line)}</li>" for line in lines) + "</ul></div>")
    body_start = parts.html.index(">", parts.html.index("<body")) + 1
    return dataclasses.replace(parts, subject=AMENDED + parts.subject, text=text,
                               html=parts.html[:body_start] + box + parts.html[body_start:])


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()

