"""`briefgen readout ID`: the drafts written after the meeting, from the brief alone.

- `output/<id>.readout.md`, a memorandum of conversation skeleton: participants, date, time
  and place from the scenario, each objective with its outcome to write, each decision with
  its recorded outcome (`briefgen decisions`), each deliverable with its status to confirm,
  and the points made with the responses to fill in.
- `output/<id>.public-readout.md`, made only from the version of the brief for its most
  public audience (the press where there is one, else the lowest ceiling: see
  content/audiences.most_public_audience), so it can hold nothing that audience may not
  see. A brief without audiences has no public readout.

Neither invents a fact: every sentence is the brief's own text (citations removed) or a
blank marked `[FILL IN: ...]`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from briefgen.content.audiences import most_public_audience
from briefgen.content.markdown import CITATION
from briefgen.content.validate import ValidatedBrief
from briefgen.engine.names import output_path
from briefgen.engine.output import write_atomic
from briefgen.errors import ContentError, UsageError
from briefgen.project import Project
from briefgen.render.labels import STATUS_LABELS, event_dates, medium_date, short_names
from briefgen.render.records import outcome_line
from briefgen.workflows.brief import check_brief

_CITATION = re.compile(r"\s*" + CITATION.pattern)
_SETTLED = ("announced", "dropped")


def blank(what: str) -> str:
    return f"[FILL IN: {what}]"


@dataclass(frozen=True)
class Readouts:
    readout: Path
    public: Path | None
    audience: str = ""                 # whose version the public readout was made from


def write_readouts(project: Project, brief: str) -> Readouts:
    path = Path(brief)
    if not path.suffix and not path.exists():
        path = project.content_dir / f"{brief}.yaml"
    if not path.is_file():
        raise UsageError(f"no such brief: {brief} (looked for {project.display(path)})")
    validated, result = check_brief(project, path)
    if validated is None:
        raise ContentError(result.diagnostics)
    target = output_path(project.output_dir, validated.brief_id, ".readout.md")
    write_atomic(target, memcon(validated).encode("utf-8"))
    audience = most_public_audience(validated.brief)
    if audience is None:
        return Readouts(target, None)
    public_target = output_path(project.output_dir, validated.brief_id, ".public-readout.md")
    write_atomic(public_target, public_readout(validated.for_audience(audience.id)).encode("utf-8"))
    return Readouts(target, public_target, audience.id)


def _text(markdown: str | None) -> str:
    """A field's Markdown on one line, its citations removed."""
    return " ".join(_CITATION.sub("", markdown or "").split())


def _participants(validated: ValidatedBrief) -> list[str]:
    people = validated.people
    return [f"- {people[p.person].name}, {people[p.person].title}" for p in validated.brief.participants]


def _when_and_where(validated: ValidatedBrief) -> list[str]:
    """Date, time and place, from the event and its scenario (the agenda)."""
    brief = validated.brief
    lines = [f"**Date:** {event_dates(brief.event)}", f"**Place:** {brief.event.location}"]
    timed = [item for item in brief.agenda if item.time]
    lines.append(f"**Time:** {timed[0].time}" + (f" ({brief.event.timezone})" if brief.event.timezone else "")
                 if timed else f"**Time:** {blank('when the meeting began and ended')}")
    if brief.agenda:
        lines += ["", "Scenario:"]
        lines += [f"- {' '.join(filter(None, [item.time or '', item.title]))}"
                  + (f", {item.location}" if item.location else "")
                  + (f" ({short_names(item.participants, validated.people)})" if item.participants else "")
                  for item in brief.agenda]
    return lines


def memcon(validated: ValidatedBrief) -> str:
    """The memorandum of conversation skeleton, in Markdown."""
    brief = validated.brief
    lines = [brief.classification or "", "", f"# Memorandum of conversation: {brief.title}", "",
             f"Draft from {validated.display_path} (facts as of {medium_date(brief.as_of)}). Each "
             f"blank is marked {blank('...')}.", "",
             f"**Subject:** {brief.title}" + (f" ({brief.subtitle})" if brief.subtitle else ""),
             *_when_and_where(validated), "", "**Participants:**", *_participants(validated),
             f"- {blank('note-takers and others present')}", ""]
    lines += ["## Objectives", ""]
    lines += [line for number, o in enumerate(brief.objectives, start=1)
              for line in (f"{number}. {_text(o.text)}", f"   Outcome: {blank('what was achieved')}")] \
        or [blank("what the principal wanted from the meeting")]
    lines += ["", "## Decisions", ""]
    lines += [line for number, d in enumerate(brief.decisions, start=1)
              for line in (f"{number}. {_text(d.issue)} (options: {' / '.join(d.options)})",
                           f"   Outcome: {outcome_line(d.outcome) or blank('the decision taken')}")] \
        or ["No decisions were asked for."]
    lines += ["", "## Deliverables", ""]
    lines += [line for d in brief.deliverables
              for line in (f"- **{d.title}** ({STATUS_LABELS[d.status.value]} in the brief): {_text(d.summary)}",
                           "  Status to confirm: " + (STATUS_LABELS[d.status.value] if d.status.value in _SETTLED
                                                      else blank("announced, confirmed, deferred or dropped")))] \
        or ["None were expected."]
    lines += ["", "## Points made and responses", ""]
    for point in brief.points:
        to = f" (to {validated.people[point.to].name})" if point.to else ""
        lines += [f"- {_text(point.text)}{to}", f"  Response: {blank('what the other side said')}"]
    lines += [f"- {blank('points the other side raised, and what was said')}", "",
              "## Follow-up", "", f"- {blank('who does what, by when')}", "", brief.classification or ""]
    return "\n".join(lines).strip("\n") + "\n"


def public_readout(version: ValidatedBrief) -> str:
    """The public readout, from an audience's version of the brief only."""
    brief = version.brief
    assert version.audience is not None
    lines = [brief.classification or "", "", f"# Readout: {brief.title}", "",
             f"Draft for release, made only from the version for {version.audience.name}. Each blank "
             f"is marked {blank('...')}; read every line before release.", "",
             *_when_and_where(version), "", "**Participants:**", *_participants(version), "",
             _text(brief.event.purpose), "", f"{blank('what the leaders discussed, in one sentence')}"]
    settled = [d for d in brief.deliverables if d.status.value in ("announced", "confirmed")]
    if brief.deliverables:
        lines += ["", "## Announced", ""]
        lines += [f"- **{d.title}**: {_text(d.summary)}" for d in settled]
        lines += [f"- **{d.title}**: {blank('announced, deferred or dropped?')}"
                  for d in brief.deliverables if d not in settled]
    if brief.press_line:
        lines += ["", "## The line", "", _text(brief.press_line.public)]
    lines += ["", brief.classification or ""]
    return "\n".join(lines).strip("\n") + "\n"
