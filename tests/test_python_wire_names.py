"""Fields a plain class sets in `__init__`, and the wire names pydantic's alias generators give fields."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from auditor.model import INT, STR, Default, DefaultKind, ListOf, Location, Ref, TypeDef, Unknown
from auditor.python.wire_names import Generator, generated_alias
from tests.test_python_frontend import by_name, extract

CARD = """\
from typing import Any


class Skill:
    \"\"\"One thing an agent can do.\"\"\"

    def __init__(self, id: str, tags: list[str] | None = None, level: int = 1, **kwargs: Any) -> None:
        \"\"\"Stores what it is given.\"\"\"
        super().__init__()
        self.id = id
        self.tags = tags or []
        self.level = level
        self.kind: str = "skill"
        self.extra = kwargs
        self._cache = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id}


class Card:
    version: str

    def __init__(self, name, version="1.0", skills: list[Skill] | None = None):
        if skills is None:
            skills = []
        self.name = name
        self.version = version
        self.skills = skills


class Session:
    def __init__(self, url: str) -> None:
        self.url = url

    def fetch(self) -> Card:
        raise NotImplementedError


class Loader:
    def __init__(self, path: str) -> None:
        self.path = path
        self.items = open(path).read().split()
        print(self.items)


class Failure(Exception):
    def __init__(self, code: int) -> None:
        self.code = code
"""


def _types(tmp_path: Path, files: dict[str, str]) -> dict[str, TypeDef]:
    return by_name(extract(tmp_path, files))


def test_a_plain_class_that_only_stores_its_arguments_has_those_fields(tmp_path: Path) -> None:
    types = _types(tmp_path, {"sdk/__init__.py": "", "sdk/card.py": CARD})
    # A client with behaviour, a class whose `__init__` does work, and an exception are not data.
    assert sorted(types) == ["Card", "Skill"]
    skill = types["Skill"]
    assert [(f.name, f.type, f.required, f.nullable) for f in skill.fields] == [
        ("id", STR, True, False),
        ("tags", ListOf(STR), False, False),  # `tags or []`: optional, and never None once stored
        ("level", INT, False, False),
        ("kind", STR, False, False),
        ("extra", Unknown("unannotated"), False, False),
    ]
    assert skill.fields[2].default == Default(DefaultKind.VALUE, "1", 1)
    assert skill.fields[1].default is not None and skill.fields[1].default.kind is DefaultKind.EXPR
    assert skill.fields[0].location == Location("sdk/card.py", 10)
    assert skill.custom_encoder  # its own to_dict decides the wire names
    card = types["Card"]
    # The class body's annotation types `version`; unannotated parameters stay unknown.
    assert [(f.name, f.type, f.required) for f in card.fields] == [
        ("name", Unknown("unannotated"), True),
        ("version", STR, False),
        ("skills", ListOf(Ref("sdk.card.Skill")), False),
    ]
    assert not card.custom_encoder


def test_a_subclass_adds_the_attributes_of_its_own_init(tmp_path: Path) -> None:
    source = (
        "class Part:\n    def __init__(self, kind: str) -> None:\n        self.kind = kind\n\n\n"
        "class TextPart(Part):\n    def __init__(self, text: str) -> None:\n"
        '        super().__init__("text")\n        self.text = text\n'
    )
    types = _types(tmp_path, {"parts.py": source})
    assert [f.name for f in types["TextPart"].fields] == ["kind", "text"]
    assert [f.name for f in types["Part"].fields] == ["kind"]


def test_a_dataclass_without_annotations_reads_its_init(tmp_path: Path) -> None:
    source = (
        "from dataclasses import dataclass\n\n\n@dataclass(init=False)\nclass Window:\n"
        "    def __init__(self, width: int, height: int = 0) -> None:\n"
        "        self.width = width\n        self.height = height\n"
    )
    window = _types(tmp_path, {"window.py": source})["Window"]
    assert [(f.name, f.type, f.required) for f in window.fields] == [("width", INT, True), ("height", INT, False)]


def test_plain_classes_of_private_modules_are_internals(tmp_path: Path) -> None:
    source = "class Options:\n    def __init__(self, depth: int) -> None:\n        self.depth = depth\n"
    assert _types(tmp_path, {"sdk/__init__.py": "", "sdk/_qs.py": source}) == {}


ALIASED = """\
from pydantic import AliasGenerator, BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel, to_pascal


class CamelModel(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)


class Sampling(CamelModel):
    max_tokens: int
    top_k: int | None = None
    seed_value: int = Field(0, alias="seed")
    name: str


class Pascal(CamelModel):
    model_config = {"alias_generator": AliasGenerator(serialization_alias=to_pascal)}
    max_tokens: int


class Custom(BaseModel):
    model_config = ConfigDict(alias_generator=lambda name: name.upper())
    max_tokens: int


class Plain(BaseModel):
    max_tokens: int

    def to_dict(self) -> dict[str, object]:
        return self.model_dump(by_alias=True)
"""


def test_alias_generators_name_fields_through_inheritance(tmp_path: Path) -> None:
    types = _types(tmp_path, {"models.py": ALIASED})
    aliases = {name: [(f.name, f.alias) for f in typedef.fields] for name, typedef in types.items()}
    assert aliases["Sampling"] == [
        ("max_tokens", "maxTokens"),
        ("top_k", "topK"),
        ("seed_value", "seed"),  # an explicit alias wins
        ("name", None),  # the generated name is the field's own
    ]
    assert aliases["Pascal"] == [("max_tokens", "MaxTokens")]
    assert aliases["Plain"] == [("max_tokens", None)]
    assert aliases["Custom"] == [("max_tokens", None)]
    assert [name for name, typedef in types.items() if typedef.custom_encoder] == ["Custom"]


@pytest.mark.parametrize(
    ("name", "camel", "pascal"),
    [("max_tokens", "maxTokens", "MaxTokens"), ("http_2_proxy", "http2Proxy", "Http2Proxy"), ("id", "id", "Id")],
)
def test_generated_aliases(name: str, camel: str, pascal: str) -> None:
    assert generated_alias(Generator.CAMEL, name) == camel
    assert generated_alias(Generator.PASCAL, name) == pascal


@given(st.lists(st.text("abcdefghijklmnopqrstuvwxyz", min_size=2, max_size=6), min_size=1, max_size=4))
def test_camel_case_round_trips_to_snake_case(words: list[str]) -> None:
    # (one-letter words are ambiguous in camelCase: `aAA` could be `a_a_a` or `a_aa`)
    snake = "_".join(words)
    assert generated_alias(Generator.SNAKE, generated_alias(Generator.CAMEL, snake)) == snake


def test_a_functional_typed_dict_keeps_keys_that_are_not_identifiers(tmp_path: Path) -> None:
    source = (
        "from typing import TypedDict\n\n"
        'Params = TypedDict("Params", {"maxTokens": int, "top-k": "int | None"}, total=False)\n\n\n'
        "class Holder(TypedDict):\n    params: Params\n"
    )
    types = _types(tmp_path, {"params.py": source})
    assert [(f.name, f.type, f.required) for f in types["Params"].fields] == [
        ("maxTokens", INT, False),
        ("top-k", Unknown('"int | None"'), False),  # a string in a call is a value, not a forward reference
    ]
    assert types["Holder"].fields[0].type == Ref("params.Params")
