"""Plain-language checks: what every briefing style guide asks of the words themselves.

The rules, each named so an author can silence it for one field with a YAML comment
(`# briefgen-allow: acronym` on the field's line, or on comment lines just above it):

* `acronym`: an acronym (two or more capitals) used before it is spelt out as
  "Full Name (ACR)" in the brief, unless a glossary (the house's, or the project's
  `content/glossary.yaml`) defines it or it is universally known (UN, EU, US...);
* `sentence-length`: a sentence or bullet longer than the house's limit, in words;
* `banned-word`: a word or phrase the house bans, naming the form it prefers;
* `reading-grade`: page 1 reads above the house's Flesch-Kincaid grade;
* `passive`: a passive construction (a form of "to be" then a past participle) in the
  bottom line or a decision, where who acts must be plain.

Every rule reads the text as written, with Markdown markup blanked out character for
character (not removed), so an offset in the text is an offset in the value and each
warning points at the exact line and column, inside a Markdown block too. Nothing here
reads a file or the network: the word lists arrive as `WritingRules`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from briefgen.content.fields import markdown_texts
from briefgen.content.loader import KeyPath, LoadedDocument
from briefgen.content.models import DEFAULT_ANNEX, Brief
from briefgen.errors import Diagnostic

RULES = ("acronym", "sentence-length", "banned-word", "reading-grade", "passive")
# Acronyms any reader knows; a house or a project adds its own in a glossary.
KNOWN_ACRONYMS = frozenset({"UN", "EU", "US", "USA", "UK", "NATO", "AM", "PM", "TV", "OK", "ID",
                            "II", "III", "IV", "VI", "VII", "VIII", "IX", "XI", "XII"})
# `# briefgen-allow: acronym, passive` as a comment (after a space or at the line's start).
ALLOW_COMMENT = re.compile(r"(?:^|\s)#\s*briefgen-allow:\s*([a-z, -]+)")
# Two or more capitals (digits may follow or sit between): NSC, APEC, G20 is not (one capital).
# At most six characters: a longer word in capitals is a codeword or a shout, not an acronym.
ACRONYM = re.compile(r"(?<![\w.@-])(?=[A-Z0-9]{2,6}(?:s|'s|’s)?(?!\w))"
                     r"([A-Z][A-Z0-9]*[A-Z][A-Z0-9]*)(?:s|'s|’s)?(?!\w)")
# What `check` already reports as left in the text (validate.PLACEHOLDER), not acronyms,
# and words written in capitals for emphasis.
_NOT_ACRONYMS = frozenset({"TBD", "TODO", "TBC", "FIXME", "XXX", "NO", "NOT", "YES", "ON", "OFF", "OR", "AND"})
DEFINITION = re.compile(r"\(\s*([A-Z][A-Z0-9]*[A-Z][A-Z0-9]*)s?\s*\)")
WORD = re.compile(r"[^\W_](?:[\w’'.-]*[^\W_])?")
# A sentence ends at . ! or ? (then closing quotes or brackets) before a space and a capital,
# a digit, a quote or an opening bracket; a new paragraph or a bullet starts one too.
SENTENCE_END = re.compile(r"(?<!\b[A-Z])(?<!\b(?:Mr|Ms|Dr|St|No|vs))(?<!\be\.g)(?<!\bi\.e)"
                          r"[.!?][\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])")
BLOCK_BREAK = re.compile(r"\n[ \t]*\n|^[ \t]*(?:[-*+]|\d+[.)]|#+)[ \t]+", re.MULTILINE)
# Markdown that is not words: citations, link targets, code, emphasis and heading marks.
_MARKUP = re.compile(r"\[@[^\]]*\]|\]\([^)]*\)|`[^`]*`|<[^>]*>|[*_~#>\[\]]")
_BE = r"(?:am|is|are|was|were|be|been|being)"
_IRREGULAR = ("known|given|taken|made|done|seen|held|sent|shown|written|chosen|driven|broken|spoken|"
              "built|brought|found|kept|left|led|met|paid|put|set|told|thought|understood|won|"
              "agreed|signed|struck|drawn|grown|thrown|begun|sought|bound|laid|sold|hit|cut")
# Words ending in -ed that describe, not act ("is interested"): not passive.
_ADJECTIVES = {"interested", "concerned", "pleased", "tired", "worried", "married", "supposed",
               "used", "based", "related", "limited", "advanced", "detailed", "experienced",
               "committed", "prepared", "united", "qualified", "required", "needed"}
PASSIVE = re.compile(rf"\b{_BE}\s+(?:\w+ly\s+)?(\w+ed|{_IRREGULAR})\b", re.IGNORECASE)
# Sections where who acts must be plain: the bottom line and the decisions.
_PASSIVE_SECTIONS = ("bottom_line", "decisions")
# A placeholder `briefgen new` left ("FILL IN: ..."), which check reports as one.
_UNFILLED = re.compile(r"\s*FILL IN\b")
# Someone else's words, printed as said: not the house's to rewrite.
_QUOTED = ("quotes",)


@dataclass(frozen=True)
class WritingRules:
    """A house's writing limits and word lists (content/house.py reads them from house.toml)."""

    banned: dict[str, str] = field(default_factory=dict)   # banned word or phrase -> preferred form
    max_words: int | None = None       # per sentence or bullet
    max_grade: float | None = None     # Flesch-Kincaid grade of page 1
    glossary: dict[str, str] = field(default_factory=dict)  # acronym -> full name
    passive: bool = True
    acronyms: bool = True
    house: str = "this house"          # how messages name the house


@dataclass(frozen=True)
class _Text:
    """One prose value of the brief: where it is, the text, and the text with markup blanked."""

    key_path: KeyPath
    text: str
    words: str


def writing_warnings(doc: LoadedDocument, rules: WritingRules) -> list[Diagnostic]:
    """Every plain-language warning in a brief, each at its exact line and column."""
    texts = list(_prose(doc))
    allowed = _allowed_rules(doc)

    def on(rule: str, text: _Text) -> bool:
        return rule not in allowed.get(text.key_path, set())

    known = KNOWN_ACRONYMS | set(rules.glossary)
    found = _acronyms([t for t in texts if on("acronym", t)], known, doc) if rules.acronyms else []
    for text in texts:
        if rules.max_words and on("sentence-length", text):
            found += _long_sentences(text, rules, doc)
        if rules.banned and on("banned-word", text):
            found += _banned(text, rules, doc)
        if rules.passive and text.key_path[0] in _PASSIVE_SECTIONS and on("passive", text):
            found += _passives(text, doc)
    if rules.max_grade is not None:
        annex = _annex_sections(doc)
        page_one = [t for t in texts if t.key_path[0] not in annex and on("reading-grade", t)]
        found += _reading_grade(page_one, rules, doc)
    return found


# --- the brief's prose, in the order it is written ----------------------------------------

def _prose(doc: LoadedDocument) -> Iterator[_Text]:
    """Every Markdown value of the brief (the prose) but quotations and placeholders, in file
    order, with markup blanked."""
    found = [(doc.locate(key_path), key_path, text) for key_path, text in markdown_texts(Brief, doc.data)
             if key_path[0] not in _QUOTED and not _UNFILLED.match(text)]
    for _, key_path, text in sorted(found, key=lambda entry: entry[0]):
        yield _Text(key_path, text, blank_markup(text))


def blank_markup(text: str) -> str:
    """The text with Markdown markup (citations, link targets, code, emphasis) replaced by
    spaces of the same length, so offsets stay those of the value as written."""
    return _MARKUP.sub(lambda match: " " * len(match.group(0)), text)


def _annex_sections(doc: LoadedDocument) -> set[str]:
    """The sections printed after page 1: the brief's `annex:`, else the built-in default."""
    written = doc.data.get("annex") if isinstance(doc.data, dict) else None
    annex = written if isinstance(written, list) else [section.value for section in DEFAULT_ANNEX]
    return {str(section) for section in annex}


def _allowed_rules(doc: LoadedDocument) -> dict[KeyPath, set[str]]:
    """The rules silenced per field: named in a `# briefgen-allow:` comment on the line of the
    field's key or value, or on the comment lines directly above it."""
    lines = doc.text.splitlines()
    allowed_on_line: dict[int, set[str]] = {}
    for number, line in enumerate(lines, start=1):
        match = ALLOW_COMMENT.search(line)
        if match:
            allowed_on_line[number] = {name.strip() for name in match.group(1).split(",") if name.strip()}
    if not allowed_on_line:
        return {}
    allowed: dict[KeyPath, set[str]] = {}
    for key_path in doc.value_positions:
        starts = [doc.value_positions[key_path][0]]
        if key_path in doc.key_positions:
            starts.append(doc.key_positions[key_path][0])
        first = min(starts)
        above = first - 1
        while above >= 1 and lines[above - 1].lstrip().startswith("#"):
            starts.append(above)
            above -= 1
        names = set().union(*(allowed_on_line.get(line, set()) for line in starts))
        if names:
            allowed[key_path] = names
    return allowed


def unknown_allow_names(doc: LoadedDocument) -> list[Diagnostic]:
    """A `# briefgen-allow:` comment naming no rule briefgen has (a typo silences nothing)."""
    found = []
    for number, line in enumerate(doc.text.splitlines(), start=1):
        match = ALLOW_COMMENT.search(line)
        names = [n.strip() for n in match.group(1).split(",")] if match else []
        found += [Diagnostic(doc.display_path, number, line.index("#") + 1, "warning",
                             f"`# briefgen-allow: {name}` names no rule; the rules are {', '.join(RULES)}")
                  for name in names if name and name not in RULES]
    return found


# --- the rules ----------------------------------------------------------------------------

def _acronyms(texts: list[_Text], known: set[str] | frozenset[str], doc: LoadedDocument) -> list[Diagnostic]:
    """The first use of each acronym that comes before its "Full Name (ACR)" in the brief."""
    defined_at: dict[str, tuple[int, int]] = {}
    uses: list[tuple[str, _Text, int]] = []
    for text in texts:
        definitions = {match.start(1) for match in DEFINITION.finditer(text.words)}
        for match in DEFINITION.finditer(text.words):
            defined_at.setdefault(match.group(1), doc.locate_in_value(text.key_path, match.start(1)))
        for match in ACRONYM.finditer(text.words):
            acronym = match.group(1)
            if match.start(1) in definitions:
                if acronym not in known:
                    known = known | {acronym}   # spelt out here: later uses are fine
                continue
            if acronym not in known and acronym not in _NOT_ACRONYMS:
                uses.append((acronym, text, match.start(1)))
                known = known | {acronym}       # one warning per acronym: its first use
    found = []
    for acronym, text, offset in uses:
        if acronym in defined_at:
            line, _ = defined_at[acronym]
            message = (f"`{acronym}` is used before it is spelt out on line {line}; spell it out "
                       f"at its first use, as \"Full Name ({acronym})\"")
        else:
            message = (f"`{acronym}` is never spelt out; write \"Full Name ({acronym})\" at its first "
                       "use, or define it in content/glossary.yaml")
        found.append(_warn(doc, text, offset, message))
    return found


def sentences(words: str) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence or bullet in text with its markup blanked."""
    cuts = [0, len(words)]
    cuts += [match.end() for match in SENTENCE_END.finditer(words)]
    cuts += [match.end() for match in BLOCK_BREAK.finditer(words)]
    cuts = sorted(set(cuts))
    for start, end in itertools.pairwise(cuts):
        while start < end and words[start].isspace():
            start += 1
        if start < end:
            yield start, end


def _long_sentences(text: _Text, rules: WritingRules, doc: LoadedDocument) -> list[Diagnostic]:
    found = []
    assert rules.max_words is not None
    for start, end in sentences(text.words):
        count = len(WORD.findall(text.words, start, end))
        if count > rules.max_words:
            found.append(_warn(doc, text, start, f"a sentence of {count} words; {rules.house} keeps "
                               f"sentences and bullets to {rules.max_words} words or fewer: split it"))
    return found


def _banned(text: _Text, rules: WritingRules, doc: LoadedDocument) -> list[Diagnostic]:
    found = []
    for banned, preferred in rules.banned.items():
        pattern = r"\s+".join(re.escape(part) for part in banned.split())
        found += [_warn(doc, text, match.start(), f"`{' '.join(match.group(0).split())}`: "
                        f"{rules.house} writes `{preferred}`")
                  for match in re.finditer(rf"(?<![\w-]){pattern}(?![\w-])", text.words, re.IGNORECASE)]
    return found


def _passives(text: _Text, doc: LoadedDocument) -> list[Diagnostic]:
    found = []
    for match in PASSIVE.finditer(text.words):
        if match.group(1).lower() in _ADJECTIVES:
            continue
        phrase = " ".join(match.group(0).split())
        found.append(_warn(doc, text, match.start(), f"`{phrase}` is passive; say who acts "
                           f"(\"the leaders will announce\", not \"it will be announced\")"))
    return found


def _reading_grade(texts: list[_Text], rules: WritingRules, doc: LoadedDocument) -> list[Diagnostic]:
    """One warning when page 1 as a whole reads above the limit, at its hardest field."""
    assert rules.max_grade is not None
    grades = [(grade_of([t.words]), t) for t in texts if len(WORD.findall(t.words)) >= 10]
    whole = grade_of([t.words for t in texts])
    if whole is None or whole <= rules.max_grade or not grades:
        return []
    hardest_grade, hardest = max(grades, key=lambda entry: entry[0] or 0.0)
    start = next(sentences(hardest.words), (0, 0))[0]
    return [_warn(doc, hardest, start, f"page 1 reads at grade {whole:.1f} (Flesch-Kincaid); "
                  f"{rules.house} writes for grade {rules.max_grade:g} or below. This text is the "
                  f"hardest (grade {hardest_grade or 0:.1f}): use shorter sentences and shorter words")]


def grade_of(texts: list[str]) -> float | None:
    """The Flesch-Kincaid grade of texts (markup blanked): 0.39 × words per sentence +
    11.8 × syllables per word − 15.59. None when there are no words."""
    sentence_count = words = syllable_count = 0
    for text in texts:
        for start, end in sentences(text):
            found = WORD.findall(text, start, end)
            if found:
                sentence_count += 1
                words += len(found)
                syllable_count += sum(syllables(word) for word in found)
    if not words:
        return None
    return 0.39 * words / sentence_count + 11.8 * syllable_count / words - 15.59


_VOWEL_GROUPS = re.compile(r"[aeiouy]+")


def syllables(word: str) -> int:
    """Syllables in an English word, by vowel groups: a final silent 'e' does not count,
    '-le' after a consonant does; a number or an acronym counts one per character group."""
    word = word.lower().strip(".'’-")
    if not word.isalpha():
        return max(1, len(re.findall(r"\d+|[a-z]+", word)))
    count = len(_VOWEL_GROUPS.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")) and count > 1:
        count -= 1
    if word.endswith(("ed", "es")) and len(word) > 3 and word[-3] not in "aeioudt" and count > 1:
        count -= 1
    return max(1, count)


def _warn(doc: LoadedDocument, text: _Text, offset: int, message: str) -> Diagnostic:
    return doc.diagnostic(text.key_path, message, severity="warning", offset=offset)


def glossary_entries(data: Any) -> dict[str, str]:
    """Acronym -> full name from a glossary's data (keys that are not acronyms are ignored
    here; content/house.py reports them)."""
    if not isinstance(data, dict):
        return {}
    return {str(key): str(value) for key, value in data.items() if isinstance(value, str)}


def acronyms_used(brief: Brief) -> set[str]:
    """Every acronym the brief's prose uses (quotations included: the reader meets them too).
    From the model, not the file: an audience's version names only what it prints."""
    texts = (blank_markup(text) for _, text in markdown_texts(Brief, brief.model_dump(mode="json")))
    return {match.group(1) for text in texts for match in ACRONYM.finditer(text)}
