"""Stage 1: read a YAML file into plain data, remembering where every value sits.

We use PyYAML's parser and composer only, never its constructors, so:

* every scalar stays the text the author wrote (``NO``, ``yes``, ``10:30`` and
  ``1e3`` are strings; the model decides what a field means);
* a duplicate key is an error naming both lines, instead of the last one winning;
* anchors and aliases are refused, so an alias bomb can never expand;
* size and nesting depth are bounded before anything is built;
* characters a reader cannot see (controls, bidi overrides, zero-width) are errors.

Everything found is collected and returned, so the author sees every problem at once.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from briefgen.errors import ContentError, Diagnostic

MAX_FILE_BYTES = 256 * 1024
MAX_DEPTH = 32

KeyPath = tuple[str | int, ...]

_STANDARD_TAGS = {
    f"tag:yaml.org,2002:{name}"
    for name in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp", "merge")
}
_NULL_WORDS = {"", "~", "null", "Null", "NULL"}
_INVISIBLE = {
    "\u200b": "zero-width space",
    "\u200c": "zero-width non-joiner",
    "\u200d": "zero-width joiner",
    "\u2060": "word joiner",
    "\ufeff": "zero-width no-break space",
    "\u00ad": "soft hyphen",
    **{chr(c): "bidirectional control" for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))},
    "\u200e": "left-to-right mark",
    "\u200f": "right-to-left mark",
}


@dataclass
class LoadedDocument:
    """A YAML file as plain data, with the position of every key and value."""

    path: Path
    display_path: str
    data: Any
    value_positions: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    diagnostics: list[Diagnostic] = field(default_factory=list)

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

    def diagnostic(self, key_path: KeyPath, message: str, *, severity: str = "error",
                   at_key: bool = False) -> Diagnostic:
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
    text = _read_text(path, shown)
    doc = LoadedDocument(path=path, display_path=shown, data=None)
    doc.diagnostics.extend(_invisible_characters(text, shown))
    loader = _NodeLoader(text, shown)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise ContentError([*doc.diagnostics, *loader.problems, _syntax_diagnostic(exc, shown)]) from None
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


def _read_text(path: Path, shown: str) -> str:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ContentError([Diagnostic(shown, 1, 1, "error",
                                f"the file is {size:,} bytes; a content file may be at most "
                                f"{MAX_FILE_BYTES:,} bytes")])
        raw = path.read_bytes()
    except OSError as exc:
        raise ContentError([Diagnostic(shown, 1, 1, "error",
                            f"cannot read the file: {exc.strerror or exc}")]) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ContentError([Diagnostic(shown, line, column, "error",
                            "the file is not valid UTF-8 text; save it as UTF-8")]) from None


def _invisible_characters(text: str, shown: str) -> list[Diagnostic]:
    found = []
    for line_number, line in enumerate(text.splitlines(), start=1):
        for column, char in enumerate(line, start=1):
            name = _INVISIBLE.get(char)
            if name is None and unicodedata.category(char) == "Cc" and char != "\t":
                name = "control character"
            if name:
                found.append(Diagnostic(
                    shown, line_number, column, "error",
                    f"invisible character U+{ord(char):04X} ({name}); a reader cannot see it, "
                    "so delete it or write what you mean in plain text"))
    return found


def _syntax_diagnostic(exc: yaml.MarkedYAMLError, shown: str) -> Diagnostic:
    mark = exc.problem_mark or exc.context_mark
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    problem = exc.problem or "invalid YAML"
    hint = ""
    if "mapping values are not allowed" in problem:
        hint = "; a value that contains ': ' must be quoted"
    elif "found character '\\t'" in problem:
        hint = "; indent with spaces, not tabs"
    elif "could not find expected ':'" in problem or "expected <block end>" in problem:
        hint = "; check the indentation of this line and the one before"
    elif "found undefined alias" in problem or "found unhashable key" in problem:
        hint = ""
    context = f" {exc.context}" if exc.context else ""
    return Diagnostic(shown, line, column, "error", f"YAML syntax error:{context} {problem}{hint}".replace(":  ", ": "))


class _TooDeep(Exception):
    def __init__(self, diagnostic: Diagnostic):
        self.diagnostic = diagnostic


class _NodeLoader(yaml.SafeLoader):
    """PyYAML's safe loader, used only up to nodes, refusing aliases and deep nesting."""

    def __init__(self, text: str, shown: str):
        super().__init__(text)
        self.shown = shown
        self.problems: list[Diagnostic] = []
        self._depth = 0

    def _problem(self, mark, message: str) -> None:
        self.problems.append(Diagnostic(self.shown, mark.line + 1, mark.column + 1, "error", message))

    def compose_node(self, parent, index):  # noqa: D102 (PyYAML hook)
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
        self._depth += 1
        if self._depth > MAX_DEPTH:
            mark = event.start_mark
            raise _TooDeep(Diagnostic(self.shown, mark.line + 1, mark.column + 1, "error",
                                      f"the content is nested more than {MAX_DEPTH} levels deep"))
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _to_data(node: Node, key_path: KeyPath, doc: LoadedDocument) -> Any:
    doc.value_positions[key_path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if node.tag not in _STANDARD_TAGS and not node.tag.startswith("tag:yaml.org,2002:"):
        doc.diagnostics.append(doc.diagnostic(key_path, f"YAML tags like {node.tag} are not "
                                              "allowed; remove the tag"))
    if isinstance(node, ScalarNode):
        if node.style is None and node.value in _NULL_WORDS:
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
