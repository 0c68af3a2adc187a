"""A house: an office's own style, as a folder holding `house.toml` (and optional overrides).

A project chooses its house in its settings file (SETTINGS_FILE at its root, or
`[tool.briefgen]` of `pyproject.toml`): a folder relative to the project, or the name of
an installed package that exposes it through the entry point group ENTRY_POINT_GROUP.
Without one, the built-in default house applies (houses/default/house.toml).

`house.toml` is checked like a brief: the `HouseFile` model below is its JSON Schema,
unknown keys get a did-you-mean, and every problem points at `house.toml:line:col`
(tomllib gives no positions, so `toml_positions` finds each key's line in the text).
Beside it a house may hold `house.css` (appended to the built-in CSS of the page and the
email) and `templates/` (templates that replace the built-in ones of the same name).
"""

from __future__ import annotations

import dataclasses
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field

from briefgen.content.clearance import Role
from briefgen.content.files import file_digest
from briefgen.content.house_checks import (
    HOUSE_CSS,
    audience_problems,
    css_files,
    css_problems,
    house_file,
    label_problems,
    word_template_problem,
)
from briefgen.content.ids import ID
from briefgen.content.loader import KeyPath, LoadedDocument, load_yaml
from briefgen.content.messages import validate_model
from briefgen.content.models import AnnexSection, Audience, Line, Markings, StrictModel
from briefgen.content.writing import WritingRules, glossary_entries, unknown_allow_names, writing_warnings
from briefgen.errors import ContentError, Diagnostic, UsageError
from briefgen.project import BUILTIN_HOUSES_DIR, GLOSSARY_FILE, Project

if TYPE_CHECKING:
    from briefgen.content.validate import PeopleRegistry, ValidatedBrief

ENTRY_POINT_GROUP = "briefgen.houses"
HOUSE_FILE = "house.toml"
SETTINGS_FILE = "briefgen.toml"


class WordLists(StrictModel):
    """Words and phrases the house does not use."""

    banned: dict[str, str] = Field(default_factory=dict, description="Each banned word or phrase "
                                   "and the house's preferred form: `utilize = \"use\"`. `check` "
                                   "warns at each use, naming the preferred form.",
                                   examples=[{"utilize": "use", "in order to": "to"}])


class Sentences(StrictModel):
    """How long a sentence may be."""

    max_words: int | None = Field(None, ge=5, description="A sentence or bullet longer than this "
                                  "many words is warned about (none: no limit).", examples=[35])


class Reading(StrictModel):
    """How hard page 1 may be to read."""

    max_grade: float | None = Field(None, ge=1, le=20, description="Page 1's Flesch-Kincaid "
                                    "grade above which `check` warns (none: not checked).",
                                    examples=[12])


class Rules(StrictModel):
    """Plain-language rules that are on or off."""

    acronyms: bool = Field(True, description="Warn of an acronym used before it is spelt out "
                           "as \"Full Name (ACR)\", unless a glossary defines it.", examples=[True])
    passive: bool = Field(False, description="Warn of passive constructions in the bottom line "
                          "and the decisions.", examples=[True])


# The body sizes page 1 may be set at, largest first: render/pdf.BODY_STEPS (a test keeps them one).
TypeStep = Literal["11pt", "10.5pt", "10pt"]


class ClearanceRules(StrictModel):
    """What a brief's clearance chain must hold before `check` passes it."""

    required: list[Role] = Field(default_factory=list, description="The roles the chain must "
                                 "hold (`drafted`, `cleared`, `approved`): `check` fails a brief "
                                 "whose `clearance:` (with its `Cleared-by:` trailers) lacks one.",
                                 examples=[["cleared", "approved"]])


class HouseFile(StrictModel):
    """A house's `house.toml`: its name, writing rules, labels and defaults."""

    name: Line = Field(description="The house's name, as messages name it.", examples=["Acme Ministry"])
    description: str | None = Field(None, description="What the house is, in a sentence.",
                                     examples=["Plain English for ministers."])
    words: WordLists = Field(default_factory=lambda: WordLists.model_validate({}), description="Word lists.",
                             examples=[{"banned": {"utilize": "use"}}])
    sentences: Sentences = Field(default_factory=lambda: Sentences.model_validate({}), description="Sentence limits.",
                                 examples=[{"max_words": 35}])
    reading: Reading = Field(default_factory=lambda: Reading.model_validate({}),
                               description="Reading-grade limit of page 1.",
                               examples=[{"max_grade": 12}])
    rules: Rules = Field(default_factory=lambda: Rules.model_validate({}),
                         description="Plain-language rules on or off.",
                         examples=[{"acronyms": True, "passive": True}])
    glossary: dict[str, str] = Field(default_factory=dict, description="Acronyms the house's "
                                     "readers know, with their full names; the annex spells out "
                                     "those a brief uses.", examples=[{"NSC": "National Security Council"}])
    labels: dict[str, dict[str, str]] = Field(default_factory=dict, description="Labels the page "
                                              "prints, per language, by key: `[labels.en]` "
                                              "`bottom_line = \"Key judgement\"`.",
                                              examples=[{"en": {"bottom_line": "Key judgement"}}])
    markings: Markings | None = Field(None, description="The marking scheme and default of a brief "
                                      "that writes neither `classification` nor `markings`.",
                                      examples=[{"scheme": "uk", "default": "OFFICIAL"}])
    annex: list[AnnexSection] | None = Field(None, description="The sections printed in the annex "
                                             "of a brief that has no `annex:` key.",
                                             examples=[["background", "quotes", "sources"]])
    type_step: TypeStep | None = Field(None, description="The largest body size page 1 is set at; "
                                       "a brief too long for it steps down from there, never under "
                                       "10pt (default: 11pt).", examples=["10.5pt"])
    word_template: str | None = Field(None, description="A Word file in the house's folder whose "
                                      "styles (fonts, sizes, headings, lists) the Word file of "
                                      "`briefgen docx` takes.", examples=["acme.docx"])
    clearance: ClearanceRules = Field(default_factory=lambda: ClearanceRules.model_validate({}),
                                      description="What a brief's clearance chain must hold.",
                                      examples=[{"required": ["cleared", "approved"]}])
    audiences: list[Audience] | None = Field(None, description="The audiences of a brief in the "
                                             "house's marking scheme that lists no `audiences:` "
                                             "of its own (needs `[markings]`).",
                                             examples=[[{"id": "press", "name": "Press office",
                                                         "ceiling": "OFFICIAL"}]])


@dataclass(frozen=True)
class House:
    """A house as loaded: its settings and its folder (None for a house given as data)."""

    settings: HouseFile
    folder: Path | None = None
    project_glossary: dict[str, str] = field(default_factory=dict)
    warnings: tuple[Diagnostic, ...] = ()

    @property
    def name(self) -> str:
        return self.settings.name

    def writing_rules(self) -> WritingRules:
        settings = self.settings
        return WritingRules(banned=dict(settings.words.banned), max_words=settings.sentences.max_words,
                            max_grade=settings.reading.max_grade,
                            glossary={**settings.glossary, **self.project_glossary},
                            passive=settings.rules.passive, acronyms=settings.rules.acronyms,
                            house=settings.name)

    def label(self, key: str, default: str, lang: str = "en") -> str:
        """The house's label for `key` in `lang`, else `default` (the built-in one)."""
        return self.settings.labels.get(lang, {}).get(key, default)

    @property
    def word_template(self) -> Path | None:
        """The Word file whose styles the house's Word files take (None: briefgen's)."""
        name = self.settings.word_template
        return house_file(self.folder, name) if name is not None and self.folder is not None else None

    @property
    def template_dirs(self) -> tuple[Path, ...]:
        """Where the house's templates and `house.css` are looked for, before the built-in ones."""
        if self.folder is None:
            return ()
        return tuple(path for path in (self.folder / "templates", self.folder) if path.is_dir())

    def brief_defaults(self, data: Any) -> set[str]:
        """Fill in what a brief leaves to its house: the marking scheme (when it writes
        neither `classification` nor `markings`), the annex (when it has no `annex:`) and
        the audiences (when it lists none and is marked in the house's scheme). The keys
        filled in."""
        settings = self.settings
        if not isinstance(data, dict):
            return set()
        filled = set()
        if settings.markings is not None and "classification" not in data and "markings" not in data:
            data["markings"] = settings.markings.model_dump(exclude_none=True, exclude_defaults=True)
            filled.add("markings")
        if settings.annex is not None and "annex" not in data:
            data["annex"] = [section.value for section in settings.annex]
            filled.add("annex")
        if settings.audiences and "audiences" not in data and self._in_house_scheme(data.get("markings")):
            data["audiences"] = [audience.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
                                 for audience in settings.audiences]
            filled.add("audiences")
        return filled

    def _in_house_scheme(self, markings: Any) -> bool:
        """Whether a brief's raw `markings:` is in the house's scheme (its audiences' ceilings
        read the same there)."""
        house = self.settings.markings
        if house is None or not isinstance(markings, dict) or markings.get("scheme") != house.scheme:
            return False
        return house.scheme != "custom" or markings.get("levels") == house.levels


def project_house(project: Project) -> House:
    """The project's house with the project's glossary; ContentError when `house.toml` or
    the glossary has errors, UsageError when the house named cannot be found."""
    folder = house_folder(project)
    glossary_path = project.content_dir / GLOSSARY_FILE
    return _load(folder, _file_stamp(folder / HOUSE_FILE), glossary_path, _file_stamp(glossary_path),
                 str(project.root))


def house_setting(root: Path) -> tuple[str, str] | None:
    """The project's `house` setting and the file it is written in: SETTINGS_FILE at the
    root, else `[tool.briefgen]` of `pyproject.toml` (as ruff reads either); None for none."""
    for name, table in ((SETTINGS_FILE, ()), ("pyproject.toml", ("tool", "briefgen"))):
        path = root / name
        if not path.is_file():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise UsageError(f"{name}: not valid TOML: {exc}") from None
        for key in table:
            data = data.get(key, {}) if isinstance(data, dict) else {}
        if isinstance(data, dict) and isinstance(data.get("house"), str):
            return data["house"], name
        if name == SETTINGS_FILE:
            return None
    return None


def house_folder(project: Project) -> Path:
    """The folder of the project's house: its setting as a folder, or an installed package's."""
    chosen = house_setting(project.root)
    if chosen is None:
        return BUILTIN_HOUSES_DIR / "default"
    setting, settings_file = chosen
    folder = (project.root / setting)
    if (folder / HOUSE_FILE).is_file():
        return folder.resolve()
    installed = installed_house(setting)
    if installed is not None:
        return installed
    raise UsageError(f"{settings_file}: house `{setting}` is neither a folder with a {HOUSE_FILE} "
                     f"nor an installed house (entry point group `{ENTRY_POINT_GROUP}`)")


def installed_house(name: str) -> Path | None:
    """The folder of the house an installed package exposes as `name` in the entry point
    group ENTRY_POINT_GROUP (the entry point names a package; its folder holds house.toml)."""
    from importlib.metadata import entry_points

    for entry in entry_points(group=ENTRY_POINT_GROUP, name=name):
        module = entry.load()
        files = getattr(module, "__file__", None)
        if files:
            return Path(files).resolve().parent
    return None


def _file_stamp(path: Path) -> int:
    return path.stat().st_mtime_ns if path.is_file() else 0


@lru_cache(maxsize=8)
def _load(folder: Path, house_stamp: int, glossary_path: Path, glossary_stamp: int, root: str) -> House:
    house_path = folder / HOUSE_FILE
    shown = _shown(house_path, Path(root))
    css_errors = css_problems(folder, _shown(folder / HOUSE_CSS, Path(root)))
    try:
        settings = load_house_file(house_path, shown)
    except ContentError as exc:
        raise ContentError([*exc.diagnostics, *css_errors]) from None
    if css_errors:
        raise ContentError(css_errors)
    glossary, problems = _project_glossary(glossary_path, _shown(glossary_path, Path(root))) \
        if glossary_stamp else ({}, [])
    if any(p.is_error for p in problems):
        raise ContentError(problems)
    return House(settings, folder, glossary, tuple(problems))


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(root))
    except ValueError:
        return str(path)


def load_house_file(path: Path, shown: str) -> HouseFile:
    """Read and check a `house.toml`; ContentError with every problem at its line and column."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError([Diagnostic(shown, 0, 0, "error", f"cannot read the house file: {exc}")]) from None
    return parse_house(text, path, shown)


_TOML_ERROR_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")


def parse_house(text: str, path: Path, shown: str) -> HouseFile:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _TOML_ERROR_AT.search(message)
        line, column = (int(match.group(1)), int(match.group(2))) if match else (1, 1)
        raise ContentError([Diagnostic(shown, line, column, "error",
                                       f"TOML syntax error: {_TOML_ERROR_AT.sub('', message)}")]) from None
    values, keys = toml_positions(text)
    doc = LoadedDocument(path, shown, data, values, keys, text=text)
    settings, problems = validate_model(HouseFile, doc)
    word_template = data.get("word_template")
    problems = [*problems, *label_problems(doc),
                *word_template_problem(doc, path.parent, word_template if isinstance(word_template, str) else None),
                *audience_problems(doc)]
    if problems or settings is None:
        raise ContentError(sorted(problems))
    return settings


_TABLE = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_BARE_OR_QUOTED = r"""(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+)"""
_KEY = re.compile(rf"^(\s*)({_BARE_OR_QUOTED}(?:\s*\.\s*{_BARE_OR_QUOTED})*)\s*=\s*")
_KEY_PART = re.compile(r"""\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*(?:\.|$)""")


def toml_positions(text: str) -> tuple[dict[KeyPath, tuple[int, int]], dict[KeyPath, tuple[int, int]]]:
    """(value positions, key positions) of the tables and keys written in a TOML text, by key
    path, as the YAML loader records them: enough to point a problem at its line and column.
    Multi-line strings and arrays are skipped over by line; keys inside inline tables are not
    located (a problem there points at the key that holds the table)."""
    values: dict[KeyPath, tuple[int, int]] = {(): (1, 1)}
    keys: dict[KeyPath, tuple[int, int]] = {}
    table: KeyPath = ()
    arrays: dict[KeyPath, int] = {}
    in_multiline: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if in_multiline:
            if in_multiline in line:
                in_multiline = None
            continue
        table_match = _TABLE.match(line)
        if table_match:
            table = _parts(table_match.group(1))
            if line.lstrip().startswith("[["):   # an array of tables: each [[name]] one more item
                index = arrays[table] = arrays.get(table, -1) + 1
                table = (*table, index)
            column = line.index("[") + 1
            for end in range(1, len(table) + 1):
                keys.setdefault(table[:end], (number, column))
                values.setdefault(table[:end], (number, column))
            continue
        key_match = _KEY.match(line)
        if not key_match:
            continue
        key_path = (*table, *_parts(key_match.group(2)))
        keys[key_path] = (number, len(key_match.group(1)) + 1)
        values[key_path] = (number, key_match.end() + 1)
        rest = line[key_match.end():]
        for quote in ('"""', "'''"):
            if rest.startswith(quote) and rest.count(quote) == 1:
                in_multiline = quote
    return values, keys


def _parts(dotted: str) -> KeyPath:
    return tuple(part.strip("\"'") for part in _KEY_PART.findall(dotted))


def _project_glossary(path: Path, shown: str) -> tuple[dict[str, str], list[Diagnostic]]:
    """The project's content/glossary.yaml: `ACR: Full Name` lines."""
    try:
        doc = load_yaml(path, shown)
    except ContentError as exc:
        return {}, list(exc.diagnostics)
    problems = list(doc.diagnostics)
    if not isinstance(doc.data, dict):
        problems.append(doc.diagnostic((), "the glossary holds `ACRONYM: Full Name` lines"))
        return {}, problems
    for key, value in doc.data.items():
        if not isinstance(value, str) or not value.strip():
            problems.append(doc.diagnostic((key,), f"`{key}` needs its full name as text: "
                                           f"`{key}: Full Name`"))
    return glossary_entries(doc.data), problems


def glossary_for(house: House, acronyms: set[str]) -> list[tuple[str, str]]:
    """(acronym, full name) of each acronym given that a glossary defines, in order."""
    known = {**house.settings.glossary, **house.project_glossary}
    return sorted((acronym, known[acronym]) for acronym in acronyms if acronym in known)


def validate_in_house(project: Project, path: Path, people: PeopleRegistry, display: str) -> ValidatedBrief:
    """Load and check one brief in its project's house: the house's defaults filled in
    first, its plain-language warnings added after (content/writing.py). The house's files
    and the glossary are among its inputs (house_inputs), so a change to them rebuilds it."""
    from briefgen.content.validate import validate_document

    house = project_house(project)
    doc = load_yaml(path, display)
    filled = house.brief_defaults(doc.data)
    shown = project.display(house.folder / HOUSE_FILE) if house.folder else HOUSE_FILE
    try:
        validated = validate_document(doc, people)
    except ContentError as exc:
        raise ContentError([_from_the_house(d, filled, shown) for d in exc.diagnostics]) from None
    warnings = [*(_from_the_house(d, filled, shown) for d in validated.warnings), *house.warnings,
                *unknown_allow_names(doc), *writing_warnings(doc, house.writing_rules())]
    inputs = house_inputs(project, house)
    return dataclasses.replace(validated, house=house, warnings=tuple(sorted(warnings)),
                               input_files=(*validated.input_files, *inputs),
                               input_digests=(*validated.input_digests,
                                              *((p, file_digest(p)) for p in inputs)))


def _from_the_house(problem: Diagnostic, filled: set[str], house_file: str) -> Diagnostic:
    """A problem in the audiences the house gave the brief says so (the brief has no line
    of them: it is reported at the brief's top)."""
    if "audiences" not in filled or not problem.key_path.startswith("audiences"):
        return problem
    return dataclasses.replace(problem, message=f"{problem.message} (an audience of the house, "
                               f"{house_file}; or give the brief its own `audiences:`)")


def house_inputs(project: Project, house: House) -> tuple[Path, ...]:
    """Every file whose change changes a brief in this house, present or not (a file made
    later changes its digest from "missing"): the settings that choose the house, the
    project's glossary, the house's `house.toml` and `house.css` and the files it names (its
    fonts), and each template the house has or could have in place of a built-in one."""
    settings = [project.root / SETTINGS_FILE]
    if not settings[0].is_file():
        settings.append(project.root / "pyproject.toml")
    files = [*settings, project.content_dir / GLOSSARY_FILE]
    if house.folder is not None:
        names = {HOUSE_FILE, HOUSE_CSS, *(p.name for p in project.templates_dir.iterdir() if p.is_file())}
        templates = house.folder / "templates"
        own = {p for p in templates.rglob("*") if p.is_file()} if templates.is_dir() else set()
        files += sorted({*(house.folder / name for name in names),
                         *(templates / name for name in names - {HOUSE_FILE}), *own,
                         *css_files(house.folder)})
    return tuple(files)


BUILTIN_HOUSES = ("default", "ministry", "board")


def new_house(project: Project, name: str, start_from: str = "default") -> list[Path]:
    """Start houses/<name>/ in the project from a built-in house (its house.toml, every key
    explained, named `name`, and its house.css when it has one). Never overwrites."""
    if not ID.fullmatch(name):
        raise UsageError(f"'{name}' cannot name a house: use lower-case letters, digits and hyphens "
                         "(e.g. acme)")
    if start_from not in BUILTIN_HOUSES:
        raise UsageError(f"no built-in house `{start_from}`; start from one of {', '.join(BUILTIN_HOUSES)}")
    source = BUILTIN_HOUSES_DIR / start_from
    folder = project.root / "houses" / name
    if folder.exists():
        raise UsageError(f"{project.display(folder)} already exists; choose another name, or edit it")
    folder.mkdir(parents=True)
    text = (source / HOUSE_FILE).read_text(encoding="utf-8")
    text = re.sub(r'(?m)^name = ".*"$', f'name = "{name}"', text, count=1)
    written = [folder / HOUSE_FILE]
    written[0].write_text(text, encoding="utf-8")
    if (source / HOUSE_CSS).is_file():
        written.append(folder / HOUSE_CSS)
        written[-1].write_text((source / HOUSE_CSS).read_text(encoding="utf-8"), encoding="utf-8")
    return written
