"""JSON Schemas of a brief, a person, a book and a house's house.toml, generated from the
model for editors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from briefgen.content.books import Book
from briefgen.content.house import HouseFile
from briefgen.content.models import Brief, Person

# A JSON Schema (or a part of one) as pydantic writes it.
JsonObject = dict[str, Any]

SCHEMA_FILES: dict[str, type[BaseModel]] = {"brief": Brief, "person": Person, "book": Book, "house": HouseFile}


def schema_texts() -> dict[str, str]:
    """The schema of each content kind, as the text committed under schema/."""
    texts = {}
    for name, model in SCHEMA_FILES.items():
        schema = model.model_json_schema()
        schema = {"$schema": "https://json-schema.org/draft/2020-12/schema",
                  "$id": f"{name}.schema.json", **schema}
        texts[name] = json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
    return texts


def write_schemas(root: Path) -> list[Path]:
    folder = root / "schema"
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schema_texts().items():
        path = folder / f"{name}.schema.json"
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


# --- the content reference in docs/content-reference.md, generated from the same schemas ------------------

REFERENCE_START = "<!-- content-reference: generated from the model by briefgen.content.schema; do not edit -->"
REFERENCE_END = "<!-- end of content-reference -->"


def content_reference() -> str:
    """Every key of a brief, a person and a book as Markdown tables, for docs/content-reference.md."""
    sections = []
    shown: set[str] = set()   # a group of keys shared by two kinds of file is listed once
    for name, text in schema_texts().items():
        schema = json.loads(text)
        defs = schema.get("$defs", {})
        sections.append(_table(f"A {name} (`{name}.schema.json`)", schema, defs))
        for def_name, definition in sorted(defs.items()):
            if "properties" in definition and def_name not in shown:
                shown.add(def_name)
                sections.append(_table(f"`{def_name}`", definition, defs))
    return "\n".join([REFERENCE_START, *sections, REFERENCE_END]) + "\n"


def _table(heading: str, schema: JsonObject, defs: JsonObject) -> str:
    rows = [f"## {heading}", "", schema.get("description", ""), "",
            "| key | required | what it holds |", "| --- | --- | --- |"]
    required = set(schema.get("required", []))
    for key, prop in schema["properties"].items():
        text = prop.get("description", "")
        choices = _choices(prop, defs)
        if choices:
            text += f" One of: {', '.join(f'`{c}`' for c in choices)}."
        example = next(iter(prop.get("examples", [])), None)
        if isinstance(example, str) and not choices:
            text += f" Example: `{example}`"
        cell = (_kind(prop, defs) + text).replace("|", "\\|")
        rows.append(f"| `{key}` | {'yes' if key in required else 'no'} | {cell} |")
    return "\n".join(rows) + "\n"


def _choices(prop: JsonObject, defs: JsonObject) -> list[str]:
    for option in [prop, *prop.get("anyOf", [])]:
        if "enum" in option:
            choices: list[str] = option["enum"]
            return choices
        ref = option.get("$ref", "").removeprefix("#/$defs/")
        if ref in defs and "enum" in defs[ref]:
            choices = defs[ref]["enum"]
            return choices
    return []


def _kind(prop: JsonObject, defs: JsonObject) -> str:
    """'A list of Deliverable.' or 'A group of keys: Event.', linking to that table."""
    options = [prop, *prop.get("anyOf", [])]
    refs = [o.get("$ref") or o.get("items", {}).get("$ref") for o in options]
    ref = next((r.removeprefix("#/$defs/") for r in refs if r), None)
    if not ref or "properties" not in defs.get(ref, {}):
        return ""
    if any(o.get("type") == "array" for o in options):
        return f"A list of [`{ref}`](#{ref.lower()}). "
    return f"A group of keys, [`{ref}`](#{ref.lower()}). "
