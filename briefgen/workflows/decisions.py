"""`briefgen decisions FILLED.pdf`: the boxes ticked on a brief's PDF, recorded as outcomes.

Each decision's options are form check boxes named `<brief id>:decision-<n>-option-<m>`
(render/records.py); a PDF reader that saves the ticked form sets their values. The PDF says which
brief it is and a fingerprint of the text it was made from (document information entries
`/BriefgenBrief` and `/BriefgenContent`, render/pdf.py; a book lists each of its briefs'
in `/BriefgenBriefs`, render/pdf_join.py): a PDF that is not of this project's briefs, or
whose brief has changed since (the decision may have been taken on other text), is refused
and nothing is written. A decision with one box ticked gets `outcome:` (the option, and
any initials and date typed in `<brief id>:decision-<n>-initials` and
`<brief id>:decision-<n>-date` fields); with none, it is left as it is; with two, it is refused. The YAML is rewritten
with ruamel.yaml's round trip, so its comments and styles stay.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefgen.content.clearance import content_hash
from briefgen.content.ids import ID
from briefgen.content.loader import parse_yaml
from briefgen.content.validate import ValidatedBrief, validate_document
from briefgen.content.wordmerge import dump_round_trip, round_trip_yaml
from briefgen.engine.output import write_atomic
from briefgen.errors import ContentError, Diagnostic, UsageError
from briefgen.project import Project
from briefgen.render.pdf import IDENTITY_KEYS
from briefgen.render.pdf_join import BRIEFS_KEY
from briefgen.render.records import field_name
from briefgen.workflows.brief import check_brief, people_registry

_OFF = {"", "/Off", "Off"}


@dataclass(frozen=True)
class Recorded:
    number: int                  # the decision, counted from 1
    issue: str
    outcome: dict[str, str]


@dataclass
class DecisionsReport:
    brief_id: str
    display_path: str
    recorded: list[Recorded] = field(default_factory=list)
    unticked: list[int] = field(default_factory=list)


def record_decisions(project: Project, pdf_path: Path) -> list[DecisionsReport]:
    """Record the boxes ticked on `pdf_path`, a brief's PDF or a book's, as its briefs'
    outcomes (see the module's docstring): all of them, or none when any is refused."""
    fields, info = _read_form(pdf_path)
    briefs = _briefs_named(info)
    checked = [_checked(project, pdf_path, brief_id, content) for brief_id, content in briefs or [("", "")]]
    reports: list[DecisionsReport] = []
    problems: list[str] = []
    writes: list[tuple[Path, str, dict[int, dict[str, str]]]] = []
    for path, validated in checked:
        report = DecisionsReport(validated.brief_id, project.display(path))
        outcomes = _outcomes(validated, fields, report, problems, own_pdf=len(checked) == 1)
        reports.append(report)
        if outcomes:
            writes.append((path, report.display_path, outcomes))
    if problems:
        raise UsageError("\n".join(f"{pdf_path}: error: {p}" for p in problems) + "\nnothing was recorded")
    for path, shown, outcomes in writes:
        _write(project, path, shown, outcomes)
    return reports


def _briefs_named(info: dict[str, str]) -> list[tuple[str, str]]:
    """(brief id, content fingerprint) of each brief the PDF holds: a brief's own PDF names
    one, a book names each of its briefs (render/pdf_join.BRIEFS_KEY)."""
    if IDENTITY_KEYS["briefgen-brief"] in info:
        return [(info[IDENTITY_KEYS["briefgen-brief"]], info.get(IDENTITY_KEYS["briefgen-content"], ""))]
    words = info.get(BRIEFS_KEY, "").split()
    return list(zip(words[::2], words[1::2], strict=False))


def _checked(project: Project, pdf_path: Path, brief_id: str, content: str) -> tuple[Path, ValidatedBrief]:
    """The brief a PDF names, validated, if it is this project's and its text is the PDF's."""
    path = project.content_dir / f"{brief_id}.yaml"
    if not ID.fullmatch(brief_id) or not path.is_file() or path.is_symlink():
        raise UsageError(f"{pdf_path} is not a brief of this project (it names "
                         f"{brief_id or 'no brief'!r}; expected {project.display(path)} to exist); "
                         "tick the boxes on a PDF that `briefgen build` made here")
    shown = project.display(path)
    validated, result = check_brief(project, path)
    if validated is None:
        raise ContentError(result.diagnostics)
    if content != content_hash(validated.brief):
        raise UsageError(f"{pdf_path} was made from another version of {shown}: its text has changed "
                         "since, so the boxes may have been ticked against other words; nothing was "
                         "recorded (build the PDF again and have it ticked again)")
    return path, validated


def _outcomes(validated: ValidatedBrief, fields: dict[str, Any], report: DecisionsReport,
              problems: list[str], own_pdf: bool) -> dict[int, dict[str, str]]:
    """The outcome of each decision of one brief with one box ticked; the problems found
    added to `problems`. On a brief's own PDF, fields named as before they were named for
    their brief (`decision-<n>-option-<m>`) are read too."""
    outcomes: dict[int, dict[str, str]] = {}

    def value(number: int, part: str) -> str:
        name = field_name(validated.brief_id, number, part)
        found = fields.get(name) or (fields.get(name.partition(":")[2]) if own_pdf else None)
        return _value(found)

    for number, decision in enumerate(validated.brief.decisions, start=1):
        ticked = [option for index, option in enumerate(decision.options, start=1)
                  if value(number, f"option-{index}") not in _OFF]
        if len(ticked) > 1:
            problems.append(f"{report.display_path}: decision {number} has {len(ticked)} boxes ticked "
                            f"({', '.join(ticked)}); tick one")
        elif not ticked:
            report.unticked.append(number)
        else:
            outcome, problem = _outcome(number, ticked[0], value(number, "initials"), value(number, "date"))
            if problem:
                problems.append(f"{report.display_path}: {problem}")
            outcomes[number] = outcome
            report.recorded.append(Recorded(number, decision.issue, outcome))
    return outcomes


def _read_form(pdf_path: Path) -> tuple[dict[str, Any], dict[str, str]]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(pdf_path)
        fields = reader.get_fields() or {}
        info = {key: str(value) for key, value in (reader.metadata or {}).items()}
    except (PdfReadError, OSError, ValueError) as exc:
        raise UsageError(f"{pdf_path}: cannot read it as a PDF ({exc})") from None
    return fields, info


def _value(form_field: Any) -> str:
    if form_field is None:
        return ""
    value = form_field.get("/V")
    return "" if value is None else str(value).strip()


def _outcome(number: int, choice: str, initials: str, typed: str) -> tuple[dict[str, str], str]:
    """The outcome to write, and a problem with a typed date ('' when none)."""
    outcome = {"choice": choice}
    if initials:
        outcome["initials"] = " ".join(initials.split())
    if typed:
        try:
            outcome["on"] = dt.date.fromisoformat(typed).isoformat()
        except ValueError:
            return outcome, f"decision {number}'s date '{typed}' is not a date written YYYY-MM-DD"
    return outcome, ""


def _write(project: Project, path: Path, shown: str, outcomes: dict[int, dict[str, str]]) -> None:
    """The outcomes written into the YAML (comments kept), validated before it is replaced."""
    text = path.read_text(encoding="utf-8")
    yaml = round_trip_yaml(text)
    data = yaml.load(text)
    for number, outcome in outcomes.items():
        decision = data["decisions"][number - 1]
        written = decision.get("outcome")
        if not hasattr(written, "items"):
            decision["outcome"] = outcome
            continue
        for key in [k for k in written if k not in outcome]:   # edited in place: its comments stay
            del written[key]
        for key, value in outcome.items():
            if str(written.get(key)) != value:
                written[key] = value
    new_text = dump_round_trip(yaml, data)
    if new_text == text:
        return
    try:
        validate_document(parse_yaml(new_text.encode("utf-8"), path, shown), people_registry(project, path))
    except ContentError as exc:
        raise ContentError([*exc.diagnostics, Diagnostic.of_file(
            shown, "the outcomes would leave the brief invalid; nothing was recorded", "invalid")]) from None
    write_atomic(path, new_text.encode("utf-8"))
