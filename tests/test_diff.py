"""`briefgen diff` over real git histories made in a temporary repository."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import REPO, SAMPLE_ID, commit, copy_sample, edit, git, run_cli

pytestmark = pytest.mark.slow   # git histories whose briefs are validated and laid out at each commit

CALL = """\
title: Call with the President
classification: UNCLASSIFIED
prepared_by: Briefing staff
as_of: 2023-08-01
event:
  kind: call
  date: 2023-08-02
  location: Washington
  purpose: A short call about the summit.
participants:
  - person: biden
    role: principal
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The sample content and a one-person brief, committed on main; work goes on a branch."""
    root = tmp_path / "briefs"
    copy_sample(root / "content")
    (root / "content" / "call.yaml").write_text(CALL, encoding="utf-8")
    git(root.parent, "init", "-q", "-b", "main", str(root))
    commit(root, "briefs")
    git(root, "checkout", "-q", "-b", "edits")
    return root


def brief(root: Path) -> Path:
    return root / "content" / f"{SAMPLE_ID}.yaml"


def diff(root: Path, *args: str):
    return run_cli("diff", "--root", root, *args)


def test_status_change_since_main(repo):
    edit(brief(repo), "  - id: hotline\n    title: Three-way hotline\n    status: expected",
         "  - id: hotline\n    title: Three-way hotline\n    status: announced")
    commit(repo, "hotline announced")
    result = diff(repo)
    assert result.code == 0, result.err
    assert "content/camp-david-2023.yaml: changed" in result.out
    assert "    Three-way hotline: expected → announced" in result.out
    assert "call.yaml" not in result.out                      # unchanged briefs are not listed
    assert "compared with merge-base of HEAD and main" in result.out


def test_added_participant_and_words_on_the_page(repo):
    edit(brief(repo), "  - person: sullivan\n    role: delegation\n",
         "  - person: sullivan\n    role: delegation\n  - person: campbell\n    role: staff\n")
    result = diff(repo)                                       # uncommitted work counts too
    assert result.code == 0, result.err
    assert "  Participants\n    + added: Kurt Campbell — staff\n" in result.out
    before, after = _words(result.out)
    assert after > before


def _words(out: str) -> tuple[int, int]:
    line = next(line for line in out.splitlines() if "words on page 1" in line)
    before, after = line.split(": ")[1].split(" → ")
    return int(before), int(after)


def test_reworded_message_is_marked_word_by_word(repo):
    edit(brief(repo), "broader coordination to the next level", "broader coordination to a new level")
    result = diff(repo, "main")
    assert result.code == 0, result.err
    assert "  Objectives\n" in result.out
    assert "broader coordination to [-the next-] {+a new+} level in a really fundamental way" in result.out
    assert "+ added" not in result.out
    assert "- removed" not in result.out


def test_person_file_edit_shows_in_every_brief_naming_the_person(repo):
    (repo / "content" / "other.yaml").write_text(CALL.replace("biden", "kishida"), encoding="utf-8")
    commit(repo, "another brief")
    edit(repo / "content" / "people" / "kishida.yaml", "title: Prime Minister of Japan",
         "title: Former Prime Minister of Japan")
    result = diff(repo, "HEAD")
    assert result.code == 0, result.err
    for path in ("content/camp-david-2023.yaml", "content/other.yaml"):
        assert f"{path}: changed\n  files changed: content/people/kishida.yaml\n" in result.out
    assert result.out.count("  People (content/people/kishida.yaml)\n    Fumio Kishida: title: "
                            "Prime Minister of Japan → Former Prime Minister of Japan") == 2
    assert "call.yaml" not in result.out                      # names biden only


def test_reordered_agenda_and_removed_deliverable(repo):
    text = brief(repo).read_text(encoding="utf-8")
    first = ("  - date: 2023-08-17\n    title: Japanese and South Korean leaders arrive in the United States\n"
             "    note: the night before the summit\n    sources: [news-report]\n")
    assert first in text
    text = text.replace(first, "").replace("\n\ndeliverables:\n", "\n" + first + "\ndeliverables:\n", 1)
    hotline_start = text.index("  - id: hotline")
    hotline_end = text.index("  - id: annual-summit")
    brief(repo).write_text(text[:hotline_start] + text[hotline_end:], encoding="utf-8")
    result = diff(repo)
    assert "  Deliverables\n" in result.out
    assert "- removed: Three-way hotline" in result.out
    assert "~ moved: Japanese and South Korean leaders arrive in the United States (1st → 5th)" in result.out


def test_renamed_brief(repo):
    git(repo, "mv", f"content/{SAMPLE_ID}.yaml", "content/camp-david.yaml")
    edit(repo / "content" / "camp-david.yaml", "status: expected", "status: confirmed")
    commit(repo, "rename")
    result = diff(repo)
    assert result.code == 0, result.err
    assert "content/camp-david.yaml: renamed from content/camp-david-2023.yaml" in result.out
    assert "Commitment to consult: expected → confirmed" in result.out
    assert "deleted" not in result.out
    assert "new brief" not in result.out


def test_rename_found_by_similar_text_without_git(repo):
    (repo / "content" / "call.yaml").unlink()
    (repo / "content" / "visit.yaml").write_text(CALL.replace("kind: call", "kind: visit")
                                                 + "subtitle: Three days in Tokyo\n", encoding="utf-8")
    result = diff(repo, "--format", "json")
    assert result.code == 0, result.err
    [visit] = json.loads(result.out)["briefs"]
    assert (visit["path"], visit["state"], visit["renamed_from"]) == \
        ("content/visit.yaml", "renamed", "content/call.yaml")
    assert {(c["section"], c["field"], c["after"]) for c in visit["changes"]} == {
        ("Brief", "subtitle", "Three days in Tokyo"), ("Event", "kind", "visit")}


def test_new_brief_unlike_any_other(repo):
    (repo / "content" / "call.yaml").unlink()
    shutil.copy(brief(repo), repo / "content" / "second.yaml")
    result = diff(repo)
    assert "content/call.yaml: deleted" in result.out
    # the copy is the same file as camp-david-2023.yaml, which is still there: a new brief
    assert "content/second.yaml: renamed from content/call.yaml" not in result.out
    assert "content/second.yaml: new brief" in result.out


def test_a_glossary_change_is_not_reported_as_a_brief(repo):
    (repo / "content" / "glossary.yaml").write_text("NSC: National Security Council\n", encoding="utf-8")
    commit(repo, "a glossary")
    result = diff(repo)
    assert result.code == 0, result.err
    assert "glossary.yaml" not in result.out, "the glossary is the project's acronyms, not a brief"


def test_invalid_base_is_reported_with_its_errors(repo):
    edit(brief(repo), "status: expected", "status: expectd")
    commit(repo, "typo")
    git(repo, "tag", "broken")
    edit(brief(repo), "status: expectd", "status: confirmed")
    result = diff(repo, "broken")
    assert result.code == 0, result.err                       # fixed now: nothing wrong to report
    assert "  does not validate at the base:\n    content/camp-david-2023.yaml:" in result.out
    assert "`status` must be one of expected" in result.out
    assert "Traceback" not in result.err


def test_invalid_now_exits_1(repo):
    edit(brief(repo), "status: expected", "status: expectd")
    result = diff(repo, "--format", "markdown")
    assert result.code == 1
    assert "**Does not validate now:**" in result.out
    assert "\\`status\\` must be one of expected" in result.out


def test_person_file_deleted(repo):
    (repo / "content" / "people" / "sullivan.yaml").unlink()
    result = diff(repo)
    assert result.code == 1
    assert "  does not validate now:\n    content/camp-david-2023.yaml:" in result.out
    assert "no person `sullivan`: expected a file content/people/sullivan.yaml" in result.out
    assert "  files changed: content/people/sullivan.yaml (deleted)\n" in result.out
    assert "Traceback" not in result.err


def test_bad_revision_exits_2(repo):
    result = diff(repo, "no-such-branch")
    assert result.code == 2
    assert "revision 'no-such-branch' not found" in result.err


def test_not_a_repository_exits_2(project):
    result = run_cli("diff", "--root", project)
    assert result.code == 2
    assert "is not in a git repository" in result.err


def test_shallow_clone_without_the_base(repo, tmp_path):
    edit(brief(repo), "status: expected", "status: confirmed")
    commit(repo, "confirmed")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    result = diff(clone, "HEAD~1")
    assert result.code == 2
    assert "shallow" in result.err
    assert "fetch-depth: 0" in result.err


def test_one_brief_by_id_and_unchanged_briefs_are_not_read(repo):
    # call.yaml is broken at both sides but unchanged: it is never validated, so never reported
    edit(repo / "content" / "call.yaml", "kind: call", "kind: chat")
    commit(repo, "break the call")
    edit(brief(repo), "status: expected", "status: confirmed")
    assert diff(repo, "HEAD").code == 0
    result = diff(repo, "HEAD", SAMPLE_ID)
    assert result.code == 0
    assert "camp-david-2023.yaml: changed" in result.out
    only_call = diff(repo, "HEAD", "content/call.yaml")
    assert only_call.code == 0
    assert only_call.out.startswith("no brief changed")


def test_markdown_escapes_content(repo):
    edit(brief(repo), "title: Three-way hotline", "title: Three-way <b>hotline</b> *now*")
    result = diff(repo, "--format", "markdown")
    assert result.code == 0, result.err
    assert "Three-way &lt;b&gt;hotline&lt;/b&gt; \\*now\\*" in result.out
    assert "<b>" not in result.out


def test_template_change_is_named(repo):
    shutil.copytree(REPO / "templates", repo / "templates")
    commit(repo, "own templates")
    with open(repo / "templates" / "one-pager.css", "a", encoding="utf-8") as css:
        css.write("\n/* smaller */\n")
    result = diff(repo, "HEAD")   # against the commit that added the project's own templates
    assert "templates changed (every brief): templates/one-pager.css\n" in result.out


def test_picture_outlines_the_change(repo):
    from PIL import Image

    from briefgen.render.picture import OUTLINE, changed_regions, first_page

    edit(brief(repo), "Do not get ahead of the formal statements.",
         "Do not get ahead of the formal statements, or of the three leaders themselves.")
    result = diff(repo, "--picture")
    assert result.code == 0, result.err
    assert "  picture: output/camp-david-2023.diff.png" in result.out
    fills = next(line for line in result.out.splitlines() if "page 1 filled:" in line)
    assert re.search(r"page 1 filled: \d+% → \d+%$", fills), fills
    picture = Image.open(repo / "output" / "camp-david-2023.diff.png").convert("RGB")
    assert picture.width > 2 * picture.height * 0.6                # two pages side by side
    red = [xy for xy in ((x, y) for x in range(0, picture.width, 2) for y in range(0, picture.height, 2))
           if picture.getpixel(xy) == OUTLINE]
    assert red, "no changed region outlined"
    # the outline sits on the sensitivities' line, below the title, the bottom line and the
    # participants
    half = picture.width // 2
    right_side = [(x - half, y) for x, y in red if x > half]
    assert right_side
    assert min(y for _, y in right_side) > picture.height * 0.25
    pdf = run_cli("build", "--root", repo)
    assert pdf.code == 0, pdf.err
    page = first_page((repo / "output" / "camp-david-2023.pdf").read_bytes())
    assert changed_regions(page, page) == []
    regions = changed_regions(page, page.crop((0, 0, page.width, page.height // 2)))
    assert regions
    assert all(region.top >= page.height // 2 - 8 for region in regions)


def test_picture_of_a_new_brief(repo):
    shutil.copy(repo / "content" / "call.yaml", repo / "content" / "call-2.yaml")
    edit(repo / "content" / "call-2.yaml", "A short call about the summit.",
         "A much longer call about everything that the summit was meant to settle, in detail.")
    (repo / "content" / "call.yaml").unlink()
    git(repo, "rm", "-q", "--cached", "content/call.yaml")
    result = diff(repo, "--picture", "--format", "json")
    assert result.code == 0, result.err
    [entry] = json.loads(result.out)["briefs"]
    assert entry["picture"] == "output/call-2.diff.png"
    assert entry["fill"]["before"].endswith("%")
    assert entry["fill"]["after"].endswith("%")


def test_colour_on_a_terminal_unless_no_color(repo, monkeypatch):
    import io

    from briefgen.cli.ci import wants_colour

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    edit(brief(repo), "broader coordination to the next level", "broader coordination to a new level")
    monkeypatch.delenv("NO_COLOR", raising=False)
    assert wants_colour(Terminal())
    assert not wants_colour(io.StringIO())
    from briefgen.cli.main import main
    out = Terminal()
    assert main(["diff", "--root", str(repo)], stdout=out, stderr=io.StringIO()) == 0
    assert "\033[31mthe next\033[0m \033[32ma new\033[0m" in out.getvalue()
    assert "[-" not in out.getvalue()
    monkeypatch.setenv("NO_COLOR", "1")
    plain = Terminal()
    assert main(["diff", "--root", str(repo)], stdout=plain, stderr=io.StringIO()) == 0
    assert "\033[" not in plain.getvalue()
    assert "[-the next-] {+a new+}" in plain.getvalue()


def test_changes_in_plain_words(project):
    from briefgen.content.compare import Side, compare
    from briefgen.project import Project
    from briefgen.render.changes import plain_summary
    from briefgen.workflows.brief import check_brief

    site = Project.at(project)
    path = project / "content" / f"{SAMPLE_ID}.yaml"
    before, _ = check_brief(site, path)
    edit(path, "  - person: sullivan\n    role: delegation\n", "")
    edit(path, "participants: [kishida, yoon, blinken, sullivan]", "participants: [kishida, yoon, blinken]")
    text = path.read_text(encoding="utf-8")
    first = text.index("  - id: consult-pledge")
    second = text.index("  - id: missile-defense")
    third = text.index("  - id: joint-exercises")
    path.write_text(text[:first] + text[second:third] + text[first:second] + text[third:], encoding="utf-8")
    after, result = check_brief(site, path)
    assert after is not None, result.errors
    sentences = plain_summary(compare(Side(before.brief, before.people), Side(after.brief, after.people)))
    assert sentences == [
        "No longer listed (participant): Jake Sullivan.",
        "Deliverable moved: Enhanced ballistic missile defense cooperation (was 2nd, now 1st).",
        ("Meetings with Secretary of State Blinken and National Security Advisor Sullivan: participants "
         "changed from kishida, yoon, blinken, sullivan to kishida, yoon, blinken."),
    ]


# --- one audience's version (--audience) ------------------------------------------------------

AUDIENCES = REPO / "tests" / "audiences" / "content"      # two briefs with audiences (test_audiences.py)


@pytest.fixture
def versions_repo(tmp_path: Path) -> Path:
    """The audiences test project and a brief without audiences, committed on main."""
    root = tmp_path / "briefs"
    shutil.copytree(AUDIENCES, root / "content")
    shutil.copytree(REPO / "content" / "people", root / "content" / "people")
    (root / "content" / "call.yaml").write_text(CALL, encoding="utf-8")
    git(root.parent, "init", "-q", "-b", "main", str(root))
    commit(root, "briefs")
    return root


def ally(root: Path) -> Path:
    return root / "content" / "ally-talks.yaml"


PRESS = "  - id: press\n    name: Press office\n    ceiling: U\n"


def test_an_audience_no_brief_has_is_a_usage_error_naming_the_audiences(versions_repo):
    named = diff(versions_repo, "HEAD", "ally-talks", "--audience", "pres")
    assert named.code == 2
    assert named.err == ("error: content/ally-talks.yaml has no audience `pres` (its audiences: staff, "
                         "partner, press)\n")
    every = diff(versions_repo, "HEAD", "--audience", "pres")
    assert every.code == 2
    assert "error: no brief has an audience `pres`:\n" in every.err
    assert "  content/board-review.yaml has no audience `pres` (its audiences: staff, public)\n" in every.err
    assert ("  content/call.yaml has no audiences, so no version for `pres` (a brief lists its versions "
            "under `audiences:`)\n") in every.err
    not_an_id = diff(versions_repo, "--audience", "Press Office")
    assert not_an_id.code == 2
    assert "'Press Office' is not an audience id" in not_an_id.err


def test_a_brief_without_the_audience_is_refused_when_named_and_left_out_otherwise(versions_repo):
    named = diff(versions_repo, "HEAD", "call", "--audience", "press")
    assert named.code == 2
    assert "content/call.yaml has no audiences, so no version for `press`" in named.err
    edit(ally(versions_repo), "The alliance is strong", "The alliance is very strong")
    edit(versions_repo / "content" / "call.yaml", "A short call", "A long call")
    result = diff(versions_repo, "HEAD", "--audience", "press")
    assert result.code == 0, result.err
    assert result.out.startswith("content/ally-talks.yaml (version for press): changed\n")
    assert "call.yaml: changed" not in result.out
    assert result.out.endswith("not compared (no audience `press` at either side): content/board-review.yaml, "
                               "content/call.yaml\ncompared with HEAD (" + git(versions_repo, "rev-parse",
                                                                               "--short=10", "HEAD").strip()
                               + "), the version for audience `press` at both sides\n")
    data = json.loads(diff(versions_repo, "HEAD", "--audience", "press", "--format", "json").out)
    assert (data["audience"], data["left_out"]) == ("press", ["content/board-review.yaml", "content/call.yaml"])


def test_a_change_only_to_what_the_audience_may_not_see_leaves_its_version_unchanged(versions_repo):
    edit(ally(versions_repo), "Our own position on NARWHALCREST", "Our own firm position on NARWHALCREST")
    press = diff(versions_repo, "HEAD", "ally-talks", "--audience", "press")
    assert press.code == 0, press.err
    assert press.out.startswith("no brief changed\n")          # not even the file is named
    staff = diff(versions_repo, "HEAD", "ally-talks", "--audience", "staff")
    assert "{+firm+}" in staff.out


def test_an_audience_added_is_a_new_version_and_one_removed_is_gone(versions_repo):
    edit(ally(versions_repo), PRESS, PRESS + "  - id: media\n    name: Media desk\n    ceiling: U\n")
    added = diff(versions_repo, "HEAD", "ally-talks", "--audience", "media")
    assert added.code == 0, added.err
    assert "content/ally-talks.yaml (version for media): new version (no audience `media` at the base)\n" \
        in added.out
    assert "  words on page 1: – → " in added.out            # nothing to compare it with
    edit(ally(versions_repo), "    omit: [sensitivities]\n    distribution:\n      to: [press.office@example.org]\n"
         "      bcc: [records@example.org]\n", "")
    edit(ally(versions_repo), PRESS, "")
    gone = diff(versions_repo, "HEAD", "ally-talks", "--audience", "press", "--format", "markdown")
    assert gone.code == 0, gone.err
    assert "### content/ally-talks.yaml (version for press): version gone (no audience \\`press\\` now)" in gone.out
    assert "NARWHALCREST" not in gone.out


def test_each_side_is_filtered_with_its_own_definition_of_the_audience(versions_repo):
    """The press's ceiling raised: what it may see now is added; what it still may not is not
    compared. The banner computed for the version changes with it."""
    edit(ally(versions_repo), PRESS, PRESS.replace("ceiling: U", "ceiling: C//REL TO USA, JPN"))
    result = diff(versions_repo, "HEAD", "ally-talks", "--audience", "press")
    assert result.code == 0, result.err
    assert "    the brief: classification: UNCLASSIFIED → CONFIDENTIAL//REL TO USA, JPN\n" in result.out
    assert "    + added: Exercise plan OCELOTMIRE — " in result.out
    for withheld in ("NARWHALCREST", "WOMBATSPIRE", "QUOKKAVEIL", "GIRAFFEHAZE", "CHINCHILLAVOW"):
        assert withheld not in result.out, withheld


def test_a_side_that_does_not_validate_has_its_problems_counted_not_quoted(versions_repo):
    edit(ally(versions_repo), "  - text: Our own position on NARWHALCREST stays with us [@internal-assessment].\n"
         "    marking: S//NOFORN", "  - text: Our own position on NARWHALCREST stays with us "
         "[@internal-assessment].\n    marking: S//NARWHALCREST")
    full = diff(versions_repo, "HEAD", "ally-talks")
    assert full.code == 1
    assert "unknown caveat `NARWHALCREST`" in full.out    # the message quotes it
    press = diff(versions_repo, "HEAD", "ally-talks", "--audience", "press")
    assert press.code == 1
    assert ("content/ally-talks.yaml (version for press): changed\n  does not validate now:\n"
            "    content/ally-talks.yaml: error: 1 problem, not listed in the diff of the version for `press` "
            "(it may quote what the audience may not see); the diff without --audience lists it\n") in press.out
    assert "NARWHALCREST" not in press.out


LONG_MESSAGE = " ".join(["The summit follows a long series of meetings."] * 50)


def test_a_change_that_pushes_page_one_over_is_reported_in_every_format_and_exits_1(repo):
    """Committed on main, the sample fits; a long key message added on the branch makes page 1
    overflow: every format says so, and the diff exits 1 as for content errors."""
    edit(brief(repo), "sensitivities:\n", f"key_messages:\n  - {LONG_MESSAGE}\n\nsensitivities:\n")
    commit(repo, "a long key message")
    text = diff(repo)
    assert text.code == 1, text.err
    assert re.search(r"^  now overflows page 1 by \d+\.\d in \(\d+ mm\)$", text.out, re.MULTILINE), text.out
    assert re.search(r"^  words on page 1: \d+ → –$", text.out, re.MULTILINE), text.out
    markdown = diff(repo, "--format", "markdown")
    assert markdown.code == 1
    assert "**Now overflows page 1 by " in markdown.out, markdown.out
    data = diff(repo, "--format", "json")
    assert data.code == 1
    [camp] = [b for b in json.loads(data.out)["briefs"] if b["id"] == SAMPLE_ID]
    assert re.fullmatch(r"\d+\.\d in \(\d+ mm\)", camp["overflow"]["after"])
    assert camp["overflow"]["before"] is None
    # the amount is the layout verdict's data, recorded with it, not read out of its message
    from briefgen.engine import stamps
    from briefgen.render.fit import Overflow
    recorded = stamps.read_stamp(stamps.layout_path(repo / "output", SAMPLE_ID))
    assert recorded is not None
    assert recorded["overflow"]["px"] > 0, recorded
    assert Overflow(**recorded["overflow"]).describe() == camp["overflow"]["after"]


def test_words_on_page_one_count_page_one_only(repo):
    """The annex (background, quotes, sources) is not on page 1: its words do not count."""
    from briefgen.render.text import brief_text
    from briefgen.workflows.brief import Project, check_brief

    edit(brief(repo), "status: expected", "status: announced")
    result = diff(repo)
    assert result.code == 0, result.err
    _, after = _words(result.out)
    validated, _ = check_brief(Project.at(repo), brief(repo))
    assert after < len(brief_text(validated, "x.pdf").split())
    recorded = json.loads((repo / "output" / ".briefgen" / f"{SAMPLE_ID}.layout.json").read_text())
    assert after == recorded["words"]


def test_a_brief_that_follows_an_unchanged_brief_validates_at_the_base(repo):
    """The base side holds the briefs a changed brief `follows`, though they did not change."""
    edit(repo / "content" / "call.yaml", "title: Call with the President",
         f"follows: {SAMPLE_ID}\ntitle: Call with the President")
    commit(repo, "the call follows the summit")
    edit(repo / "content" / "call.yaml", "purpose: A short call about the summit.",
         "purpose: A short call after the summit.")
    result = diff(repo, "HEAD")
    assert result.code == 0, result.err
    assert "does not validate at the base" not in result.out
    assert "content/call.yaml: changed" in result.out
    assert "purpose: A short call [-about-] {+after+} the summit." in result.out
