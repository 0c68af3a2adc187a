"""The languages briefgen prints in: one catalogue of words per language, shipped with briefgen.

A catalogue is `catalogues/<tag>.yaml` beside this module (en.yaml, fr.yaml, zh-Hans.yaml):
every label, heading and phrase a brief prints, by key. Adding a language is adding one
file; tests/test_languages.py checks that each has every key of English, with the same
{placeholders}. The files are briefgen's own (trusted), read once each.

A brief, a book or an audience names its language with a BCP 47 tag (`lang:`); the tag is
matched to a catalogue here (`fr-CA` prints with fr.yaml), so the content check can say
which languages there are, and the render stage (render/labels.py) formats with the one found.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path, PurePath

CATALOGUES_DIR = Path(__file__).resolve().parent / "catalogues"
DEFAULT_LANGUAGE = "en"
# Scripts written right to left: a name or a whole edition in these is set with its own direction.
RIGHT_TO_LEFT = frozenset({"ar", "he", "fa", "ur", "yi", "ps", "dv", "syr"})


@cache
def languages() -> tuple[str, ...]:
    """The tags briefgen has a catalogue for, English first (read once: the catalogues
    ship with briefgen)."""
    tags = sorted(path.stem for path in CATALOGUES_DIR.glob("*.yaml"))
    return (DEFAULT_LANGUAGE, *(tag for tag in tags if tag != DEFAULT_LANGUAGE))


@cache
def catalogue_tag(lang: str) -> str | None:
    """The catalogue that prints `lang`: itself, else its language without region or
    script (`fr-CA` -> `fr`); `zh` and `zh-CN` print as `zh-Hans`. None when there is none."""
    known = {tag.lower(): tag for tag in languages()}
    parts = lang.split("-")
    for end in range(len(parts), 0, -1):
        tag = "-".join(parts[:end]).lower()
        if tag in known:
            return known[tag]
    if parts[0].lower() == "zh" and "hant" not in lang.lower():
        return known.get("zh-hans")
    return None


def language_problem(lang: str) -> str | None:
    """Why `lang` cannot be printed (no catalogue), in plain English; None when it can."""
    if catalogue_tag(lang) is not None:
        return None
    return (f"'{lang}' has no catalogue of briefgen's words; use one of {', '.join(languages())} "
            "(or add briefgen/content/catalogues/<tag>.yaml)")


@cache
def catalogue(lang: str = DEFAULT_LANGUAGE) -> dict[str, str]:
    """Every word of `lang`'s catalogue, by key (English where `lang` has none)."""
    import yaml  # here: finding the briefs (is_translation_file) imports no YAML

    tag = catalogue_tag(lang) or DEFAULT_LANGUAGE
    with (CATALOGUES_DIR / f"{tag}.yaml").open(encoding="utf-8") as file:
        words = yaml.safe_load(file)
    return {str(key): str(value) for key, value in words.items()}


def is_translation_file(path: PurePath) -> bool:
    """Whether a file in content/ is an edition's text (`<id>.<lang>.yaml`, content/translations.py),
    not a brief. Here, where finding the briefs can ask without loading the content model."""
    return bool(re.fullmatch(r"[^.]+\.[a-z]{2,3}(-[A-Za-z0-9]{2,8})*", path.stem))


def is_right_to_left(lang: str | None) -> bool:
    """Whether `lang` is written right to left (Arabic, Hebrew, Persian...)."""
    return bool(lang) and str(lang).split("-")[0].lower() in RIGHT_TO_LEFT
