"""Houses (content/house.py): a house in a folder, or installed as a package, words the page's
and the email's labels, sets the font, the default marking and the word lists `check` uses;
`briefgen house new` starts one that builds the samples; `house.toml` is checked with lines.

Real builds: the PDF's fonts are read back with pypdf, the email is the draft `briefgen email`
writes, and the installed house is a real package on the path of a real `briefgen` process.
"""

from __future__ import annotations

import email
import email.policy
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from conftest import REPO, SAMPLE_ID, copy_sample, run_cli
from pdf_utils import character_sizes
from pypdf import PdfReader

ACME_TOML = """\
name = "Acme Ministry"

[words.banned]
impact = "affect"

[labels.en]
bottom_line = "Key judgement"

[markings]
scheme = "uk"
default = "OFFICIAL"
"""
ACME_CSS = 'html, h1, h2 { font-family: "DejaVu Serif", serif; }\n'
# A brief that writes neither `classification` nor `markings`: its house decides.
UNMARKED_ID = "unmarked"


def _acme(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "house.toml").write_text(ACME_TOML, encoding="utf-8")
    (folder / "house.css").write_text(ACME_CSS, encoding="utf-8")
    return folder


def _project(root: Path) -> Path:
    copy_sample(root / "content")
    sample = (root / "content" / f"{SAMPLE_ID}.yaml").read_text(encoding="utf-8")
    unmarked = sample.replace("classification: UNCLASSIFIED\n", "")
    assert unmarked != sample
    (root / "content" / f"{UNMARKED_ID}.yaml").write_text(unmarked, encoding="utf-8")
    return root


def _fonts(pdf: Path) -> set[str]:
    fonts = set()
    for page in PdfReader(pdf).pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            fonts.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return fonts


def _email_html(root: Path, brief_id: str) -> str:
    result = run_cli("email", brief_id, "--root", root)
    assert result.code == 0, result.err
    message = email.message_from_bytes((root / "output" / f"{brief_id}.eml").read_bytes(),
                                       policy=email.policy.default)
    return message.get_body(("html",)).get_content() + message.get_body(("plain",)).get_content()


def _assert_acme(root: Path, check_out: str, check_err: str) -> None:
    """What the Acme house changes: the word list in check, the label and the font on the
    page, the marking of a brief that writes none, and the label in the email."""
    assert "`impact`: Acme Ministry writes `affect`" in check_err
    html = (root / "output" / f"{SAMPLE_ID}.html").read_text(encoding="utf-8")
    assert "Key judgement" in html
    assert ">Bottom line<" not in html
    assert any("DejaVu-Serif" in font for font in _fonts(root / "output" / f"{SAMPLE_ID}.pdf"))
    unmarked = (root / "output" / f"{UNMARKED_ID}.html").read_text(encoding="utf-8")
    assert ">OFFICIAL<" in unmarked
    mail = _email_html(root, SAMPLE_ID)
    assert "Key judgement:" in mail
    assert "KEY JUDGEMENT:" in mail


def test_without_a_house_the_page_says_bottom_line_in_noto(tmp_path: Path):
    """The control: the built-in house's label and font, and a brief without a marking fails."""
    root = _project(tmp_path)
    built = run_cli("build", "--root", root, root / "content" / f"{SAMPLE_ID}.yaml")
    assert built.code == 0, built.err
    assert ">Bottom line<" in (root / "output" / f"{SAMPLE_ID}.html").read_text(encoding="utf-8")
    assert not any("DejaVu" in font for font in _fonts(root / "output" / f"{SAMPLE_ID}.pdf"))
    unmarked = run_cli("check", "--no-layout", "--root", root, root / "content" / f"{UNMARKED_ID}.yaml")
    assert unmarked.code == 1
    assert "`classification` is required" in unmarked.err or "classification" in unmarked.err
    assert "this house writes" not in unmarked.err


def test_a_house_in_a_folder_changes_label_font_marking_and_words(tmp_path: Path):
    root = _project(tmp_path)
    _acme(root / "houses" / "acme")
    (root / "briefgen.toml").write_text('house = "houses/acme"\n', encoding="utf-8")
    checked = run_cli("check", "--no-layout", "--root", root)
    assert checked.code == 0, checked.err
    built = run_cli("build", "--root", root)
    assert built.code == 0, built.err
    _assert_acme(root, checked.out, checked.err)


def test_a_house_named_in_pyproject_tool_briefgen(tmp_path: Path):
    root = _project(tmp_path)
    _acme(root / "style")
    (root / "pyproject.toml").write_text('[project]\nname = "x"\n[tool.briefgen]\nhouse = "style"\n',
                                         encoding="utf-8")
    checked = run_cli("check", "--no-layout", "--root", root, root / "content" / f"{SAMPLE_ID}.yaml")
    assert "`impact`: Acme Ministry writes `affect`" in checked.err


def test_a_house_installed_as_a_package(tmp_path: Path):
    """A package on the path with an entry point in `briefgen.houses`, as pip installs one."""
    site = tmp_path / "site"
    _acme(site / "acme_house")
    (site / "acme_house" / "__init__.py").write_text('"""The Acme house."""\n', encoding="utf-8")
    dist = site / "acme_house-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-house\nVersion: 1.0\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text("[briefgen.houses]\nacme = acme_house\n", encoding="utf-8")
    root = _project(tmp_path / "project")
    (root / "briefgen.toml").write_text('house = "acme"\n', encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(site)}
    briefgen = [sys.executable, "-m", "briefgen"]

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([*briefgen, *args, "--root", str(root)], capture_output=True, text=True,
                              env=env, cwd=root, check=False)

    checked = run("check", "--no-layout")
    assert checked.returncode == 0, checked.stderr
    built = run("build")
    assert built.returncode == 0, built.stderr
    drafted = run("email", SAMPLE_ID)
    assert drafted.returncode == 0, drafted.stderr
    _assert_acme_installed(root, checked.stderr)


def _assert_acme_installed(root: Path, check_err: str) -> None:
    assert "`impact`: Acme Ministry writes `affect`" in check_err
    assert "Key judgement" in (root / "output" / f"{SAMPLE_ID}.html").read_text(encoding="utf-8")
    assert any("DejaVu-Serif" in font for font in _fonts(root / "output" / f"{SAMPLE_ID}.pdf"))
    assert ">OFFICIAL<" in (root / "output" / f"{UNMARKED_ID}.html").read_text(encoding="utf-8")
    message = email.message_from_bytes((root / "output" / f"{SAMPLE_ID}.eml").read_bytes(),
                                       policy=email.policy.default)
    assert "Key judgement:" in message.get_body(("html",)).get_content()


def test_a_house_that_cannot_be_found_is_a_usage_error(tmp_path: Path):
    root = _project(tmp_path)
    (root / "briefgen.toml").write_text('house = "houses/nowhere"\n', encoding="utf-8")
    result = run_cli("check", "--no-layout", "--root", root)
    assert result.code == 2
    assert "house `houses/nowhere` is neither a folder with a house.toml nor an installed house" in result.err


@pytest.mark.parametrize("start", ["default", "ministry", "board"])
def test_house_new_makes_a_house_that_builds_the_samples(tmp_path: Path, start: str):
    root = tmp_path
    shutil.copytree(REPO / "content", root / "content", ignore=shutil.ignore_patterns("books"))
    made = run_cli("house", "new", "acme", "--from", start, "--root", root)
    assert made.code == 0, made.err
    assert made.out.startswith("wrote houses/acme/house.toml")
    text = (root / "houses" / "acme" / "house.toml").read_text(encoding="utf-8")
    assert 'name = "acme"' in text
    assert text.count("\n#") >= 3, "every key explained"
    (root / "briefgen.toml").write_text('house = "houses/acme"\n', encoding="utf-8")
    built = run_cli("build", "--root", root)
    assert built.code == 0, built.err
    briefs = sorted(p.stem for p in (root / "content").glob("*.yaml"))
    assert sorted(p.stem for p in (root / "output").glob("*.pdf")) == briefs
    expected_label = {"default": "Bottom line", "ministry": "Key judgement",
                      "board": "Recommendation to the board"}[start]
    assert expected_label in (root / "output" / f"{SAMPLE_ID}.html").read_text(encoding="utf-8")
    sizes = Counter(round(size, 1) for _, size in character_sizes(root / "output" / f"{SAMPLE_ID}.pdf"))
    assert sizes.most_common(1)[0][0] == (10.5 if start == "ministry" else 11.0), "the ministry's type step"
    checked = run_cli("check", "--no-layout", "--root", root, root / "content" / f"{SAMPLE_ID}.yaml")
    required = {"default": "", "ministry": "`cleared` and `approved`", "board": "`approved`"}[start]
    assert checked.code == (1 if required else 0), checked.err
    assert (f"requires a brief's clearance chain to hold {required};" in checked.err) == bool(required)
    again = run_cli("house", "new", "acme", "--root", root)
    assert again.code == 2
    assert "already exists" in again.err


def test_house_toml_errors_point_at_their_lines(tmp_path: Path):
    root = _project(tmp_path)
    folder = _acme(root / "houses" / "acme")
    (folder / "house.toml").write_text(ACME_TOML.replace("[labels.en]", "[label.en]")
                                       .replace('impact = "affect"', 'impact = 3'), encoding="utf-8")
    (root / "briefgen.toml").write_text('house = "houses/acme"\n', encoding="utf-8")
    result = run_cli("check", "--no-layout", "--root", root, root / "content" / f"{SAMPLE_ID}.yaml")
    assert result.code == 1
    lines = result.err.splitlines()
    assert "houses/acme/house.toml:4:10: error: `impact`" in lines[0]
    assert lines[1] == ("houses/acme/house.toml:6:1: error: unknown key `label`; did you mean `labels`? "
                        "(label)")


def test_the_glossary_spells_out_in_the_annex_what_the_brief_uses_never_on_page_one(tmp_path: Path):
    root = tmp_path
    copy_sample(root / "content")
    (root / "content" / "glossary.yaml").write_text(
        "NSC: National Security Council\nWTO: World Trade Organization\n", encoding="utf-8")
    brief = root / "content" / f"{SAMPLE_ID}.yaml"
    text = brief.read_text(encoding="utf-8")
    brief.write_text(text.replace("  may impact their security", "  may impact their security, says the NSC", 1),
                     encoding="utf-8")
    checked = run_cli("check", "--no-layout", "--root", root)
    assert checked.code == 0, checked.err
    assert "NSC" not in checked.err, "the glossary defines it"
    assert run_cli("build", "--root", root).code == 0
    html = (root / "output" / f"{SAMPLE_ID}.html").read_text(encoding="utf-8")
    page_one, annex = html.split('data-region="annex"', 1)
    assert "<dt>NSC</dt><dd>National Security Council</dd>" in annex
    assert "National Security Council" not in page_one
    assert "WTO" not in html, "only the acronyms the brief uses"
    from briefgen.project import Project
    from briefgen.render.html import annex_glossary
    from briefgen.workflows.brief import check_brief
    validated, _ = check_brief(Project.at(root), brief)
    assert validated is not None
    assert annex_glossary(validated, ["sources"]) == [{"acronym": "NSC", "name": "National Security Council"}]
    assert annex_glossary(validated, []) == [], "no annex, no glossary: page 1 never spells out"


def test_changing_the_house_or_the_glossary_rebuilds_the_briefs_and_nothing_else_does(tmp_path: Path):
    """A brief's fingerprint holds its house's files, the settings that choose the house and
    the project's glossary: each change rebuilds (the page changed), no change leaves it."""
    root = tmp_path
    copy_sample(root / "content")
    brief = root / "content" / f"{SAMPLE_ID}.yaml"
    brief.write_text(brief.read_text(encoding="utf-8").replace(
        "  may impact their security", "  may impact their security, says the NSC", 1), encoding="utf-8")
    house = _acme(root / "houses" / "acme")
    (root / "briefgen.toml").write_text('house = "houses/acme"\n', encoding="utf-8")
    page = root / "output" / f"{SAMPLE_ID}.html"

    def build() -> str:
        built = run_cli("build", "--root", root)
        assert built.code == 0, built.err
        return built.out.splitlines()[-1]

    assert build().startswith("1 built")
    assert build().startswith("0 built, 1 unchanged")
    (house / "house.toml").write_text(ACME_TOML.replace("Key judgement", "Our judgement"), encoding="utf-8")
    assert build().startswith("1 built")
    assert "Our judgement" in page.read_text(encoding="utf-8")
    (house / "house.toml").write_text(ACME_TOML.replace('impact = "affect"', 'impact = "change"'),
                                      encoding="utf-8")
    assert build().startswith("1 built"), "the banned words changed: the warnings are said again"
    (house / "house.css").write_text(ACME_CSS.replace("DejaVu Serif", "DejaVu Sans"), encoding="utf-8")
    assert build().startswith("1 built")
    assert "DejaVu Sans" in page.read_text(encoding="utf-8")
    (root / "content" / "glossary.yaml").write_text("NSC: National Security Council\n", encoding="utf-8")
    assert build().startswith("1 built"), "a glossary made where there was none"
    assert "<dt>NSC</dt><dd>National Security Council</dd>" in page.read_text(encoding="utf-8")
    (root / "briefgen.toml").write_text("", encoding="utf-8")
    assert build().startswith("1 built"), "the project chose another house"
    assert ">Bottom line<" in page.read_text(encoding="utf-8")
    assert build().startswith("0 built, 1 unchanged")


def test_a_house_rewords_every_section_title_on_the_page_the_email_the_text_and_the_word_file(tmp_path: Path):
    """Each section title of render/labels.LABELS (SECTION_TITLE_KEYS) is a key of `[labels.en]`:
    every title the default house prints, the house prints in its own words, in every output."""
    import docx as python_docx

    from briefgen.render.labels import LABELS, SECTION_TITLE_KEYS

    titles = {key: LABELS[key] for key in SECTION_TITLE_KEYS}   # the catalogue's other words: tests/test_languages.py

    def outputs(root: Path) -> dict[str, str]:
        assert run_cli("build", "--root", root).code == 0
        made = run_cli("docx", root / "content" / f"{BRIEF}.yaml", "--root", root)
        assert made.code == 0, made.err
        word = python_docx.Document(str(root / "output" / f"{BRIEF}.docx"))
        return {"page": (root / "output" / f"{BRIEF}.html").read_text(encoding="utf-8"),
                "email": _email_html(root, BRIEF),
                "word": "\n".join(p.text for p in word.paragraphs if p.style.name.startswith("Heading"))}

    BRIEF = "woodside-2023"
    plain = tmp_path / "plain"
    copy_sample(plain / "content")
    shutil.copy(REPO / "content" / f"{BRIEF}.yaml", plain / "content")
    (plain / "content" / "books").mkdir(exist_ok=True)
    worded = tmp_path / "worded"
    shutil.copytree(plain, worded)
    house = worded / "houses" / "worded"
    house.mkdir(parents=True)
    house_labels = {key: f"Our {key.replace('_', ' ')}" for key in titles}
    (house / "house.toml").write_text('name = "Worded"\n[labels.en]\n' + "".join(
        f'{key} = "{label}"\n' for key, label in house_labels.items()), encoding="utf-8")
    (worded / "briefgen.toml").write_text('house = "houses/worded"\n', encoding="utf-8")
    before, after = outputs(plain), outputs(worded)
    reworded = 0
    for key, default in titles.items():
        for output, text in before.items():
            shown = (f">{default}<" in text or f">{default}:" in text or f"\n{default.upper()}\n" in text
                     or f"{default.upper()}:" in text or f"\n{default}\n" in f"\n{text}\n")
            if shown:
                reworded += 1
                ours = house_labels[key]
                assert (ours in after[output] or ours.upper() in after[output]), (key, output)
    assert reworded >= 20, reworded
    assert ">Objectives<" not in after["page"]
    assert ">Decisions<" not in after["page"]


def test_a_house_rewording_a_status_a_press_and_a_role_changes_the_page_the_pdf_and_the_email(tmp_path: Path):
    """A status, a press coverage and a role are labels like any other: the house's
    `[labels.en]` words them on the page, in the PDF and in the email's plain text."""
    root = tmp_path / "worded"
    copy_sample(root / "content")
    for brief_id in ("hiroshima-trilateral-2023", "woodside-2023"):
        shutil.copy(REPO / "content" / f"{brief_id}.yaml", root / "content")
    house = root / "houses" / "worded"
    house.mkdir(parents=True)
    (house / "house.toml").write_text('name = "Worded"\n[labels.en]\nstatus_announced = "Made public"\n'
                                      'press_pool_spray = "Pool feed"\nrole_principal = "Leader"\n',
                                      encoding="utf-8")
    (root / "briefgen.toml").write_text('house = "houses/worded"\n', encoding="utf-8")
    built = run_cli("build", "--root", root, root / "content" / "hiroshima-trilateral-2023.yaml",
                    root / "content" / "woodside-2023.yaml")
    assert built.code == 0, built.err
    output = root / "output"
    page = (output / "hiroshima-trilateral-2023.html").read_text(encoding="utf-8")
    assert "Made public" in page
    assert ">Announced<" not in page
    pdf = "".join(p.extract_text() for p in PdfReader(output / "hiroshima-trilateral-2023.pdf").pages)
    assert "MADE PUBLIC A further meeting" in pdf   # the badge, in capitals
    assert "ANNOUNCED A further" not in pdf
    assert "Pool feed" in (output / "woodside-2023.html").read_text(encoding="utf-8")
    mail = _email_html(root, "hiroshima-trilateral-2023")
    assert "[Made public]" in mail
    assert "[Announced]" not in mail
    assert "(Leader)" in mail
    assert "(Principal)" not in mail
