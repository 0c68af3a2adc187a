"""Briefs in the principal's language (issue 27): the catalogues of briefgen's words, labels
and dates in the brief's language read back from the PDF, translated editions that know when
they fall behind, bilingual layouts, and right-to-left names."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import string
import subprocess
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from briefgen.content.languages import CATALOGUES_DIR, catalogue, catalogue_tag, languages
from briefgen.render.labels import date_range, labels_for, long_date, medium_date
from tests.conftest import BOOK, BOOK_BRIEFS, SAMPLE_ID, copy_sample, copy_trip, edit, git, run_cli
from tests.pdf_utils import pdf_text

SHIPPED = {"en", "fr", "es", "de", "pt", "ja", "ko", "zh-Hans"}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


# --- the catalogues ----------------------------------------------------------------------------

def test_every_issue_language_ships() -> None:
    assert set(languages()) >= SHIPPED


@pytest.mark.parametrize("path", sorted(CATALOGUES_DIR.glob("*.yaml")), ids=lambda path: path.stem)
def test_every_catalogue_is_complete(path: Path) -> None:
    """Adding a language is adding one file: it must word every key English has, with the
    same {placeholders}, and nothing English lacks (a typo'd key would never be printed)."""
    english = catalogue("en")
    words = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert set(words) == set(english), (set(english) - set(words), set(words) - set(english))
    for key, text in words.items():
        assert isinstance(text, str), key
        assert text, key
        assert placeholders(text) == placeholders(english[key]), key


def test_a_region_or_script_prints_with_its_language() -> None:
    assert catalogue_tag("fr-CA") == "fr"
    assert catalogue_tag("zh") == "zh-Hans"
    assert catalogue_tag("zh-Hant") is None
    assert catalogue_tag("tlh") is None


def test_a_house_rewords_a_label_over_the_language_catalogue(project: Path) -> None:
    """One lookup: the house's [labels.fr] laid over the French catalogue."""
    class House:
        def label(self, key: str, default: str, lang: str = "en") -> str:
            return {"fr": {"bottom_line": "En bref"}}.get(lang, {}).get(key, default)
    words = labels_for(House(), "fr")  # type: ignore[arg-type]
    assert words["bottom_line"] == "En bref"
    assert words["key_messages"] == "Messages clés"
    assert labels_for(House(), "en")["bottom_line"] == "Bottom line"


def test_dates_follow_the_language() -> None:
    day = dt.date(2023, 11, 15)
    assert medium_date(day, "fr") == "15 novembre 2023"
    assert medium_date(day, "ja") == "2023年11月15日"
    assert long_date(day, "de") == "Mittwoch, 15. November 2023"
    assert medium_date(day) == "November 15, 2023"          # English as briefgen always printed it
    assert date_range(day, dt.date(2023, 11, 17), "fr") == "15–17 novembre 2023"
    assert date_range(day, dt.date(2023, 11, 17), "ja") == "2023年11月15日～17日"
    assert date_range(day, dt.date(2023, 11, 17)) == "November 15–17, 2023"


def test_a_language_without_a_catalogue_is_an_error_at_its_line(brief_file: Path) -> None:
    edit(brief_file, "title:", "lang: tlh\ntitle:")
    result = run_cli("check", "--root", brief_file.parent.parent)
    assert result.code != 0
    assert re.search(r"camp-david-2023\.yaml:\d+:\d+: error: .*'tlh' has no catalogue", result.err), result.err


# --- the sample in French and Japanese, read back from the PDF --------------------------------

def build_in(brief_file: Path, lang: str) -> str:
    edit(brief_file, "title:", f"lang: {lang}\ntitle:")
    result = run_cli("build", "--root", brief_file.parent.parent)
    assert result.code == 0, result.err
    return pdf_text(brief_file.parent.parent / "output" / f"{SAMPLE_ID}.pdf").replace("\n", " ")   # side heads wrap


def test_the_sample_in_french(brief_file: Path) -> None:
    text = build_in(brief_file, "fr")
    for label in ("L’essentiel", "Participants", "Résultats attendus", "Objet", "À jour au",
                  "Annexe A", "Citations",
                  "Note pour un sommet", "Annexe A, page 2", "Page 1 sur 3",   # the page's furniture
                  "(chef de délégation)"):                                    # Kishida's role
        assert label.casefold() in text.casefold(), label   # headings may be set in capitals
    assert "vendredi 18 août 2023" in text                     # the event's day
    assert re.search(r"Faits à jour au \d+ \w+ 2023", text)   # the colophon's date
    assert "«\u202f" in text
    assert "\u202f»" in text
    assert "“" not in text      # Markdown fields too (before: “…” from Markdown's own pass)
    assert "”" not in text
    for english in ("Bottom line", "Expected deliverables", "As of", "Prepared by", "August"):
        assert english.casefold() not in text.casefold(), english


def test_a_role_within_a_line_is_written_as_the_language_writes_it(brief_file: Path) -> None:
    """German capitalises its nouns: 'Biden (Gastgeber)', never '(gastgeber)'."""
    text = build_in(brief_file, "de")
    assert "(Gastgeber)" in text
    assert "(gastgeber)" not in text


def test_a_straight_quote_is_curled_in_the_language_s_marks() -> None:
    from briefgen.render.typography import curl_quotes_in_html

    page = '<p>Il a dit "oui" et l\'a signé.</p><style>a[title="x"] {}</style>'
    assert curl_quotes_in_html(page, ("«\u202f", "\u202f»")) == (
        '<p>Il a dit «\u202foui\u202f» et l’a signé.</p><style>a[title="x"] {}</style>')
    assert curl_quotes_in_html('<p>"ja"</p>', ("„", "“")) == "<p>„ja“</p>"
    assert curl_quotes_in_html('<p>"yes"</p>') == "<p>“yes”</p>"


def test_a_quote_typed_straight_between_japanese_words_opens_and_closes(brief_file: Path) -> None:
    """Japanese has no space before a quotation: after a kanji a straight quote opens unless one
    is open (before: '大統領は」歴史的」と', two closing marks)."""
    from briefgen.render.typography import curl_quotes, curl_quotes_in_html

    marks = ("「", "」")
    assert curl_quotes('大統領は"歴史的"と述べた', " ", marks) == "大統領は「歴史的」と述べた"
    assert curl_quotes_in_html('<p>首相は"<b>新時代</b>"と</p><p>"次"</p>', marks) == (
        "<p>首相は「<b>新時代</b>」と</p><p>「次」</p>")
    edit(brief_file, "bottom_line: >-\n", 'bottom_line: >-\n  首脳は"歴史的"な会談と述べた。\n')
    text = build_in(brief_file, "ja")
    assert "首脳は「歴史的」な会談と述べた" in text.replace(" ", "")


def test_the_sample_in_japanese(brief_file: Path) -> None:
    text = build_in(brief_file, "ja")
    for label in ("要点", "出席者", "想定される成果", "目的", "時点", "別添A"):
        assert label in text, label
    assert "2023年8月18日" in text
    assert "「" in text
    assert "」" in text
    assert "Biden、Kishida、Yoon" in text                     # a list joined the Japanese way
    for english in ("Bottom line", "Participants", "As of", "August"):
        assert english not in text, english


def test_a_book_in_french_and_its_calendar(tmp_path: Path) -> None:
    """The book's own pages and its calendar follow the book's `lang`."""
    root = copy_trip(tmp_path)
    edit(root / "content" / "books" / f"{BOOK}.yaml", "briefs:", "lang: fr\nbriefs:")
    result = run_cli("book", "--root", root, BOOK)
    assert result.code == 0, result.err
    text = pdf_text(root / "output" / f"{BOOK}.pdf")
    for words in ("Dossier de mission", "Sommaire", "Programme d’ensemble", "Heure locale", "mai 2023",
                  "nom de famille en premier"):
        assert words.casefold() in text.casefold(), words
    assert "Schedule at a glance".casefold() not in text.casefold()
    assert "family name first" not in text
    from icalendar import Calendar

    calendar = Calendar.from_ical((root / "output" / f"{BOOK}.ics").read_bytes())
    descriptions = [str(event["description"]) for event in calendar.walk("VEVENT")]
    assert any("Avec\xa0: Biden" in description for description in descriptions), descriptions


# --- translated editions ---------------------------------------------------------------------

EDITIONS = Path(__file__).parent / "editions"       # the Camp David sample translated whole, fr and ja


def test_the_sample_translated_whole_builds_in_french_japanese_and_side_by_side(brief_file: Path) -> None:
    """Every field of the sample translated (tests/editions): check passes it strictly, and
    each edition's page 1, and the side-by-side page 1 with both languages, fits its page."""
    for lang in ("fr", "ja"):
        shutil.copy(EDITIONS / f"{SAMPLE_ID}.{lang}.yaml", brief_file.with_name(f"{SAMPLE_ID}.{lang}.yaml"))
    edit(brief_file, "title:", "editions: [fr, ja]\nbilingual: side-by-side\ntitle:")
    # Two languages side by side take more room: the office moves what the principal needs
    # least to the annex, as check's overflow message proposes.
    edit(brief_file, "annex: [agenda, deliverables, background, quotes, sources]",
         "annex: [agenda, deliverables, background, quotes, sources, if_raised]")
    root = brief_file.parent.parent
    checked = run_cli("check", "--strict", "--root", root)
    assert (checked.code, checked.err) == (0, "")
    built = run_cli("build", "--root", root)
    assert built.code == 0, built.err
    output = root / "output"
    def page_one(name: str) -> str:
        return PdfReader(output / name).pages[0].extract_text()

    french = page_one(f"{SAMPLE_ID}.fr.pdf")
    assert "Sommet de Camp David" in french
    assert "NOTE POUR UN SOMMET POUR LE PRÉSIDENT" in french.upper()
    japanese = page_one(f"{SAMPLE_ID}.ja.pdf")
    assert "キャンプ・デービッド日米韓首脳会合" in japanese
    assert "大統領用" in japanese
    both = page_one(f"{SAMPLE_ID}.bilingual.pdf")
    assert "Camp David Trilateral Summit" in both
    assert "Sommet de Camp David" in both
    for english in ("Bottom line", "Objectives"):
        assert english.casefold() not in french.casefold(), english


FRENCH = {"title": "Sommet trilatéral de Camp David",
          "bottom_line": "Les dirigeants annonceront un engagement à se consulter en cas de crise "
                         "touchant leur sécurité [@officials-preview]."}


def translate_to_french(brief_file: Path) -> Path:
    """The sample with a French edition: `briefgen translate` writes the file, a translator
    fills in two fields."""
    edit(brief_file, "title:", "editions: [fr]\ntitle:")
    root = brief_file.parent.parent
    result = run_cli("translate", SAMPLE_ID, "--to", "fr", "--root", root)
    assert result.code == 0, result.err
    french = brief_file.with_name(f"{SAMPLE_ID}.fr.yaml")
    data = yaml.safe_load(french.read_text(encoding="utf-8"))
    assert data["fields"]["title"] == {"source": "Camp David Trilateral Summit",
                                       "fingerprint": data["fields"]["title"]["fingerprint"]}
    for key, text in FRENCH.items():
        data["fields"][key]["text"] = text
    french.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return french


def line_of(path: Path, key: str) -> int:
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if line.strip() == f"{key}:")


def test_a_missing_edition_file_is_an_error_naming_it(brief_file: Path) -> None:
    edit(brief_file, "title:", "editions: [fr]\ntitle:")
    result = run_cli("check", "--root", brief_file.parent.parent)
    assert result.code != 0
    assert f"content/{SAMPLE_ID}.fr.yaml, which does not exist" in result.err
    assert f"briefgen translate {SAMPLE_ID} --to fr" in result.err


def test_the_edition_builds_beside_the_brief_in_its_language(brief_file: Path) -> None:
    french = translate_to_french(brief_file)
    root = brief_file.parent.parent
    result = run_cli("build", "--root", root)
    assert result.code == 0, result.err
    assert f"{SAMPLE_ID}.fr.yaml" not in result.out        # the edition's text is not a brief
    text = pdf_text(root / "output" / f"{SAMPLE_ID}.fr.pdf")
    assert "Sommet trilatéral de Camp David" in text
    assert "vendredi 18 août 2023" in text
    assert "l’essentiel" in text.casefold()
    assert "Camp David Trilateral Summit" in pdf_text(root / "output" / f"{SAMPLE_ID}.pdf")
    check = run_cli("check", "--root", root)
    # Untranslated fields are listed at their lines in the edition's file; the translated ones are not.
    where = f"content/{SAMPLE_ID}.fr.yaml:{line_of(french, 'subtitle')}:3"
    assert f"{where}: warning: `subtitle` is not translated yet" in check.err
    assert "`title` is not translated" not in check.err


def test_a_translation_goes_stale_when_its_source_changes(brief_file: Path) -> None:
    french = translate_to_french(brief_file)
    root = brief_file.parent.parent
    assert "stale" not in run_cli("check", "--root", root).err
    edit(brief_file, "title: Camp David Trilateral Summit", "title: Camp David Summit")
    check = run_cli("check", "--root", root)
    assert f"content/{SAMPLE_ID}.fr.yaml:{line_of(french, 'title')}:3: warning: `title` is stale" in check.err
    # translate keeps the translation, shows the new source, and stays stale until accepted.
    assert run_cli("translate", SAMPLE_ID, "--to", "fr", "--root", root).code == 0
    entry = yaml.safe_load(french.read_text(encoding="utf-8"))["fields"]["title"]
    assert entry["source"] == "Camp David Summit"
    assert entry["text"] == FRENCH["title"]
    assert "`title` is stale" in run_cli("check", "--root", root).err
    assert run_cli("translate", SAMPLE_ID, "--to", "fr", "--accept", "title", "--root", root).code == 0
    assert "`title` is stale" not in run_cli("check", "--root", root).err


def test_translate_drops_a_removed_field_and_adds_a_new_one(brief_file: Path) -> None:
    french = translate_to_french(brief_file)
    text = brief_file.read_text(encoding="utf-8")
    subtitle = next(line for line in text.splitlines() if line.startswith("subtitle:"))
    brief_file.write_text(text.replace(subtitle + "\n", ""), encoding="utf-8")
    assert run_cli("translate", SAMPLE_ID, "--to", "fr", "--root", brief_file.parent.parent).code == 0
    fields = yaml.safe_load(french.read_text(encoding="utf-8"))["fields"]
    assert "subtitle" not in fields
    assert fields["title"]["text"] == FRENCH["title"]


def test_email_sends_each_recipient_the_edition_of_their_lang(brief_file: Path, monkeypatch) -> None:
    from tests.mail_server import smtp_server

    translate_to_french(brief_file)
    with brief_file.open("a", encoding="utf-8") as brief:
        brief.write("distribution:\n  to:\n    - principal@example.org\n"
                    "    - address: bureau@example.ca\n      lang: fr\n")
    root = brief_file.parent.parent
    monkeypatch.setenv("XDG_CONFIG_HOME", str(root / "config"))
    monkeypatch.setenv("BRIEFGEN_MAIL_FROM", "Briefing Staff <briefs@example.org>")
    with smtp_server(monkeypatch) as handler:
        result = run_cli("email", SAMPLE_ID, "--send", "--root", root)
    assert result.code == 0, result.err
    sent = {tuple(received.rcpt_tos): received.message for received in handler.received}
    assert set(sent) == {("principal@example.org",), ("bureau@example.ca",)}
    french, english = sent[("bureau@example.ca",)], sent[("principal@example.org",)]
    assert "Sommet trilatéral de Camp David" in french["Subject"]
    assert "18 août 2023" in french["Subject"]
    attached = {part.get_filename() for part in french.iter_attachments()}
    assert f"{SAMPLE_ID}.fr.pdf" in attached
    text, html = (french.get_body((kind,)).get_content() for kind in ("plain", "html"))
    assert "L’ESSENTIEL: Les dirigeants annonceront" in text      # the plain text part, in French
    assert f"La note est jointe\u00a0: {SAMPLE_ID}.fr.pdf" in text.replace("\n", " ")
    assert '<html lang="fr"' in html
    assert "Camp David Trilateral Summit" in english["Subject"]


# --- bilingual layouts -------------------------------------------------------------------------

SAMPLE_ANNEX = "annex: [agenda, deliverables, background, quotes, sources]\n"
ANNEX_FOR_TWO = "annex: [agenda, background, quotes, sources, deliverables, if_raised, sensitivities]\n"


def bilingual(brief_file: Path, layout: str) -> Path:
    """The sample with its French edition, as one bilingual document; page 1 keeps what the
    principal reads first (the rest goes to the annex, as a Canadian note would)."""
    translate_to_french(brief_file)
    edit(brief_file, "editions: [fr]", f"editions: [fr]\nbilingual: {layout}")
    edit(brief_file, SAMPLE_ANNEX, ANNEX_FOR_TWO)
    root = brief_file.parent.parent
    result = run_cli("build", "--root", root)
    assert result.code == 0, result.err
    return root / "output" / f"{SAMPLE_ID}.bilingual.pdf"


def test_side_by_side_page_one_fits_with_both_languages(brief_file: Path) -> None:
    from pypdf import PdfReader

    pages = PdfReader(bilingual(brief_file, "side-by-side")).pages
    first = pages[0].extract_text().replace("\n", " ")     # a title may wrap in its column
    for text in ("Camp David Trilateral Summit", "Sommet trilatéral de Camp David",
                 "pledge to consult one another", "engagement à se consulter"):
        assert text in first, text
    assert "Annexe A" in pages[1].extract_text()
    # The masthead as the one-language page's, in each language: the kind of brief, the
    # title, the when-and-where line (before: the title and a list of date, place, as of).
    for text in ("Summit meeting brief", "Note pour un sommet", "Fri 18 Aug 2023 · Camp David, Maryland",
                 "ven. 18 août 2023 · Camp David, Maryland"):
        assert text.casefold() in first.casefold(), text


def test_side_by_side_applies_page_one_rules_to_each_language(brief_file: Path) -> None:
    """A page 1 that fits in English alone does not fit twice over: the bilingual version
    says so, and the brief and its edition are still written."""
    translate_to_french(brief_file)
    edit(brief_file, "editions: [fr]", "editions: [fr]\nbilingual: side-by-side")
    root = brief_file.parent.parent
    result = run_cli("build", "--root", root)
    assert result.code != 0
    assert "in the bilingual version: the brief does not fit on one page" in result.err
    assert (root / "output" / f"{SAMPLE_ID}.fr.pdf").is_file()
    check = run_cli("check", "--root", root)               # check finds it too, before a build
    assert check.code != 0
    assert "in the bilingual version: the brief does not fit on one page" in check.err


def test_back_to_back_turns_the_second_language_upside_down(brief_file: Path) -> None:
    from pypdf import PdfReader

    pages = PdfReader(bilingual(brief_file, "back-to-back")).pages
    english = len(PdfReader(brief_file.parent.parent / "output" / f"{SAMPLE_ID}.pdf").pages)
    assert [page.rotation for page in pages] == [0] * english + [180] * (len(pages) - english)
    assert "Camp David Trilateral Summit" in pages[0].extract_text()
    assert "Sommet trilatéral de Camp David" in pages[-1].extract_text()   # the French cover


# --- right to left -------------------------------------------------------------------------------

ARABIC_NAME = "فيصل بن فرحان آل سعود"


def with_arabic_participant(brief_file: Path) -> None:
    (brief_file.parent / "people" / "faisal.yaml").write_text(
        f"name: Faisal bin Farhan Al Saud\nshort_name: Faisal\nnative_name: {ARABIC_NAME}\nlang: ar\n"
        "title: Minister of Foreign Affairs of Saudi Arabia\ncountry: SA\n", encoding="utf-8")
    edit(brief_file, "participants:\n", "participants:\n  - person: faisal\n    role: guest\n")


def test_an_arabic_name_is_isolated_and_extracted_in_logical_order(brief_file: Path) -> None:
    with_arabic_participant(brief_file)
    root = brief_file.parent.parent
    result = run_cli("build", "--root", root)
    assert result.code == 0, result.err
    html = (root / "output" / f"{SAMPLE_ID}.html").read_text(encoding="utf-8")
    # Its own direction in the HTML (dir isolates it) and in the PDF (FSI ... PDI for Pango).
    assert f'<span class="native" lang="ar" dir="rtl">\u2068{ARABIC_NAME}\u2069</span>' in html
    text = pdf_text(root / "output" / f"{SAMPLE_ID}.pdf")
    assert ARABIC_NAME in text                                # logical order, as written
    assert ARABIC_NAME[::-1] not in text
    assert re.search(r"Faisal bin Farhan Al Saud\s+" + ARABIC_NAME, text)   # after the Latin name


def test_a_right_to_left_brief_is_set_right_to_left(brief_file: Path) -> None:
    edit(brief_file, "title: Camp David Trilateral Summit", "lang: ar\ntitle: قمة كامب ديفيد الثلاثية")
    root = brief_file.parent.parent
    result = run_cli("build", "--root", root)
    assert result.code == 0, result.err
    html = (root / "output" / f"{SAMPLE_ID}.html").read_text(encoding="utf-8")
    assert '<html lang="ar" dir="rtl">' in html
    text = pdf_text(root / "output" / f"{SAMPLE_ID}.pdf")
    assert "قمة كامب ديفيد الثلاثية" in text
    assert "الخلاصة" in text                                    # the bottom line's label
    # The Arabic month; a date's digits, a left-to-right run inside a right-to-left line, are
    # extracted in the order they were drawn, not as written (docs/languages.md).
    assert "أغسطس" in text


def test_diff_reads_an_edition_file_as_no_brief(tmp_path: Path) -> None:
    """A translator's commit changes content/<id>.fr.yaml, which is not a brief to compare."""
    root = tmp_path / "briefs"
    copy_sample(root / "content")
    brief_file = root / "content" / f"{SAMPLE_ID}.yaml"
    translate_to_french(brief_file)
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "briefs")
    french = brief_file.with_name(f"{SAMPLE_ID}.fr.yaml")
    edit(french, FRENCH["title"], "Sommet de Camp David")
    git(root, "commit", "-q", "-am", "translation revised")
    result = run_cli("diff", "HEAD~1", "--root", root)
    assert result.code == 0, result.err
    assert f"{SAMPLE_ID}.fr.yaml" not in result.out


def test_the_preview_reads_an_edition_file_as_its_brief_s(brief_file: Path) -> None:
    """Saving content/<id>.fr.yaml refreshes the brief <id> (its check lists the edition's
    fields); it never shows up as a brief of its own."""
    from briefgen.preview.state import ChangeFeed, Preview
    from briefgen.project import Project

    french = translate_to_french(brief_file)
    site = Project.at(brief_file.parent.parent)
    preview = Preview(site, ChangeFeed(), lambda path, **kw: None)
    preview.refresh_all()
    _, before = preview.snapshot(SAMPLE_ID) or (None, {})
    assert "`subtitle` is not translated yet" in str(before["warnings"])
    data = yaml.safe_load(french.read_text(encoding="utf-8"))
    data["fields"]["subtitle"]["text"] = "États-Unis · Japon · République de Corée"
    french.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    preview.files_changed([french])
    assert preview.snapshot(f"{SAMPLE_ID}.fr") is None
    _, after = preview.snapshot(SAMPLE_ID) or (None, {})
    assert "`subtitle` is not translated yet" not in str(after["warnings"])


def test_diff_speaks_of_a_brief_in_its_language(tmp_path: Path) -> None:
    root = tmp_path / "briefs"
    copy_sample(root / "content")
    brief_file = root / "content" / f"{SAMPLE_ID}.yaml"
    edit(brief_file, "title:", "lang: fr\ntitle:")
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "briefs")
    edit(brief_file, "  - id: hotline\n    title: Three-way hotline\n    status: expected",
         "  - id: hotline\n    title: Three-way hotline\n    status: announced")
    git(root, "commit", "-q", "-am", "hotline announced")
    text = run_cli("diff", "HEAD~1", "--root", root)
    assert text.code == 0, text.err
    assert f"content/{SAMPLE_ID}.yaml: modifiée" in text.out
    assert "  Résultats attendus\n    Three-way hotline: expected → announced" in text.out
    markdown = run_cli("diff", "HEAD~1", "--format", "markdown", "--root", root).out
    assert "**Résultats attendus**" in markdown
    assert f"### content/{SAMPLE_ID}.yaml: modifiée" in markdown


def test_diff_s_verbs_follow_the_brief_s_language() -> None:
    from briefgen.content.compare import BriefDiff, Change
    from briefgen.render.changes import as_markdown, as_text

    changes = [Change("Participants", "removed", "Jake Sullivan"), Change("Sources", "added", "Readout"),
               Change("Brief", "changed", "the brief", "subtitle", "", "Japon")]
    japanese = BriefDiff(SAMPLE_ID, f"content/{SAMPLE_ID}.yaml", "changed", changes=changes, lang="ja")
    text = as_text([japanese], "main", [])
    assert "  出席者\n    - 削除: Jake Sullivan" in text
    assert "  出典\n    + 追加: Readout" in text
    assert "  資料\n    the brief: subtitle: （なし） → Japon" in text
    english = as_markdown([BriefDiff(SAMPLE_ID, "x.yaml", "changed", changes=changes)], "main", [])
    assert "**Participants**\n- Removed: ~~Jake Sullivan~~" in english


def test_a_home_time_on_another_day_names_the_day_in_the_language() -> None:
    from briefgen.content.models import AgendaItem
    from briefgen.content.schedule import clock_labels
    from briefgen.render.labels import weekday

    item = AgendaItem.model_validate({"time": "19:00", "title": "Dinner"})
    day = dt.date(2023, 11, 15)          # 19:00 in San Francisco is the next day in Tokyo
    assert clock_labels(day, item, "America/Los_Angeles", "Asia/Tokyo")[1] == "Thu 12:00 JST"
    french = clock_labels(day, item, "America/Los_Angeles", "Asia/Tokyo", lambda d: weekday(d, "fr"))
    assert french[1] == "jeu. 12:00 JST"


def test_an_error_in_a_translation_is_reported_in_the_edition_s_file(brief_file: Path) -> None:
    french = translate_to_french(brief_file)
    data = yaml.safe_load(french.read_text(encoding="utf-8"))
    data["fields"]["bottom_line"]["text"] = "Les dirigeants s’engagent [@nulle-part]."
    french.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    lines = french.read_text(encoding="utf-8").splitlines()
    line = next(n for n, text in enumerate(lines, start=1) if "nulle-part" in text)
    result = run_cli("check", "--root", brief_file.parent.parent)
    assert result.code != 0
    assert re.search(rf"content/{SAMPLE_ID}\.fr\.yaml:{line}:\d+: error: in the `fr` edition: .*nulle-part",
                     result.err), result.err


def test_a_translation_follows_its_item_by_id_not_by_place(brief_file: Path) -> None:
    """A deliverable added first does not move the others' translations onto the wrong item."""
    french = translate_to_french(brief_file)
    data = yaml.safe_load(french.read_text(encoding="utf-8"))
    data["fields"]["deliverables[hotline].title"]["text"] = "Ligne directe à trois"
    french.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    edit(brief_file, "deliverables:\n", "deliverables:\n  - id: first-new\n    title: A new first one\n"
                     "    status: expected\n    summary: Added at the top.\n")
    edit(brief_file, SAMPLE_ANNEX,
         "annex: [agenda, background, quotes, sources, deliverables]\n")   # room for it
    root = brief_file.parent.parent
    assert run_cli("build", "--root", root).code == 0
    html = (root / "output" / f"{SAMPLE_ID}.fr.html").read_text(encoding="utf-8")
    assert re.search(r'id="deliverable-hotline">.*?<strong>Ligne directe à trois</strong>', html, re.S)
    assert "`deliverables[hotline].title` is stale" not in run_cli("check", "--root", root).err


# --- the rest of briefgen's words in the brief's language (issue 27, what was left) -----------

def validated_in(root: Path, brief_id: str, lang: str):
    """The brief at `root` in `lang`, validated as the build validates it (its house, its people)."""
    from briefgen.content.house import validate_in_house
    from briefgen.project import Project
    from briefgen.workflows.brief import people_registry

    path = root / "content" / f"{brief_id}.yaml"
    edit(path, "title:", f"lang: {lang}\ntitle:")
    project = Project.at(root)
    return validate_in_house(project, path, people_registry(project, path), project.display(path))


@pytest.mark.parametrize(("lang", "section_line", "version_note", "text_line"), [
    ("fr", "Cette version omet 1 message clé", "Version pour Japanese delegation · 11 éléments omis",
     "delegation\u202f; omis\u00a0: "),
    ("ja", "この版では主要メッセージ1件を省略", "11件を省略", "向け版；省略：目標1件、決定事項1件、日程の項目1件"),
])
def test_a_version_s_withheld_notes_are_in_its_language(tmp_path: Path, lang: str, section_line: str,
                                                        version_note: str, text_line: str) -> None:
    """Where an audience's version withholds portions, the page, the email and the plain text
    say so in the version's language (before: '1 message withheld from this version')."""
    from briefgen.render.html import render_html
    from briefgen.render.text import brief_text
    from tests.test_audiences import make_project

    version = validated_in(make_project(tmp_path), "ally-talks", lang).for_audience("partner")
    page = render_html(version)
    assert section_line in page
    assert version_note in page
    assert not re.search(r"withheld from|portions? withheld", page)
    text = brief_text(version, "ally-talks.partner.pdf").replace("\n", "")    # a line wraps anywhere in Japanese
    assert text_line in text
    assert "withheld" not in text


def test_a_house_rewords_a_withheld_note(tmp_path: Path) -> None:
    from briefgen.render.html import render_html
    from tests.test_audiences import make_project

    root = make_project(tmp_path)
    (root / "houses" / "acme").mkdir(parents=True)
    (root / "houses" / "acme" / "house.toml").write_text(
        'name = "Acme"\n[labels.fr]\nwithheld_section = "Retenu ici : {count} {portions}"\n', encoding="utf-8")
    (root / "briefgen.toml").write_text('house = "houses/acme"\n', encoding="utf-8")
    page = render_html(validated_in(root, "ally-talks", "fr").for_audience("partner"))
    assert "Retenu ici : 1 message clé" in page


@pytest.mark.parametrize(("lang", "expected", "english"), [
    ("fr", ["Dates\u00a0: ", "PROGRAMME D’ENSEMBLE", "SOMMAIRE", "Heure locale (JST) [Heure de New York (EDT)]",
            "Onglet 1\u00a0: ",
            "Pièces jointes\u00a0: trip.pdf, trip.ics.", "Biographies, page 6", "Préparé par"],
     ["SCHEDULE AT A GLANCE", "CONTENTS", "Attached:", "Prepared by", "Home time in brackets"]),
    ("ja", ["日程：", "日程一覧", "目次", "添付：trip.pdf, trip.ics。", "6ページ", "現地時間（JST）", "タブ2："],
     ["SCHEDULE AT A GLANCE", "CONTENTS", "Attached:", "Prepared by", "Dates:"]),
])
def test_a_book_s_email_text_is_in_its_language(tmp_path: Path, lang: str, expected: list[str],
                                                english: list[str]) -> None:
    """The plain-text part of a book's email (before: 'Dates: …', 'SCHEDULE AT A GLANCE',
    'CONTENTS', 'Attached: …' in every language)."""
    from briefgen.project import Project
    from briefgen.render.book import PagePlan, book_text, book_view
    from briefgen.workflows.book import check_book

    root = copy_trip(tmp_path)
    book = root / "content" / "books" / f"{BOOK}.yaml"
    edit(book, "briefs:", f"lang: {lang}\nbriefs:")
    checked, _ = check_book(Project.at(root), book)
    assert checked is not None
    plan = PagePlan(3, (), (4, 5), 6, 6)      # its schedule, its two briefs, then its biographies
    text = book_text(book_view(checked.book, checked.briefs, plan), ["trip.pdf", "trip.ics"])
    for words in expected:
        assert words in text, words
    for words in english:
        assert words not in text, words


def test_diff_s_framing_follows_the_brief_s_language() -> None:
    """The lines around the changes (a version's name, the overflow, the numbers, the run's
    own lines when its briefs share a language); before, all English."""
    from briefgen.content.compare import BriefDiff, Change
    from briefgen.render.changes import as_html, as_markdown, as_text

    def diff(lang: str) -> BriefDiff:
        return BriefDiff(SAMPLE_ID, f"content/{SAMPLE_ID}.yaml", "added", audience="press",
                         changes=[Change("Sources", "added", "Readout")], lang=lang,
                         overflow=("", "0.4 in (10 mm)"), words=(310, 342), picture="diff/x.png")
    french = as_text([diff("fr")], "main", [])
    for words in ("(version pour press): nouvelle version", "dépasse désormais la page 1 de 0.4 in",
                  "mots en page 1\u00a0: 310 → 342", "image\u00a0: diff/x.png", "comparé à main"):
        assert words in french, words
    for english in ("version for", "new version", "overflows", "words on page 1", "compared with"):
        assert english not in french, english
    japanese = as_markdown([diff("ja")], "main", [])
    for words in ("## 資料の変更点", "（press向けの版）: 新しい版", "1ページ目から0.4 in (10 mm)はみ出すようになった",
                  "変更前と変更後：`diff/x.png`（成果物内）", "mainとの比較"):
        assert words in japanese, words
    assert "Before and after" not in japanese
    assert "1ページ目の語数：310 → 342" in as_html(diff("ja"))
    mixed = as_text([diff("fr"), diff("ja")], "main", [])
    assert mixed.rstrip().endswith("compared with main")      # briefs in two languages: the run's lines in English


def test_an_amendment_is_told_in_the_brief_s_language(brief_file: Path, monkeypatch) -> None:
    """A French brief sent again: the heading, each change's sentence and the revision line
    on the page are French (before: 'What changed since…', 'Revision 2 · …')."""
    from tests.mail_server import smtp_server

    edit(brief_file, "title:", "lang: fr\ntitle:")
    with brief_file.open("a", encoding="utf-8") as brief:
        brief.write("distribution:\n  to:\n    - principal@example.org\n")
    root = brief_file.parent.parent
    monkeypatch.setenv("XDG_CONFIG_HOME", str(root / "config"))
    monkeypatch.setenv("BRIEFGEN_MAIL_FROM", "Briefing Staff <briefs@example.org>")
    with smtp_server(monkeypatch) as handler:
        assert run_cli("email", SAMPLE_ID, "--send", "--root", root).code == 0
        edit(brief_file, "  - id: hotline\n    title: Three-way hotline\n    status: expected",
             "  - id: hotline\n    title: Three-way hotline\n    status: announced")
        again = run_cli("email", SAMPLE_ID, "--send", "--root", root)
    assert again.code == 0, again.err
    amended = handler.received[-1].message
    text = amended.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert re.match(r"Ce qui a changé depuis la version envoyée le \d+ \w+ \d{4} à \d\d:\d\d UTC\u00a0:\n\n",
                    text), text
    assert "- Three-way hotline (status)\u00a0: attendu, désormais annoncé." in text
    html = amended.get_body(("html",)).get_content()
    assert "Ce qui a changé depuis la version envoyée le" in html
    assert re.search(r"Révision 2 · \d+ \w+ \d{4}", html)
    assert "Revision" not in html
    assert "What changed" not in text


def test_a_change_is_told_in_japanese() -> None:
    from briefgen.content.compare import Change
    from briefgen.mail.amend import revision_line
    from briefgen.render.changes import plain_summary

    changes = [Change("Sources", "added", "Readout"), Change("Deliverables", "changed", "Hotline", "status",
                                                                "expected", "announced")]
    assert plain_summary(changes, "ja") == ["追加（出典）：Readout。", "Hotlineのstatus：想定から発表済に変更。"]
    assert revision_line(2, dt.date(2026, 11, 28), "ja") == "第2版 · 2026年11月28日"


@pytest.mark.parametrize(("lang", "words", "english"), [
    ("fr", ["Hôte", "Chef de délégation", "Délégation", "Attendu", "Résultat", "Statut", "Responsables", "Nom",
             "Fonction"],
     ["Host", "Principal", "Expected", "Deliverable", "Status", "Owners"]),
    ("ja", ["主催", "首席代表", "代表団", "想定", "成果", "状況", "担当", "氏名", "役職"],
     ["Host", "Principal", "Expected", "Deliverable", "Status", "Owners"]),
])
def test_the_word_file_s_labels_are_in_the_brief_s_language(brief_file: Path, lang: str, words: list[str],
                                                            english: list[str]) -> None:
    """The Word file's status, role and press words and its table heads (before: English
    whatever the brief's language)."""
    import docx as python_docx

    edit(brief_file, "title:", f"lang: {lang}\ntitle:")
    root = brief_file.parent.parent
    result = run_cli("docx", "--root", root)
    assert result.code == 0, result.err
    document = python_docx.Document(str(root / "output" / f"{SAMPLE_ID}.docx"))
    cells = {cell.text.strip() for table in document.tables for row in table.rows for cell in row.cells}
    for word in words:
        assert word in cells, (word, cells)
    for word in english:
        assert word not in cells, word
    opening = {"fr": "«", "ja": "「"}[lang]
    quotations = [p.text for p in document.paragraphs if p.style is not None and p.style.name == "Quote"]
    assert quotations, "the sample has quotations"
    assert all(text.lstrip("()UCS/ ").startswith(opening) for text in quotations), quotations   # before: “


@pytest.mark.parametrize(("lang", "day"), [("fr", "18 sept. 2024"), ("ja", "2024年9月18日"),
                                           ("en", "18 Sep 2024")])
def test_clearance_dates_follow_the_language(project: Path, lang: str, day: str) -> None:
    """The clearance block's dates through Babel, as every other date (before: '18 Sep 2024')."""
    import dataclasses

    from briefgen.content.clearance import ClearanceRecord
    from briefgen.render.html import render_html

    validated = validated_in(project, SAMPLE_ID, lang)
    validated = dataclasses.replace(validated, clearances=(
        ClearanceRecord("cleared", "Priya Natarajan", "EAP", dt.date(2024, 9, 18)),))
    page = render_html(validated)
    assert f"<td>{day}</td>" in page
    if lang != "en":
        assert "Sep 2024" not in page


def test_an_arabic_name_keeps_its_direction_in_the_email(brief_file: Path) -> None:
    """The email's HTML, after its allowlist: the name is isolated by dir="rtl" as on the page
    (before: the span had no dir, and the allowlist dropped any)."""
    from briefgen.mail.message import mail_safe_html
    from briefgen.render.html import render_email_html

    with_arabic_participant(brief_file)
    validated = validated_in(brief_file.parent.parent, SAMPLE_ID, "en")
    body = mail_safe_html(render_email_html(validated), "x")
    assert re.search(f'<span[^>]* lang="ar"[^>]* dir="rtl"[^>]*>\u2068{ARABIC_NAME}\u2069</span>', body) or \
        re.search(f'<span[^>]* dir="rtl"[^>]* lang="ar"[^>]*>\u2068{ARABIC_NAME}\u2069</span>', body), body


def bilingual_trip(tmp_path: Path, layout: str = "side-by-side") -> Path:
    """The sample trip as a bilingual book: each brief with a French edition (its title
    translated); side by side, each with its own side-by-side document, whose page 1 keeps
    what is read first."""
    root = copy_trip(tmp_path)
    edit(root / "content" / "books" / f"{BOOK}.yaml", "briefs:", f"bilingual: {layout}\nbriefs:")
    own = ("bilingual: side-by-side\nannex: [background, quotes, biographies, sources, agenda, deliverables]\n"
           if layout == "side-by-side" else "")                       # page 1 twice over
    for number, brief_id in enumerate(BOOK_BRIEFS, start=1):
        edit(root / "content" / f"{brief_id}.yaml", "title:", f"editions: [fr]\n{own}title:")
        assert run_cli("translate", brief_id, "--to", "fr", "--root", root).code == 0
        french = root / "content" / f"{brief_id}.fr.yaml"
        data = yaml.safe_load(french.read_text(encoding="utf-8"))
        data["fields"]["title"]["text"] = f"Rencontre numéro {number}"
        french.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return root


# Each brief of the trip: its English title and its kind of brief in French.
TRIP_BRIEFS = [("U.S.–Japan Bilateral Meeting, Hiroshima", "Note pour une rencontre bilatérale"),
               ("U.S.–Japan–Korea Trilateral Meeting, Hiroshima", "Note de rencontre")]


def test_a_bilingual_book_prints_each_brief_side_by_side(tmp_path: Path) -> None:
    """`bilingual: side-by-side` on a book: each brief's page 1 in the book holds both
    languages, as the brief's own side-by-side document (before: the book had no such key)."""
    from pypdf import PdfReader

    root = bilingual_trip(tmp_path)
    result = run_cli("book", "--root", root, BOOK)
    assert result.code == 0, result.err
    pages = [page.extract_text().replace("\n", " ") for page in PdfReader(root / "output" / f"{BOOK}.pdf").pages]
    for number, (english, french_kind) in enumerate(TRIP_BRIEFS, start=1):
        [first] = [text for text in pages if f"Rencontre numéro {number}" in text]
        assert english in first
        assert french_kind.casefold() in first.casefold()
    assert any("Annexe A" in text and "Annex A" in text for text in pages)   # each annex, twice over too


def test_a_bilingual_book_needs_each_brief_s_bilingual_document(tmp_path: Path) -> None:
    root = bilingual_trip(tmp_path)
    edit(root / "content" / f"{BOOK_BRIEFS[1]}.yaml", "bilingual: side-by-side\n", "")
    result = run_cli("book", "--root", root, BOOK)
    assert result.code != 0
    assert re.search(rf"{BOOK}\.yaml:\d+:\d+: error: the book is bilingual \(side-by-side\), so brief "
                     rf"`{BOOK_BRIEFS[1]}` needs an edition and the same layout", result.err), result.err


def test_a_bilingual_book_back_to_back_turns_the_second_language_upside_down(tmp_path: Path) -> None:
    """`bilingual: back-to-back` on a book: the book, then the whole book in French (its own
    pages in French, each brief's French edition) reversed and upside down, so the document
    turned over opens on the French cover; the first side keeps its contents (outline)."""
    from pypdf import PdfReader

    from briefgen.render.pdf_join import top_outline_pages

    root = bilingual_trip(tmp_path, "back-to-back")
    result = run_cli("book", "--root", root, BOOK)
    assert result.code == 0, result.err
    book = root / "output" / f"{BOOK}.pdf"
    pages = PdfReader(book).pages
    turned = [page.rotation for page in pages].index(180)
    assert [page.rotation for page in pages] == [0] * turned + [180] * (len(pages) - turned)
    assert "Briefing book".casefold() in pages[0].extract_text().casefold()
    assert "Dossier de mission".casefold() in pages[-1].extract_text().casefold()   # the French cover
    french = " ".join(page.extract_text() for page in pages[turned:])
    assert "Rencontre numéro 1" in french
    assert "Rencontre numéro 2" in french
    assert "Sommaire".casefold() in french.casefold()
    starts, _ = top_outline_pages(book.read_bytes())
    assert len(starts) >= 5                  # cover, contents, schedule, the briefs, biographies
    assert max(starts) <= turned


def test_a_bilingual_book_back_to_back_needs_an_edition_of_each_brief(tmp_path: Path) -> None:
    root = bilingual_trip(tmp_path, "back-to-back")
    edit(root / "content" / f"{BOOK_BRIEFS[1]}.yaml", "editions: [fr]\n", "")
    result = run_cli("book", "--root", root, BOOK)
    assert result.code != 0
    assert re.search(rf"{BOOK}\.yaml:\d+:\d+: error: the book is bilingual \(back-to-back, its second side in "
                     rf"`fr`\), so brief `{BOOK_BRIEFS[1]}` needs a `fr` edition", result.err), result.err


def test_a_decision_reply_lists_its_options_with_the_languages_or():
    """The email's reply line: options in capitals, the last after the language's 'or', the
    others after its list separator (render/html.reply_line, through labels.joined)."""
    from briefgen.render.html import reply_line
    from briefgen.render.labels import joined

    assert reply_line(["approve"]) == "Reply APPROVE"
    assert reply_line(["approve", "disapprove"]) == "Reply APPROVE or DISAPPROVE"
    assert reply_line(["a", "b", "c"], "fr") == "Répondre A, B ou C"
    assert reply_line(["a", "b", "c"], "ja") == "A、BまたはCとご返信ください"
    assert joined(["a", "b", "c"]) == "a, b and c"
