"""The content model: what a brief and a person may contain.

Every field has a description (it becomes the JSON Schema that editors use and the
reference in the README). Unknown keys are errors. The loader hands us text for
every scalar, so a field that is text stays the text the author wrote; fields
that are dates or choices say so here and reject anything else in plain English.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import typing
from enum import Enum
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from briefgen.content.addresses import check_address, check_display_name
from briefgen.content.countries import ISO_3166_ALPHA2


class MarkdownText:
    """Marks a field as Markdown (rendered, and checked for raw HTML)."""


def _pattern_text(pattern: str, explanation: str, *, schema_pattern: str | None = None,
                  examples: list[str] | None = None):
    """A text type that must match `pattern` (a full match); otherwise the error says
    "'<value>' <explanation>". The JSON Schema gets the pattern too, for editors."""
    def check(value: str) -> str:
        if not re.fullmatch(pattern, value):
            raise ValueError(f"'{value}' {explanation}")
        return value
    extra = {"pattern": schema_pattern or f"^{pattern}$"}
    return Annotated[str, AfterValidator(check), Field(json_schema_extra=extra, examples=examples)]


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


Id = _pattern_text(r"[a-z0-9][a-z0-9-]{0,63}", "is not a valid id: use lower-case letters, digits "
                   "and hyphens, starting with a letter or digit (e.g. `kishida`, `consult-pledge`)",
                   examples=["kishida"])
Line = Annotated[str, AfterValidator(_single_line)]
Markdown = Annotated[str, AfterValidator(_text_block), MarkdownText(),
                     Field(json_schema_extra={"contentMediaType": "text/markdown"})]
Country = Annotated[str, AfterValidator(_check_country),
                    Field(json_schema_extra={"pattern": r"^[A-Z]{2}$"}, examples=["JP"])]
TimeOfDay = _pattern_text(r"([01][0-9]|2[0-3]):[0-5][0-9]", "is not a time of day; write it as HH:MM "
                          'on a 24-hour clock, e.g. "09:30" or "19:00"', examples=["19:00"])
Classification = _pattern_text(r"[A-Z0-9][A-Z0-9 /()\-]{0,79}", "is not a classification marking: use "
                               "capital letters, digits, spaces, '/', '-' and parentheses, e.g. "
                               "UNCLASSIFIED", examples=["UNCLASSIFIED"])
LanguageTag = _pattern_text(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", "is not a language tag; use a BCP 47 "
                            "tag such as ja, ko or zh-Hant", examples=["ja"])
IdList = list[Id]


WebAddress = _pattern_text(r"https?://[^\s<>\"]+", "is not a web address; write it in full, "
                           "starting with https://", schema_pattern=r"^https?://\S+$")


def _check_day(value):
    """Only YYYY-MM-DD is a date: pydantic alone would also read '1692316800' as a Unix time
    or '2023-08-18T00:00Z' as a day, and an author would never see the surprise."""
    if not isinstance(value, str):
        return value
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value)
    if not match:
        raise ValueError(f"must be a date written YYYY-MM-DD, e.g. 2023-08-18; got '{value}'")
    year, month, day = (int(part) for part in match.groups())
    if not 1 <= month <= 12:
        raise ValueError(f"is not a real date: {value} (there is no month {month})")
    days_in_month = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days_in_month:
        raise ValueError(f"is not a real date: {value} ({calendar.month_name[month]} {year} has "
                         f"{days_in_month} days)")
    return dt.date(year, month, day)


Day = Annotated[dt.date, BeforeValidator(_check_day), Field(examples=["2023-08-18"])]


def _text_to_mapping(key: str, model: type | None = None):
    """Let a list entry be written as plain text, short for `{key: text}`. Given the model,
    the JSON Schema accepts both forms, so editors do not flag the short one."""
    def convert(value):
        return {key: value} if isinstance(value, str) else value
    if model is None:
        return BeforeValidator(convert)
    return BeforeValidator(convert, json_schema_input_type=str | model)


def inner_model(annotation: Any) -> type[BaseModel] | None:
    """The model a field holds, directly or inside a list or an Optional (None for plain values)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return next(filter(None, map(inner_model, typing.get_args(annotation))), None)


class StrictModel(BaseModel):
    """Base for every content model: unknown keys are errors, values are immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False,
                              use_attribute_docstrings=False)


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


DEFAULT_ANNEX = (AnnexSection.background, AnnexSection.quotes, AnnexSection.sources)


class EventKind(str, Enum):
    summit = "summit"
    bilateral = "bilateral"
    multilateral = "multilateral"
    board = "board"
    meeting = "meeting"
    call = "call"
    visit = "visit"
    conference = "conference"


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
    country: Country = Field(description="ISO 3166-1 alpha-2 code. `NO` means Norway.")
    bio: Markdown | None = Field(None, description="Short biography (Markdown).",
                                 examples=["Prime Minister of Japan since October 2021."])


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
    sources: IdList = Field(default_factory=list, description="Ids of the sources for the "
                            "date, place and format.",
                            examples=[["joint-statement", "news-report"]])

    @model_validator(mode="after")
    def _one_kind_of_date(self) -> "Event":
        if self.date and (self.start or self.end):
            raise ValueError("must give either `date` (one day) or `start` and `end` "
                             "(several days), not both")
        if not self.date and not (self.start and self.end):
            raise ValueError("needs a `date`, or a `start` and an `end`")
        if self.start and self.end and self.end < self.start:
            raise ValueError(f"needs an `end` on or after its `start`; {self.end} is before "
                             f"{self.start}")
        return self


class Participant(StrictModel):
    """Someone at the meeting; list order is the order of precedence on the page."""

    person: Id = Field(description="Id of a person file under content/people/.")
    role: Role | None = Field(None, description="Their role at this meeting.",
                              examples=["principal"])
    note: Line | None = Field(None, description="A short note printed beside them.",
                              examples=["Arrives the night before"])


class AgendaItem(StrictModel):
    """One item of the programme, in order."""

    date: Day | None = Field(None, description="Day of the item (YYYY-MM-DD).",
                             examples=["2023-08-18"])
    time: TimeOfDay | None = Field(None, description="Start time, HH:MM on a 24-hour clock. "
                                   "Quote it or not: 19:00 always means 19:00.", examples=["10:00"])
    title: Line = Field(description="What happens.", examples=["Trilateral discussion"])
    participants: IdList = Field(default_factory=list, description="Ids of the people in it.",
                                 examples=[["biden", "kishida", "yoon"]])
    location: Line | None = Field(None, description="Where, if not the event's location.",
                                  examples=["Aspen Lodge"])
    note: Line | None = Field(None, description="A short qualifier, e.g. 'expected'.",
                              examples=["expected"])
    sources: IdList = Field(default_factory=list, description="Ids of the sources for this item.",
                            examples=[["news-report"]])


class Deliverable(StrictModel):
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
    sources: IdList = Field(default_factory=list, description="Ids of the sources that report it.",
                            examples=[["officials-preview"]])


class KeyMessage(StrictModel):
    """A talking point. May be written as plain text, or as `text` with `sources`."""

    text: Markdown = Field(description="The message (Markdown).",
                           examples=["Not an alliance or a collective-defense treaty [@wsj]."])
    sources: IdList = Field(default_factory=list, description="Ids of its sources.",
                            examples=[["officials-preview"]])


class Sensitivity(StrictModel):
    """A topic to handle with care, and how."""

    topic: Line = Field(description="The topic.", examples=["China"])
    context: Markdown | None = Field(None, description="Why it is sensitive (Markdown).",
                                     examples=["Asked whether the summit might provoke China."])
    guidance: Markdown = Field(description="How to handle it (Markdown).",
                               examples=["The summit is not about isolating China."])
    sources: IdList = Field(default_factory=list, description="Ids of its sources.",
                            examples=[["officials-preview"]])


class Quote(StrictModel):
    """A quotation worth having to hand."""

    text: Markdown = Field(description="The words quoted, without quotation marks.",
                           examples=["A breath-taking kind of diplomacy."])
    by: Id = Field(description="Id of the person quoted (a participant or any person file).")
    where: Line | None = Field(None, description="Where it was said.", examples=["Brookings event"])
    date: Day | None = Field(None, description="When it was said.", examples=["2023-08-16"])
    source: Id | None = Field(None, description="Id of the source that reports it.",
                              examples=["brookings"])


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


RecipientList = list[Annotated[Recipient, _text_to_mapping("address")]]


class Distribution(StrictModel):
    """Who `briefgen email` sends the brief to. Not printed on the page."""

    to: RecipientList = Field(default_factory=list, description="Principal recipients.")
    cc: RecipientList = Field(default_factory=list, description="Copied, visible to all.")
    bcc: RecipientList = Field(default_factory=list, description="Copied, hidden from the others.")

    @model_validator(mode="after")
    def _each_address_once(self) -> "Distribution":
        seen: dict[str, str] = {}
        for field_name in ("to", "cc", "bcc"):
            for recipient in getattr(self, field_name):
                if recipient.address in seen:
                    raise ValueError(f"'{recipient.address}' is listed twice (in "
                                     f"`{seen[recipient.address]}` and `{field_name}`); keep one")
                seen[recipient.address] = field_name
        return self


class Brief(StrictModel):
    """A meeting brief, in content/<id>.yaml; the file stem is the brief's id."""

    title: Line = Field(description="Title of the meeting.",
                        examples=["Camp David Trilateral Summit"])
    subtitle: Line | None = Field(None, description="One line under the title.",
                                  examples=["United States · Japan · Republic of Korea"])
    classification: Classification = Field(description="Marking printed at the top and bottom "
                                           "of every page.")
    prepared_by: Line = Field(description="Office that prepared the brief; the PDF's author.",
                              examples=["Briefing staff, from public reporting"])
    as_of: Day = Field(description="The facts are current as of this date; also the PDF's "
                        "creation date.")
    paper: Literal["letter", "a4"] = Field("letter", description="Paper size.", examples=["a4"])
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
    sensitivities: list[Sensitivity] = Field(default_factory=list,
                                             description="Topics to handle with care.",
                                             examples=[[{"topic": "China",
                                                         "guidance": "Not about isolating it."}]])
    background: Markdown | None = Field(None, description="Background (Markdown).",
                                        examples=["It follows a series of meetings [@news-report]."])
    quotes: list[Quote] = Field(default_factory=list, description="Quotations.",
                                examples=[[{"text": "A breath-taking kind of diplomacy.",
                                            "by": "campbell", "source": "brookings"}]])
    sources: list[Source] = Field(default_factory=list, description="Where the facts come from.",
                                  examples=[[{"id": "wsj", "title": "Report on the announcements",
                                              "publisher": "The Wall Street Journal"}]])
    annex: list[AnnexSection] | None = Field(
        None, description="Sections printed in the annex after page 1, in this order, instead "
        "of on page 1 (default: background, quotes, sources; `[]` keeps everything on page 1).",
        examples=[["background", "quotes", "sources"]])
    distribution: Distribution | None = Field(None, description="Who `briefgen email` sends "
                                              "the brief to (to, cc, bcc); not printed.")
