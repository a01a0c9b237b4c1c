"""Regressions the oracle (tests/test_oracle.py) found, each reduced to its smallest form."""

from __future__ import annotations

UNION_OF_TWO_MODELS = (
    "from typing import Union\nfrom pydantic import BaseModel\n\n"
    "class Text(BaseModel):\n    text: str\n\nclass Image(BaseModel):\n    url: str\n\n"
    "Part = Union[Text, Image]\n"
)
PORTED_MODELS = (
    "defmodule Api.Text do\n  defstruct [:text]\n  @type t :: %__MODULE__{text: String.t()}\nend\n"
    "defmodule Api.Image do\n  defstruct [:url]\n  @type t :: %__MODULE__{url: String.t()}\nend\n"
)


def _found(result) -> list[tuple[str, str, str | None]]:
    return sorted((f.rule, f.type_name, f.field) for f in result.findings)


def test_a_union_narrowed_to_one_member_in_its_own_module_is_a_union_mismatch(audit) -> None:
    # The module `Api.Part` exists; its `@type t` names a single struct. That is a union with a
    # member missing, exactly as when the same type is a local `@type part`, not a missing type.
    narrowed = PORTED_MODELS + "defmodule Api.Part do\n  @type t :: Api.Text.t()\nend\n"
    assert _found(audit(UNION_OF_TWO_MODELS, narrowed)) == [("union-mismatch", "Part", None)]


def test_an_enum_ported_as_a_plain_string_module_is_widened_not_missing(audit) -> None:
    python = 'from enum import Enum\n\nclass Color(str, Enum):\n    RED = "red"\n    BLUE = "blue"\n'
    elixir = "defmodule Api.Color do\n  @type t :: String.t()\nend\n" + PORTED_MODELS
    assert _found(audit(python, elixir)) == [
        ("extra-type", "Image", None),
        ("extra-type", "Text", None),
        ("literal-widened", "Color", None),
    ]
