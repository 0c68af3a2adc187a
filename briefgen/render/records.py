"""The page's clearance block and line, "Since the last meeting", and the decision boxes.

What the page shows of a brief's records: the clearance chain (a block in the annex and
a line in the footer), what became of the last meeting's deliverables and decisions ("Since
the last meeting"), and each decision's options as form check boxes.

Each box is a real PDF form field (WeasyPrint's forms) named `<brief id>:decision-<n>-option-<m>`
(named for its brief, so that a book of briefs repeats no field name), with
the accessible name "Decision <n>: <option>", so `briefgen decisions FILLED.pdf`
(workflows/decisions.py) can read back which were ticked; a recorded outcome prints ticked.
Beside them, two text fields take the initials and the date typed with the tick.
"""

from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup

from briefgen.content.clearance import footer_line
from briefgen.content.models import DEFAULT_ANNEX, AnnexSection, Decision, Outcome
from briefgen.content.validate import ValidatedBrief
from briefgen.render.labels import View, day_label, event_dates, labels_for, status_labels

SINCE_LAST_MEETING = AnnexSection.since_last_meeting.value
CLEARANCE = "clearance"
FIELD_PREFIX = "decision-"


def field_name(brief_id: str, decision: int, part: str) -> str:
    """A decision's form field, named for its brief (a PDF field name may not hold a period;
    a brief id holds no colon): 'woodside-2023:decision-2-option-1', `part` being
    'option-<m>', 'initials' or 'date'; the decision and option counted from 1."""
    return f"{brief_id}:{FIELD_PREFIX}{decision}-{part}"


def box_name(brief_id: str, decision: int, option: int) -> str:
    """The form field of a decision's option: 'woodside-2023:decision-2-option-1'."""
    return field_name(brief_id, decision, f"option-{option}")


def decision_boxes(brief_id: str, number: int, decision: Decision) -> list[View]:
    """A decision's options as check boxes: field name, accessible name, ticked or not."""
    chosen = decision.outcome.choice if decision.outcome else None
    return [{"option": option, "field": box_name(brief_id, number, index),
             "label": f"Decision {number}: {option}", "ticked": option == chosen}
            for index, option in enumerate(decision.options, start=1)]


def sign_fields(brief_id: str, number: int, decision: Decision, lang: str = "en") -> list[View]:
    """The text fields where the principal types initials and the date of a decision (read
    back with the ticked box), each with its accessible name (English, as `briefgen decisions`
    reads it) and its caption in `lang`; filled in once recorded."""
    words = labels_for(None, lang)
    outcome = decision.outcome
    return [{"field": field_name(brief_id, number, "initials"), "label": f"Decision {number}: initials",
             "caption": words["initials"], "value": (outcome.initials or "") if outcome else "", "size": 4},
            {"field": field_name(brief_id, number, "date"), "label": f"Decision {number}: date (YYYY-MM-DD)",
             "caption": words["date"], "value": outcome.on.isoformat() if outcome and outcome.on else "", "size": 10}]


def outcome_line(outcome: Outcome | None, lang: str = "en") -> str:
    """'Approve (JRB, 14 Nov 2023)' ('Approve (JRB, 14 nov. 2023)'), or '' when nothing is recorded."""
    if outcome is None:
        return ""
    detail = ", ".join(filter(None, [outcome.initials or "", day_label(outcome.on, lang) if outcome.on else ""]))
    return outcome.choice + (f" ({detail})" if detail else "")


def place_record_sections(validated: ValidatedBrief, annex: list[str],
                          page_one: dict[str, list[str]]) -> list[str]:
    """The annex with the record sections the brief has: "Since the last meeting" where the
    brief's `annex` puts it (first by default; on page 1, full width, when it is not listed),
    and the clearance block last. `page_one` is updated in place."""
    brief = validated.brief
    annex = list(annex)
    if validated.earlier is not None:
        chosen = (AnnexSection.since_last_meeting, *DEFAULT_ANNEX) if brief.annex is None else brief.annex
        if AnnexSection.since_last_meeting in chosen:
            listed = [s.value for s in chosen]
            before = set(listed[:listed.index(SINCE_LAST_MEETING)])
            at = next((i for i, name in enumerate(annex) if name not in before), len(annex))
            annex.insert(at, SINCE_LAST_MEETING)
        else:
            page_one["full"].append(SINCE_LAST_MEETING)
    if validated.clearances:
        annex.append(CLEARANCE)
    return annex


def records_view(validated: ValidatedBrief, inline: Callable[[str | None], Markup], lang: str = "en") -> View:
    """The template's values for the clearance block, its footer line and the last meeting,
    in `lang`."""
    chain = validated.clearances
    words = labels_for(validated.house, lang)
    return {
        "clearance": [{
            "role": words[f"clearance_{record.role}"],
            "by": record.by,
            "office": record.office,
            "on": day_label(record.on, lang) if record.on else "",
            "how": words["commit_trailer"] if record.source == "trailer" else "",
            "stale": words["changed_since"].format(fields=words["list_separator"].join(record.changed_since))
            if record.stale else "",
        } for record in chain],
        "clearance_footer": footer_line(chain, lang),
        "last_meeting": _last_meeting(validated.earlier, inline, lang, words),
    }


def _last_meeting(earlier: ValidatedBrief | None, inline: Callable[[str | None], Markup],
                  lang: str, words: dict[str, str]) -> View | None:
    if earlier is None:
        return None
    brief, statuses = earlier.brief, status_labels(words)
    return {
        "title": brief.title,
        "when": event_dates(brief.event, lang=lang),
        "deliverables": [{"title": d.title, "status": d.status.value,
                          "status_label": statuses[d.status.value], "summary": inline(d.summary)}
                         for d in brief.deliverables],
        "decisions": [{"issue": inline(d.issue), "outcome": outcome_line(d.outcome, lang)} for d in brief.decisions],
    }
