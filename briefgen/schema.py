"""JSON Schemas of a brief and a person, generated from the model for editors."""

from __future__ import annotations

import json
from pathlib import Path

from briefgen.models import Brief, Person

SCHEMA_FILES = {"brief": Brief, "person": Person}


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
