"""The people a brief names: person files, each loaded and checked once per run.

A person's file is checked like a brief (the model, Markdown, placeholders, 'TBD'), and
its native name against its `lang`, so the name is drawn with the right glyphs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from briefgen.content.ids import ID, file_name_problems
from briefgen.content.loader import LoadedDocument, load_yaml, one_line
from briefgen.content.markdown import raw_html_problems
from briefgen.content.messages import validate_model
from briefgen.content.models import Person
from briefgen.content.placeholders import text_warnings, without_placeholder_noise
from briefgen.errors import ContentError, Diagnostic


@dataclass
class PeopleRegistry:
    """Person files, each loaded and validated once however many briefs name it."""

    people_dir: Path
    display_root: Path | None = None
    _cache: dict[str, tuple[Person | None, list[Diagnostic], LoadedDocument | None]] = \
        field(default_factory=dict)

    def path_of(self, person_id: str) -> Path:
        return self.people_dir / f"{person_id}.yaml"

    def display(self, path: Path) -> str:
        if self.display_root:
            try:
                return str(path.relative_to(self.display_root))
            except ValueError:
                pass
        return str(path)

    def exists(self, person_id: str) -> bool:
        # lexists: a link or a pipe counts, so loading it reports what it is at its path
        return (ID.fullmatch(person_id) is not None
                and os.path.lexists(self.path_of(person_id)))

    def get(self, person_id: str) -> tuple[Person | None, list[Diagnostic]]:
        """The person (None when their file is invalid) and the problems in their file."""
        person, problems, _ = self._entry(person_id)
        return person, problems

    def is_loaded(self, person_id: str) -> bool:
        """Whether a brief has already needed this person (so their problems were reported)."""
        return person_id in self._cache

    def document(self, person_id: str) -> LoadedDocument | None:
        """The person's file as loaded (None when it could not be read as YAML)."""
        return self._entry(person_id)[2]

    def _entry(self, person_id: str) -> tuple[Person | None, list[Diagnostic], LoadedDocument | None]:
        if person_id not in self._cache:
            self._cache[person_id] = self._load(person_id)
        return self._cache[person_id]

    def _load(self, person_id: str) -> tuple[Person | None, list[Diagnostic], LoadedDocument | None]:
        path = self.path_of(person_id)
        try:
            doc = load_yaml(path, self.display(path))
        except ContentError as exc:
            return None, exc.diagnostics, None
        person, problems = validate_model(Person, doc)
        problems = file_name_problems(doc) + without_placeholder_noise(problems, doc)
        problems += raw_html_problems(doc, Person) + text_warnings(doc) + _script_warnings(doc, person)
        return person, [one_line(p) for p in doc.diagnostics + problems], doc



# The scripts that tell the CJK languages apart, by the start of a character's Unicode name.
_SCRIPT_NAMES = {"HANGUL": "Hangul", "HIRAGANA": "kana", "KATAKANA": "kana", "CJK UNIFIED": "Han",
                 "CJK COMPATIBILITY IDEOGRAPH": "Han"}
# What a name in each language may be written in; Korean names may use Han (hanja).
_LANG_SCRIPTS = {"ja": {"Han", "kana"}, "ko": {"Hangul", "Han"}, "zh": {"Han"}}
_LANG_FOR_SCRIPT = {"Hangul": "ko", "kana": "ja", "Han": "zh-Hans, zh-Hant or ja"}


def _cjk_scripts(text: str) -> set[str]:
    import unicodedata
    found = set()
    for char in text:
        name = unicodedata.name(char, "")
        found |= {script for prefix, script in _SCRIPT_NAMES.items() if name.startswith(prefix)}
    return found


def _script_warnings(doc: LoadedDocument, person: Person | None) -> list[Diagnostic]:
    """A native name whose script does not match its `lang` is drawn with the wrong
    language's glyphs (or a font that lacks them): Hangul marked `ja`, kana marked `zh`,
    or CJK with no `lang` at all."""
    if person is None or not person.native_name:
        return []
    scripts = _cjk_scripts(person.native_name)
    if not scripts:
        return []
    language = (person.lang or "").split("-")[0]
    allowed = _LANG_SCRIPTS.get(language)
    if allowed is not None and scripts <= allowed:
        return []
    wrong = sorted(scripts - (allowed or set())) or sorted(scripts)
    suggestion = _LANG_FOR_SCRIPT["kana" if "kana" in scripts else
                                  "Hangul" if "Hangul" in scripts else "Han"]
    has = f"`lang` is `{person.lang}`" if person.lang else "it has no `lang`"
    return [doc.diagnostic(("native_name",), f"`native_name` is written in {' and '.join(wrong)} but "
                           f"{has}; set `lang` to the name's language ({suggestion}) so it is drawn "
                           "with that language's glyphs", severity="warning")]

