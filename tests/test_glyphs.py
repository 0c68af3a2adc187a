"""Glyphs by language: each native name is drawn with the face for its language."""

from __future__ import annotations

from pathlib import Path

from conftest import SAMPLE_ID, edit, run_cli
from pdf_utils import embedded_fonts

NAMES = {  # person id -> (native name, lang, the face its glyphs must come from)
    "blinken": ("习近平", "zh-Hans", "Noto-Sans-CJK-SC"),
    "sullivan": ("蔡英文", "zh-Hant", "Noto-Sans-CJK-TC"),
    "kishida": ("岸田文雄", "ja", "IPAGothic"),
    "yoon": ("윤석열", "ko", "NanumGothic"),
}


def _font_of(fonts: dict[str, set[str]], text: str) -> set[str]:
    """The embedded faces whose glyphs cover `text` (subset names lose their prefix)."""
    return {name.split("+", 1)[-1] for name, chars in fonts.items() if set(text) <= chars}


def test_each_native_name_is_drawn_with_its_own_language_face(project: Path):
    people = project / "content" / "people"
    for person_id, (native, lang, _) in NAMES.items():
        path = people / f"{person_id}.yaml"
        text = path.read_text(encoding="utf-8")
        if "native_name:" not in text:
            edit(path, "title:", f"native_name: {native}\nlang: {lang}\ntitle:")
    result = run_cli("build", "--root", project)
    assert result.code == 0, result.err
    assert "warning" not in result.err
    fonts = embedded_fonts(project / "output" / f"{SAMPLE_ID}.pdf")
    for person_id, (native, _, face) in NAMES.items():
        assert face in _font_of(fonts, native), (person_id, native, face, fonts.keys())
    # Simplified and traditional Chinese come from different faces, not the Japanese one.
    assert "IPAGothic" not in _font_of(fonts, "习近平") | _font_of(fonts, "蔡英文")
    html = (project / "output" / f"{SAMPLE_ID}.html").read_text()
    assert '<span class="native" lang="zh-Hans">习近平</span>' in html


def test_a_name_in_the_wrong_script_for_its_lang_is_a_warning(project: Path):
    edit(project / "content" / "people" / "yoon.yaml", "lang: ko", "lang: zh-Hant")
    result = run_cli("check", "--root", project, "--no-layout")
    assert result.code == 0
    assert ("content/people/yoon.yaml:4:14: warning: `native_name` is written in Hangul but `lang` is "
            "`zh-Hant`; set `lang` to the name's language (ko) so it is drawn with that language's "
            "glyphs (native_name)") in result.err
