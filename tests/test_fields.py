"""What the model says about its fields, asked in one place (content/fields.py), gets one
answer in every part that asks: validation, the diff, the Word round trip."""

from __future__ import annotations

import re
import typing
from pathlib import Path

from pydantic import BaseModel, Field

from briefgen.content.compare import _fields
from briefgen.content.fields import is_markdown_at, is_markdown_field, markdown_texts, source_ids
from briefgen.content.ids import ID
from briefgen.content.models import Brief, Deliverable, Marked, Person, SourceIds, SourceIdsMark, inner_model
from briefgen.content.references import source_references

REPO = Path(__file__).resolve().parent.parent


def models_under(model: type[BaseModel], seen: dict | None = None) -> dict[str, type[BaseModel]]:
    seen = {} if seen is None else seen
    seen[model.__name__] = model
    for info in model.model_fields.values():
        inner = inner_model(info.annotation)
        if inner is not None and inner.__name__ not in seen:
            models_under(inner, seen)
    return seen


ALL_MODELS = {**models_under(Brief), **models_under(Person)}


def text_fields(model: type[BaseModel]) -> list[str]:
    """The fields that hold one text (optional or not)."""
    return [name for name, info in model.model_fields.items() if typing.get_origin(info.annotation) is not list
            and (str in (info.annotation, *typing.get_args(info.annotation))
            or any(typing.get_origin(arg) is typing.Annotated and typing.get_args(arg)[0] is str
                   for arg in typing.get_args(info.annotation)))]


def test_an_optional_markdown_field_is_markdown_like_a_required_one():
    assert is_markdown_field(Deliverable, "summary")
    assert is_markdown_field(Deliverable, "caveats")
    assert is_markdown_field(Person, "bio")
    assert not is_markdown_field(Deliverable, "title")


def test_the_diff_words_a_markdown_field_and_replaces_a_plain_one_whole_for_every_field():
    """`caveats` and `bio` (Markdown | None) were replaced whole while `summary` was word-diffed."""
    checked = 0
    for model in (Deliverable, Person):
        values = {"id": "hotline", "title": "Three-way hotline", "status": "expected", "summary": "A line.",
                  "name": "Fumio Kishida", "country": "JP"}
        for name in text_fields(model):
            base = {key: value for key, value in values.items() if key in model.model_fields}
            if name in ("id", "status", "country", "lang", "reads", "clearance", "name_order"):
                continue   # not free text
            before = model.model_validate({**base, name: "one two three"})
            after = model.model_validate({**base, name: "one two four"})
            [change] = _fields("Section", "item", before, after, None)
            assert bool(change.words) == is_markdown_field(model, name), (model.__name__, name)
            checked += 1
    assert checked >= 10


def test_validation_finds_the_markdown_the_model_names_at_every_key_path():
    data = {"key_messages": ["A message.", {"text": "Another."}], "background": "Some *text*.",
            "deliverables": [{"summary": "It.", "caveats": "Not that.", "title": "T"}],
            "event": {"purpose": "Why.", "location": "Here"}}
    found = dict(markdown_texts(Brief, data))
    assert set(found) == {("key_messages", 0), ("key_messages", 1, "text"), ("background",),
                          ("deliverables", 0, "summary"), ("deliverables", 0, "caveats"), ("event", "purpose")}
    assert all(is_markdown_at(Brief, key_path) for key_path in found)
    for plain in [("deliverables", 0, "title"), ("event", "location"), ("decisions", 0, "options", 1),
                  ("agenda", 2, "note"), ("sources", 0, "title"), ("title",)]:
        assert not is_markdown_at(Brief, plain), plain


def test_every_sources_field_of_the_model_is_checked():
    """Every model with a `sources` field declares it `SourceIds`, so validation finds it."""
    for model in ALL_MODELS.values():
        info = model.model_fields.get("sources")
        if info is not None and inner_model(info.annotation) is None:
            assert any(isinstance(mark, SourceIdsMark) for mark in info.metadata), model.__name__


class Annexe(Marked):
    text: str
    sources: SourceIds = Field(default_factory=list)


class BriefWithMore(Brief):
    annexes: list[Annexe] = Field(default_factory=list)


def test_a_new_sources_field_is_checked_with_no_list_to_update():
    data = {"annexes": [{"text": "x", "sources": ["nowhere"]}], "event": {"sources": ["wsj"]},
            "quotes": [{"source": "brookings"}]}
    assert list(source_ids(BriefWithMore, data)) == [(("event", "sources", 0), "wsj"),
                                                     (("quotes", 0, "source"), "brookings"),
                                                     (("annexes", 0, "sources", 0), "nowhere")]
    assert (("annexes", 0, "sources", 0), "nowhere", None) in list(source_references(data, BriefWithMore))


def test_one_form_of_an_id_in_the_code():
    """The model's pattern is the only one: no module writes its own (see models.ID)."""
    own_patterns = [str(path.relative_to(REPO)) for path in sorted((REPO / "briefgen").rglob("*.py"))
                    for line in path.read_text(encoding="utf-8").splitlines()
                    if "[a-z0-9][a-z0-9" in line and "ID_PATTERN = " not in line]
    # A brief's file name in a preview URL may have an underscore (nothing refuses one); a
    # book's cached part is named `brief-<id>` (an id and a prefix: up to 80 characters).
    assert own_patterns == ["briefgen/engine/names.py", "briefgen/preview/server.py"]
    assert ID.fullmatch("consult-pledge")
    assert not ID.fullmatch("x" * 65)
    assert not ID.fullmatch("-a")
    assert not re.search(r"\s", ID.pattern)
