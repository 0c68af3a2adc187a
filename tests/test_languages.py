"""Briefs in the principal's language (issue 27): the catalogues of briefgen's words, labels
and dates in the brief's language read back from the PDF, translated editions that know when
they fall behind, bilingual layouts, and right-to-left names."""

from __future__ import annotations

import datetime as dt
import re
import string
from pathlib import Path

import pytest
import yaml

from briefgen.content.languages import CATALOGUES_DIR, catalogue, catalogue_tag, languages
from briefgen.render.labels import date_range, labels_for, long_date, medium_date
from tests.conftest import SAMPLE_ID, edit, run_cli
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
    return pdf_text(brief_file.parent.parent / "output" / f"{SAMPLE_ID}.pdf")


def test_the_sample_in_french(brief_file: Path) -> None:
    text = build_in(brief_file, "fr")
    for label in ("L’essentiel", "Participants", "Résultats attendus", "Lieu", "À jour au",
                  "Annexe A", "Citations"):
        assert label.casefold() in text.casefold(), label   # headings may be set in capitals
    assert "vendredi 18 août 2023" in text                     # the event's day
    assert re.search(r"Faits à jour au \d+ \w+ 2023", text)   # the colophon's date
    assert "«\u202f" in text
    assert "\u202f»" in text
    for english in ("Bottom line", "Expected deliverables", "As of", "Prepared by", "August"):
        assert english.casefold() not in text.casefold(), english


def test_the_sample_in_japanese(brief_file: Path) -> None:
    text = build_in(brief_file, "ja")
    for label in ("要点", "出席者", "想定される成果", "場所", "時点", "別添A"):
        assert label in text, label
    assert "2023年8月18日" in text
    assert "「" in text
    assert "」" in text
    assert "Biden、Kishida、Yoon" in text                     # a list joined the Japanese way
    for english in ("Bottom line", "Participants", "As of", "August"):
        assert english not in text, english
