"""untyped-container: a Python model, or container of models, is map()/term()/any() in Elixir."""

from auditor.align import FieldPair
from auditor.compare import Context, Mismatch, describe, is_untyped
from auditor.findings import Severity
from auditor.rulebase import Example, Rule, Verdict


def classify(mismatch: Mismatch, field: FieldPair | None, context: Context) -> Verdict | None:
    if context.python_has_model(mismatch.python) and is_untyped(mismatch.elixir):
        return Verdict(
            Severity.P1,
            f"Python types this as {describe(mismatch.python)}, the port as an untyped "
            f"{describe(mismatch.elixir)}: the model's fields are neither checked nor decoded into structs.",
        )
    return None


RULE = Rule(
    slug="untyped-container",
    severity="P1",
    summary="A Python model or container of models is map()/term()/any()/list(map()) in Elixir.",
    explanation=(
        "The data survives the round trip, but as raw JSON maps with string keys: callers must dig "
        "into maps where Python users get attributes, nested datetimes and enums stay undecoded, and "
        "Dialyzer cannot catch a misspelt key."
    ),
    fix="Decode into the ported struct (`Cursor.t()`, `[%{String.t() => TensorData.t()}]`).",
    examples=(
        Example(
            python=(
                "from pydantic import BaseModel\n\nclass Cursor(BaseModel):\n    offset: int\n\n"
                "class Listing(BaseModel):\n    cursor: Cursor\n"
            ),
            elixir=(
                "defmodule Api.Cursor do\n  defstruct [:offset]\n  @type t :: %__MODULE__{offset: integer()}\nend\n"
                "defmodule Api.Listing do\n  defstruct [:cursor]\n  @type t :: %__MODULE__{cursor: map()}\nend\n"
            ),
            fires=(("Listing", "cursor", Severity.P1),),
        ),
        Example(
            python=(
                "from pydantic import BaseModel\n\nclass Cursor(BaseModel):\n    offset: int\n\n"
                "class Listing(BaseModel):\n    cursor: Cursor\n"
            ),
            elixir=(
                "defmodule Api.Cursor do\n  defstruct [:offset]\n  @type t :: %__MODULE__{offset: integer()}\nend\n"
                "defmodule Api.Listing do\n  alias Api.Cursor\n  defstruct [:cursor]\n"
                "  @type t :: %__MODULE__{cursor: Cursor.t()}\nend\n"
            ),
        ),
    ),
    classify=classify,
)
