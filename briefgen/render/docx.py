"""A brief as a Word file: the template filled with docxtpl, every field in a content control.

The Word template (templates/brief.docx, or the project's own) holds the styles, the header
and footer with the marking, and the title; docxtpl fills its Jinja fields (autoescaped) and
replaces its `{{p body }}` paragraph with the sections, built here as WordprocessingML in
the page's order: page 1, then the annex. Each field the author wrote sits in a content
control (`w:sdt`) tagged with its key path as `check` prints it (`decisions[0].issue`), so an
edited file can be read back field by field (content/wordfile.py); labels, numbers, names
from person files and portion marks stay outside the controls, locked: the document is
protected so that only the controls can be edited (comments may go anywhere), and the file
records a digest of the locked text, so an import notices a change even when the protection
was switched off. Images are real pictures with their descriptions as alt text. An audience's file is made
from the audience's filtered model, so it cannot hold what the audience may not see; its
controls carry the key paths of the full brief's YAML, so an edit lands where it was written.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import jinja2
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml.ns import qn
from docx.oxml.shape import CT_Inline
from docx.shared import Mm
from docxtpl import DocxTemplate
from lxml import etree
from markupsafe import Markup

from briefgen.content.assets import read_image
from briefgen.content.audiences import rules_of
from briefgen.content.fields import is_markdown_at
from briefgen.content.files import UnsafeFile
from briefgen.content.loader import KeyPath, format_key_path, value_at
from briefgen.content.markings import portion_mark
from briefgen.content.models import Brief, Person
from briefgen.content.schedule import clock_labels
from briefgen.content.validate import ValidatedBrief
from briefgen.content.wordfile import PROPERTY_PREFIX, WP_NS, locked_digests, locked_text
from briefgen.content.wordtext import Paragraph, Span, paragraphs_of
from briefgen.render.html import annex_sections, annex_title, page_one_regions, with_biographies
from briefgen.render.labels import (
    agenda_days,
    event_dates,
    labels_for,
    medium_date,
    point_groups,
    press_labels,
    quote_where,
    role_labels,
    short_date,
    short_names,
    status_labels,
    weekday,
)
from briefgen.render.typography import language_quotes

TEMPLATE_NAME = "brief.docx"
CUSTOM_PROPERTIES_TYPE = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
_PROPERTY_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
PAGE_MM = {"letter": (215.9, 279.4), "a4": (210.0, 297.0)}
# Scripts whose language Word files under eastAsia (the others under val).
_EAST_ASIAN = ("ja", "ko", "zh")
MAX_PICTURE_WIDTH = Mm(120)


@dataclass(frozen=True)
class Provenance:
    """What a Word file records of where it came from (custom document properties)."""

    brief_id: str
    commit: str            # the project's HEAD when the file was made ('' outside git)
    content_sha256: str    # of the brief's YAML as read
    audience: str = ""


@dataclass
class _Body:
    """The sections as WordprocessingML, with the controls written so far."""

    link_id: Callable[[str], str]
    picture: Callable[[bytes, str, str], str]   # (image, path, description) -> a run
    parts: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    plain_tags: list[str] = field(default_factory=list)

    def add(self, xml: str) -> None:
        self.parts.append(xml)


def template_path(templates_dir: Path, project_templates: Path | None) -> Path:
    """The project's own templates/brief.docx when it has one, else the built-in template."""
    own = project_templates / TEMPLATE_NAME if project_templates else None
    return own if own is not None and own.is_file() else templates_dir / TEMPLATE_NAME


def render_docx(validated: ValidatedBrief, template: Path, provenance: Provenance) -> bytes:
    """The brief (or an audience's version of it) as a .docx file's bytes."""
    document = DocxTemplate(str(template))
    document.init_docx()
    body = _Body(document.build_url_id, lambda image, reference, description: _picture(
        document.docx.part, image, reference, description))
    writer = _Writer(validated, body)
    writer.write()
    brief = validated.brief
    context = {
        "banner": brief.classification or "",
        "footer_note": _footer_note(validated),
        "title": writer.quotes.curl(brief.title, " "),
        "subtitle": writer.quotes.curl(brief.subtitle or "", " "),
        "body": Markup("".join(body.parts)),
    }
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    document.render(context, jinja_env=environment)
    docx = document.docx  # get_docx() would load the template again
    if validated.house is not None and validated.house.word_template is not None:
        take_styles(docx, validated.house.word_template)
    width, height = PAGE_MM[brief.paper]
    for section in docx.sections:
        section.page_width, section.page_height = Mm(width), Mm(height)
    docx.core_properties.title = brief.title
    docx.core_properties.author = brief.prepared_by
    tags = ["title", *(["subtitle"] if brief.subtitle else []), *body.tags]
    _lock_all_but_the_fields(docx)
    pages = {part.partname.lstrip("/"): part.element for part in docx.part.package.iter_parts()
             if part.partname.startswith(("/word/header", "/word/footer"))}
    _add_custom_properties(docx, {
        "brief_id": provenance.brief_id, "audience": provenance.audience, "commit": provenance.commit,
        "content_sha256": provenance.content_sha256, "fields": ",".join(tags),
        "quotes": validated.lang,     # the language whose quotes the fields are set in
        "plain_fields": ",".join(["title", "subtitle", *body.plain_tags]),
        "locked": locked_digests(locked_text(docx.element.body, pages)),
    })
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def content_hash(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _lock_all_but_the_fields(docx: Any) -> None:
    """Protect the document so that only the field controls can be edited (Word's "Comments"
    restriction: comments anywhere, edits only in the regions open to everyone), and lock each
    field's control against deletion. Track Changes stays on inside the fields."""
    body = docx.element.body
    region = 0
    for sdt in body.iter(qn("w:sdt")):
        tag = sdt.find(f"{qn('w:sdtPr')}/{qn('w:tag')}")
        content = sdt.find(qn("w:sdtContent"))
        if tag is None or content is None or tag.get(qn("w:val"), "").startswith("cite:"):
            continue
        tag.addnext(etree.Element(qn("w:lock"), {qn("w:val"): "sdtLocked"}))
        region += 1
        content.insert(0, etree.Element(qn("w:permStart"), {qn("w:id"): str(region), qn("w:edGrp"): "everyone"}))
        content.append(etree.Element(qn("w:permEnd"), {qn("w:id"): str(region)}))
    settings = docx.settings.element
    for old in settings.findall(qn("w:documentProtection")):
        settings.remove(old)
    protection = etree.Element(qn("w:documentProtection"), {qn("w:edit"): "comments", qn("w:enforcement"): "1"})
    # its place in the settings' sequence: after trackRevisions, before defaultTabStop
    before = settings.find(qn("w:defaultTabStop"))
    after = settings.find(qn("w:trackRevisions"))
    if after is not None:
        after.addnext(protection)
    elif before is not None:
        before.addprevious(protection)
    else:
        settings.append(protection)


def _footer_note(validated: ValidatedBrief) -> str:
    brief, lang = validated.brief, validated.lang
    words = labels_for(validated.house, lang)
    version = words["version_for"].format(name=validated.audience.name) + " · " if validated.audience else ""
    return (version + words["prepared_by"].format(office=brief.prepared_by) + " · "
            + words["facts_as_of"].format(date=medium_date(brief.as_of, lang)))


def _add_custom_properties(docx: Any, values: dict[str, str]) -> None:
    """docProps/custom.xml with `briefgen.<name>` text properties (python-docx has no API for it)."""
    rows = "".join(
        f'<property fmtid="{_PROPERTY_FMTID}" pid="{pid}" name={quoteattr(PROPERTY_PREFIX + name)}>'
        f"<vt:lpwstr>{escape(value)}</vt:lpwstr></property>"
        for pid, (name, value) in enumerate(values.items(), start=2))
    xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
           'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
           f"{rows}</Properties>")
    package = docx.part.package
    part = Part(PackURI("/docProps/custom.xml"), CUSTOM_PROPERTIES_TYPE, xml.encode(), package)
    package.relate_to(part, RELATIONSHIP_TYPE.CUSTOM_PROPERTIES)


class _Writer:
    """Writes a brief's sections, in the page's order, into a _Body."""

    def __init__(self, validated: ValidatedBrief, body: _Body):
        self.validated, self.body = validated, body
        self.brief: Brief = validated.brief
        self.people: dict[str, Person] = validated.people
        self.data = validated.document.data if isinstance(validated.document.data, dict) else {}
        self.lang = validated.lang
        self.labels = labels_for(validated.house, self.lang)   # the house's wording, in the brief's language
        self.roles, self.statuses = role_labels(self.labels), status_labels(self.labels)
        self.presses = press_labels(self.labels)
        self.numbers = {s.id: n for n, s in enumerate(self.brief.sources, start=1)}
        self.quotes = language_quotes(validated.lang)   # the fields' quotes, set as on the page
        rules = rules_of(self.brief)
        self.mark: Callable[[str | None], str] = (
            (lambda marking: portion_mark(rules.of(marking), rules.scheme) + " ")
            if rules is not None and rules.portion_marks else (lambda marking: ""))

    # --- key paths: the full brief's, also in an audience's version -------------------------

    def item_path(self, section: str, item: Any, *keys: str | int) -> KeyPath:
        """The key path of `item` of `section` in the YAML (its index in the full brief's list)."""
        listed = value_at(self.data, (section,))
        index = self._index_in_yaml(section, item)
        if keys == ("text",) and isinstance(listed, list) and isinstance(value_at(listed, (index,)), str):
            return (section, index)  # an item written as plain text
        return (section, index, *keys)

    def _index_in_yaml(self, section: str, item: Any) -> int:
        """Items of an audience's version are the full brief's own objects (content/audiences.py filters,
        never copies), so they are found by identity among the full brief's."""
        full = self.validated.full_brief if self.validated.full_brief is not None else self.brief
        for index, candidate in enumerate(getattr(full, section) or ()):
            if candidate is item:
                return index
        return next(i for i, c in enumerate(getattr(self.brief, section) or ()) if c is item)

    # --- building blocks ----------------------------------------------------------------

    def label(self, key_or_words: str) -> str:
        """A run-in label in bold with the language's colon ('Issue: ', 'Question\u00a0: ')."""
        words = self.labels.get(key_or_words, key_or_words)
        return _run(words + self.labels["colon"], bold=True)

    def heads(self, *keys: str) -> list[str]:
        """A table's heads, in bold, in the brief's language."""
        return [_run(self.labels[key], bold=True) for key in keys]

    def heading(self, text: str, level: int = 1) -> None:
        self.body.add(_paragraph(_run(text), style=f"Heading{level}"))

    def runs(self, spans: Sequence[Span]) -> str:
        out = []
        for span in spans:
            if span.cite is not None:
                out.append(_citation(span.cite, self.numbers.get(span.cite)))
            elif span.link is not None:
                out.append(f'<w:hyperlink r:id="{self.body.link_id(span.link)}">'
                           f"{_run(span.text, bold=span.bold, italic=span.italic, style='Hyperlink')}"
                           "</w:hyperlink>")
            elif span.image is not None:
                out.append(self.picture(span.image, span.text))
            else:
                out.append(_run(span.text, bold=span.bold, italic=span.italic))
        return "".join(out)

    def picture(self, reference: str, description: str) -> str:
        """An image of the content's assets/ as a picture, read as the page reads it (checked at
        validation; read through no link, capped in size)."""
        try:
            image = read_image(self.validated.path.resolve().parent, reference)
        except (UnsafeFile, OSError):
            return _run(f"[image: {description}]", italic=True)
        return self.body.picture(image, reference, description)

    def field_runs(self, key_path: KeyPath, value: str | None) -> str:
        """An inline control holding a one-paragraph field (Markdown or not, as the model says)."""
        markdown = is_markdown_at(Brief, key_path)
        tag = self._tag(key_path, markdown)
        paragraphs = paragraphs_of(value, markdown_field=markdown, quotes=self.quotes)
        inner = " ".join(self.runs(p.spans) for p in paragraphs) or _run("")
        return _control(tag, inner)

    def field_block(self, key_path: KeyPath, value: str | None, *, prefix: str = "",
                    style: str | None = None) -> None:
        """A control around whole paragraphs (a Markdown field of one or more paragraphs);
        `prefix` (a portion mark, a label) goes before it, outside the control."""
        tag = self._tag(key_path, True)
        paragraphs = paragraphs_of(value, quotes=self.quotes) or [Paragraph((Span(""),))]
        if len(paragraphs) == 1 and not paragraphs[0].list_kind:
            self.body.add(_paragraph(_run(prefix) + _control(tag, self.runs(paragraphs[0].spans)), style=style))
            return
        if prefix:
            self.body.add(_paragraph(_run(prefix), style=style))
        inner = "".join(_paragraph(self.runs(p.spans), style="ListBullet" if p.list_kind else style)
                        for p in paragraphs)
        self.body.add(_control(tag, inner))

    def _tag(self, key_path: KeyPath, markdown: bool) -> str:
        tag = format_key_path(key_path)
        self.body.tags.append(tag)
        if not markdown:
            self.body.plain_tags.append(tag)
        return tag

    def cite(self, source_ids: Sequence[str]) -> str:
        numbers = sorted({self.numbers[s] for s in source_ids if s in self.numbers})
        return _run(" [" + ",".join(map(str, numbers)) + "]", superscript=True) if numbers else ""

    # --- sections -------------------------------------------------------------------------

    def write(self) -> None:
        brief = self.brief
        if brief.bottom_line:
            self.heading(self.labels["bottom_line"])
            self.field_block(("bottom_line",), brief.bottom_line, prefix=self.mark(None))
        self._event()
        self._objectives()
        self._decisions()
        self._participants()
        annex = annex_sections(brief, self.people)
        regions = page_one_regions(brief, self.people, annex)
        for name in (*regions["full"], *regions["lower"], *regions["bottom"]):
            getattr(self, f"_{name}")()
        if annex:
            self.body.add('<w:p><w:r><w:br w:type="page"/></w:r></w:p>')
            self.heading(annex_title(annex, self.lang))
            for name in annex:
                getattr(self, f"_{name}")()

    def _event(self) -> None:
        event = self.brief.event
        host = self.people[event.host].name if event.host else ""
        words = self.labels
        rows = [(words["date"], _run(event_dates(event, lang=self.lang)) + self.cite(event.sources)),
                (words["place"], self.field_runs(("event", "location"), event.location))]
        if host:
            rows.append((words["host"], _run(host)))
        rows.append((words["as_of"], _run(medium_date(self.brief.as_of, self.lang))))
        for label, content in rows:
            self.body.add(_paragraph(self.label(label) + content))
        self.heading(self.labels["purpose"], 2)
        self.field_block(("event", "purpose"), event.purpose)

    def _objectives(self) -> None:
        if not self.brief.objectives:
            return
        self.heading(self.labels["objectives"])
        for number, item in enumerate(self.brief.objectives, start=1):
            self.body.add(_paragraph(_run(f"{number}. {self.mark(item.marking)}")
                                     + self.field_runs(self.item_path("objectives", item, "text"), item.text)
                                     + self.cite(item.sources)))

    def _decisions(self) -> None:
        if not self.brief.decisions:
            return
        self.heading(self.labels["decisions"])
        for item in self.brief.decisions:
            self.body.add(_paragraph(self.label("docx_issue") + _run(self.mark(item.marking))
                                     + self.field_runs(self.item_path("decisions", item, "issue"), item.issue)
                                     + self.cite(item.sources)))
            self.body.add(_paragraph(self.label("recommendation") + self.field_runs(
                self.item_path("decisions", item, "recommendation"), item.recommendation)))
            options = [_run("☐ ") + self.field_runs(self.item_path("decisions", item, "options", i), option)
                       + _run("   ")
                       for i, option in enumerate(item.options)]
            self.body.add(_paragraph("".join(options)))
            if item.due:
                reason = (_run(" (") + self.field_runs(self.item_path("decisions", item, "due_reason"),
                                                       item.due_reason) + _run(")")
                          if item.due_reason else "")
                self.body.add(_paragraph(_run(self.labels["needed_by"].format(date=medium_date(item.due, self.lang)))
                                         + reason))

    def _participants(self) -> None:
        self.heading(self.labels["participants"])
        rows = [self.heads("docx_name", "docx_title", "docx_role", "docx_note")]
        for participant in self.brief.participants:
            person = self.people[participant.person]
            name = _run(person.name)
            if person.native_name:
                name += _run(" ") + _run(person.native_name, lang=person.lang)
            note = ""
            if participant.note:
                note = _run(self.mark(participant.marking)) + self.field_runs(
                    self.item_path("participants", participant, "note"), participant.note)
            rows.append([name, _run(person.title),
                         _run(self.roles[participant.role.value if participant.role else None]), note])
        self.body.add(_table(rows, (26, 30, 14, 30)))

    def _biographies(self) -> None:
        """The participants' bios, from their person files: not the brief's fields, so
        outside every control (edited in the person file, not through this brief)."""
        self.heading(self.labels["biographies"])
        for participant in with_biographies(self.brief, self.people):
            person = self.people[participant.person]
            self.body.add(_paragraph(_run(person.name, bold=True) + _run(f", {person.title}")))
            for paragraph in paragraphs_of(person.bio):
                self.body.add(_paragraph(self.runs(paragraph.spans)))

    def _deliverables(self) -> None:
        self.heading(self.labels["deliverables"])
        rows = [self.heads("deliverable", "status", "docx_summary", "owners")]
        for item in self.brief.deliverables:
            summary = self.field_runs(self.item_path("deliverables", item, "summary"), item.summary)
            if item.caveats:
                summary += _run(" ") + self.label("caveat") + self.field_runs(
                    self.item_path("deliverables", item, "caveats"), item.caveats)
            rows.append([_run(self.mark(item.marking)) + self.field_runs(
                             self.item_path("deliverables", item, "title"), item.title)
                         + self.cite(item.sources),
                         _run(self.statuses[item.status.value]), summary,
                         _run(short_names(item.owners, self.people, self.lang))])
        self.body.add(_table(rows, (24, 11, 47, 18)))

    def _key_messages(self) -> None:
        self.heading(self.labels["key_messages"])
        for item in self.brief.key_messages:
            self.body.add(_paragraph(_run(self.mark(item.marking))
                                     + self.field_runs(self.item_path("key_messages", item, "text"), item.text)
                                     + self.cite(item.sources), style="ListBullet"))

    def _points(self) -> None:
        self.heading(self.labels["points"])
        for to, points in point_groups(self.brief.points):
            if to:
                self.heading(f"To {self.people[to].name}, {self.people[to].title}", 2)
            for item in points:
                self.body.add(_paragraph(_run(self.mark(item.marking))
                                         + self.field_runs(self.item_path("points", item, "text"), item.text)
                                         + self.cite(item.sources), style="ListBullet"))

    def _if_raised(self) -> None:
        self.heading(self.labels["if_raised"])
        for item in self.brief.if_raised:
            self.body.add(_paragraph(self.label("docx_question") + _run(self.mark(item.marking)) + self.field_runs(
                self.item_path("if_raised", item, "question"), item.question)))
            self.body.add(_paragraph(self.label("line") + self.field_runs(
                self.item_path("if_raised", item, "answer"), item.answer) + self.cite(item.sources)))

    def _press_line(self) -> None:
        press = self.brief.press_line
        assert press is not None
        self.heading(self.labels["press_line"])
        # the press line has no marking of its own: it carries the brief's default mark
        self.body.add(_paragraph(_run(self.mark(None)) + self.field_runs(("press_line", "public"), press.public)
                                 + self.cite(press.sources)))
        if press.defensive:
            self.body.add(_paragraph(self.label("if_pressed") + _run(self.mark(None))
                                     + self.field_runs(("press_line", "defensive"), press.defensive)))

    def _sensitivities(self) -> None:
        self.heading(self.labels["sensitivities"])
        for item in self.brief.sensitivities:
            text = _run(self.mark(item.marking)) + self.field_runs(
                self.item_path("sensitivities", item, "topic"), item.topic)
            text += self.cite(item.sources) + _run(self.labels["colon"])
            if item.context:
                text += self.field_runs(self.item_path("sensitivities", item, "context"), item.context)
                text += _run(" ")
            text += self.label("line") + self.field_runs(
                self.item_path("sensitivities", item, "guidance"), item.guidance)
            self.body.add(_paragraph(text, style="ListBullet"))

    def _background(self) -> None:
        paragraphs = self.brief.background or []
        self.heading(self.labels["background"])
        if isinstance(value_at(self.data, ("background",)), str) and self.validated.audience is None:
            self.field_block(("background",), value_at(self.data, ("background",)))
            return
        for item in paragraphs:
            self.field_block(self.item_path("background", item, "text"), item.text,
                             prefix=self.mark(item.marking))

    def _agenda(self) -> None:
        brief = self.brief
        self.heading(self.labels["agenda"])
        rows = [self.heads("docx_when", "docx_item", "docx_with")]
        for item, day in agenda_days(brief):
            local, home = clock_labels(day, item, brief.event.timezone, brief.home_timezone,
                                       lambda home_day: weekday(home_day, self.lang))
            when = " ".join(filter(None, [short_date(item.date, self.lang) if item.date else "", local]))
            when += f" ({self.labels['home_time'].format(time=home)})" if home else ""
            what = _run(self.mark(item.marking)) + self.field_runs(
                self.item_path("agenda", item, "title"), item.title) + self.cite(item.sources)
            if item.note:
                what += _run(" (") + self.field_runs(self.item_path("agenda", item, "note"), item.note) + _run(")")
            if item.location:
                what += _run(" · ") + self.field_runs(self.item_path("agenda", item, "location"),
                                                      item.location)
            scenario = [item.duration or "",
                        self.presses[item.press.value] if item.press else "",
                        self.labels["lead"] + self.labels["colon"] + short_names([item.lead], self.people)
                        if item.lead else ""]
            if any(scenario):
                what += _run(" · " + " · ".join(filter(None, scenario)))
            rows.append([_run(when), what, _run(short_names(item.participants, self.people, self.lang))])
        self.body.add(_table(rows, (20, 58, 22)))

    def _quotes(self) -> None:
        self.heading(self.labels["quotes"])
        for item in self.brief.quotes:
            speaker = self.people[item.by]
            opening, closing = self.labels["quote_open"], self.labels["quote_close"]
            self.body.add(_paragraph(_run(self.mark(item.marking) + opening) + self.field_runs(
                self.item_path("quotes", item, "text"), item.text) + _run(closing), style="Quote"))
            where = quote_where(item, self.lang)
            self.body.add(_paragraph(_run(f"— {speaker.name}, {speaker.title}" + (f"; {where}" if where else ""))
                                     + self.cite([item.source] if item.source else [])))

    def _sources(self) -> None:
        self.heading(self.labels["sources"])
        for number, source in enumerate(self.brief.sources, start=1):
            text = _run(f"[{number}] ") + self.field_runs(self.item_path("sources", source, "title"),
                                                          source.title)
            if source.publisher:
                text += _run(", ") + self.field_runs(self.item_path("sources", source, "publisher"),
                                                     source.publisher)
            if source.date:
                text += _run(f", {medium_date(source.date, self.lang)}")
            text += _run(".")
            if source.note:
                text += _run(" ") + self.field_runs(self.item_path("sources", source, "note"), source.note)
            if source.url:
                text += _run(" ") + (f'<w:hyperlink r:id="{self.body.link_id(source.url)}">'
                                     f"{_run(source.url, style='Hyperlink')}</w:hyperlink>")
            self.body.add(_paragraph(text))


# --- WordprocessingML -----------------------------------------------------------------------

def _run(text: str, *, bold: bool = False, italic: bool = False, superscript: bool = False,
         style: str | None = None, lang: str | None = None) -> str:
    if not text:
        return ""
    props = []
    if style:
        props.append(f'<w:rStyle w:val="{style}"/>')
    if lang and lang.split("-")[0].lower() in _EAST_ASIAN:
        props.append('<w:rFonts w:hint="eastAsia"/>')
    if bold:
        props.append("<w:b/>")
    if italic:
        props.append("<w:i/>")
    if superscript:
        props.append('<w:vertAlign w:val="superscript"/>')
    if lang:
        kind = "w:eastAsia" if lang.split("-")[0].lower() in _EAST_ASIAN else "w:val"
        props.append(f"<w:lang {kind}={quoteattr(lang)}/>")
    rpr = f"<w:rPr>{''.join(props)}</w:rPr>" if props else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{escape(text)}</w:t></w:r>'


def _paragraph(content: str, *, style: str | None = None) -> str:
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f"<w:p>{ppr}{content}</w:p>"


def _control(tag: str, content: str) -> str:
    """A content control tagged with a key path (inline, or around paragraphs); its title
    (alias) says the same to the editor."""
    return (f"<w:sdt><w:sdtPr><w:alias w:val={quoteattr(tag)}/><w:tag w:val={quoteattr(tag)}/>"
            f"</w:sdtPr><w:sdtContent>{content}</w:sdtContent></w:sdt>")


def _picture(part: Any, image: bytes, reference: str, description: str) -> str:
    """A run holding an inline picture at its own size (no wider than MAX_PICTURE_WIDTH), its
    description as the alt text (`descr`), its path in the assets as its name (read back by
    content/wordfile.py)."""
    rid, picture = part.get_or_add_image(io.BytesIO(image))
    width, height = picture.scaled_dimensions(None, None)
    if width > MAX_PICTURE_WIDTH:
        width, height = picture.scaled_dimensions(MAX_PICTURE_WIDTH, None)
    inline = CT_Inline.new_pic_inline(part.next_id, rid, Path(reference).name, width, height)
    doc_pr = inline.find(f"{{{WP_NS}}}docPr")
    doc_pr.set("name", reference)
    doc_pr.set("descr", description)
    return f"<w:r><w:drawing>{etree.tostring(inline, encoding='unicode')}</w:drawing></w:r>"


def _citation(source_id: str, number: int | None) -> str:
    """`[@id]` as a locked control showing the source's number: it reads back as `[@id]`."""
    shown = f"[{number}]" if number else f"[@{source_id}]"
    tag = quoteattr(f"cite:{source_id}")
    return (f'<w:sdt><w:sdtPr><w:alias w:val="citation"/><w:tag w:val={tag}/>'
            '<w:lock w:val="sdtContentLocked"/></w:sdtPr>'
            f"<w:sdtContent>{_run(shown, superscript=True)}</w:sdtContent></w:sdt>")


def _table(rows: list[list[str]], shares: Sequence[int]) -> str:
    """A table whose first row repeats as a header row on every page; `shares` are the
    columns' widths in percent of the text's width."""
    grid = "".join(f'<w:gridCol w:w="{share * 100}"/>' for share in shares)
    out = [f'<w:tbl><w:tblPr><w:tblStyle w:val="TableGrid"/><w:tblW w:w="5000" w:type="pct"/></w:tblPr>'
           f"<w:tblGrid>{grid}</w:tblGrid>"]
    for number, cells in enumerate(rows):
        header = "<w:trPr><w:tblHeader/></w:trPr>" if number == 0 else ""
        out.append(f"<w:tr>{header}" + "".join(
            f'<w:tc><w:tcPr><w:tcW w:w="{share * 50}" w:type="pct"/></w:tcPr>{_paragraph(cell)}</w:tc>'
            for cell, share in zip(cells, shares, strict=True)) + "</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)



def take_styles(docx: Any, house_template: Path) -> None:
    """The house's Word styles in place of the template's: its defaults (font, size), each
    style it defines by id (Normal, Title, Heading1, ListBullet, Quote...), and its theme,
    whose fonts its styles may name. The template's other styles, its header and footer
    with their fields, and the protection stay briefgen's, so the file round-trips."""
    from copy import deepcopy

    from docx import Document
    from docx.opc.constants import RELATIONSHIP_TYPE as RT

    house = Document(str(house_template))
    ours, theirs = docx.styles.element, house.styles.element
    defaults = theirs.find(qn("w:docDefaults"))
    if defaults is not None:
        for old in ours.findall(qn("w:docDefaults")):
            ours.remove(old)
        ours.insert(0, deepcopy(defaults))
    existing = {style.get(qn("w:styleId")): style for style in ours.findall(qn("w:style"))}
    for style in theirs.findall(qn("w:style")):
        copy = deepcopy(style)
        replaced = existing.get(style.get(qn("w:styleId")))
        if replaced is not None:
            replaced.addprevious(copy)
            ours.remove(replaced)
        else:
            ours.append(copy)
    try:
        theme, house_theme = docx.part.part_related_by(RT.THEME), house.part.part_related_by(RT.THEME)
    except KeyError:
        return
    theme._blob = house_theme.blob   # a theme is a plain part in python-docx: its bytes are its content
