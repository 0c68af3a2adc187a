"""The clearance chain over real git histories: pinned to the text it was given for, stale
when the text changes after it, fresh again when given anew; printed, recorded, and heeded
by `email --send`."""

from __future__ import annotations

import json
from pathlib import Path

import pikepdf
import pytest
from conftest import SAMPLE_ID, commit, config_home, copy_sample, edit, git, run_cli
from mail_server import smtp_server
from pdf_utils import pdf_text

CLEARANCE = """\
clearance:
  drafted: {by: Sam Ortiz, office: EAP/J, on: 2024-09-16}
  cleared:
    - {by: Priya Natarajan, office: EAP, on: 2024-09-18}
"""
BOTTOM_LINE = "may impact their security"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """The sample brief committed, then its clearance added in a commit of its own."""
    root = tmp_path / "briefs"
    copy_sample(root / "content")
    git(tmp_path, "init", "-q", "-b", "main", str(root))
    commit(root, "the brief")
    with brief(root).open("a", encoding="utf-8") as handle:
        handle.write(CLEARANCE)
    commit(root, "cleared by EAP")
    return root


def brief(root: Path) -> Path:
    return root / "content" / f"{SAMPLE_ID}.yaml"


def check(root: Path, *args: str):
    return run_cli("check", "--root", root, "--no-layout", *args)


def test_a_clearance_goes_stale_when_the_bottom_line_changes_and_fresh_when_cleared_anew(repo: Path):
    assert check(repo, "--strict").code == 0

    edit(brief(repo), BOTTOM_LINE, "may threaten their security")
    commit(repo, "sharper bottom line")
    stale = check(repo)
    assert stale.code == 0, stale.err                          # a warning...
    assert ("warning: cleared by Priya Natarajan on 18 Sep 2024; since then: bottom line; have "
            "Priya Natarajan clear it again") in stale.err
    assert "(clearance.cleared[0])" in stale.err
    assert "Sam Ortiz" not in stale.err                        # a draft is meant to change
    strict = check(repo, "--strict")
    assert strict.code == 1                                     # ...that --strict refuses

    edit(brief(repo), "on: 2024-09-18", "on: 2024-09-20")      # cleared anew, as it now reads
    commit(repo, "cleared again")
    assert check(repo, "--strict").code == 0


def test_what_changed_names_the_decision_by_its_key_path(tmp_path: Path):
    root = tmp_path / "briefs"
    copy_sample(root / "content")
    (root / "content" / SAMPLE_ID).with_suffix(".yaml").unlink()
    woodside = Path(__file__).resolve().parent.parent / "content" / "woodside-2023.yaml"
    (root / "content" / "woodside-2023.yaml").write_text(woodside.read_text(encoding="utf-8"),
                                                         encoding="utf-8")
    git(tmp_path, "init", "-q", "-b", "main", str(root))
    commit(root, "the brief")
    git(root, "commit", "-q", "--allow-empty", "-m", "approved\n\nCleared-by: Jo Lee <jo@example.org>")
    assert check(root, "--strict").code == 0          # an empty commit touches no brief: not a clearance
    path = root / "content" / "woodside-2023.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "# cleared\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "approved\n\nCleared-by: Jo Lee <jo@example.org>")
    edit(path, "options: [Agree, Disagree, Discuss]", "options: [Agree, Disagree]")
    result = check(root)
    assert "cleared by Jo Lee on" in result.err
    assert "since then: decisions[1]; have Jo Lee clear it again (add a new `Cleared-by:` trailer)" \
        in result.err


def test_a_new_distribution_is_not_a_change_to_the_text_cleared(repo: Path):
    path = brief(repo)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(CLEARANCE, "") + "distribution:\n  to: [desk@example.org]\n" + CLEARANCE,
                    encoding="utf-8")
    commit(repo, "send it to the desk")
    assert check(repo, "--strict").code == 0


def test_a_trailer_clearance_is_printed_in_the_annex_and_the_footer_and_recorded(repo: Path):
    git(repo, "commit", "-q", "--amend", "-m", "cleared\n\nCleared-by: Jo Lee <jo@example.org>")
    result = run_cli("build", "--root", repo, "--record")
    assert result.code == 0, result.err
    text = pdf_text(repo / "output" / f"{SAMPLE_ID}.pdf")
    assert "CLEARANCE" in text                                 # the annex block
    assert "Drafted Sam Ortiz EAP/J 16 Sep 2024" in text
    assert "Cleared Priya Natarajan EAP 18 Sep 2024" in text
    assert "Cleared Jo Lee (commit trailer)" in text
    assert "Cleared by Priya Natarajan, Jo Lee" in " ".join(text.split())
    with pikepdf.open(repo / "output" / f"{SAMPLE_ID}.record.pdf") as pdf:
        manifest = json.loads(pdf.attachments["briefgen-record.json"].get_file().read_bytes())
    chain = {(c["role"], c["by"]): c for c in manifest["clearance"]}
    assert chain[("cleared", "Jo Lee")]["source"] == "trailer"
    assert chain[("cleared", "Jo Lee")]["email"] == "jo@example.org"
    assert chain[("cleared", "Priya Natarajan")]["changed_since"] == []
    assert chain[("drafted", "Sam Ortiz")]["commit"] == git(repo, "rev-parse", "HEAD").strip()


def refused_until_sent_uncleared(root: Path, monkeypatch, config: Path, *said: str) -> None:
    """`email --send` of the sample refuses it, saying each of `said` and sending nothing;
    with --send-uncleared it is sent (through a real SMTP server)."""
    config_home(monkeypatch, config)
    monkeypatch.setenv("BRIEFGEN_MAIL_FROM", "Briefing Staff <briefs@example.org>")
    args = ["email", SAMPLE_ID, "--root", root, "--to", "desk@example.org", "--send"]
    with smtp_server(monkeypatch) as server:
        refused = run_cli(*args)
        assert refused.code == 1
        for words in said:
            assert words in refused.err
        assert server.received == []
        sent = run_cli(*args, "--send-uncleared")
        assert sent.code == 0, sent.err
        assert [r.rcpt_tos for r in server.received] == [["desk@example.org"]]


def test_email_send_refuses_text_changed_after_clearance_then_sends_when_told(repo: Path, monkeypatch,
                                                                              tmp_path: Path):
    edit(brief(repo), BOTTOM_LINE, "may threaten their security")
    commit(repo, "sharper bottom line")
    refused_until_sent_uncleared(repo, monkeypatch, tmp_path / "config",
                                 "not sent: the brief was changed after its clearance",
                                 "; Priya Natarajan must clear it again, or send it as it is", "--send-uncleared")


def test_a_trailer_clearance_committed_after_a_build_is_printed_by_the_next_build(repo: Path):
    """The page prints the chain, which git holds: a commit that adds only a trailer (the
    brief's text as it was) rebuilds the brief; a commit that touches no brief does not."""
    def build() -> str:
        result = run_cli("build", "--root", repo)
        assert result.code == 0, result.err
        return result.out.splitlines()[-1]

    assert build().startswith("1 built")
    assert "Jo Lee" not in pdf_text(repo / "output" / f"{SAMPLE_ID}.pdf")
    (repo / "notes.txt").write_text("not a brief\n", encoding="utf-8")
    commit(repo, "a note")
    assert build().startswith("0 built, 1 unchanged")
    git(repo, "commit", "-q", "--amend", "-m", "a note\n\nCleared-by: Jo Lee <jo@example.org>")
    assert build().startswith("0 built, 1 unchanged"), "the commit does not touch the brief"
    git(repo, "reset", "-q", "--soft", "HEAD~2")           # the clearance commit and the note, again
    git(repo, "commit", "-q", "-m", "cleared\n\nCleared-by: Jo Lee <jo@example.org>")
    assert build().startswith("1 built")
    text = " ".join(pdf_text(repo / "output" / f"{SAMPLE_ID}.pdf").split())
    assert "Cleared Jo Lee (commit trailer)" in text
    assert "Cleared by Priya Natarajan, Jo Lee" in text
    assert build().startswith("0 built, 1 unchanged")
