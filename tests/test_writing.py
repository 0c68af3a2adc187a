"""Plain-language checks (content/writing.py): each rule fires at the exact line and column of
the words it is about, inside Markdown blocks too, and is silent once the text is fixed or
the rule is silenced for the field with `# briefgen-allow: <rule>`.

The golden cases tests/errors/writing-*/ show the same rules through `briefgen check`.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from briefgen.content.loader import load_yaml
from briefgen.content.writing import WritingRules, grade_of, syllables, writing_warnings

BRIEF_HEAD = """\
title: Summit
classification: UNCLASSIFIED
prepared_by: Staff
as_of: 2023-08-17
"""


def _warnings(tmp_path: Path, body: str, rules: WritingRules | None = None) -> list[str]:
    path = tmp_path / "summit.yaml"
    path.write_text(BRIEF_HEAD + body, encoding="utf-8")
    doc = load_yaml(path, "summit.yaml")
    found = writing_warnings(doc, rules or WritingRules())
    return [f"{d.line}:{d.column} {d.key_path}: {d.message}" for d in found]


def test_acronym_used_before_it_is_spelt_out_points_at_the_use(tmp_path: Path):
    body = ("bottom_line: The NSC runs it.\n"
            "event:\n"
            "  purpose: |\n"
            "    First line.\n"
            "    The National Security Council (NSC) and the WTO.\n")
    found = _warnings(tmp_path, body)
    assert found[0].startswith("5:18 bottom_line: `NSC` is used before it is spelt out on line 9")
    assert found[1].startswith("9:49 event.purpose: `WTO` is never spelt out")
    assert len(found) == 2


def test_acronym_is_silent_once_spelt_out_first_or_in_a_glossary(tmp_path: Path):
    body = ("bottom_line: The National Security Council (NSC) runs it; the NSC meets.\n"
            "key_messages:\n  - The WTO, the UN and the EU agree.\n")
    assert _warnings(tmp_path, body, WritingRules(glossary={"WTO": "World Trade Organization"})) == []
    assert [w.split(" ", 2)[1] for w in _warnings(tmp_path, body)] == ["key_messages[0]:"]


def test_acronym_in_a_markdown_list_inside_a_block(tmp_path: Path):
    body = ("event:\n  purpose: |\n    Aims:\n\n    - talks with **APEC** members\n")
    assert _warnings(tmp_path, body)[0].startswith("9:20 event.purpose: `APEC` is never spelt out")


def test_a_comment_naming_the_rule_silences_it_for_that_field_only(tmp_path: Path):
    body = ("key_messages:\n"
            "  - The NSC agrees.  # briefgen-allow: acronym\n"
            "  - The DMZ stays.\n")
    found = _warnings(tmp_path, body)
    assert len(found) == 1
    assert found[0].startswith("7:9 key_messages[1]: `DMZ`")
    above = "# briefgen-allow: acronym\nbottom_line: The NSC agrees.\n"
    assert _warnings(tmp_path, above) == []


def test_a_long_sentence_points_at_its_start_and_a_short_one_is_silent(tmp_path: Path):
    long = " ".join(["word"] * 11)
    body = f"bottom_line: >-\n  Short one. Word {long}\n  and more words. Fine.\n"
    found = _warnings(tmp_path, body, WritingRules(max_words=10))
    assert found == ["6:14 bottom_line: a sentence of 15 words; this house keeps sentences and "
                     "bullets to 10 words or fewer: split it"]
    assert _warnings(tmp_path, "bottom_line: Short one. Fine too.\n", WritingRules(max_words=10)) == []


def test_each_bullet_of_a_markdown_list_counts_on_its_own(tmp_path: Path):
    items = "\n".join(f"    - item {n} has five words" for n in range(4))
    body = f"event:\n  purpose: |\n{items}\n"
    assert _warnings(tmp_path, body, WritingRules(max_words=5)) == []
    assert len(_warnings(tmp_path, body, WritingRules(max_words=4))) == 4


def test_a_banned_word_names_the_preferred_form_at_each_use(tmp_path: Path):
    rules = WritingRules(banned={"utilize": "use", "in order to": "to"}, house="Acme Ministry")
    body = "bottom_line: >-\n  We Utilize it in order\n  to win.\n"
    assert _warnings(tmp_path, body, rules) == [
        "6:6 bottom_line: `Utilize`: Acme Ministry writes `use`",
        "6:17 bottom_line: `in order to`: Acme Ministry writes `to`"]
    assert _warnings(tmp_path, "bottom_line: We use it to win; utilized is another word.\n", rules) == []


def test_reading_grade_counts_page_one_only(tmp_path: Path):
    hard = ("The comprehensive institutionalization of multilateral interoperability "
            "considerations necessitates extraordinary deliberation.")
    rules = WritingRules(max_grade=10)
    on_page_one = f"bottom_line: We meet.\nkey_messages:\n  - {hard}\n"
    found = _warnings(tmp_path, on_page_one, rules)
    assert len(found) == 1
    assert found[0].startswith("7:5 key_messages[0]: page 1 reads at grade")
    in_annex = f"bottom_line: We meet and we talk.\nbackground: {hard}\n"
    assert _warnings(tmp_path, in_annex, rules) == []


def test_passive_in_the_bottom_line_and_decisions_only(tmp_path: Path):
    rules = WritingRules(passive=True)
    body = ("bottom_line: A pledge will be announced.\n"
            "decisions:\n  - issue: Whether talks are resumed.\n    recommendation: Approve.\n"
            "    options: [Approve, Disapprove]\n"
            "key_messages:\n  - It was agreed.\n")
    found = _warnings(tmp_path, body, rules)
    assert [f.split(":")[0] + ":" + f.split(":")[1].split(" ")[0] for f in found] == ["5:28", "7:26"]
    active = ("bottom_line: The leaders will announce a pledge; they are interested.\n")
    assert _warnings(tmp_path, active, rules) == []


def test_quotations_are_not_rewritten(tmp_path: Path):
    body = "quotes:\n  - text: We will utilize the NSC.\n    by: biden\n"
    assert _warnings(tmp_path, body, WritingRules(banned={"utilize": "use"}, passive=True)) == []


@pytest.mark.parametrize(("word", "count"), [("the", 1), ("cat", 1), ("table", 2), ("agreed", 2),
                                             ("make", 1), ("deliberation", 5), ("institutional", 5)])
def test_syllables(word: str, count: int):
    assert syllables(word) == count


def test_grade_of_plain_and_hard_text():
    plain = grade_of(["The cat sat on the mat. We meet at ten."])
    hard = grade_of(["Multilateral institutionalization necessitates comprehensive interoperability."])
    assert plain is not None
    assert plain < 2
    assert hard is not None
    assert hard > 20
    assert grade_of([""]) is None
