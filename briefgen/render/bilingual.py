"""Two languages in one document: a brief and its edition side by side, or back to back
(issue 27, point 3).

Each language's sections are the one-pager's own macros over that language's view
(render/html.py), rendered here once per language; the bilingual template only pairs them,
the brief's language first. The second language's anchors get its tag as a suffix, so the
page has each anchor once and each citation still leads to its own language's source.
Page 1 is laid out and checked as any page 1 (render/fit.py, render/pdf.py), so its rules
(fit, the type floor, the bottom line's lines) hold for each language.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from markupsafe import Markup

from briefgen.content.validate import ValidatedBrief
from briefgen.project import TEMPLATES_DIR
from briefgen.render.html import (
    TEMPLATE_NAME,
    brief_view,
    house_dirs,
    mark_placeholders,
    quote_marks,
    template_environment,
)
from briefgen.render.labels import View
from briefgen.render.typography import curl_quotes_in_html

BILINGUAL_TEMPLATE = "bilingual.html.j2"
SECTIONS_TEMPLATE = "briefing-sections.html.j2"
FIRST_READ = ("bottom_line", "objectives", "decisions")    # the briefing macros page 1 opens with
_ANCHOR = re.compile(r'\b(id|href|name)="(#?)([^"#]+)"')   # a decision's check box too


def render_side_by_side(first: ValidatedBrief, second: ValidatedBrief,
                        templates_dir: Path = TEMPLATES_DIR) -> str:
    """The brief (`first`) and its edition (`second`) as one HTML page, section beside section."""
    if not (templates_dir / BILINGUAL_TEMPLATE).is_file():
        templates_dir = TEMPLATES_DIR     # a project's own templates may predate it
    environment = template_environment(templates_dir, house_dirs(first))
    views = [{**brief_view(version), "revision": ""} for version in (first, second)]
    page_one = views[0]["page_one"]
    page_one_names = [*page_one["full"], *page_one["lower"], *page_one["left"], *page_one["right"],
                      *page_one["bottom"]]
    wanted = {*page_one_names, *views[0]["annex"]["sections"]}
    columns = [_sections(environment, view, suffix, wanted) for view, suffix in zip(views, ("", second.lang),
                                                                                      strict=True)]
    html = environment.get_template(BILINGUAL_TEMPLATE).render(
        briefs=views,
        bottom_line=[[column[name] for column in columns] for name in FIRST_READ[:1] if views[0][name]],
        first_read=[[column[name] for column in columns] for name in FIRST_READ[1:] if views[0][name]],
        page_one=[[column[name] for column in columns] for name in page_one_names],
        annex=[[column[name] for column in columns] for name in views[0]["annex"]["sections"]])
    return mark_placeholders(html)


def _sections(environment: object, view: View, suffix: str, wanted: set[str]) -> dict[str, Markup]:
    """Every section of one language's page as HTML, its anchors (and its check boxes' names)
    suffixed with `suffix`, its quotes curled in the language's marks."""
    get_template = environment.get_template  # type: ignore[attr-defined]
    page = get_template(TEMPLATE_NAME).make_module({"brief": view})
    briefing = get_template(SECTIONS_TEMPLATE).make_module()
    rendered = {name: str(macro()) for name, macro in page.section.items() if name in wanted}
    rendered |= {name: str(getattr(briefing, name)(view)) for name in FIRST_READ}
    marks = quote_marks(view["labels"])
    return {name: Markup(curl_quotes_in_html(_suffixed(html, suffix), marks)) for name, html in rendered.items()}


def _suffixed(html: str, suffix: str) -> str:
    """`id="x"`, `name="x"` and `href="#x"` made `id="x-fr"`, `name="x-fr"` and `href="#x-fr"`
    (nothing without a suffix)."""
    if not suffix:
        return html
    return _ANCHOR.sub(lambda found: found.group(0) if found.group(1) == "href" and not found.group(2)
                       else f'{found.group(1)}="{found.group(2)}{found.group(3)}-{suffix}"', html)


def back_to_back(first_pdf: bytes, second_pdf: bytes) -> bytes:
    """Tête-bêche: the first language's pages, then the second's in reverse order and upside
    down, so that the document turned over reads in the second language from its own cover."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    writer.append(PdfReader(io.BytesIO(first_pdf)))     # with its outline: a book's contents stay
    for page in reversed(PdfReader(io.BytesIO(second_pdf)).pages):
        writer.add_page(page).rotate(180)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
