"""What Markdown in content may point at: images in the content's `assets/` folder, links to the web.

Content comes from pull requests, so every reference it makes is judged twice: here,
at validation time, where a refusal is reported with its file, line and column; and
again by the sanitiser (`richtext`) and the URL fetcher (`fetcher`), which refuse the
same things if they ever get that far.

An image is written `![alt](assets/map.png)`, relative to the folder the brief is in.
The reference is judged as written (no scheme, no absolute path, no `..`, no percent
or backslash tricks, a known image type) and then as a file: resolved with its symlinks,
it must still be a regular file inside `assets/`, small enough, and really an image
of the type its name says.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from pydantic import BaseModel

from briefgen.content.fields import markdown_texts
from briefgen.content.files import MAX_ASSET_BYTES, TooBig, UnsafeFile, read_regular_file
from briefgen.content.loader import KeyPath, LoadedDocument, format_key_path
from briefgen.content.markdown import Reference, markdown_limit_problem, references
from briefgen.content.models import Brief, Person
from briefgen.errors import Diagnostic

ASSETS_FOLDER = "assets"
LINK_SCHEMES = ("https", "http", "mailto")
# The first bytes of each image type we accept; SVG is left out because it can fetch.
IMAGE_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".gif": (b"GIF87a", b"GIF89a"),
}
_SAFE_PATH = re.compile(r"[A-Za-z0-9._/-]+")


def image_reference_problem(reference: str) -> str | None:
    """Why an image reference, as written, is not a plain path inside assets/ (None if it is)."""
    parts = urlsplit(reference)
    if parts.scheme:
        return (f"images may not come from `{parts.scheme}:` addresses; put the file in "
                f"{ASSETS_FOLDER}/ and write ![description]({ASSETS_FOLDER}/name.png)")
    if reference.startswith(("/", "\\")):
        return (f"images may not use absolute paths; write a path relative to the content "
                f"folder, starting with {ASSETS_FOLDER}/")
    if "%" in reference or "\\" in reference or not _SAFE_PATH.fullmatch(reference):
        return ("image paths may use only letters, digits, '.', '_', '-' and '/' "
                "(no spaces, '%' escapes, backslashes, '?' or '#')")
    path = PurePosixPath(reference)
    if ".." in path.parts:
        return "image paths may not use `..` to leave the assets folder"
    if len(path.parts) < 2 or path.parts[0] != ASSETS_FOLDER:
        return f"images must be inside the {ASSETS_FOLDER}/ folder next to the brief"
    if path.suffix.lower() not in IMAGE_SIGNATURES:
        return (f"images must be {', '.join(IMAGE_SIGNATURES)} files; got "
                f"`{path.suffix or 'no extension'}`")
    return None


def image_file_problem(content_dir: Path, reference: str) -> str | None:
    """Why `content_dir/reference` is not a usable image inside the assets folder (None if it is).

    Judged after resolving symlinks, so a link that points out of assets/ is refused."""
    problem = image_reference_problem(reference)
    if problem:
        return problem
    if (content_dir / ASSETS_FOLDER).is_symlink():
        return (f"the {ASSETS_FOLDER}/ folder is a symbolic link; it must be a real folder inside "
                "the project")
    assets = (content_dir / ASSETS_FOLDER).resolve()
    path = (content_dir / reference).resolve()
    if assets not in path.parents:
        return f"`{reference}` is a link that leads out of the {ASSETS_FOLDER}/ folder"
    if not os.path.lexists(content_dir / reference) and not path.exists():
        return f"no image file `{reference}` (looked in {ASSETS_FOLDER}/ next to the brief)"
    try:
        data = read_image(content_dir, reference)
    except TooBig as exc:
        return f"`{reference}` is {exc.size:,} bytes; an image may be at most {MAX_ASSET_BYTES:,} bytes"
    except UnsafeFile as exc:
        return f"`{reference}`: {exc}".replace("content files must", "images must")
    if not data.startswith(IMAGE_SIGNATURES[path.suffix.lower()]):
        return f"`{reference}` is not a {path.suffix.lower().lstrip('.').upper()} image"
    return None


def read_image(content_dir: Path, reference: str) -> bytes:
    """The bytes of an image inside assets/: a regular file reached through no link at all,
    at most MAX_ASSET_BYTES. Raises UnsafeFile otherwise."""
    link = _first_link(content_dir, PurePosixPath(reference).parts)
    if link is not None:
        raise UnsafeFile(f"`{link}` is a symbolic link; images must be regular files in the "
                         f"{ASSETS_FOLDER}/ folder")
    return read_regular_file(content_dir / reference, MAX_ASSET_BYTES)


def _first_link(folder: Path, parts: tuple[str, ...]) -> str | None:
    """The first of the path's parts below `folder` that is a symbolic link (as written)."""
    for end in range(1, len(parts) + 1):
        if (folder.joinpath(*parts[:end])).is_symlink():
            return "/".join(parts[:end])
    return None


def link_problem(href: str) -> str | None:
    """Why a Markdown link target is not allowed (None when it is an http(s) or mailto link)."""
    scheme = urlsplit(href).scheme.lower()
    if scheme in LINK_SCHEMES:
        return None
    kind = f"`{scheme}:` links" if scheme else "links to files or other parts of the page"
    return f"{kind} are not allowed; links must start with https://, http:// or mailto:"


# --- the validation check -------------------------------------------------------------

@dataclass(frozen=True)
class _Field:
    doc: LoadedDocument
    key_path: KeyPath
    text: str


def asset_problems(doc: LoadedDocument, person_files: Iterable[LoadedDocument]) -> list[Diagnostic]:
    """Every refused image, link or over-long Markdown in a brief and in its people's bios.

    Bios are checked in their own person files, with their own line numbers."""
    fields = [_Field(doc, key_path, text) for key_path, text in markdown_texts(Brief, doc.data)]
    for person in person_files:
        fields += [_Field(person, key_path, text) for key_path, text in markdown_texts(Person, person.data)]
    content_dir = doc.path.resolve().parent
    return [problem for field in fields for problem in _field_problems(field, content_dir)]


def markdown_problems(doc: LoadedDocument, model: type[BaseModel], content_dir: Path) -> list[Diagnostic]:
    """Every refused image, link or over-long Markdown in a file of another kind (a book),
    whose images are looked up in `content_dir`."""
    fields = [_Field(doc, key_path, text) for key_path, text in markdown_texts(model, doc.data)]
    return [problem for field in fields for problem in _field_problems(field, content_dir)]


def _field_problems(field: _Field, content_dir: Path) -> Iterator[Diagnostic]:
    limit = markdown_limit_problem(field.text)
    if limit:
        yield field.doc.diagnostic(field.key_path, limit)
        return
    for reference in references(field.text):
        if reference.kind == "image":
            problems = [image_file_problem(content_dir, reference.url), description_problem(reference)]
        else:
            problems = [link_problem(reference.url)]
        for problem in filter(None, problems):
            line, column = _position_of(field, reference.url)
            yield Diagnostic(field.doc.display_path, line, column, "error", problem,
                             format_key_path(field.key_path))


def description_problem(image: Reference) -> str | None:
    """An image must say what it shows: the PDF's tags, screen readers and the email's text
    read the description in its place (PDF/UA-1 and WCAG 1.1.1 require one)."""
    if image.alt.strip():
        return None
    return (f"image `{image.url}` has no description; write what it shows between the "
            f"brackets: ![A map of the venue]({image.url})")


def _position_of(field: _Field, needle: str) -> tuple[int, int]:
    """Line and column of `needle` as written in the field, or of the field itself."""
    exact = field.doc.position_in_value(field.key_path, field.text.find(needle)) if needle else None
    if exact:
        return exact
    line, column = field.doc.locate(field.key_path)   # e.g. a double-quoted value with escapes
    if not needle:
        return line, column
    lines = field.doc.text.splitlines()
    for number in range(line, min(len(lines), line + field.text.count("\n") + 2) + 1):
        start = column - 1 if number == line else 0
        found = lines[number - 1].find(needle, start)
        if found >= 0:
            return number, found + 1
    return line, column
