"""Raw data walked before (and beside) the model: what YAML gave, whatever its shape.

The checks after the model's look only at parts that have the shape they need, so a
wrong shape is reported once, by the model, and the other checks still run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from briefgen.content.loader import KeyPath
from briefgen.content.models import Day

_DAY = TypeAdapter(Day)

# A mapping of a brief's data as the loader reads it (before or beside the model).
Data = dict[str, Any]


def scalars(data: Any, key_path: KeyPath) -> Iterator[tuple[KeyPath, str]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from scalars(value, (*key_path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from scalars(value, (*key_path, index))
    elif isinstance(data, str):
        yield key_path, data



def list_items(data: Any, key: str) -> list[tuple[int, Data]]:
    value = data.get(key) if isinstance(data, dict) else None
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)] if isinstance(value, list) else []


def ids_in(data: Data, key: str) -> list[tuple[int, str]]:
    value = data.get(key)
    return [(i, v) for i, v in enumerate(value) if isinstance(v, str)] if isinstance(value, list) else []



def valid_items(model: type[BaseModel], data: Data, section: str) -> list[tuple[int, Any]]:
    """The items of a list section that are valid on their own, with their index."""
    valid = []
    for index, item in list_items(data, section):
        try:
            valid.append((index, model.model_validate(item)))
        except ValidationError:
            continue
    return valid


def as_day(value: Any) -> dt.date | None:
    try:
        return _DAY.validate_python(value)
    except ValidationError:
        return None


def as_mapping(value: Any) -> Data:
    """`value` when it is a mapping, else an empty one (the model reports the wrong shape)."""
    return value if isinstance(value, dict) else {}

