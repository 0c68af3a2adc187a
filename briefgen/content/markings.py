"""Marking schemes as data: levels, caveats, portion marks, banners, and how markings combine.

A marking is written `LEVEL` or `LEVEL//CAVEAT/CAVEAT`, e.g. `C//REL TO USA, JPN`,
`S//NOFORN`, `OFFICIAL-SENSITIVE//COMMERCIAL`, `PROTECTED//AUSTEO`. Levels may be written
by their short form (`C`) or their name (`CONFIDENTIAL`), in any case. Caveats are of three
kinds, and the kind decides how they combine into the banner and whom they keep out:

* restrictive (NOFORN, UK EYES ONLY, AUSTEO): only an audience that holds it may see the
  portion; in a banner they are united, and any of them wins over a release list;
* release (REL TO <countries>): the countries the portion may go to; in a banner the lists
  of every portion above the lowest level intersect (a portion without one means none);
* descriptor (COMMERCIAL, PERSONAL, Legal privilege): how to handle it; united in a
  banner, and never keep anyone out.

briefgen never handles real classified material: a scheme is structure and rules only.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Literal

CaveatKind = Literal["restrictive", "release", "descriptor"]
COUNTRY_CODE = re.compile(r"[A-Z]{3,4}")   # ISO 3166 trigraphs, and tetragraphs such as FVEY


@dataclass(frozen=True)
class Level:
    """One level of a scheme: its name (banner form), its short form (portion form), and
    the banner's colours (white or black text on a background with AA contrast)."""

    name: str
    short: str
    background: str
    text: str = "#ffffff"


@dataclass(frozen=True)
class Caveat:
    """A caveat and the lowest level it may be applied to (its index in the scheme)."""

    name: str
    kind: CaveatKind
    min_level: int = 0
    only_levels: tuple[int, ...] = ()   # when set, the only levels it may be applied to


@dataclass(frozen=True)
class Scheme:
    """A marking scheme: levels lowest first, the caveats it knows, and how it is printed."""

    id: str
    title: str
    levels: tuple[Level, ...]
    caveats: tuple[Caveat, ...] = ()
    portion_marks: bool = False        # print each portion's mark, e.g. (C)
    withheld_notice: bool = False      # say where a version withholds portions
    owner: str | None = None           # listed first in every release list (USA)
    release_caveat: str = "REL TO"

    def level_index(self, text: str) -> int | None:
        wanted = _fold(text)
        for index, level in enumerate(self.levels):
            if wanted in (_fold(level.name), _fold(level.short)):
                return index
        return None

    def caveat(self, text: str) -> Caveat | None:
        wanted = _fold(text)
        return next((c for c in self.caveats if _fold(c.name) == wanted), None)

    def level_names(self) -> str:
        return ", ".join(level.short if level.short == level.name else f"{level.short} ({level.name})"
                         for level in self.levels)


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


@dataclass(frozen=True)
class Marking:
    """A parsed marking: a level (index into the scheme's levels) and its caveats."""

    level: int
    restrictive: frozenset[str] = frozenset()
    release: frozenset[str] | None = None      # None: no release list
    descriptors: frozenset[str] = frozenset()

    def caveat_names(self, scheme: Scheme) -> list[str]:
        """The caveats in the scheme's order; the release list as `REL TO USA, JPN`."""
        names = []
        for caveat in scheme.caveats:
            if caveat.kind == "release" and self.release is not None:
                names.append(f"{caveat.name} {', '.join(_release_order(self.release, scheme.owner))}")
            elif caveat.name in self.restrictive or caveat.name in self.descriptors:
                names.append(caveat.name)
        return names


def _release_order(countries: frozenset[str], owner: str | None) -> list[str]:
    return sorted(countries, key=lambda c: (c != owner, c))


class MarkingError(ValueError):
    """A marking that the scheme does not allow; the message says why, in plain English."""


# --- the built-in schemes -------------------------------------------------------------------

# Banner colours: white text on each background has a contrast ratio of at least 4.5:1
# (WCAG AA for small text); the orange and yellow ones carry black text instead.
_US = Scheme(
    "us", "US-style (U, CUI, C, S, TS)",
    (Level("UNCLASSIFIED", "U", "#007a33"), Level("CUI", "CUI", "#502b85"),
     Level("CONFIDENTIAL", "C", "#0033a0"), Level("SECRET", "S", "#c8102e"),
     Level("TOP SECRET", "TS", "#ff8c00", "#000000")),
    (Caveat("NOFORN", "restrictive", min_level=1), Caveat("REL TO", "release", min_level=1)),
    portion_marks=True, withheld_notice=True, owner="USA")
_UK = Scheme(
    "uk", "UK Government Security Classifications",
    (Level("OFFICIAL", "O", "#1d5b8c"), Level("OFFICIAL-SENSITIVE", "OS", "#0b3d66"),
     Level("SECRET", "S", "#b00020"), Level("TOP SECRET", "TS", "#e8a317", "#000000")),
    (Caveat("UK EYES ONLY", "restrictive", min_level=1),
     Caveat("COMMERCIAL", "descriptor", only_levels=(1,)),
     Caveat("LOCSEN", "descriptor", only_levels=(1,)),
     Caveat("PERSONAL", "descriptor", only_levels=(1,))))
_AU = Scheme(
    "au", "Australian PSPF",
    (Level("UNOFFICIAL", "UNOFFICIAL", "#4a4f55"), Level("OFFICIAL", "OFFICIAL", "#2b5797"),
     Level("OFFICIAL: Sensitive", "OFFICIAL: Sensitive", "#6b3fa0"),
     Level("PROTECTED", "PROTECTED", "#0a6e6e"), Level("SECRET", "SECRET", "#b3261e"),
     Level("TOP SECRET", "TOP SECRET", "#f2a900", "#000000")),
    (Caveat("AUSTEO", "restrictive", min_level=3), Caveat("REL", "release", min_level=3),
     Caveat("Legal privilege", "descriptor", min_level=1),
     Caveat("Legislative secrecy", "descriptor", min_level=1),
     Caveat("Personal privacy", "descriptor", min_level=1)),
    owner="AUS", release_caveat="REL")
BUILT_IN: dict[str, Scheme] = {scheme.id: scheme for scheme in (_US, _UK, _AU)}
# Colours for a custom scheme's levels, lowest first (the last repeats above five levels).
CUSTOM_COLOURS = (("#007a33", "#ffffff"), ("#1d5b8c", "#ffffff"), ("#6b3fa0", "#ffffff"),
                  ("#b3261e", "#ffffff"), ("#f2a900", "#000000"))


def custom_scheme(levels: list[str], *, portion_marks: bool = True, withheld_notice: bool = True) -> Scheme:
    """A plain ordered list of levels, lowest first (PUBLIC < INTERNAL < CONFIDENTIAL)."""
    palette = [CUSTOM_COLOURS[min(i, len(CUSTOM_COLOURS) - 1)] for i in range(len(levels))]
    return Scheme("custom", "custom", tuple(Level(name, name, bg, fg) for name, (bg, fg)
                                            in zip(levels, palette, strict=True)),
                  portion_marks=portion_marks, withheld_notice=withheld_notice)


# --- reading, combining, comparing and printing markings ------------------------------------

# The order of the usual words, for briefs and books without a scheme.
MARKING_ORDER = ("UNCLASSIFIED", "CONFIDENTIAL", "SECRET", "TOP SECRET")


_ORDER_WORD = re.compile(r"(?<![A-Z])(?:TOP SECRET|SECRET|CONFIDENTIAL|UNCLASSIFIED)(?![A-Z-])")


def marking_level(marking: str) -> int | None:
    """The rank of a marking in MARKING_ORDER: None for a marking that does not start with
    one of its words; else the highest of its words anywhere in it, so that a word further
    on (`UNCLASSIFIED//SECRET`) can only raise it (a comparison fails closed)."""
    words = _ORDER_WORD.findall(marking)
    if not words or not marking.startswith(words[0]):
        return None
    return max(MARKING_ORDER.index(word) for word in words)



def parse(text: str, scheme: Scheme) -> Marking:
    """Read `LEVEL[//CAVEAT[/CAVEAT...]]`; raises MarkingError saying what is wrong."""
    level_text, _, caveat_text = text.strip().partition("//")
    level = scheme.level_index(level_text)
    if level is None:
        names = [name for lv in scheme.levels for name in dict.fromkeys((lv.name, lv.short))]
        close = difflib.get_close_matches(level_text.strip().upper(), [n.upper() for n in names], n=1)
        levels = f"the {scheme.id} scheme's levels are {scheme.level_names()}"
        hint = (f"; did you mean `{names[[n.upper() for n in names].index(close[0])]}`? ({levels})"
                if close else f": {levels}")
        raise MarkingError(f"unknown marking `{level_text.strip()}`{hint}")
    restrictive: set[str] = set()
    descriptors: set[str] = set()
    release: frozenset[str] | None = None
    for part in (p.strip() for p in caveat_text.split("/")) if caveat_text else ():
        caveat, countries = _caveat_of(part, scheme)
        _check_level(caveat, level, scheme)
        if caveat.kind == "release":
            release = frozenset(countries) | ({scheme.owner} if scheme.owner else set())
        else:
            (restrictive if caveat.kind == "restrictive" else descriptors).add(caveat.name)
    if restrictive and release is not None:
        raise MarkingError(f"caveats contradict: `{sorted(restrictive)[0]}` keeps the portion from "
                           f"foreign readers, `{scheme.release_caveat}` releases it to them; keep one")
    return Marking(level, frozenset(restrictive), release, frozenset(descriptors))


def _caveat_of(part: str, scheme: Scheme) -> tuple[Caveat, list[str]]:
    for caveat in scheme.caveats:
        if caveat.kind == "release" and _fold(part).startswith(_fold(caveat.name) + " "):
            countries = [c.strip() for c in part[len(caveat.name):].split(",")]
            bad = [c for c in countries if not COUNTRY_CODE.fullmatch(c)]
            if bad or not countries:
                raise MarkingError(f"`{caveat.name}` takes country codes in capitals separated by "
                                   f"commas, e.g. `{caveat.name} USA, JPN`; got `{bad[0] if bad else ''}`")
            return caveat, countries
    found = scheme.caveat(part)
    if found is None or found.kind == "release":
        names = [c.name for c in scheme.caveats]
        close = difflib.get_close_matches(part.upper(), [n.upper() for n in names], n=1)
        hint = f"; did you mean `{names[[n.upper() for n in names].index(close[0])]}`?" if close else (
            f"; the {scheme.id} scheme's caveats are {', '.join(names)}" if names
            else f"; the {scheme.id} scheme has no caveats")
        raise MarkingError(f"unknown caveat `{part}`{hint}")
    return found, []


def _check_level(caveat: Caveat, level: int, scheme: Scheme) -> None:
    allowed = caveat.only_levels or tuple(range(caveat.min_level, len(scheme.levels)))
    if level not in allowed:
        names = ", ".join(scheme.levels[i].short for i in allowed)
        raise MarkingError(f"caveats contradict the level: `{caveat.name}` applies only to {names}, "
                           f"not to {scheme.levels[level].short}")


def combine(markings: list[Marking], scheme: Scheme) -> Marking:
    """The banner of a page holding these portions: the highest level, restrictive caveats and
    descriptors united, release lists intersected (a restrictive caveat wins over them)."""
    level = max((m.level for m in markings), default=0)
    restrictive = frozenset().union(*(m.restrictive for m in markings))
    descriptors = frozenset().union(*(m.descriptors for m in markings))
    above_lowest = [m for m in markings if m.level > 0]
    release: frozenset[str] | None = None
    if not restrictive and above_lowest and all(m.release is not None for m in above_lowest):
        release = frozenset.intersection(*(m.release for m in above_lowest if m.release is not None))
        if release <= {scheme.owner}:   # released to nobody abroad: no foreign release at all
            release = None
            restrictive = _first_restrictive(scheme)
    return Marking(level, restrictive, release, descriptors)


def _first_restrictive(scheme: Scheme) -> frozenset[str]:
    first = next((c.name for c in scheme.caveats if c.kind == "restrictive"), None)
    return frozenset({first}) if first else frozenset()


def may_see(ceiling: Marking, portion: Marking) -> bool:
    """Whether an audience whose highest marking is `ceiling` may see `portion`."""
    if portion.level > ceiling.level or not portion.restrictive <= ceiling.restrictive:
        return False
    if ceiling.release is not None and portion.level > 0:
        return portion.release is not None and ceiling.release <= portion.release
    return True


def banner(marking: Marking, scheme: Scheme) -> str:
    """The banner form: `CONFIDENTIAL//REL TO USA, JPN`."""
    return "//".join([scheme.levels[marking.level].name, "/".join(marking.caveat_names(scheme))]
                     ).removesuffix("//")


def portion_mark(marking: Marking, scheme: Scheme) -> str:
    """The portion form: `(C//REL TO USA, JPN)`."""
    text = "//".join([scheme.levels[marking.level].short, "/".join(marking.caveat_names(scheme))])
    return f"({text.removesuffix('//')})"


@dataclass(frozen=True)
class Rules:
    """A brief's marking rules: its scheme, the default marking, and what is printed."""

    scheme: Scheme
    default: Marking
    portion_marks: bool
    withheld_notice: bool
    cache: dict[str, Marking] = field(default_factory=dict, compare=False, repr=False)

    def of(self, text: str | None) -> Marking:
        """The marking written (already checked), or the default for an unmarked portion."""
        if text is None:
            return self.default
        if text not in self.cache:
            self.cache[text] = parse(text, self.scheme)
        return self.cache[text]

    def printed_mark(self, marking: str | None) -> str:
        """The mark printed before a portion, `(C//REL TO USA, JPN)`, or "" when the brief prints
        no portion marks. The one source of every portion's mark, in every section and output."""
        return portion_mark(self.of(marking), self.scheme) if self.portion_marks else ""

    def colours(self, marking: Marking) -> tuple[str, str]:
        level = self.scheme.levels[marking.level]
        return level.background, level.text
