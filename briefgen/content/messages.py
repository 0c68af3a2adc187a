"""Pydantic's validation errors rewritten as plain English, each at its file, line and column.

"unknown key `sumary`; did you mean `summary`?", "`status` must be one of expected,
confirmed, ...", "item 2 of `key_messages` became a key and a value because of the ': '":
the model says what is wrong, and this module says it the way an author reads it.
"""

from __future__ import annotations

import difflib
import re
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from briefgen.content.fields import field_annotation, field_names, holds_text
from briefgen.content.loader import LoadedDocument, format_key_path, value_at
from briefgen.content.models import inner_model
from briefgen.errors import Diagnostic

M = TypeVar("M", bound=BaseModel)


def validate_model(model: type[M], doc: LoadedDocument) -> tuple[M | None, list[Diagnostic]]:
    """Validate plain data against a model; returns (instance or None, diagnostics)."""
    if not isinstance(doc.data, dict):
        return None, [doc.diagnostic((), f"expected the keys of a {model.__name__.lower()} "
                                     "(`key: value` lines) at the top of the file")]
    try:
        return model.model_validate(doc.data), []
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
    explained = [(error, _explain(error, model, doc)) for error in errors]
    misspelt = {(*tuple(error["loc"])[:-1], _suggestion(d.message)) for error, d in explained
                if error["type"] == "extra_forbidden" and _suggestion(d.message)}
    colon_items = {item for error in errors if (item := _colon_item(tuple(error["loc"]), doc.data, model))}
    # "unknown key `sumary`; did you mean `summary`?" already says `summary` is missing, and
    # "this item became a key and a value" explains every error inside that item.
    return None, [d for error, d in explained
                  if not (error["type"] == "missing" and tuple(error["loc"]) in misspelt)
                  and not any(tuple(error["loc"])[:len(item)] == item for item in colon_items)
                  ] + [_colon_item_diagnostic(item, doc) for item in sorted(colon_items, key=str)]


def _colon_item(loc: tuple[Any, ...], data: Any, model: type[BaseModel]) -> tuple[Any, ...] | None:
    """The list item an error is in, when that item is text that YAML read as a mapping
    because of a ': ' in it (`- Note: restored channels`), in a list that holds text."""
    for end in range(len(loc), 0, -1):
        item_loc = loc[:end]
        if not isinstance(item_loc[-1], int):
            continue
        item = value_at(data, item_loc)
        if not (isinstance(item, dict) and len(item) == 1):
            continue
        key, value = next(iter(item.items()))
        item_model = inner_model(field_annotation(model, item_loc[:-1]))
        known = item_model.model_fields if item_model else {}
        if isinstance(value, str) and key not in known and holds_text(model, item_loc[:-1]):
            return item_loc
    return None


def _colon_item_diagnostic(item_loc: tuple[Any, ...], doc: LoadedDocument) -> Diagnostic:
    [(key, value)] = value_at(doc.data, item_loc).items()
    text = f"{key}: {value}"
    quoted = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return doc.diagnostic(item_loc, f"{_describe_item(item_loc)} became a key and a value (`{key}` "
                          f"and `{value}`) because of the ': ' after `{key}`; to keep it as text, "
                          f"put it in quotes: - {quoted}")



def _suggestion(message: str) -> str | None:
    match = re.search(r"did you mean `([^`]+)`\?$", message)
    return match.group(1) if match else None


def _explain(error: ErrorDetails, model: type[BaseModel], doc: LoadedDocument) -> Diagnostic:
    loc = tuple(error["loc"])
    kind = error["type"]
    name = f"`{loc[-1]}`" if loc and isinstance(loc[-1], str) else _describe_item(loc)
    value = error.get("input")
    ctx = error.get("ctx") or {}
    if kind == "extra_forbidden":
        known = field_names(model, loc[:-1])
        close = difflib.get_close_matches(str(loc[-1]), known, n=1, cutoff=0.6)
        hint = f"; did you mean `{close[0]}`?" if close else f"; the keys allowed here are {_join(known)}"
        return doc.diagnostic(loc, f"unknown key `{loc[-1]}`{hint}", at_key=True)
    if kind == "missing":
        line, column = doc.locate(loc[:-1])
        return Diagnostic(doc.display_path, line, column, "error", f"{name} is required but missing",
                          format_key_path(loc))
    if value is None:
        advice = "write one or remove the line" if loc and isinstance(loc[-1], int) else "write one"
        return doc.diagnostic(loc, f"{name} has no value; {advice}")
    if kind in ("literal_error", "enum"):
        choices = _choices(ctx.get("expected", ""))
        return doc.diagnostic(loc, f"{name} must be one of {choices}; got {_kind_of(value)}"
                              f"{_choice_hint(value, choices.split(', '))}")
    if kind.startswith("date"):
        return doc.diagnostic(loc, _date_message(name, value, error["msg"]))
    if kind == "value_error":
        message = str(ctx.get("error", error["msg"])).removeprefix("Value error, ")
        if message.startswith(("is ", "must ", "needs ")):
            message = f"{name} {message}"
        elif loc and not message.startswith("'"):
            message = f"{name}: {message}"
        return doc.diagnostic(loc, message)
    if kind == "string_type":
        return doc.diagnostic(loc, f"{name} must be text, not {_kind_of(value)}")
    if kind == "list_type":
        return doc.diagnostic(loc, f"{name} must be a list (lines starting with '- '), not {_kind_of(value)}")
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return doc.diagnostic(loc, f"{name} must be a group of `key: value` lines, not {_kind_of(value)}")
    if kind == "too_short":
        return doc.diagnostic(loc, f"{name} needs at least {ctx.get('min_length', 1)} entry")
    return doc.diagnostic(loc, f"{name}: {error['msg']}")


def _choice_hint(value: Any, choices: list[str]) -> str:
    """'; did you mean `announced`?' for 'Announced' (choices are lower case) or 'anounced'."""
    if not isinstance(value, str):
        return ""
    same = [choice for choice in choices if choice.lower() == value.strip().lower()]
    close = same or difflib.get_close_matches(value.strip().lower(), choices, n=1, cutoff=0.75)
    return f"; did you mean `{close[0]}`?" if close else ""


def _describe_item(loc: tuple[Any, ...]) -> str:
    if len(loc) >= 2 and isinstance(loc[-1], int):
        return f"item {loc[-1] + 1} of `{loc[-2]}`"
    return "this file" if not loc else f"`{format_key_path(loc)}`"


def _date_message(name: str, value: Any, raw: str) -> str:
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return f"{name} is not a real date: {value} ({raw.split(', ')[-1]})"
    return f"{name} must be a date written YYYY-MM-DD, e.g. 2023-08-18; got '{value}'"


def _choices(expected: str) -> str:
    return ", ".join(re.findall(r"'([^']*)'", expected)) or expected


def _join(names: list[str]) -> str:
    return ", ".join(f"`{n}`" for n in names)


def _kind_of(value: Any) -> str:
    if isinstance(value, dict):
        return "a group of keys"
    if isinstance(value, list):
        return "a list"
    text = str(value)
    return f"'{text[:60]}...'" if len(text) > 60 else f"'{text}'"

