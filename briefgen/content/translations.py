"""Translated editions: a brief's text in another language, kept in step with its source.

`editions: [fr]` on a brief asks for a French edition; its text lives in
content/<id>.fr.yaml, which holds only the translatable fields, by key path:

    fields:
      title:
        source: Camp David Trilateral Summit      # the text it translates (for the translator)
        fingerprint: 5d41402abc                   # of that source text
        text: Sommet trilatéral de Camp David     # the translation

A field in a list is named by its item's id where the item has one
(`deliverables[hotline].summary`, `participants[kishida].note`), so inserting an item
leaves the others' translations where they were; items without an id go by position.
A field whose entry has no `text` is untranslated; one whose fingerprint is not the
fingerprint of the source's text now is stale (the source changed since it was translated).
`briefgen translate` writes the file (`translation_text`); `check` lists both kinds at their
lines (`translation_problems`); the edition is the brief validated again with the
translations in place (`edition_document`).
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
from pathlib import Path
from typing import Any

import yaml

from briefgen.content.loader import KeyPath, LoadedDocument, format_key_path, load_yaml
from briefgen.content.rawdata import scalars
from briefgen.errors import ContentError, Diagnostic

# The translatable fields, as key paths with `*` for any list index: the text a reader reads.
# Ids, dates, times, names of people and sources' titles are not translated.
TRANSLATABLE = (
    "title", "subtitle", "addressee", "prepared_by", "bottom_line",
    "objectives.*", "objectives.*.text",
    "decisions.*.issue", "decisions.*.recommendation", "decisions.*.options.*", "decisions.*.due_reason",
    "event.location", "event.purpose",
    "participants.*.note",
    "agenda.*.title", "agenda.*.location", "agenda.*.note",
    "deliverables.*.title", "deliverables.*.summary", "deliverables.*.caveats",
    "key_messages.*", "key_messages.*.text", "points.*", "points.*.text",
    "if_raised.*.question", "if_raised.*.answer", "press_line.public", "press_line.defensive",
    "sensitivities.*.topic", "sensitivities.*.context", "sensitivities.*.guidance",
    "background", "background.*", "background.*.text",
    "quotes.*.text", "quotes.*.where", "sources.*.note", "audiences.*.name",
)
_PATTERNS = frozenset(TRANSLATABLE)


def translation_path(brief_path: Path, lang: str) -> Path:
    """content/<id>.<lang>.yaml beside the brief."""
    return brief_path.with_name(f"{brief_path.stem}.{lang}.yaml")


def fingerprint(text: str) -> str:
    """A short, stable fingerprint of a source text (white space at the ends ignored)."""
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:10]


def translatable_fields(data: Any) -> dict[str, tuple[KeyPath, str]]:
    """Each translatable text of a brief's data, by its stable key ('deliverables[hotline].summary')."""
    return {stable_key(data, path): (path, text) for path, text in scalars(data, ())
            if ".".join("*" if isinstance(part, int) else str(part) for part in path) in _PATTERNS}


def stable_key(data: Any, path: KeyPath) -> str:
    """A field's key path with each list index replaced by its item's id (or person) where
    the item has one: ('deliverables', 0, 'summary') -> 'deliverables[hotline].summary'."""
    key, value = "", data
    for part in path:
        if isinstance(part, int):
            value = value[part]
            name = value.get("id") or value.get("person") if isinstance(value, dict) else None
            key += f"[{name if isinstance(name, str) else part}]"
        else:
            value = value[part]
            key += f".{part}" if key else str(part)
    return key


def edition_problem(problem: Diagnostic, source: LoadedDocument, translation: LoadedDocument,
                    lang: str) -> Diagnostic:
    """A problem the edition's text has, where that text was written: at its entry in the
    edition's file when it is a translated field, else in the brief; saying it is the edition's."""
    fields = {format_key_path(path): key for key, (path, _) in translatable_fields(source.data).items()}
    key = fields.get(problem.key_path)
    message = f"in the `{lang}` edition: {problem.message}"
    if key is None or key not in _entries(translation):
        return dataclasses.replace(problem, message=message)
    line, column = translation.locate(("fields", key, "text"))
    return dataclasses.replace(problem, path=translation.display_path, line=line, column=column,
                               message=message, key_path=f"fields.{key}.text")


def _entries(doc: LoadedDocument) -> dict[str, Any]:
    fields = doc.data.get("fields") if isinstance(doc.data, dict) else None
    return fields if isinstance(fields, dict) else {}


def load_translation(brief_path: Path, lang: str, display_path: str) -> LoadedDocument:
    """The edition's file, loaded with positions; a ContentError naming it when it is missing."""
    path = translation_path(brief_path, lang)
    shown = str(Path(display_path).with_name(path.name))
    if not path.is_file():
        raise ContentError([Diagnostic.of_file(
            display_path, f"the `{lang}` edition needs its text in {shown}, which does not exist; "
            f"write it with `briefgen translate {brief_path.stem} --to {lang}`", "invalid")])
    return load_yaml(path, shown)


def translation_problems(source: LoadedDocument, translation: LoadedDocument) -> list[Diagnostic]:
    """Each field untranslated and each translation whose source changed since (stale), at
    its line: in the edition's file when it has the entry, else in the brief."""
    fields, entries = translatable_fields(source.data), _entries(translation)
    problems = list(translation.diagnostics)
    name = Path(translation.display_path).name
    for key, (path, text) in fields.items():
        entry = entries.get(key)
        if not isinstance(entry, dict) and path not in source.value_positions:
            continue   # not written in the brief: its house's (an audience's name), printed as the house words it
        if not isinstance(entry, dict):
            problems.append(source.diagnostic(path, f"is not translated: {name} has no `{key}`; run "
                                                    "`briefgen translate` to add it", severity="warning"))
        elif not str(entry.get("text") or "").strip():
            problems.append(translation.diagnostic(("fields", key), f"`{key}` is not translated yet",
                                                   severity="warning", at_key=True))
        elif entry.get("fingerprint") != fingerprint(text):
            problems.append(translation.diagnostic(
                ("fields", key), f"`{key}` is stale: its source changed since it was translated "
                "(the source now reads as in `source` after `briefgen translate`); revise the text, "
                "then `briefgen translate --accept " + key + "`", severity="warning", at_key=True))
    problems += [translation.diagnostic(("fields", key), f"`{key}` is no longer in the brief; "
                                        "`briefgen translate` drops it", severity="warning", at_key=True)
                 for key in entries.keys() - fields.keys()]
    return problems


def edition_document(source: LoadedDocument, translation: LoadedDocument, lang: str) -> LoadedDocument:
    """The brief's document with each translated field's text in place (the source's text
    where there is none yet), its language set to the edition's, its positions the brief's."""
    data = copy.deepcopy(source.data)
    entries = _entries(translation)
    for key, (path, _) in translatable_fields(source.data).items():
        entry = entries.get(key)
        text = entry.get("text") if isinstance(entry, dict) else None
        if isinstance(text, str) and text.strip():
            _set(data, path, text)
    data["lang"] = lang
    data.pop("editions", None)
    data.pop("bilingual", None)
    return dataclasses.replace(source, data=data, diagnostics=[])


def _set(data: Any, path: KeyPath, value: str) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


def translation_text(source: LoadedDocument, existing: LoadedDocument | None, lang: str,
                     accept: frozenset[str] = frozenset()) -> str:
    """The edition's file as `briefgen translate` writes it: every translatable field of the
    brief, in the brief's order; a new one with its source text and no translation yet; one
    no longer in the brief dropped; each kept translation's `source` the source's text now
    (its fingerprint stays that of what it was translated from, so it shows as stale until
    accepted with `accept`)."""
    entries = _entries(existing) if existing is not None else {}
    fields: dict[str, dict[str, str]] = {}
    for key, (_, text) in translatable_fields(source.data).items():
        entry = entries.get(key) if isinstance(entries.get(key), dict) else None
        translated = str(entry.get("text") or "") if entry else ""
        kept = str(entry.get("fingerprint") or "") if entry else ""
        stamp = fingerprint(text) if key in accept or not translated or not kept else kept
        fields[key] = {"source": text, "fingerprint": stamp, **({"text": translated} if translated else {})}
    header = (f"# The `{lang}` edition of {source.path.stem}: each field's `text` translates its "
              "`source`.\n# Written by `briefgen translate`; `briefgen check` lists what is "
              "untranslated or stale.\n")
    body = str(yaml.safe_dump({"lang": lang, "fields": fields}, allow_unicode=True, sort_keys=False, width=100))
    return header + body
