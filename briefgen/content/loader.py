"""Stage 1: read a YAML file into plain data, remembering where every value sits.

We use PyYAML's parser and composer only, never its constructors, so:

* every scalar stays the text the author wrote (``NO``, ``yes``, ``10:30`` and
  ``1e3`` are strings; the model decides what a field means);
* a duplicate key is an error naming both lines, instead of the last one winning;
* anchors and aliases are refused, so an alias bomb can never expand;
* size and nesting depth are bounded before anything is built;
* characters a reader cannot see (controls, bidi overrides, zero-width), lone surrogates
  (which nothing can encode) and private-use characters (which show as nothing a reader
  knows, and could forge the renderer's own markers) are errors.

Everything found is collected and returned, so the author sees every problem at once.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.error import Mark
from yaml.events import AliasEvent, MappingEndEvent, MappingStartEvent, SequenceEndEvent, SequenceStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from briefgen.content.characters import invisible_name, printable
from briefgen.content.files import TooBig, UnsafeFile, read_regular_file
from briefgen.content.sourcemap import line_and_column, offset_in_source
from briefgen.errors import ContentError, Diagnostic, Severity

MAX_FILE_BYTES = 256 * 1024
MAX_DEPTH = 32

KeyPath = tuple[str | int, ...]

_NULL_WORDS = {"", "~", "null", "Null", "NULL"}
_TAG_PREFIX = "tag:yaml.org,2002:"
# What PyYAML's reader accepts; anything else is replaced before parsing (and reported).
_YAML_PRINTABLE = re.compile("[\t\n\r\x20-\x7E\xA0-\uD7FF\uE000-\uFFFD\U00010000-\U0010FFFF]")


@dataclass
class LoadedDocument:
    """A YAML file as plain data, with the position of every key and value."""

    path: Path
    display_path: str
    data: Any
    value_positions: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    text: str = ""   # the file as read (once, safely): offsets inside values are mapped back
    sha256: str = ""  # of the bytes as read: a build's fingerprint, with no second read
    source: str = ""  # the file's text exactly as read (`text` has invisible characters marked)
    scalar_starts: dict[KeyPath, tuple[int, str]] = field(default_factory=dict)  # index, style

    def locate(self, key_path: KeyPath, *, key: bool = False) -> tuple[int, int]:
        """Line and column of a value (or of its key), or of its nearest ancestor that exists."""
        table = self.key_positions if key else self.value_positions
        for end in range(len(key_path), -1, -1):
            prefix = tuple(key_path[:end])
            if prefix in table:
                return table[prefix]
            if prefix in self.value_positions:
                return self.value_positions[prefix]
        return (1, 1)

    def locate_in_value(self, key_path: KeyPath, offset: int) -> tuple[int, int]:
        """Line and column of the character at `offset` in the text value at `key_path`, also
        inside a Markdown block (`|` or `>`) or a value folded over several lines; the
        value's own position when that cannot be worked out."""
        return self.position_in_value(key_path, offset) or self.locate(key_path)

    def position_in_value(self, key_path: KeyPath, offset: int) -> tuple[int, int] | None:
        """As locate_in_value, or None when the position cannot be worked out exactly."""
        start = self.scalar_starts.get(key_path)
        value = value_at(self.data, key_path)
        if start is None or not isinstance(value, str) or offset < 0:
            return None
        index = offset_in_source(self.text, start[0], start[1], value, offset)
        return None if index is None else line_and_column(self.text, index)

    def diagnostic(self, key_path: KeyPath, message: str, *, severity: Severity = "error",
                   at_key: bool = False, offset: int | None = None) -> Diagnostic:
        """A problem at a value (or its key); with `offset`, at that character of the value."""
        if offset is not None:
            line, column = self.locate_in_value(key_path, offset)
        else:
            line, column = self.locate(key_path, key=at_key)
        return Diagnostic(self.display_path, line, column, severity, message,
                          format_key_path(key_path))


def format_key_path(key_path: KeyPath) -> str:
    """('deliverables', 2, 'status') -> 'deliverables[2].status'."""
    text = ""
    for part in key_path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def load_yaml(path: Path, display_path: str | None = None) -> LoadedDocument:
    """Read one YAML file. Raises ContentError when it cannot be read as data at all;
    problems that still leave data (duplicates, invisible characters) are in ``diagnostics``."""
    shown = display_path or str(path)
    raw = _read_bytes(path, shown)
    return _parse(_decoded(raw, shown), path, shown, hashlib.sha256(raw).hexdigest())


def parse_yaml(raw: bytes, path: Path, display_path: str) -> LoadedDocument:
    """As load_yaml, for a file's bytes read elsewhere (from git), with the same size cap."""
    if len(raw) > MAX_FILE_BYTES:
        raise ContentError([Diagnostic(display_path, 1, 1, "error", str(TooBig(len(raw), MAX_FILE_BYTES)))])
    return _parse(_decoded(raw, display_path), path, display_path, hashlib.sha256(raw).hexdigest())


def _parse(text: str, path: Path, shown: str, sha256: str) -> LoadedDocument:
    doc = LoadedDocument(path=path, display_path=shown, data=None, text=text, sha256=sha256, source=text)
    invisible, text = _invisible_characters(text, shown)
    doc.diagnostics.extend(invisible)
    doc.text = text
    node = _compose_with_libyaml(text)
    if node is not None:
        doc.data = _to_data(node, (), doc)
        return doc
    loader = _NodeLoader(text, shown)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise ContentError([*doc.diagnostics, *loader.problems,
                            one_line(_syntax_diagnostic(exc, shown))]) from None
    except _TooDeep as exc:
        raise ContentError([*doc.diagnostics, exc.diagnostic]) from None
    finally:
        loader.dispose()
    doc.diagnostics.extend(loader.problems)
    if node is None:
        raise ContentError([*doc.diagnostics, Diagnostic(shown, 1, 1, "error",
                            "the file is empty; expected the keys of a brief or a person")])
    doc.data = _to_data(node, (), doc)
    return doc


def _read_bytes(path: Path, shown: str) -> bytes:
    """The file's bytes: a regular file (not a link, pipe or device), at most MAX_FILE_BYTES."""
    try:
        raw = read_regular_file(path, MAX_FILE_BYTES)
    except TooBig as exc:
        raise ContentError([Diagnostic(shown, 1, 1, "error", str(exc))]) from None
    except UnsafeFile as exc:
        raise ContentError([Diagnostic(shown, 0, 0, "error", printable(str(exc)))]) from None
    return raw


def _decoded(raw: bytes, shown: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ContentError([Diagnostic(shown, line, column, "error",
                            "the file is not valid UTF-8 text; save it as UTF-8")]) from None


def _invisible_characters(text: str, shown: str) -> tuple[list[Diagnostic], str]:
    """Report every character a reader cannot see, and return the text with each replaced
    by U+FFFD, so the parser reports what else is wrong and counts lines as an editor does."""
    if not any(invisible_name(char) or not _YAML_PRINTABLE.match(char) for char in set(text)):
        return [], text  # the usual case, decided per distinct character
    found, cleaned, line, column = [], [], 1, 1
    for char in text:
        name = invisible_name(char)
        if name:
            found.append(Diagnostic(
                shown, line, column, "error",
                f"invisible character U+{ord(char):04X} ({name}); a reader cannot see it, "
                "so delete it or write what you mean in plain text"))
            char = "\ufffd"
        elif not _YAML_PRINTABLE.match(char):
            found.append(Diagnostic(shown, line, column, "error",
                                    f"character U+{ord(char):04X} is not allowed in YAML; delete it"))
            char = "\ufffd"
        cleaned.append(char)
        if char == "\n" or (char == "\r" and not text.startswith("\n", len(cleaned))):
            line, column = line + 1, 1
        elif char != "\r":
            column += 1
    return found, "".join(cleaned)


# PyYAML's wording for the common mistakes, and what to do about each.
_SYNTAX_HINTS = (
    ("mapping values are not allowed", "unexpected ': ' here; if this line is a key, line it up "
     "with the keys around it; if it is part of a value that contains ': ', put the value in quotes"),
    ("found character '\\t'", "a tab character; YAML indents with spaces only"),
    ("found unexpected end of stream", "the quote that opens on line {context_line} is never "
     "closed"),
    ("could not find expected ':'", "expected `key: value`; this line has no ':' after its key "
     "(or it should be indented as part of the line before)"),
    ("expected ',' or ']'", "the [list] that opens on line {context_line} is not closed with ']' "
     "(or an item in it contains ': ' and needs quotes)"),
    ("expected ',' or '}'", "the {{group}} that opens on line {context_line} is not closed with "
     "'}}' (or a value in it contains ': ' and needs quotes)"),
    ("but found '<scalar>'", "unexpected text after a complete value; check the quotes on this "
     "line and above (a quoted value ends at its closing quote)"),
    ("but found '<block", "this line is indented differently from the lines around it; line up "
     "keys of the same group with spaces"),
    ("but found '?'", "this line is indented differently from the lines around it; line up "
     "keys of the same group with spaces"),
    ("but found '-'", "a list item ('- ') cannot appear here; line it up under the other items "
     "of its list"),
    ("but found ']'", "a ']' closes a list that was never opened"),
    ("but found '}'", "a '}' closes a group that was never opened"),
    ("found another document", "the file holds more than one YAML document (a '---' line); "
     "a content file is a single document"),
    ("found unknown escape character", "a backslash in double quotes starts an escape; use "
     "single quotes, or write '\\\\' for a backslash"),
    ("that cannot start any token", "this character cannot start a value; put the value in quotes"),
    ("expected the node content", "a value is missing here (two commas in a row, or a ',' or ':' "
     "with nothing before it)"),
    ("expected alphabetic or numeric character", "a value starting with '*', '&' or '!' has a "
     "special meaning in YAML; put the value in quotes"),
    ("expected a comment or a line break", "after '|' or '>' the text starts on the next line, "
     "indented"),
)


def _syntax_diagnostic(exc: yaml.MarkedYAMLError, shown: str) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = exc.problem or "invalid YAML"
    context_line = exc.context_mark.line + 1 if exc.context_mark else line
    for needle, advice in _SYNTAX_HINTS:
        if needle in f"{exc.context or ''} {problem}":
            return Diagnostic(shown, line, column, "error",
                              "YAML syntax error: " + advice.format(context_line=context_line))
    return Diagnostic(shown, line, column, "error", f"YAML syntax error: {problem}")


def _compose_with_libyaml(text: str) -> Node | None:
    """The fast path: libyaml's C parser, for the usual file with nothing to report.

    Returns None (use the pure-Python path, which explains every problem exactly) when
    libyaml is missing or the file has anything to report: a syntax error, an anchor, an
    alias, a tag, or deep nesting. The events are checked before anything is composed, so
    an alias bomb or a deeply nested file never reaches the C composer.
    """
    if not getattr(yaml, "__with_libyaml__", False):
        return None
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.CSafeLoader):
            if isinstance(event, AliasEvent) or getattr(event, "anchor", None) \
                    or getattr(event, "tag", None) not in (None, "!"):
                return None
            if isinstance(event, (MappingStartEvent, SequenceStartEvent)):
                depth += 1
                if depth >= MAX_DEPTH - 1:
                    return None
            elif isinstance(event, (MappingEndEvent, SequenceEndEvent)):
                depth -= 1
        loader = yaml.CSafeLoader(text)
        try:
            return loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.YAMLError:
        return None


class _TooDeep(Exception):
    def __init__(self, diagnostic: Diagnostic):
        self.diagnostic = diagnostic


class _NodeLoader(yaml.SafeLoader):  # type: ignore[misc]  # PyYAML has no type hints
    """PyYAML's safe loader, used only up to nodes, refusing aliases and deep nesting."""

    def __init__(self, text: str, shown: str):
        super().__init__(text)
        self.shown = shown
        self.problems: list[Diagnostic] = []
        self._depth = 0

    def _problem(self, mark: Mark, message: str) -> None:
        self.problems.append(Diagnostic(self.shown, mark.line + 1, mark.column + 1, "error", message))

    def compose_node(self, parent: Node | None, index: object) -> Node:
        if self.check_event(AliasEvent):
            event = self.get_event()
            self._problem(event.start_mark, f"YAML aliases (*{event.anchor}) are not allowed in "
                          "briefs; write the value out in full")
            return ScalarNode("tag:yaml.org,2002:null", "", event.start_mark, event.end_mark)
        event = self.peek_event()
        if getattr(event, "anchor", None):
            self._problem(event.start_mark, f"YAML anchors (&{event.anchor}) are not allowed in "
                          "briefs; write each value out in full")
            event.anchor = None
        tag = getattr(event, "tag", None)
        if tag not in (None, "!"):
            self._problem(event.start_mark, f"YAML tags ({_short_tag(tag)}) are not allowed in "
                          "briefs; remove the tag: every value is read as the text you wrote")
            event.tag = None
        self._depth += 1
        if self._depth > MAX_DEPTH:
            mark = event.start_mark
            raise _TooDeep(Diagnostic(self.shown, mark.line + 1, mark.column + 1, "error",
                                      f"the content is nested more than {MAX_DEPTH} levels deep"))
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _check_escapes(node: ScalarNode, key_path: KeyPath, doc: LoadedDocument) -> None:
    """A double-quoted value can write an invisible character as an escape ("\\u200b")."""
    if node.style != '"':
        return
    for char in dict.fromkeys(node.value):
        name = invisible_name(char) if char not in "\n\t" else None
        if name:
            doc.diagnostics.append(Diagnostic(
                doc.display_path, node.start_mark.line + 1, node.start_mark.column + 1, "error",
                f"invisible character U+{ord(char):04X} ({name}), written as an escape; a reader "
                "cannot see it, so delete it or write what you mean in plain text",
                format_key_path(key_path)))


def one_line(problem: Diagnostic) -> Diagnostic:
    return dataclasses.replace(problem, message=printable(problem.message),
                               key_path=printable(problem.key_path))


def _short_tag(tag: str) -> str:
    return "!!" + tag.removeprefix(_TAG_PREFIX) if tag.startswith(_TAG_PREFIX) else tag


def _is_plain(node: ScalarNode) -> bool:
    """An unquoted scalar (PyYAML says None, libyaml says '')."""
    return not node.style


def _to_data(node: Node, key_path: KeyPath, doc: LoadedDocument) -> Any:
    doc.value_positions[key_path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, ScalarNode):
        _check_escapes(node, key_path, doc)
        doc.scalar_starts[key_path] = (node.start_mark.index, node.style or "")
        if _is_plain(node) and node.value in _NULL_WORDS:
            return None
        return node.value
    if isinstance(node, SequenceNode):
        return [_to_data(item, (*key_path, index), doc) for index, item in enumerate(node.value)]
    assert isinstance(node, MappingNode)
    result: dict[str, Any] = {}
    first_seen: dict[str, int] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            doc.diagnostics.append(Diagnostic(
                doc.display_path, key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                "error", "a key must be a plain word, not a list or a mapping",
                format_key_path(key_path)))
            continue
        key = key_node.value
        line = key_node.start_mark.line + 1
        _check_escapes(key_node, (*key_path, key), doc)
        if key == "<<" and _is_plain(key_node):
            doc.diagnostics.append(Diagnostic(
                doc.display_path, line, key_node.start_mark.column + 1, "error",
                "YAML merge keys (<<) are not allowed in briefs; write each key out in full",
                format_key_path(key_path)))
            continue
        if key in first_seen:
            doc.diagnostics.append(Diagnostic(
                doc.display_path, line, key_node.start_mark.column + 1, "error",
                f"duplicate key `{key}`: it is also on line {first_seen[key]}; "
                "keep one (YAML would silently use only the last)",
                format_key_path((*key_path, key))))
            continue
        first_seen[key] = line
        doc.key_positions[(*key_path, key)] = (line, key_node.start_mark.column + 1)
        result[key] = _to_data(value_node, (*key_path, key), doc)
    return result


def value_at(data: Any, key_path: KeyPath) -> Any:
    """The value at `key_path` in parsed YAML (None where there is none)."""
    for part in key_path:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data
