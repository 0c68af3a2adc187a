"""The content model: what a brief and a person may contain.

Every field has a description (it becomes the JSON Schema that editors use and the
reference in docs/content-reference.md). Unknown keys are errors. The loader hands us text for
every scalar, so a field that is text stays the text the author wrote; fields
that are dates or choices say so here and reject anything else in plain English.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import typing
from collections.abc import Callable
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    JsonValue,
    field_validator,
    model_validator,
)

from briefgen.content.addresses import ENCODED_WORD_ADVICE, check_address, check_display_name, has_encoded_word
from briefgen.content.countries import ISO_3166_ALPHA2
from briefgen.content.ids import ID_PATTERN, reserved_word_problem
from briefgen.content.languages import language_problem
from briefgen.content.timezones import time_zone_problem


class MarkdownText:
    """Marks a field as Markdown (rendered, and checked for raw HTML)."""


class SourceIdsMark:
    """Marks a field as naming sources by id: each must be among the brief's `sources`."""


def _pattern_text(pattern: str, explanation: str, *, schema_pattern: str | None = None,
                  examples: list[str] | None = None,
                  tidy: Callable[[str], str] = lambda value: value) -> Any:
    """A text type that must match `pattern` (a full match); otherwise the error says
    "'<value>' <explanation>". The JSON Schema gets the pattern too, for editors. `tidy`
    may first rewrite a value that means the same (a one-digit hour)."""
    def check(value: str) -> str:
        if not re.fullmatch(pattern, value):
            raise ValueError(f"'{value}' {explanation}")
        return value
    extra: dict[str, JsonValue] = {"pattern": schema_pattern or f"^{pattern}$"}
    return Annotated[str, BeforeValidator(tidy), AfterValidator(check),
                     Field(json_schema_extra=extra, examples=examples)]


def _check_country(value: str) -> str:
    if value not in ISO_3166_ALPHA2:
        raise ValueError(f"'{value}' is not an ISO 3166-1 alpha-2 country code "
                         "(two capital letters, e.g. US, JP, KR, NO)")
    return value


def _single_line(value: str) -> str:
    value = value.strip()
    if "\n" in value:
        raise ValueError("must fit on one line; use a Markdown field for longer text")
    if not value:
        raise ValueError("is empty; write the text or remove the key")
    return value


def _text_block(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("is empty; write the text or remove the key")
    return value


def _no_encoded_word(value: str) -> str:
    if has_encoded_word(value):
        raise ValueError(f"must not contain an encoded word: {ENCODED_WORD_ADVICE}")
    return value


def _two_digit_hour(value: Any) -> Any:
    """`9:30` is 09:30: a morning time is often written with a one-digit hour."""
    if isinstance(value, str) and re.fullmatch(r"[0-9]:[0-5][0-9]", value):
        return f"0{value}"
    return value


if TYPE_CHECKING:  # to the type checker these are text; pydantic sees the patterns
    Id = str
    TimeOfDay = str
    Classification = str
    LanguageTag = str
    WebAddress = str
    Duration = str
else:
    Id = _pattern_text(ID_PATTERN, "is not a valid id: use lower-case letters, digits "
                       "and hyphens, starting with a letter or digit (e.g. `kishida`, `consult-pledge`)",
                       examples=["kishida"])
    TimeOfDay = _pattern_text(r"([01][0-9]|2[0-3]):[0-5][0-9]", "is not a time of day; write it as HH:MM "
                              'on a 24-hour clock, e.g. "09:30" or "19:00"',
                              schema_pattern=r"^([01]?[0-9]|2[0-3]):[0-5][0-9]$", examples=["19:00"],
                              tidy=_two_digit_hour)
    Classification = _pattern_text(r"[A-Z0-9][A-Z0-9 /()\-:,]{0,79}", "is not a classification marking: use "
                                   "capital letters, digits, spaces, '/', '-', ':', ',' and parentheses, "
                                   "e.g. UNCLASSIFIED", examples=["UNCLASSIFIED"])
    LanguageTag = _pattern_text(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", "is not a language tag; use a BCP 47 "
                                "tag such as ja, ko or zh-Hant", examples=["ja"])
    WebAddress = _pattern_text(r"https?://[^\s<>\"]+", "is not a web address; write it in full, "
                               "starting with https://", schema_pattern=r"^https?://\S+$")
    Duration = _pattern_text(r"[1-9][0-9]{0,2} min|[1-9][0-9]? h( ([1-9]|[1-5][0-9]) min)?",
                             "is not a duration; write minutes as \"45 min\", or hours and minutes "
                             "as \"1 h\" or \"1 h 30 min\"", examples=["45 min"])
Line = Annotated[str, AfterValidator(_single_line)]
# A line that also goes into an email header (the title is in the Subject).
HeaderLine = Annotated[str, AfterValidator(_single_line), AfterValidator(_no_encoded_word)]
Markdown = Annotated[str, AfterValidator(_text_block), MarkdownText(),
                     Field(json_schema_extra={"contentMediaType": "text/markdown"})]
Country = Annotated[str, AfterValidator(_check_country),
                    Field(json_schema_extra={"pattern": r"^[A-Z]{2}$"}, examples=["JP"])]


def _refusing(problem_of: Callable[[str], str | None]) -> Callable[[str], str]:
    """A validator that refuses a value with the problem `problem_of` finds in it (if any)."""
    def check(value: str) -> str:
        problem = problem_of(value)
        if problem:
            raise ValueError(problem)
        return value
    return check


TimeZone = Annotated[str, AfterValidator(_refusing(time_zone_problem)),
                     Field(json_schema_extra={"pattern": r"^[A-Za-z][A-Za-z0-9_+\-]*(/[A-Za-z0-9_+\-]+)*$"},
                           examples=["America/New_York"])]
IdList = list[Id]
# An audience's id names its output file, so it may not be one of briefgen's own output words.
AudienceId = Annotated[Id, AfterValidator(_refusing(reserved_word_problem))]

# A language a brief is printed in: a language tag that has a catalogue of briefgen's words.
PrintedLanguage = Annotated[LanguageTag, AfterValidator(_refusing(language_problem)),
                            Field(examples=["fr"])]
SourceIds = Annotated[IdList, SourceIdsMark()]
MarkingText = Annotated[str, AfterValidator(_single_line), Field(examples=["C//REL TO USA, JPN"])]


# The years a date may name: far enough inside Python's years 1 to 9999 that a day plus any
# duration, moved into any time zone, is still a date the schedule and the calendar can compute.
FIRST_YEAR, LAST_YEAR = 1000, 8999


def _check_day(value: object) -> object:
    """Only YYYY-MM-DD is a date: pydantic alone would also read '1692316800' as a Unix time
    or '2023-08-18T00:00Z' as a day, and an author would never see the surprise."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        value = value.isoformat()
    if not isinstance(value, str):
        return value
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value)
    if not match:
        raise ValueError(f"must be a date written YYYY-MM-DD, e.g. 2023-08-18; got '{value}'")
    year, month, day = (int(part) for part in match.groups())
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise ValueError(f"is outside the years briefgen can place on a calendar: {value} (write a "
                         f"year from {FIRST_YEAR} to {LAST_YEAR})")
    if not 1 <= month <= 12:
        raise ValueError(f"is not a real date: {value} (there is no month {month})")
    days_in_month = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days_in_month:
        raise ValueError(f"is not a real date: {value} ({calendar.month_name[month]} {year} has "
                         f"{days_in_month} days)")
    return dt.date(year, month, day)


Day = Annotated[dt.date, BeforeValidator(_check_day),
                Field(examples=["2023-08-18"], json_schema_extra={"pattern": r"^[1-8][0-9]{3}-[0-9]{2}-[0-9]{2}$"})]


def _text_to_mapping(key: str, model: type | None = None) -> BeforeValidator:
    """Let a list entry be written as plain text, short for `{key: text}`. Given the model,
    the JSON Schema accepts both forms, so editors do not flag the short one."""
    def convert(value: object) -> object:
        return {key: value} if isinstance(value, str) else value
    if model is None:
        return BeforeValidator(convert)
    return BeforeValidator(convert, json_schema_input_type=str | model)


def inner_model(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds, directly or inside a list or an Optional (None for plain values)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next(filter(None, map(inner_model, typing.get_args(annotation))), None)


def _no_carriage_return_in(value: Any) -> Any:
    """Refuse a carriage return anywhere in a field's text, however deep in lists: a YAML
    escape ("\\r") can write one (the loader refuses the other invisible characters, but a
    CR is a line break to it), and a terminal, a calendar's header or a log would act on it."""
    if isinstance(value, str):
        if "\r" in value:
            raise ValueError("holds a carriage return (U+000D), written as an escape; a reader cannot see it, and a "
                             "terminal or calendar would act on it: write a plain line break (in a "
                             "Markdown field), or remove it")
    elif isinstance(value, list | tuple):
        for item in value:
            _no_carriage_return_in(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _no_carriage_return_in(key)
            _no_carriage_return_in(item)
    return value


class StrictModel(BaseModel):
    """Base for every content model: unknown keys are errors, values are immutable, and no
    text holds a carriage return."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False,
                              use_attribute_docstrings=False)

    @field_validator("*", mode="after")
    @classmethod
    def _no_carriage_return(cls, value: Any) -> Any:
        return _no_carriage_return_in(value)


class Marked(StrictModel):
    """Base of every portion that may carry its own marking (see content/markings.py)."""

    marking: MarkingText | None = Field(None, description="This portion's marking in the brief's "
                                        "`markings` scheme, such as `C//REL TO USA, JPN`; unmarked, it "
                                        "takes `markings.default`. An audience below it never gets it.",
                                        examples=["C//REL TO USA, JPN"])


class DeliverableStatus(str, Enum):
    expected = "expected"
    confirmed = "confirmed"
    announced = "announced"
    deferred = "deferred"
    dropped = "dropped"


class Role(str, Enum):
    host = "host"
    principal = "principal"
    delegation = "delegation"
    staff = "staff"
    guest = "guest"


class AnnexSection(str, Enum):
    """A section that can move from page 1 to the annex (the staff's pages after it)."""
    agenda = "agenda"
    deliverables = "deliverables"
    key_messages = "key_messages"
    sensitivities = "sensitivities"
    background = "background"
    quotes = "quotes"
    sources = "sources"
    points = "points"
    if_raised = "if_raised"
    press_line = "press_line"
    biographies = "biographies"   # the participants' `bio`: in the annex only, never on page 1
    since_last_meeting = "since_last_meeting"   # the `follows` brief's deliverables and decisions


DEFAULT_ANNEX = (AnnexSection.background, AnnexSection.quotes, AnnexSection.biographies, AnnexSection.sources)


class EventKind(str, Enum):
    summit = "summit"
    bilateral = "bilateral"
    multilateral = "multilateral"
    board = "board"
    meeting = "meeting"
    call = "call"
    visit = "visit"
    conference = "conference"


class PressStatus(str, Enum):
    """Who from the press may see an agenda item (US scenario practice)."""

    open = "open"
    pool_spray = "pool-spray"
    closed = "closed"


class NameOrder(str, Enum):
    family_first = "family-first"
    given_first = "given-first"


class Person(StrictModel):
    """A person, in content/people/<id>.yaml; the file stem is the person's id."""

    name: Line = Field(description="Full name in Latin script, as it should be printed.",
                       examples=["Fumio Kishida"])
    short_name: Line | None = Field(None, description="Name used in running text, such as "
                                    "agenda and owners (defaults to `name`).", examples=["Kishida"])
    native_name: Line | None = Field(None, description="Name in the person's own script, shown "
                                     "beside the name.", examples=["岸田文雄"])
    lang: LanguageTag | None = Field(None, description="BCP 47 language of `native_name`; picks "
                                     "the right glyphs for Chinese, Japanese and Korean.",
                                     examples=["ja"])
    title: Line = Field(description="Position, as printed under the name.",
                        examples=["Prime Minister of Japan"])
    reads: PrintedLanguage | None = Field(None, description="The language this person reads "
                                          "briefs in: `briefgen email` sends them the edition in "
                                          "it when the brief has one (`editions`). Not the "
                                          "language of `native_name`, which is `lang`.",
                                          examples=["fr"])
    country: Country = Field(description="ISO 3166-1 alpha-2 code. `NO` means Norway.")
    bio: Markdown | None = Field(None, description="Short biography (Markdown).",
                                 examples=["Prime Minister of Japan since October 2021."])
    clearance: MarkingText | None = Field(None, description="The highest marking this person may "
                                          "receive; `check` refuses them in the distribution of an "
                                          "audience above it.", examples=["SECRET"])
    pronunciation: Line | None = Field(None, description="How to say the name, for those who "
                                       "will say it aloud; printed in a book's biographies.",
                                       examples=["FOO-mee-oh kee-SHEE-dah"])
    form_of_address: Line | None = Field(None, description="How to address them in person "
                                         "and in writing; printed in a book's biographies.",
                                         examples=["Prime Minister Kishida; Mr. Prime Minister"])
    name_order: NameOrder | None = Field(None, description="Whether `native_name` is written "
                                         "family name first (as in Japanese and Korean) or given "
                                         "name first; printed in a book's biographies.",
                                         examples=["family-first"])


class Event(StrictModel):
    """What the meeting is, when and where."""

    kind: EventKind = Field(description="The kind of meeting.", examples=["summit"])
    date: Day | None = Field(None, description="Date of a one-day event (YYYY-MM-DD). Use "
                              "`start` and `end` instead for several days.",
                             examples=["2023-08-18"])
    start: Day | None = Field(None, description="First day of a multi-day event.",
                              examples=["2023-08-17"])
    end: Day | None = Field(None, description="Last day of a multi-day event.",
                            examples=["2023-08-19"])
    location: Line = Field(description="Where it takes place.", examples=["Camp David, Maryland"])
    host: Id | None = Field(None, description="Id of the participant who hosts.",
                            examples=["biden"])
    purpose: Markdown = Field(description="Why the meeting matters, in two or three sentences "
                              "(Markdown).",
                              examples=["A meeting of the three leaders [@officials-preview]."])
    timezone: TimeZone | None = Field(None, description="IANA time zone of the agenda's times "
                                      "(an agenda item may name its own).",
                                      examples=["America/Los_Angeles"])
    sources: SourceIds = Field(default_factory=list, description="Ids of the sources for the "
                            "date, place and format.",
                            examples=[["joint-statement", "news-report"]])

    @model_validator(mode="after")
    def _one_kind_of_date(self) -> Event:
        if self.date and (self.start or self.end):
            raise ValueError("must give either `date` (one day) or `start` and `end` "
                             "(several days), not both")
        if not self.date and not (self.start and self.end):
            raise ValueError("needs a `date`, or a `start` and an `end`")
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"needs an `end` on or after its `start`; {self.end} is before "
                             f"{self.start}")
        return self


class Participant(Marked):
    """Someone at the meeting; list order is the order of precedence on the page."""

    marking: MarkingText | None = Field(None, description="The marking of `note` (the person "
                                        "is always listed); unmarked, it takes `markings.default`.",
                                        examples=["S//NOFORN"])

    person: Id = Field(description="Id of a person file under content/people/.")
    role: Role | None = Field(None, description="Their role at this meeting.",
                              examples=["principal"])
    note: Line | None = Field(None, description="A short note printed beside them.",
                              examples=["Arrives the night before"])


def _each_once(what: str) -> AfterValidator:
    """A list in which each entry may appear once (the error names the first repeated)."""
    def check(values: list[str]) -> list[str]:
        repeated = [v for i, v in enumerate(values) if v in values[:i]]
        if repeated:
            raise ValueError(f"must list each {what} once; '{repeated[0]}' is there twice")
        return values
    return AfterValidator(check)


Speakers = Annotated[IdList, _each_once("speaker")]


class AgendaItem(Marked):
    """One item of the programme, in order."""

    date: Day | None = Field(None, description="Day of the item (YYYY-MM-DD).",
                             examples=["2023-08-18"])
    time: TimeOfDay | None = Field(None, description="Start time, HH:MM on a 24-hour clock "
                                   "(9:30 is read as 09:30). Quote it or not: 19:00 always means "
                                   "19:00.", examples=["10:00"])
    title: Line = Field(description="What happens.", examples=["Trilateral discussion"])
    participants: IdList = Field(default_factory=list, description="Ids of the people in it.",
                                 examples=[["biden", "kishida", "yoon"]])
    location: Line | None = Field(None, description="Where, if not the event's location.",
                                  examples=["Aspen Lodge"])
    timezone: TimeZone | None = Field(None, description="IANA time zone of `time`, when it is "
                                      "not the event's `timezone`.", examples=["Asia/Tokyo"])
    duration: Duration | None = Field(None, description="How long it lasts: \"45 min\", \"1 h\" "
                                      "or \"1 h 30 min\". It must end before the next item starts.",
                                      examples=["45 min"])
    press: PressStatus | None = Field(None, description="Press coverage: open press, a pool spray "
                                      "(a few minutes of cameras at the start), or closed.",
                                      examples=["pool-spray"])
    lead: Id | None = Field(None, description="Id of the participant who leads the item.",
                            examples=["biden"])
    speaking_order: Speakers = Field(default_factory=list, description="Ids of the participants "
                                   "who speak, in the order they speak.",
                                   examples=[["biden", "kishida", "yoon"]])
    note: Line | None = Field(None, description="A short qualifier, e.g. 'expected'.",
                              examples=["expected"])
    sources: SourceIds = Field(default_factory=list, description="Ids of the sources for this item.",
                            examples=[["news-report"]])


class Deliverable(Marked):
    """An outcome the meeting is expected to produce."""

    id: Id = Field(description="Short unique id.", examples=["consult-pledge"])
    title: Line = Field(description="Name of the deliverable.", examples=["Commitment to consult"])
    status: DeliverableStatus = Field(description="Where it stands.", examples=["expected"])
    summary: Markdown = Field(description="What it is (Markdown).",
                              examples=["Each nation commits to consult the others in a crisis."])
    caveats: Markdown | None = Field(None, description="What it is not, or its limits (Markdown).",
                                     examples=["Not an alliance or a collective-defense treaty."])
    owners: IdList = Field(default_factory=list, description="Ids of the people who own it.",
                           examples=[["biden", "kishida", "yoon"]])
    sources: SourceIds = Field(default_factory=list, description="Ids of the sources that report it.",
                            examples=[["officials-preview"]])


class KeyMessage(Marked):
    """A talking point. May be written as plain text, or as `text` with `sources`."""

    text: Markdown = Field(description="The message (Markdown).",
                           examples=["Not an alliance or a collective-defense treaty [@wsj]."])
    sources: SourceIds = Field(default_factory=list, description="Ids of its sources.",
                            examples=[["officials-preview"]])


class Objective(Marked):
    """An outcome the principal wants. May be written as plain text, or as `text` with `sources`."""

    text: Markdown = Field(description="The outcome wanted (Markdown).",
                           examples=["A commitment to consult in a crisis [@officials-preview]."])
    sources: SourceIds = Field(default_factory=list, description="Ids of its sources.",
                            examples=[["officials-preview"]])


def _options_to_mark(options: list[str]) -> list[str]:
    if not options:
        raise ValueError("is empty: a decision needs options to mark, e.g. [Approve, Disapprove]")
    return options


Options = Annotated[list[Line], AfterValidator(_options_to_mark), _each_once("option")]


class Outcome(StrictModel):
    """What the principal decided: written by `briefgen decisions FILLED.pdf`, or by hand."""

    choice: Line = Field(description="The option ticked: one of the decision's `options`.",
                         examples=["Approve"])
    initials: Line | None = Field(None, description="The initials written beside it.",
                                  examples=["JRB"])
    on: Day | None = Field(None, description="The day it was decided (YYYY-MM-DD).",
                           examples=["2023-11-14"])


class Decision(Marked):
    """Something the principal must decide, printed with boxes to tick."""

    issue: Markdown = Field(description="What the principal must decide (Markdown).",
                            examples=["Whether to resume military-to-military talks."])
    recommendation: Markdown = Field(description="What the office recommends, and why (Markdown).",
                                     examples=["Approve: open channels lower the risk of accidents."])
    options: Options = Field(description="The responses to mark, each printed with a box to "
                                "tick, e.g. Approve / Disapprove or Agreed / Not agreed / Noted.",
                                examples=[["Approve", "Disapprove"]],
                                json_schema_extra={"minItems": 1})
    due: Day | None = Field(None, description="The day the decision is needed by (YYYY-MM-DD).",
                            examples=["2023-11-14"])
    due_reason: Line | None = Field(None, description="Why it is needed by then (only with "
                                    "a `due` date).",
                                    examples=["The leaders meet on 15 November."])
    sources: SourceIds = Field(default_factory=list, description="Ids of its sources.",
                            examples=[["readout"]])
    outcome: Outcome | None = Field(None, description="What was decided, once it was: the option "
                                    "ticked, the initials and the day. `briefgen decisions "
                                    "FILLED.pdf` writes it from the boxes ticked on the PDF.",
                                    examples=[{"choice": "Approve", "initials": "JRB",
                                               "on": "2023-11-14"}])

    @model_validator(mode="after")
    def _outcome_is_an_option(self) -> Decision:
        if self.outcome is not None and self.outcome.choice not in self.options:
            raise ValueError(f"has the outcome '{self.outcome.choice}', which is not one of its "
                             f"options ({', '.join(self.options)})")
        return self


class Point(Marked):
    """A point to make, in order. May be written as plain text, or as `text` with `to` and `sources`."""

    text: Markdown = Field(description="The point (Markdown).",
                           examples=["Keep the channels open [@readout]."])
    to: Id | None = Field(None, description="Id of the participant it is addressed to; "
                          "addressed points are grouped by interlocutor on the page.",
                          examples=["xi"])
    sources: SourceIds = Field(default_factory=list, description="Ids of its sources.",
                            examples=[["readout"]])


class IfRaised(Marked):
    """A defensive line: what to say if the other side raises something."""

    question: Markdown = Field(description="What may be raised (Markdown).",
                               examples=["Is this an alliance?"])
    answer: Markdown = Field(description="The line to take (Markdown).",
                             examples=["It is not an alliance or a collective-defense treaty."])
    sources: SourceIds = Field(default_factory=list, description="Ids of its sources.",
                            examples=[["officials-preview"]])


class PressLine(StrictModel):
    """What may be said in public after the meeting."""

    public: Markdown = Field(description="The line for the press (Markdown).",
                             examples=["The leaders had a candid and constructive discussion."])
    defensive: Markdown | None = Field(None, description="The line to hold if pressed "
                                       "(Markdown).",
                                       examples=["We do not go beyond the readout."])
    sources: SourceIds = Field(default_factory=list, description="Ids of its sources.",
                            examples=[["readout"]])


class Sensitivity(Marked):
    """A topic to handle with care, and how."""

    topic: Line = Field(description="The topic.", examples=["China"])
    context: Markdown | None = Field(None, description="Why it is sensitive (Markdown).",
                                     examples=["Asked whether the summit might provoke China."])
    guidance: Markdown = Field(description="How to handle it (Markdown).",
                               examples=["The summit is not about isolating China."])
    sources: SourceIds = Field(default_factory=list, description="Ids of its sources.",
                            examples=[["officials-preview"]])


class Quote(Marked):
    """A quotation worth having to hand."""

    text: Markdown = Field(description="The words quoted, without quotation marks.",
                           examples=["A breath-taking kind of diplomacy."])
    by: Id = Field(description="Id of the person quoted (a participant or any person file).")
    where: Line | None = Field(None, description="Where it was said.", examples=["Brookings event"])
    date: Day | None = Field(None, description="When it was said.", examples=["2023-08-16"])
    source: Annotated[Id, SourceIdsMark()] | None = Field(None, description="Id of the source that reports it.",
                              examples=["brookings"])


class BackgroundParagraph(Marked):
    """A paragraph of background with its own marking. May be written as plain text."""

    text: Markdown = Field(description="The paragraph (Markdown).",
                           examples=["The three leaders last met in Hiroshima [@news-report]."])


def _paragraphs(value: object) -> object:
    """`background: |` text is one unmarked paragraph, exactly as before paragraphs existed."""
    return [value] if isinstance(value, str) else value


Background = Annotated[list[Annotated[BackgroundParagraph, _text_to_mapping("text", BackgroundParagraph)]],
                       BeforeValidator(_paragraphs, json_schema_input_type=str | list[
                           str | BackgroundParagraph])]


class Clearer(StrictModel):
    """Someone who drafted, cleared or approved the brief."""

    by: Line = Field(description="Their name, as printed.", examples=["Priya Natarajan"])
    office: Line | None = Field(None, description="Their office.", examples=["EAP/J"])
    on: Day | None = Field(None, description="The day they drafted, cleared or approved it "
                           "(YYYY-MM-DD).", examples=["2024-09-18"])


class Clearance(StrictModel):
    """Who drafted, cleared and approved the brief. Each clearance is pinned to the text as it
    was in the commit that added it: `check` warns when the brief changed after it."""

    drafted: Clearer | None = Field(None, description="Who drafted the brief.",
                                    examples=[{"by": "Sam Ortiz", "office": "EAP/J",
                                               "on": "2024-09-16"}])
    cleared: list[Clearer] = Field(default_factory=list, description="Who cleared it, in order. "
                                   "A `Cleared-by: Name <email>` trailer on a commit that touches "
                                   "the brief counts too.",
                                   examples=[[{"by": "Priya Natarajan", "office": "EAP",
                                               "on": "2024-09-18"}]])
    approved: Clearer | None = Field(None, description="Who approved it.",
                                     examples=[{"by": "Kurt Campbell", "office": "D",
                                                "on": "2024-09-19"}])


class Source(StrictModel):
    """A source that facts in the brief come from; printed as numbered references."""

    id: Id = Field(description="Short unique id, cited as `[@id]` in Markdown.", examples=["wsj"])
    title: Line = Field(description="Title or description of the source.",
                        examples=["Senior administration officials' preview of the summit"])
    publisher: Line | None = Field(None, description="Who published or said it.",
                                   examples=["The White House"])
    date: Day | None = Field(None, description="Date of publication.", examples=["2023-08-18"])
    url: WebAddress | None = Field(None, description="Web address (http or https).",
                                   examples=["https://www.whitehouse.gov/"])
    note: Line | None = Field(None, description="What this source establishes, or its limits.",
                              examples=["Quoted in the news report."])


EmailAddress = Annotated[str, AfterValidator(check_address),
                         Field(json_schema_extra={"format": "email"}, examples=["duty-officer@example.org"])]
DisplayName = Annotated[str, AfterValidator(_single_line), AfterValidator(check_display_name)]


class Recipient(StrictModel):
    """Someone the brief is emailed to. May be written as just the address."""

    address: EmailAddress = Field(description="One bare email address, such as "
                                  "`duty-officer@example.org`: no name, no angle brackets, no "
                                  "second address.")
    name: DisplayName | None = Field(None, description="Name shown beside the address in the "
                                     "message's headers.", examples=["Duty Officer"])
    person: Id | None = Field(None, description="Id of the person this is (a file under "
                              "content/people/), so `check` can compare their `clearance` with "
                              "the audience's ceiling.", examples=["campbell"])
    lang: PrintedLanguage | None = Field(None, description="The language this recipient reads: "
                                         "`briefgen email` sends them the brief's edition in it "
                                         "(`editions`), else the brief itself (default: the "
                                         "person's `reads`, else the brief's `lang`).",
                                         examples=["fr"])


RecipientList = list[Annotated[Recipient, _text_to_mapping("address")]]


class Distribution(StrictModel):
    """Who `briefgen email` sends the brief to. Not printed on the page."""

    to: RecipientList = Field(default_factory=list, description="Principal recipients.")
    cc: RecipientList = Field(default_factory=list, description="Copied, visible to all.")
    bcc: RecipientList = Field(default_factory=list, description="Copied, hidden from the others.")

    @model_validator(mode="after")
    def _each_address_once(self) -> Distribution:
        seen: dict[str, str] = {}
        for field_name in ("to", "cc", "bcc"):
            for recipient in getattr(self, field_name):
                if recipient.address in seen:
                    raise ValueError(f"'{recipient.address}' is listed twice (in "
                                     f"`{seen[recipient.address]}` and `{field_name}`); keep one")
                seen[recipient.address] = field_name
        return self


SchemeId = Literal["us", "uk", "au", "custom"]
Section = Literal["agenda", "deliverables", "key_messages", "sensitivities", "background", "quotes",
                  "participant_notes", "bottom_line", "objectives", "decisions", "points", "if_raised",
                  "press_line"]


class Markings(StrictModel):
    """How the portions of a brief are marked, and how the marks are printed."""

    scheme: SchemeId = Field(description="The marking scheme: `us` (U, CUI, C, S, TS; NOFORN, REL "
                             "TO), `uk` (OFFICIAL, OFFICIAL-SENSITIVE, SECRET, TOP SECRET), `au` "
                             "(PSPF: OFFICIAL ... TOP SECRET) or `custom` (your own `levels`).",
                             examples=["us"])
    levels: list[Line] = Field(default_factory=list, description="For a `custom` scheme only: its "
                               "levels, lowest first.", examples=[["PUBLIC", "INTERNAL", "CONFIDENTIAL"]])
    default: MarkingText | None = Field(None, description="The marking of every unmarked portion, "
                                        "and of the title, event, participants and sources (default: "
                                        "the scheme's lowest level).", examples=["U"])
    portion_marks: bool | None = Field(None, description="Print each portion's mark, such as `(U)` "
                                       "(default: as the scheme does; `us` and `custom` do).",
                                       examples=["true"])
    withheld_notice: bool | None = Field(None, description="Say on an audience's version that "
                                         "portions were withheld (default: as the scheme does).",
                                         examples=["true"])

    @model_validator(mode="after")
    def _levels_for_custom_only(self) -> Markings:
        if self.scheme == "custom" and not self.levels:
            raise ValueError("needs `levels` for a custom scheme, lowest first, e.g. "
                             "[PUBLIC, INTERNAL, CONFIDENTIAL]")
        if self.scheme != "custom" and self.levels:
            raise ValueError(f"has `levels`, which only a custom scheme takes; the {self.scheme} "
                             "scheme has its own")
        if len(set(map(str.casefold, self.levels))) != len(self.levels):
            raise ValueError("lists a level twice in `levels`")
        return self


class Audience(StrictModel):
    """A version of the brief for readers who may see up to a marking (e.g. a partner, the press)."""

    id: AudienceId = Field(description="Short unique id; the version is written to output/<brief>.<id>.pdf, so "
                   "not a word briefgen puts there itself (record, overflow, sent, ...).",
                   examples=["press"])
    name: Line = Field(description="Who the version is for, printed on it.",
                       examples=["Partner delegation"])
    ceiling: MarkingText = Field(description="The highest marking it may see; every portion above "
                                 "it is removed before rendering.", examples=["C//REL TO USA, JPN"])
    omit: list[Section] = Field(default_factory=list, description="Sections it never sees, "
                                "whatever their marking.", examples=[["sensitivities"]])
    distribution: Distribution | None = Field(None, description="Who the email command sends this "
                                              "version to (with --audience); not printed.",
                                              examples=[{"to": ["press.office@example.org"]}])
    lang: PrintedLanguage | None = Field(None, description="The language of this version's labels "
                                         "and dates (default: the brief's `lang`).", examples=["fr"])


class Brief(StrictModel):
    """A meeting brief, in content/<id>.yaml; the file stem is the brief's id."""

    title: HeaderLine = Field(description="Title of the meeting.",
                        examples=["Camp David Trilateral Summit"])
    subtitle: Line | None = Field(None, description="One line under the title.",
                                  examples=["United States · Japan · Republic of Korea"])
    addressee: Line | None = Field(None, description="Whom the brief is for, as the masthead "
                                   "names them: \"BILATERAL MEETING BRIEF FOR THE PRESIDENT\" "
                                   "(default: the kind of brief alone).", examples=["the President"])
    classification: Classification | None = Field(None, description="Marking printed at the top "
                                                  "and bottom of every page. Required unless "
                                                  "`markings` is given; then it is computed, and "
                                                  "when written it must agree.",
                                                  examples=["UNCLASSIFIED"])
    prepared_by: Line = Field(description="Office that prepared the brief; the PDF's author.",
                              examples=["Briefing staff, from public reporting"])
    as_of: Day = Field(description="The facts are current as of this date; also the PDF's "
                        "creation date.")
    paper: Literal["letter", "a4"] = Field("letter", description="Paper size.", examples=["a4"])
    home_timezone: TimeZone | None = Field(None, description="The principal's home time zone "
                                           "(IANA name): agenda times are also shown in it.",
                                           examples=["America/New_York"])
    bottom_line: Markdown | None = Field(None, description="The bottom line up front, printed "
                                         "first: at most four printed lines (Markdown, one "
                                         "paragraph).",
                                         examples=[("The leaders will announce a pledge to consult "
                                                    "[@officials-preview].")])
    objectives: list[Annotated[Objective, _text_to_mapping("text", Objective)]] = Field(
        default_factory=list, description="One to three outcomes the principal wants from the "
        "meeting (Markdown each); more than three is a warning.",
        examples=[["Resume military-to-military talks.",
                   {"text": "Agree on counternarcotics.", "sources": ["readout"]}]])
    decisions: list[Decision] = Field(default_factory=list, description="What the principal must "
                                      "decide, with the recommendation and the options to mark.",
                                      examples=[[{"issue": "Whether to resume talks.",
                                                  "recommendation": "Approve.",
                                                  "options": ["Approve", "Disapprove"],
                                                  "due": "2023-11-14",
                                                  "due_reason": "The leaders meet the next day."}]])
    event: Event = Field(description="The meeting itself.",
                         examples=[{"kind": "summit", "date": "2023-08-18", "location": "Camp David",
                                    "host": "biden", "purpose": "A meeting of the three leaders."}])
    participants: list[Participant] = Field(min_length=1, description="Who attends, in order "
                                            "of precedence.",
                                            examples=[[{"person": "biden", "role": "host"},
                                                       {"person": "kishida", "role": "principal"}]])
    agenda: list[AgendaItem] = Field(default_factory=list, description="The programme, in order.",
                                     examples=[[{"date": "2023-08-18", "time": "10:00",
                                                "title": "Trilateral discussion",
                                                "participants": ["biden", "kishida", "yoon"]}]])
    deliverables: list[Deliverable] = Field(default_factory=list,
                                            description="Expected outcomes and their status.",
                                            examples=[[{"id": "hotline", "title": "Three-way hotline",
                                                       "status": "expected",
                                                       "summary": "A hotline between the leaders.",
                                                       "owners": ["biden", "kishida", "yoon"],
                                                       "sources": ["officials-preview"]}]])
    key_messages: list[Annotated[KeyMessage, _text_to_mapping("text", KeyMessage)]] = Field(
        default_factory=list, description="Talking points (Markdown each).",
        examples=[["Coordination taken \"to the next level\".",
                   {"text": "Not an alliance.", "sources": ["officials-preview"]}]])
    points: list[Annotated[Point, _text_to_mapping("text", Point)]] = Field(
        default_factory=list, description="Points to make, in order; each may be addressed `to` "
        "a participant.",
        examples=[["Keep the channels open.", {"text": "Act on precursor chemicals.", "to": "xi"}]])
    if_raised: list[IfRaised] = Field(default_factory=list, description="Defensive lines: "
                                      "question and answer pairs for what may be raised.",
                                      examples=[[{"question": "Is this an alliance?",
                                                  "answer": "No."}]])
    press_line: PressLine | None = Field(None, description="What may be said in public "
                                         "afterwards, and the defensive line.",
                                         examples=[{"public": "A candid discussion.",
                                                    "defensive": "We do not go beyond the readout."}])
    sensitivities: list[Sensitivity] = Field(default_factory=list,
                                             description="Topics to handle with care.",
                                             examples=[[{"topic": "China",
                                                         "guidance": "Not about isolating it."}]])
    background: Background | None = Field(None, description="Background (Markdown), or a list of "
                                          "paragraphs, each Markdown or `text` with a `marking`.",
                                          examples=["It follows a series of meetings [@news-report]."])
    quotes: list[Quote] = Field(default_factory=list, description="Quotations.",
                                examples=[[{"text": "A breath-taking kind of diplomacy.",
                                            "by": "campbell", "source": "brookings"}]])
    sources: list[Source] = Field(default_factory=list, description="Where the facts come from.",
                                  examples=[[{"id": "wsj", "title": "Report on the announcements",
                                              "publisher": "The Wall Street Journal"}]])
    lang: PrintedLanguage = Field("en", description="The language the brief is written in (BCP 47): "
                                  "every label, date and list it prints follows it, and its "
                                  "typography (quotation marks, hyphenation, fonts).",
                                  examples=["fr"])
    editions: list[PrintedLanguage] = Field(default_factory=list, description="Translated editions "
                                            "built beside the brief (output/<id>.<lang>.pdf), each "
                                            "from content/<id>.<lang>.yaml (`briefgen translate`).",
                                            examples=[["fr"]])
    bilingual: Literal["side-by-side", "back-to-back"] | None = Field(
        None, description="Also print the brief with its first edition as one bilingual document "
        "(output/<id>.bilingual.pdf): `side-by-side`, two columns per section, or `back-to-back`, "
        "one language after the other (tête-bêche). Needs `editions`.", examples=["side-by-side"])
    annex: list[AnnexSection] | None = Field(
        None, description="Sections printed in the annex after page 1, in this order, instead "
        "of on page 1 (default: background, quotes, biographies, sources, and first \"Since the last "
        "meeting\" when the brief `follows` another; `[]` keeps everything on page 1). "
        "`biographies`, the participants' `bio`, is printed only in the annex; the clearance "
        "block is always last in the annex.",
        examples=[["background", "quotes", "sources"]])
    distribution: Distribution | None = Field(None, description="Who `briefgen email` sends "
                                              "the brief to (to, cc, bcc); not printed.")
    clearance: Clearance | None = Field(None, description="Who drafted, cleared and approved the "
                                        "brief; printed in the annex and the footer. `check` warns "
                                        "when the brief changed after a clearance.",
                                        examples=[{"drafted": {"by": "Sam Ortiz", "office": "EAP/J"},
                                                   "cleared": [{"by": "Priya Natarajan",
                                                                "office": "EAP", "on": "2024-09-18"}]}])
    follows: Id | None = Field(None, description="Id of the brief for the last meeting with the "
                               "same counterpart: its deliverables and decisions, with their status "
                               "and outcome now, are printed under \"Since the last meeting\".",
                               examples=["woodside-2023"])
    markings: Markings | None = Field(None, description="Portion marking: the scheme, the default "
                                      "marking, what is printed. The banner is then computed.",
                                      examples=[{"scheme": "us", "default": "U"}])
    audiences: list[Audience] = Field(default_factory=list, description="Versions written beside "
                                      "the full one (output/<id>.<audience>.pdf), each without the "
                                      "portions above its ceiling. Needs `markings`.",
                                      examples=[[{"id": "press", "name": "Press", "ceiling": "U",
                                                  "omit": ["sensitivities"]}]])
