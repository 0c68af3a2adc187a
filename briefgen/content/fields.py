"""The model's own answers about its fields, worked out from the annotations.

One walk of the model: the annotation of the field at a key path, the model of the item
there, the names allowed there, whether a list there takes text; and, from the marks
`models` puts in the annotations, which texts are Markdown and which name sources.
Validation, the diff, the Word round trip and the page all ask here.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from functools import cache
from typing import Any

from pydantic import BaseModel, BeforeValidator

from briefgen.content.loader import KeyPath
from briefgen.content.models import MarkdownText, SourceIdsMark, inner_model


def field_annotation(model: type[BaseModel], loc: tuple[Any, ...]) -> Any:
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


def holds_text(model: type[BaseModel], list_loc: tuple[Any, ...]) -> bool:
    """Whether the list at `list_loc` takes text items: plain values (ids), or a model that may
    be written as text (a key message, a recipient)."""
    annotation = field_annotation(model, list_loc)
    if typing.get_origin(annotation) is not list:
        return False
    [item] = typing.get_args(annotation)
    return inner_model(item) is None or any(isinstance(m, BeforeValidator)
                                            for m in getattr(item, "__metadata__", ()))



def model_at(model: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model of the item at `loc` (the model itself when `loc` names no field)."""
    current: Any = model
    if any(not isinstance(part, int) for part in loc):
        annotation = field_annotation(model, loc)
        current = inner_model(annotation) if annotation is not None else None
    return current if isinstance(current, type) and issubclass(current, BaseModel) else None


def field_names(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    target = model_at(model, loc)
    return list(target.model_fields) if target else []


def is_markdown_field(model: type[BaseModel], name: str) -> bool:
    """Whether a field of a model is Markdown: `Markdown`, or `Markdown | None`."""
    info = model.model_fields.get(name)
    return info is not None and _has_mark(info.annotation, info.metadata, MarkdownText)


def is_markdown_at(model: type[BaseModel], key_path: KeyPath) -> bool:
    """Whether the text at `key_path` of data for `model` is Markdown: a Markdown field, or a
    list entry written as plain text whose model's `text` is Markdown (`- A message.`)."""
    named = [index for index, part in enumerate(key_path) if not isinstance(part, int)]
    owner = model_at(model, tuple(key_path[:named[-1]])) if named else None
    info = owner.model_fields.get(str(key_path[named[-1]])) if owner else None
    if info is None:
        return False
    if _has_mark(info.annotation, info.metadata, MarkdownText):
        return True
    inner = inner_model(info.annotation)
    text = inner.model_fields.get("text") if inner else None
    return text is not None and _has_mark(text.annotation, text.metadata, MarkdownText)


def markdown_texts(model: type[BaseModel], data: Any, key_path: KeyPath = ()) -> Iterator[tuple[KeyPath, str]]:
    """(key path, text) of every Markdown field in raw data, optional ones (`Markdown | None`)
    included, and list entries written as plain text (`- A message.`)."""
    return marked_texts(model, data, MarkdownText, key_path)


def source_ids(model: type[BaseModel], data: Any) -> Iterator[tuple[KeyPath, str]]:
    """(key path, id) of every source named in raw data by a field marked `SourceIdsMark`
    (each `sources:` list, a quote's `source`), wherever the model puts one."""
    return marked_texts(model, data, SourceIdsMark)


def marked_texts(model: type[BaseModel], data: Any, mark: type,
                 key_path: KeyPath = ()) -> Iterator[tuple[KeyPath, str]]:
    """(key path, text) of every text in raw data whose field carries `mark`: the field's
    text, each text of its list, and list entries written as plain text for a model whose
    `text` carries it."""
    if not isinstance(data, dict):
        return
    for name, marks, inner, text_marks in _field_plan(model):
        value, path = data.get(name), (*key_path, name)
        if mark in marks:
            if isinstance(value, str):
                yield path, value
                continue
            if isinstance(value, list) and inner is None:
                yield from (((*path, index), item) for index, item in enumerate(value) if isinstance(item, str))
                continue
        items = enumerate(value) if isinstance(value, list) else [(None, value)]
        for index, item in items if inner else ():
            item_path = path if index is None else (*path, index)
            if isinstance(item, str):
                if mark in text_marks:
                    yield item_path, item
            elif inner is not None:
                yield from marked_texts(inner, item, mark, item_path)


@cache
def _field_plan(model: type[BaseModel]) -> tuple[tuple[str, frozenset[type], type[BaseModel] | None,
                                                       frozenset[type]], ...]:
    """Per field of a model: its name, the marks on it, the model inside it (if any), and
    the marks on that model's `text` (for entries written as plain text).
    Worked out once per model: the annotations never change."""
    plan = []
    for name, info in model.model_fields.items():
        inner = inner_model(info.annotation)
        text_field = inner.model_fields.get("text") if inner else None
        plan.append((name, _marks(info.annotation, info.metadata), inner,
                     _marks(text_field.annotation, text_field.metadata) if text_field else frozenset()))
    return tuple(plan)


def _marks(annotation: Any, metadata: list[Any]) -> frozenset[type]:
    """The kinds of metadata on a field, `Optional` and one level of list included."""
    marks = [*metadata, *getattr(annotation, "__metadata__", ())]
    marks += [m for arg in typing.get_args(annotation) for m in getattr(arg, "__metadata__", ())]
    return frozenset(map(type, marks))


def _has_mark(annotation: Any, metadata: list[Any], mark: type) -> bool:
    return mark in _marks(annotation, metadata)
