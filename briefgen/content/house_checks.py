"""What a house's files must hold beyond the shape `house.toml`'s schema gives them.

Each problem points at its line and column, in `house.toml` or in `house.css`, as a brief's
do: a label key no catalogue has (with a did-you-mean) or a language briefgen cannot print;
a Word template that is not a Word file in the house's folder; audiences without the
house's marking scheme, or with a ceiling the scheme cannot read; and in `house.css`, a
`url()` that is not a file inside the house's folder (the house is trusted like a template,
but it reads only its own files: no network, no `..`, no link out of its folder).
"""

from __future__ import annotations

import base64
import difflib
import mimetypes
import os
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from pydantic import ValidationError

from briefgen.content.audiences import rules_for
from briefgen.content.files import MAX_ASSET_BYTES, UnsafeFile, read_regular_file
from briefgen.content.languages import DEFAULT_LANGUAGE, catalogue, language_problem
from briefgen.content.loader import LoadedDocument
from briefgen.content.markings import MarkingError, parse
from briefgen.content.models import Markings
from briefgen.content.rawdata import as_mapping, list_items
from briefgen.content.sourcemap import line_and_column
from briefgen.errors import Diagnostic

HOUSE_CSS = "house.css"
# A url() in CSS, quoted or not; and an @import, which would fetch a second style sheet.
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)""", re.IGNORECASE)
_CSS_IMPORT = re.compile(r"@import\b", re.IGNORECASE)
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)


def label_problems(doc: LoadedDocument) -> list[Diagnostic]:
    """Each `[labels.<lang>]` for a language briefgen prints, each key one its catalogues have."""
    known = list(catalogue(DEFAULT_LANGUAGE))
    problems = []
    for lang, labels in as_mapping(as_mapping(doc.data).get("labels")).items():
        unknown_language = language_problem(str(lang))
        if unknown_language:
            problems.append(doc.diagnostic(("labels", lang), unknown_language, at_key=True))
        for key in as_mapping(labels):
            if key in known:
                continue
            close = difflib.get_close_matches(str(key), known, n=1, cutoff=0.6)
            hint = (f"did you mean `{close[0]}`?" if close
                    else "the keys are those of briefgen/content/catalogues/en.yaml")
            problems.append(doc.diagnostic(("labels", lang, key), f"unknown label `{key}`; {hint}",
                                           at_key=True))
    return problems


def word_template_problem(doc: LoadedDocument, folder: Path, name: str | None) -> list[Diagnostic]:
    """A Word template is a Word file (.docx, with styles) inside the house's folder."""
    if name is None:
        return []
    problem = house_file_problem(folder, name) or _docx_problem(house_file(folder, name))
    return [doc.diagnostic(("word_template",), problem)] if problem else []


def _docx_problem(path: Path) -> str | None:
    if path.suffix.lower() != ".docx":
        return f"`{path.name}` is not a Word file: name a .docx in the house's folder"
    try:
        with zipfile.ZipFile(path) as archive:
            if "word/styles.xml" not in archive.namelist():
                return f"`{path.name}` has no styles (word/styles.xml): save it from Word as .docx"
    except (OSError, zipfile.BadZipFile):
        return f"`{path.name}` is not a Word file (.docx is a zip archive); save it from Word as .docx"
    return None


def audience_problems(doc: LoadedDocument) -> list[Diagnostic]:
    """The house's audiences, as written: in its marking scheme (it needs one), each id once
    (the model checks the rest, so a wrong key elsewhere hides none of these)."""
    data = as_mapping(doc.data)
    audiences = list(list_items(data, "audiences"))
    if not audiences:
        return []
    if data.get("markings") is None:
        return [doc.diagnostic(("audiences",), "the house's audiences need its `[markings]` (the "
                               "scheme their ceilings are read in)", at_key=True)]
    try:
        scheme = rules_for(Markings.model_validate(data["markings"])).scheme
    except (ValidationError, MarkingError):
        return []   # the model reports what is wrong with `markings`
    problems, seen = [], set()
    for index, audience in audiences:
        if audience.get("id") in seen:
            problems.append(doc.diagnostic(("audiences", index, "id"),
                                           f"`{audience['id']}` is listed twice in `audiences`"))
        seen.add(audience.get("id"))
        if isinstance(audience.get("ceiling"), str):
            try:
                parse(audience["ceiling"], scheme)
            except MarkingError as exc:
                problems.append(doc.diagnostic(("audiences", index, "ceiling"), str(exc)))
    return problems


def house_file(folder: Path, reference: str) -> Path:
    """The file a house names (its Word template, a font of its house.css), in its folder."""
    return folder / PurePosixPath(reference)


def house_file_problem(folder: Path, reference: str) -> str | None:
    """Why a file a house names may not be read (None when it may): it must be written as a
    relative path, stay inside the house's folder with its links resolved, and be a regular
    file no larger than an asset."""
    parts = urlsplit(reference)
    if parts.scheme or parts.netloc:
        return (f"`{reference}`: a house reads only files in its own folder, never the network; "
                "put the file beside house.toml and name it by its path there")
    if reference.startswith(("/", "\\")) or "\\" in reference or ".." in PurePosixPath(reference).parts:
        return f"`{reference}`: name a file inside the house's folder by a relative path, without `..`"
    path = house_file(folder, reference)
    if not os.path.lexists(path):
        return f"`{reference}`: there is no such file in the house's folder"
    if folder.resolve() not in path.resolve().parents:
        return f"`{reference}` leads out of the house's folder (a symbolic link); copy the file in"
    try:
        read_regular_file(path, MAX_ASSET_BYTES)
    except UnsafeFile as exc:
        return f"`{reference}`: {exc}"
    return None


def css_urls(css: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, url) of each url() in a style sheet, comments left out."""
    for match in _CSS_URL.finditer(_without_comments(css)):
        yield match.start(), match.end(), next(g for g in match.groups() if g is not None)


def _without_comments(css: str) -> str:
    """The style sheet with its comments blanked out, every other character where it was."""
    return _CSS_COMMENT.sub(lambda m: " " * len(m.group(0)), css)


def css_problems(folder: Path, shown: str) -> list[Diagnostic]:
    """Every url() of the house's house.css names a file in its folder; no @import."""
    path = folder / HOUSE_CSS
    if not path.is_file():
        return []
    css = path.read_text(encoding="utf-8", errors="replace")
    problems = []
    for start, _, url in css_urls(css):
        problem = None if url.startswith("data:") else house_file_problem(folder, url)
        if problem:
            problems.append(Diagnostic(shown, *line_and_column(css, start), "error", problem))
    problems += [Diagnostic(shown, *line_and_column(css, match.start()), "error",
                            "`@import` is not allowed in house.css: write the rules in it")
                 for match in _CSS_IMPORT.finditer(_without_comments(css))]
    return sorted(problems)


_FONT_TYPES = {".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf", ".otf": "font/otf"}


def css_files(folder: Path) -> list[Path]:
    """The files the house's house.css names by url() (fonts, pictures), each in its folder."""
    path = folder / HOUSE_CSS
    if not path.is_file():
        return []
    css = path.read_text(encoding="utf-8", errors="replace")
    return [house_file(folder, url) for _, _, url in css_urls(css) if not url.startswith("data:")]


def with_house_files_inlined(css: str, folder: Path) -> str:
    """house.css with each url() of a file in the house's folder as a data: URL of its bytes,
    so the page needs no file of the house at layout (and the fetcher, which guards what
    content may read, is never asked for one); a url() that may not be read is dropped."""
    parts, end = [], 0
    for start, stop, url in css_urls(css):
        if url.startswith("data:"):
            continue
        parts.append(css[end:start])
        end = stop
        if house_file_problem(folder, url):
            parts.append("none")
            continue
        path = house_file(folder, url)
        kind = _FONT_TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        data = base64.b64encode(read_regular_file(path, MAX_ASSET_BYTES)).decode("ascii")
        parts.append(f'url("data:{kind};base64,{data}")')
    return "".join(parts) + css[end:]
