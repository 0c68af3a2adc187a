"""The model's own answers about its fields, worked out from the annotations.

One walk of the model: the annotation of the field at a key path, the model of the item
there, the names allowed there, and whether a list there takes text.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from functools import cache
from typing import Any

from pydantic import BaseModel, BeforeValidator

from briefgen.content.loader import KeyPath
from briefgen.content.models import MarkdownText, inner_model


def field_annotation(model: type[BaseModel], loc: tuple) -> Any:
    """The type annotation of the field at `loc` (list indexes skipped), or None."""
    current: Any = model
    annotation = None
    for part in loc:
        if isinstance(part, int):
            continue
        fields = getattr(current, "model_fields", None)
        if not fields or part not in fields:
            return None
        annotation = fields[part].annotation
        current = inner_model(annotation)
    return annotation


def holds_text(model: type[BaseModel], list_loc: tuple) -> bool:
    """Whether the list at `list_loc` takes text items: plain values (ids), or a model that may
    be written as text (a key message, a recipient)."""
    annotation = field_annotation(model, list_loc)
    if typing.get_origin(annotation) is not list:
        return False
    [item] = typing.get_args(annotation)
    return inner_model(item) is None or any(isinstance(m, BeforeValidator)
                                            for m in getattr(item, "__metadata__", ()))



def model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    """The model of the item at `loc` (the model itself when `loc` names no field)."""
    current: Any = model
    if any(not isinstance(part, int) for part in loc):
        annotation = field_annotation(model, loc)
        current = inner_model(annotation) if annotation is not None else None
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def field_names(model: type[BaseModel], loc: tuple) -> list[str]:
    target = model_at(model, loc)
    return list(target.model_fields) if target else []


def markdown_texts(model: type[BaseModel], data: Any, key_path: KeyPath = ()) -> Iterator[tuple[KeyPath, str]]:
    """(key path, text) of every Markdown field in raw data, optional ones (`Markdown | None`)
    included, and list entries written as plain text (`- A message.`)."""
    if not isinstance(data, dict):
        return
    for name, is_markdown, inner, text_is_markdown in _field_plan(model):
        value, path = data.get(name), (*key_path, name)
        if isinstance(value, str) and is_markdown:
            yield path, value
            continue
        items = enumerate(value) if isinstance(value, list) else [(None, value)]
        for index, item in items if inner else ():
            item_path = path if index is None else (*path, index)
            if isinstance(item, str):
                if text_is_markdown:
                    yield item_path, item
            elif inner is not None:
                yield from markdown_texts(inner, item, item_path)


@cache
def _field_plan(model: type[BaseModel]) -> tuple[tuple[str, bool, type[BaseModel] | None, bool], ...]:
    """Per field of a model: its name, whether it is Markdown, the model inside it (if any),
    and whether that model's `text` is Markdown (for entries written as plain text).
    Worked out once per model: the annotations never change."""
    plan = []
    for name, info in model.model_fields.items():
        inner = inner_model(info.annotation)
        text_field = inner.model_fields.get("text") if inner else None
        plan.append((name, _is_markdown(info.annotation, info.metadata), inner,
                     bool(text_field and _is_markdown(text_field.annotation, text_field.metadata))))
    return tuple(plan)


def _is_markdown(annotation: Any, metadata: list) -> bool:
    marks = [*metadata, *getattr(annotation, "__metadata__", ())]
    marks += [m for arg in typing.get_args(annotation) for m in getattr(arg, "__metadata__", ())]
    return any(isinstance(mark, MarkdownText) for mark in marks)
