"""`briefgen new <id>`: start a brief with every section present and explained.

The new file is meant to fail `briefgen check` until it is finished: each value to
write is a `"FILL IN: ..."` placeholder, which check reports as an error at its line
(see validate.FILL_IN). The choices listed in the comments come from the model, so
they stay in step with it.
"""

from __future__ import annotations

import argparse
import typing
from pathlib import Path
from typing import TextIO

from briefgen.errors import ExitCode, UsageError

HELP = "start a new brief, with every section explained"
DESCRIPTION = """\
Write content/<id>.yaml: every section of a brief, each explained in a comment,
with "FILL IN: ..." placeholders that `briefgen check` reports until you replace
them. Delete the optional parts you do not need. An existing file is never
overwritten.

example:
  briefgen new g7-summit-2024 && briefgen check content/g7-summit-2024.yaml"""

TEMPLATE = """\
# yaml-language-server: $schema=../schema/brief.schema.json
#
# A new brief. Replace every "FILL IN: ..." with what it asks for (`briefgen check`
# lists each one left, with its line), delete the optional parts you do not need,
# and run `briefgen check content/<<ID>>.yaml` until it is clean. Every key is
# described in schema/brief.schema.json, which editors use to complete and check it.
# Text stays text: you need quotes only around a value that contains ': ' or
# starts with a character such as [, {, &, *, ! or a quote.

# The title of the meeting, printed at the top of the page.
title: "FILL IN: the title of the meeting"
# Optional: one line under the title.
subtitle: "FILL IN: one line under the title, or delete this line"
# The marking printed at the top and bottom of the page, in capitals.
classification: "FILL IN: the classification marking, e.g. UNCLASSIFIED"
# The office that prepared the brief (also the PDF's author).
prepared_by: "FILL IN: the office that prepared the brief"
# The facts below are current as of this day (YYYY-MM-DD); a day or two before the event.
as_of: "FILL IN: the day the facts are current as of, YYYY-MM-DD"
# Paper size: <<PAPERS>>.
paper: letter

event:
  # The kind of meeting: <<KINDS>>.
  kind: "FILL IN: the kind of meeting"
  # The day of a one-day event (YYYY-MM-DD). For several days, replace `date:`
  # with `start:` and `end:`.
  date: "FILL IN: the day of the meeting, YYYY-MM-DD"
  location: "FILL IN: where it takes place"
  # Optional: the id of the participant who hosts (one of `participants` below).
  host: "FILL IN: the person id of the host, or delete this line"
  # Why the meeting matters, in two or three sentences (Markdown). Cite a source
  # inline with [@source-id], using an id from `sources` at the end.
  purpose: |
    FILL IN: why the meeting matters, in two or three sentences
  # Ids of the sources (see `sources`) for the date, place and format.
  sources: ["FILL IN: the id of a source"]

# Who attends, in order of precedence on the page. `person` is the id of a file
# under content/people/ (content/people/<id>.yaml, one per person, reused by
# every brief; copy an existing one to add someone).
participants:
  - person: "FILL IN: a person id"
    # Their role at this meeting: <<ROLES>>.
    role: "FILL IN: their role"
    # Optional: a short note printed beside them.
    note: "FILL IN: a short note, or delete this line"

# The programme, in order. `date`, `time` (HH:MM on a 24-hour clock), `location`
# and `note` are optional; `participants` are ids from `participants` above.
agenda:
  - date: "FILL IN: the day of this item, YYYY-MM-DD"
    time: "FILL IN: the start time, HH:MM"
    title: "FILL IN: what happens"
    participants: ["FILL IN: the person id of a participant"]
    location: "FILL IN: where, if not the event's location, or delete this line"
    note: "FILL IN: a short qualifier such as 'expected', or delete this line"
    sources: ["FILL IN: the id of a source"]

# The outcomes the meeting is expected to produce. `owners` are person ids.
deliverables:
  - id: "FILL IN: a short unique id in lower case, e.g. consult-pledge"
    title: "FILL IN: the name of the deliverable"
    # Where it stands: <<STATUSES>>.
    status: "FILL IN: where it stands"
    summary: "FILL IN: what it is (Markdown)"
    # Optional: what it is not, or its limits (Markdown).
    caveats: "FILL IN: its limits, or delete this line"
    owners: ["FILL IN: the person id of an owner"]
    sources: ["FILL IN: the id of a source"]

# Talking points (Markdown each). A point without a source may be written as
# plain text on its own line: `- The message.`
key_messages:
  - text: "FILL IN: a talking point"
    sources: ["FILL IN: the id of a source"]

# Topics to handle with care, and how. `context` is optional.
sensitivities:
  - topic: "FILL IN: the topic"
    context: "FILL IN: why it is sensitive, or delete this line"
    guidance: "FILL IN: how to handle it"
    sources: ["FILL IN: the id of a source"]

# Optional: background in a few sentences (Markdown).
background: |
  FILL IN: the background, or delete this section

# Optional: quotations worth having to hand. `by` is a person id.
quotes:
  - text: "FILL IN: the words quoted, without quotation marks"
    by: "FILL IN: the person id of who said it"
    where: "FILL IN: where it was said, or delete this line"
    date: "FILL IN: the day it was said, YYYY-MM-DD, or delete this line"
    source: "FILL IN: the id of the source that reports it"

# Where the facts come from, printed as numbered references. Cite each one:
# in `sources:` lists above, or inline in Markdown as [@id].
sources:
  - id: "FILL IN: a short unique id in lower case, e.g. officials-preview"
    title: "FILL IN: the title or a description of the source"
    publisher: "FILL IN: who published or said it, or delete this line"
    date: "FILL IN: the day it was published, YYYY-MM-DD, or delete this line"
    url: "FILL IN: its web address, starting with https://, or delete this line"
    note: "FILL IN: what it establishes or its limits, or delete this line"

# Optional: the sections printed in the annex, the staff's pages after page 1, instead
# of on page 1 (page 1 is the principal's two-minute read). Any of: agenda, deliverables,
# key_messages, sensitivities, background, quotes, sources. `[]` keeps all on page 1.
# annex: [background, quotes, sources]

# Optional: who `briefgen email` sends the brief to (not printed on the page).
# distribution:
#   to: [duty-officer@example.org]
#   cc: []
#   bcc: []
"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("brief_id", metavar="ID", help="id of the new brief: lower-case letters, "
                        "digits and hyphens; the file is content/<ID>.yaml")
    parser.add_argument("--root", type=Path, default=None,
                        help="project folder (default: the nearest folder with content/)")


def new_brief_text(brief_id: str) -> str:
    """The text of a new brief; the choices in its comments come from the model."""
    from briefgen.content.models import Brief, DeliverableStatus, EventKind, Role

    papers = typing.get_args(Brief.model_fields["paper"].annotation)
    choices = {"<<KINDS>>": EventKind, "<<ROLES>>": Role, "<<STATUSES>>": DeliverableStatus}
    text = TEMPLATE.replace("<<ID>>", brief_id).replace("<<PAPERS>>", " or ".join(papers))
    for token, enum in choices.items():
        text = text.replace(token, ", ".join(member.value for member in enum))
    return text


def run(args: argparse.Namespace, project, stdout: TextIO, stderr: TextIO) -> int:
    from pydantic import TypeAdapter, ValidationError

    from briefgen.content.models import Id

    try:
        brief_id = TypeAdapter(Id).validate_python(args.brief_id)
    except ValidationError:
        raise UsageError(f"'{args.brief_id}' cannot be the id of a brief: use lower-case letters, "
                         "digits and hyphens, starting with a letter or digit (e.g. "
                         "g7-summit-2024)") from None
    path = project.content_dir / f"{brief_id}.yaml"
    text = new_brief_text(brief_id)
    project.content_dir.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as file:  # "x": never overwrite a brief
            file.write(text)
    except FileExistsError:
        raise UsageError(f"{project.display(path)} already exists; choose another id, or edit "
                         "that file") from None
    shown = project.display(path)
    placeholders = sum("FILL IN" in line and not line.lstrip().startswith("#")
                       for line in text.splitlines())
    print(f"wrote {shown}: replace its {placeholders} \"FILL IN\" placeholders, then run "
          f"`briefgen check {shown}`", file=stdout)
    return ExitCode.OK
