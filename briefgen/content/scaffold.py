"""`briefgen new <id>`: start a brief with every section present and explained;
`briefgen new --person <id>`: start a person file with every key explained.

The new file builds at once, so a newcomer sees a page in the first minute: each value
still to write is a placeholder that validates, text starting `FILL IN:` or a valid value
with a `# FILL IN: ...` comment on its line (see validate.FILL_IN and FILL_IN_COMMENT).
The page shows each one marked (render.html.mark_placeholders); check reports each as a
warning at its line, which `check --strict` and `email --send` refuse. A brief needs a
participant with a person file, so `new` also writes PRINCIPAL, a placeholder person,
when the project has none by that name. The choices listed in the comments come from the
model, so they stay in step with it.
"""

from __future__ import annotations

import datetime as dt
import enum
import textwrap
import typing

from pydantic import TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from briefgen.project import briefgen_command

TEMPLATE = """\
# yaml-language-server: $schema=../schema/brief.schema.json
#
# A new brief. It builds as it is (`<<COMMAND>> build content/<<ID>>.yaml`), so you can
# see the page at once: each value still to write is a placeholder, text starting
# "FILL IN:", or a value with a `# FILL IN: ...` comment on its line. The page shows
# each placeholder marked; `briefgen check` lists each one left, with its line, as a
# warning, and `check --strict` and `email --send` refuse the brief until none is left.
# Replace each (and delete the `# FILL IN` comment after a value you have set), delete
# the optional parts you do not need, and run `<<COMMAND>> check --strict
# content/<<ID>>.yaml` until it is clean. Every key is described in
# schema/brief.schema.json, which editors use to complete and check it.
# Text stays text: you need quotes only around a value that contains ': ' or
# starts with a character such as [, {, &, *, ! or a quote.

# The title of the meeting, printed at the top of the page.
title: "FILL IN: the title of the meeting"
# Optional: one line under the title.
subtitle: "FILL IN: one line under the title, or delete this line"
# The marking printed at the top and bottom of the page, in capitals.
classification: UNCLASSIFIED  # FILL IN: the classification marking
# Optional: whom the brief is for, as the masthead names them ("... BRIEF FOR THE PRESIDENT").
addressee: "FILL IN: the principal, e.g. the President, or delete this line"
# The office that prepared the brief (also the PDF's author).
prepared_by: "FILL IN: the office that prepared the brief"
# The facts below are current as of this day (YYYY-MM-DD); a day or two before the event.
as_of: <<TODAY>>
# Paper size: <<PAPERS>>.
paper: letter
# Optional: the principal's home time zone, an IANA name such as America/New_York;
# agenda times are then also shown in it.
# home_timezone: America/New_York

# Optional: the bottom line up front, printed first on the page and in the email
# (Markdown, one paragraph). `briefgen build` fails if it takes more than four
# printed lines.
bottom_line: |
  FILL IN: what the principal must take away, or delete this section

event:
  # The kind of meeting: <<KINDS>>.
  kind: <<KIND>>  # FILL IN: the kind of meeting
  # The day of a one-day event (YYYY-MM-DD). For several days, replace `date:`
  # with `start:` and `end:`.
  date: <<TODAY>>  # FILL IN: the day of the meeting, YYYY-MM-DD
  location: "FILL IN: where it takes place"
  # Optional: the id of the participant who hosts (one of `participants` below).
  # host: <<PERSON>>
  # Why the meeting matters, in two or three sentences (Markdown). Cite a source
  # inline with [@source-id], using an id from `sources` at the end.
  purpose: |
    FILL IN: why the meeting matters, in two or three sentences
  # Optional: the IANA time zone of the agenda's times, e.g. America/Los_Angeles.
  # timezone: America/Los_Angeles
  # Ids of the sources (see `sources`) for the date, place and format.
  sources: [source-1]

# Optional: one to three outcomes the principal wants (Markdown each; more than
# three is a warning). Like `key_messages`, one without a source may be plain text.
objectives:
  - text: "FILL IN: an outcome the principal wants"
    sources: [source-1]

# Optional: what the principal must decide. Each option is printed with a box to
# tick, e.g. [Approve, Disapprove] or [Agreed, Not agreed, Noted]; `due` is the day
# it is needed by (YYYY-MM-DD) and `due_reason` says why.
decisions:
  - issue: "FILL IN: what the principal must decide"
    recommendation: "FILL IN: what you recommend, and why"
    options: [Approve, Disapprove]
    # due: <<TODAY>>
    # due_reason: why it is needed by then
    sources: [source-1]

# Who attends, in order of precedence on the page. `person` is the id of a file
# under content/people/ (content/people/<id>.yaml, one per person, reused by
# every brief; copy an existing one to add someone). `<<PERSON>>` is a
# placeholder person that `briefgen new` wrote for you: name someone else, or
# fill in content/people/<<PERSON>>.yaml.
participants:
  - person: <<PERSON>>  # FILL IN: a person id
    # Their role at this meeting: <<ROLES>>.
    role: <<ROLE>>  # FILL IN: their role
    # Optional: a short note printed beside them.
    note: "FILL IN: a short note, or delete this line"

# The programme, in order. `date`, `time` (HH:MM on a 24-hour clock), `location`
# and `note` are optional; `participants` are ids from `participants` above. Items
# may not overlap unless they list participants and no one is in both.
agenda:
  - title: "FILL IN: what happens"
    # date: <<TODAY>>
    # time: "09:00"
    # Optional: the IANA time zone of `time`, if not the event's `timezone`.
    # timezone: America/New_York
    # Optional: how long it lasts, "45 min", "1 h" or "1 h 30 min"; it must end
    # before the next item starts.
    # duration: 45 min
    participants: [<<PERSON>>]
    # Optional: press coverage: <<PRESS>>.
    # press: <<PRESS_CHOICE>>
    # Optional: who leads it, and who speaks in what order (ids from `participants`).
    # lead: <<PERSON>>
    # speaking_order: [<<PERSON>>]
    location: "FILL IN: where, if not the event's location, or delete this line"
    note: "FILL IN: a short qualifier such as 'expected', or delete this line"
    sources: [source-1]

# The outcomes the meeting is expected to produce. `owners` are person ids.
deliverables:
  - id: deliverable-1
    title: "FILL IN: the name of the deliverable"
    # Where it stands: <<STATUSES>>.
    status: <<STATUS>>  # FILL IN: where it stands
    summary: "FILL IN: what it is (Markdown)"
    # Optional: what it is not, or its limits (Markdown).
    caveats: "FILL IN: its limits, or delete this line"
    owners: [<<PERSON>>]
    sources: [source-1]

# Talking points (Markdown each). A point without a source may be written as
# plain text on its own line: `- The message.`
key_messages:
  - text: "FILL IN: a talking point"
    sources: [source-1]

# Optional: points to make, in order (Markdown each). `to` addresses a point to a
# participant; the page groups addressed points by interlocutor.
points:
  - text: "FILL IN: a point to make"
    # to: <<PERSON>>
    sources: [source-1]

# Optional: defensive lines: what the other side may raise, and the line to take.
if_raised:
  - question: "FILL IN: what may be raised"
    answer: "FILL IN: the line to take"
    sources: [source-1]

# Optional: what may be said in public afterwards, and the line to hold if pressed.
press_line:
  public: "FILL IN: the line for the press"
  defensive: "FILL IN: the line to hold if pressed, or delete this line"
  sources: [source-1]

# Topics to handle with care, and how. `context` is optional.
sensitivities:
  - topic: "FILL IN: the topic"
    context: "FILL IN: why it is sensitive, or delete this line"
    guidance: "FILL IN: how to handle it"
    sources: [source-1]

# Optional: background in a few sentences (Markdown).
background: |
  FILL IN: the background, or delete this section

# Optional: quotations worth having to hand. `by` is a person id.
quotes:
  - text: "FILL IN: the words quoted, without quotation marks"
    by: <<PERSON>>  # FILL IN: the person id of who said it
    where: "FILL IN: where it was said, or delete this line"
    # date: <<TODAY>>
    source: source-1

# Where the facts come from, printed as numbered references. Cite each one:
# in `sources:` lists above, or inline in Markdown as [@id]. `source-1` is the id
# the examples above cite: rename it (there and here) as you like.
sources:
  - id: source-1
    title: "FILL IN: the title or a description of the source"
    publisher: "FILL IN: who published or said it, or delete this line"
    # date: <<TODAY>>
    # url: https://www.example.org/
    note: "FILL IN: what it establishes or its limits, or delete this line"

# Optional: the sections printed in the annex, the staff's pages after page 1, instead
# of on page 1 (page 1 is the principal's two-minute read). Any of: agenda, deliverables,
# key_messages, sensitivities, background, quotes, sources, points, if_raised, press_line,
# biographies, since_last_meeting.
# The list replaces the default [background, quotes, biographies, sources]: to move one
# more section, keep those in it, e.g. annex: [background, quotes, biographies, sources,
# agenda]. `[]` keeps all on page 1 (and prints no biographies, which never go on page 1).
# annex: [background, quotes, biographies, sources]

# Optional: who drafted, cleared and approved the brief (printed in the annex and the
# footer). `check` warns when the brief changed after a clearance; a `Cleared-by: Name
# <email>` trailer on a commit touching this file counts as a clearance too.
# clearance:
#   drafted: {by: Sam Ortiz, office: EAP/J, on: 2024-09-16}
#   cleared:
#     - {by: Priya Natarajan, office: EAP, on: 2024-09-18}

# Optional: the id of the brief for the last meeting with the same counterpart; its
# deliverables and decisions, as they stand now, are printed under "Since the last meeting".
# follows: woodside-2023
# Optional: the language the brief is written in (default en): its labels, dates, lists
# and quotation marks follow it (docs/languages.md). `editions` asks for translated
# editions beside it, each written by `briefgen translate <id> --to fr` in
# content/<id>.fr.yaml; `bilingual` also prints the brief and its first edition as one
# document, side-by-side or back-to-back.
# lang: en
# editions: [fr]
# bilingual: side-by-side

# Optional: who `briefgen email` sends the brief to (not printed on the page).
# distribution:
#   to: [duty-officer@example.org]
#   cc: []
#   bcc: []

# Optional: portion marking. With a scheme (us, uk, au, or custom with `levels`), any
# deliverable, agenda item, message, sensitivity, quote, participant note or background
# paragraph may carry `marking:` (e.g. C//REL TO USA, JPN); unmarked ones take `default`,
# and the banner is computed from the marks (`classification` may then go).
# markings:
#   scheme: us
#   default: U
# Optional: a version per audience (output/<id>.<audience>.pdf), without the portions
# above its ceiling or the sections it omits; `briefgen email <id> --audience press`
# sends that version to its own distribution.
# audiences:
#   - id: press
#     name: Press office
#     ceiling: U
#     omit: [sensitivities]
#     distribution:
#       to: [press.office@example.org]
"""


# What to write in each key of a person file; the comment above each key is the model's own
# description, so the file explains what the schema and docs/content-reference.md say.
PERSON_PLACEHOLDERS = {
    "name": "the full name in Latin script",
    "short_name": "the name used in running text, or delete this line",
    "native_name": "the name in the person's own script, or delete this line",
    "lang": "the language of native_name, e.g. ja, ko, zh-Hans, or delete this line",
    "title": "their position, as printed under the name",
    "country": "the two-letter country code, e.g. JP",
    "bio": "a short biography in a sentence or two, or delete this section",
    "clearance": "the highest marking they may see, e.g. C//REL TO USA, JPN, or delete this line",
}

PERSON_HEADER = """\
# yaml-language-server: $schema=../../schema/person.schema.json
#
# A person, named `<<ID>>` (this file's name) wherever a brief lists people:
# participants, the event's host, agenda participants, deliverable owners, quote
# authors. Replace every "FILL IN: ..." (`briefgen check` lists each one left, with
# its line), delete the optional lines you do not need, and run
# `<<COMMAND>> check content/people/<<ID>>.yaml` until it is clean.
"""


# The person a new brief names as its participant (content/people/fill-in-principal.yaml).
PRINCIPAL = "fill-in-principal"


def new_brief_text(brief_id: str, today: dt.date | None = None) -> str:
    """The text of a new brief; the choices in its comments come from the model."""
    from briefgen.content.models import (
        Brief,
        DeliverableStatus,
        EventKind,
        PressStatus,
        Role,
    )

    papers = typing.get_args(Brief.model_fields["paper"].annotation)
    choices: dict[str, type[enum.Enum]] = {"<<KINDS>>": EventKind, "<<ROLES>>": Role,
                                           "<<STATUSES>>": DeliverableStatus, "<<PRESS>>": PressStatus}
    text = TEMPLATE.replace("<<ID>>", brief_id).replace("<<PAPERS>>", " or ".join(papers))
    text = text.replace("<<COMMAND>>", briefgen_command()).replace("<<PERSON>>", PRINCIPAL)
    text = text.replace("<<TODAY>>", (today or dt.date.today()).isoformat())
    defaults: dict[str, enum.Enum] = {"<<KIND>>": EventKind("meeting"), "<<ROLE>>": Role("principal"),
                                      "<<STATUS>>": DeliverableStatus("expected"),
                                      "<<PRESS_CHOICE>>": next(iter(PressStatus))}
    for token, value in defaults.items():
        text = text.replace(token, str(value.value))
    for token, choice in choices.items():
        text = text.replace(token, ", ".join(member.value for member in choice))
    return text


def new_person_text(person_id: str) -> str:
    """The text of a new person file: each key of the model, explained by its description."""
    from briefgen.content.models import Person

    lines = [PERSON_HEADER.replace("<<ID>>", person_id).replace("<<COMMAND>>", briefgen_command())]
    for name, field in Person.model_fields.items():
        optional = "" if field.is_required() else "Optional. "
        example = f" Example: {field.examples[0]}" if field.examples else ""
        lines.append("\n" + textwrap.fill(f"{optional}{field.description}{example}", width=88,
                                          initial_indent="# ", subsequent_indent="# ") + "\n")
        wanted = PERSON_PLACEHOLDERS.get(name) or ("this value" if field.is_required()
                                                   else "this value, or delete this line")
        placeholder = f"FILL IN: {wanted}"
        if name == "bio":   # Markdown: a block, so it can run over several lines
            lines.append(f"{name}: |\n  {placeholder}\n")
        elif _accepts(field, placeholder):
            lines.append(f'{name}: "{placeholder}"\n')
        elif field.is_required():  # a code or a choice: its example, marked, so the file is valid
            lines.append(f"{name}: {(field.examples or ['?'])[0]}  # {placeholder}\n")
        else:
            lines.append(f"# {name}: {(field.examples or ['?'])[0]}\n")
    return "".join(lines)


def _accepts(field: FieldInfo, value: str) -> bool:
    """Whether a text placeholder is a valid value of this field (text is; a code is not)."""
    try:
        kind: typing.Any = (typing.Annotated[(field.annotation, *field.metadata)] if field.metadata
                            else field.annotation)
        TypeAdapter(kind).validate_python(value)
    except ValidationError:
        return False
    return True
