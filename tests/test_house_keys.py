"""A house's own keys beyond labels and words (content/house.py, docs/house.md): its type step,
its Word template, the clearance roles it requires, its default audiences, its label keys
checked, and the font files it ships in its folder.

Real parts throughout: PDFs built by WeasyPrint and read back with pypdf (the sizes text is
drawn at, the fonts embedded), Word files written by `briefgen docx` and opened with
python-docx, `check` run on real files, the clearance chain read from a real git history.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from pathlib import Path

import docx as python_docx
import pytest
from conftest import REPO, SAMPLE_ID, commit, copy_sample, edit, git, run_cli
from pdf_utils import character_sizes, pdf_text
from pypdf import PdfReader
from test_clearance import refused_until_sent_uncleared
from test_docx import brief_path, control, edit_docx, make_docx, tracked_replace

from briefgen.content.house import TypeStep
from briefgen.render.pdf import BODY_STEPS

FONTED = REPO / "tests" / "houses" / "fonted"


def _project(root: Path, house_toml: str, *, unmarked: bool = False) -> Path:
    """The sample project in `root`, in a house of its own at houses/acme/."""
    copy_sample(root / "content")
    if unmarked:
        edit(root / "content" / f"{SAMPLE_ID}.yaml", "classification: UNCLASSIFIED\n", "")
    folder = root / "houses" / "acme"
    folder.mkdir(parents=True)
    (folder / "house.toml").write_text(house_toml, encoding="utf-8")
    (root / "briefgen.toml").write_text('house = "houses/acme"\n', encoding="utf-8")
    return root


def _build(root: Path, *paths: Path) -> None:
    built = run_cli("build", "--root", root, *paths)
    assert built.code == 0, built.err


def _body_size(pdf: Path) -> float:
    """The size most of page 1's text is drawn at: its body step."""
    return Counter(round(size, 1) for _, size in character_sizes(pdf)).most_common(1)[0][0]


def _fonts(pdf: Path) -> set[str]:
    return {str(font.get_object()["/BaseFont"]).split("+")[-1] for page in PdfReader(pdf).pages
            for font in (page["/Resources"].get("/Font") or {}).values()}


# --- the type step ------------------------------------------------------------------------------

def test_the_house_type_steps_are_the_pdf_stage_s_steps():
    assert TypeStep.__args__ == BODY_STEPS


def test_a_house_type_step_sets_page_one_s_largest_body_size(tmp_path: Path):
    """The sample fits at 11 pt; a house of 10 pt sets it at 10 pt, in `build` and in `check`."""
    plain = tmp_path / "plain"
    copy_sample(plain / "content")
    _build(plain, brief_path(plain))
    assert _body_size(plain / "output" / f"{SAMPLE_ID}.pdf") == 11.0
    small = _project(tmp_path / "small", 'name = "Small type"\ntype_step = "10pt"\n')
    _build(small, brief_path(small))
    assert _body_size(small / "output" / f"{SAMPLE_ID}.pdf") == 10.0
    checked = run_cli("check", "--root", small, brief_path(small))
    assert checked.code == 0, checked.err


# --- the Word template --------------------------------------------------------------------------

def _house_word_file(path: Path) -> None:
    """An office's own Word file, as Word would save it: its styles are what counts."""
    document = python_docx.Document()
    document.styles["Heading 1"].font.name = "Courier New"
    document.styles["Heading 1"].font.size = python_docx.shared.Pt(17)
    document.styles["Normal"].font.name = "Georgia"
    document.add_paragraph("The Acme Ministry's letterhead.")
    document.save(str(path))


def test_a_house_word_template_styles_the_word_file_which_still_round_trips(tmp_path: Path):
    root = _project(tmp_path / "briefs", 'name = "Acme"\nword_template = "acme.docx"\n')
    _house_word_file(root / "houses" / "acme" / "acme.docx")
    git(tmp_path, "init", "-q", "-b", "main", str(root))
    commit(root, "briefs in the Acme house")
    path = make_docx(root, str(brief_path(root)))
    word = python_docx.Document(str(path))
    heading = word.styles["Heading 1"]
    assert heading.font.name == "Courier New"
    assert heading.font.size == python_docx.shared.Pt(17)
    assert word.styles["Normal"].font.name == "Georgia"
    assert any(p.style.name == "Heading 1" for p in word.paragraphs), "the headings use the house's style"
    assert "letterhead" not in "\n".join(p.text for p in word.paragraphs), "its styles, not its text"
    # the round trip: an edit made in the house's Word file comes back into the YAML
    edit_docx(path, lambda files, body: tracked_replace(control(body, "deliverables[0].title"),
                                                        "Alice Editor", "Pledge to consult"))
    imported = run_cli("import-docx", "--root", root, path)
    assert imported.code == 0, imported.err
    assert "title: Pledge to consult\n" in brief_path(root).read_text(encoding="utf-8")


def test_without_a_word_template_the_word_file_keeps_briefgen_s_styles(tmp_path: Path):
    root = tmp_path / "briefs"
    copy_sample(root / "content")
    word = python_docx.Document(str(make_docx(root, str(brief_path(root)))))
    assert word.styles["Heading 1"].font.name == "Arial"


# --- required clearance roles -------------------------------------------------------------------

REQUIRES = 'name = "Acme Ministry"\n[clearance]\nrequired = ["cleared", "approved"]\n'


def test_check_fails_a_brief_without_the_clearance_roles_its_house_requires(tmp_path: Path):
    root = _project(tmp_path / "briefs", REQUIRES)
    git(tmp_path, "init", "-q", "-b", "main", str(root))
    commit(root, "the brief")
    path = brief_path(root)
    top = next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
               if line and not line.startswith("#"))
    bare = run_cli("check", "--no-layout", "--root", root, path)
    assert bare.code == 1
    assert (f"content/{SAMPLE_ID}.yaml:{top}:1: error: Acme Ministry requires a brief's clearance chain "
            "to hold `cleared` and `approved`; this one lacks `cleared` and `approved`: add an entry "
            "under `clearance:` `cleared:` (or a `Cleared-by:` trailer on a commit); and `approved: "
            "{by: Name, on: YYYY-MM-DD}` under `clearance:` (clearance)") in bare.err
    built = run_cli("build", "--root", root, path)
    assert built.code == 0, "a draft still builds, to go round for clearance"

    with path.open("a", encoding="utf-8") as handle:
        handle.write("clearance:\n  drafted: {by: Sam Ortiz, on: 2024-09-16}\n")
    line = len(path.read_text(encoding="utf-8").splitlines()) - 1
    drafted = run_cli("check", "--no-layout", "--root", root, path)
    assert drafted.code == 1
    assert f"{SAMPLE_ID}.yaml:{line}:1: error: Acme Ministry requires" in drafted.err
    assert "lacks `cleared` and `approved`" in drafted.err

    commit(root, "cleared\n\nCleared-by: Jo Lee <jo@example.org>")     # a trailer is a clearance
    trailer = run_cli("check", "--no-layout", "--root", root, path)
    assert trailer.code == 1
    assert "this one lacks `approved`: add `approved: {by: Name, on: YYYY-MM-DD}`" in trailer.err

    with path.open("a", encoding="utf-8") as handle:
        handle.write("  approved: {by: Kurt Campbell, on: 2024-09-19}\n")
    done = run_cli("check", "--no-layout", "--root", root, path)
    assert done.code == 0, done.err


def test_email_send_refuses_a_brief_without_the_clearance_roles_its_house_requires(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    root = _project(tmp_path / "briefs", REQUIRES)
    draft = run_cli("email", SAMPLE_ID, "--root", root, "--to", "desk@example.org")
    assert draft.code == 0, "a draft is still written"
    refused_until_sent_uncleared(root, monkeypatch, tmp_path / "config", "lacks `cleared` and `approved`",
                                 "not sent: the brief lacks a clearance its house requires")


# --- default audiences --------------------------------------------------------------------------

AUDIENCES = """\
name = "Acme Ministry"
[markings]
scheme = "uk"
default = "OFFICIAL"
[[audiences]]
id = "press"
name = "Press office"
ceiling = "OFFICIAL"
omit = ["sensitivities"]
"""


def test_the_house_audiences_apply_to_a_brief_in_its_scheme_without_its_own(tmp_path: Path):
    root = _project(tmp_path / "briefs", AUDIENCES, unmarked=True)
    _build(root)
    press = root / "output" / f"{SAMPLE_ID}.press.pdf"
    assert press.is_file()
    full_text, press_text = pdf_text(root / "output" / f"{SAMPLE_ID}.pdf"), pdf_text(press)
    assert "Press office" in press_text
    assert "SENSITIVITIES" in full_text
    assert "SENSITIVITIES" not in press_text

    own = tmp_path / "own"
    shutil.copytree(root, own)
    shutil.rmtree(own / "output")
    with brief_path(own).open("a", encoding="utf-8") as handle:
        handle.write("audiences: []\n")                 # a brief's own list, even empty, wins
    _build(own)
    assert not (own / "output" / f"{SAMPLE_ID}.press.pdf").exists()

    classified = tmp_path / "classified"             # not in the house's scheme: no audiences
    _project(classified, AUDIENCES)
    _build(classified)
    assert not (classified / "output" / f"{SAMPLE_ID}.press.pdf").exists()


def test_a_house_audience_a_brief_cannot_have_is_reported_as_the_house_s(tmp_path: Path):
    root = _project(tmp_path / "briefs", AUDIENCES.replace('id = "press"', 'id = "fr"'), unmarked=True)
    edit(brief_path(root), "as_of:", "editions: [fr]\nas_of:")
    result = run_cli("check", "--no-layout", "--root", root, brief_path(root))
    assert result.code == 1
    assert ("error: `fr` is also one of this brief's `editions`, whose files are output/<brief>.<lang>...: "
            "this audience's version would take their place; choose another id (e.g. `press-office`) "
            "(an audience of the house, houses/acme/house.toml; or give the brief its own `audiences:`) "
            "(audiences[0].id)") in result.err


def test_a_house_audience_s_name_is_not_asked_of_a_brief_s_translators(tmp_path: Path):
    """The name is the house's text, not the brief's: its edition prints it as the house words it."""
    root = _project(tmp_path / "briefs", AUDIENCES, unmarked=True)
    edit(brief_path(root), "as_of:", "editions: [fr]\nas_of:")
    assert run_cli("translate", SAMPLE_ID, "--to", "fr", "--root", root).code == 0
    result = run_cli("check", "--no-layout", "--root", root, brief_path(root))
    assert result.code == 0, result.err
    assert "is not translated yet" in result.err                  # the brief's own fields are asked
    assert "audiences" not in result.err


# --- the house's own font files -----------------------------------------------------------------

def test_a_font_shipped_in_the_house_folder_is_embedded_in_the_pdf(tmp_path: Path):
    plain = tmp_path / "plain"
    copy_sample(plain / "content")
    _build(plain, brief_path(plain))
    assert not any("Acme-Mono" in font for font in _fonts(plain / "output" / f"{SAMPLE_ID}.pdf"))
    root = tmp_path / "fonted"
    copy_sample(root / "content")
    shutil.copytree(FONTED, root / "house")
    (root / "briefgen.toml").write_text('house = "house"\n', encoding="utf-8")
    _build(root, brief_path(root))
    assert any("Acme-Mono" in font for font in _fonts(root / "output" / f"{SAMPLE_ID}.pdf"))
    html = (root / "output" / f"{SAMPLE_ID}.html").read_text(encoding="utf-8")
    assert 'url("data:font/ttf;base64,' in html, "inlined: the page reads no file of the house"
    assert str(root) not in html
    font = root / "house" / "fonts" / "AcmeMono.ttf"      # the font is one of the brief's inputs
    font.write_bytes(font.read_bytes())
    os.utime(font, (1, 1))
    again = run_cli("build", "--root", root, brief_path(root))
    assert again.out.splitlines()[-1].startswith("0 built"), "same bytes: nothing to do"
    (root / "house" / "house.css").write_text((FONTED / "house.css").read_text(encoding="utf-8")
                                              .replace("h1, h2", "h1"), encoding="utf-8")
    assert run_cli("build", "--root", root, brief_path(root)).out.splitlines()[-1].startswith("1 built")


@pytest.mark.parametrize(("url", "message"), [
    ("../content/assets/x.ttf", "name a file inside the house's folder by a relative path, without `..`"),
    ("https://fonts.example.org/x.woff2", "a house reads only files in its own folder, never the network"),
    ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "by a relative path"),
    ("fonts/linked.ttf", "leads out of the house's folder (a symbolic link)"),
    ("fonts/none.ttf", "there is no such file in the house's folder"),
])
def test_house_css_reads_only_files_inside_the_house_folder(tmp_path: Path, url: str, message: str):
    root = tmp_path / "project"
    copy_sample(root / "content")
    shutil.copytree(FONTED, root / "house")
    (root / "house" / "fonts" / "linked.ttf").symlink_to("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    (root / "house" / "house.css").write_text(
        f'/* a font */\n@font-face {{ font-family: "X"; src: url("{url}"); }}\n', encoding="utf-8")
    (root / "briefgen.toml").write_text('house = "house"\n', encoding="utf-8")
    result = run_cli("build", "--root", root, brief_path(root))
    assert result.code == 1
    assert f"house/house.css:2:37: error: `{url}`" in result.err
    assert message in result.err
    assert not (root / "output" / f"{SAMPLE_ID}.pdf").exists()
