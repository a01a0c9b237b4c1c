"""extra-field: an Elixir struct field has no Python counterpart."""

from collections.abc import Iterator

from auditor.align import TypePair
from auditor.compare import Context
from auditor.findings import Finding, Severity
from auditor.rulebase import Example, Rule, make_finding


def check(pair: TypePair, context: Context) -> Iterator[Finding]:
    for field in pair.fields:
        if field.python is None and field.elixir is not None:
            yield make_finding(
                RULE.slug,
                Severity.P3,
                pair,
                field,
                f"`{field.elixir.name}` exists only in the port: the Python SDK neither sends nor expects it.",
            )


RULE = Rule(
    slug="extra-field",
    severity="P3",
    summary="An Elixir struct field has no Python counterpart.",
    explanation=(
        "A port-only field is harmless when it is local state, but if the port encodes it the server "
        "receives a key the reference never sends, and strict servers reject unknown keys."
    ),
    fix="Remove the field, rename it to the Python name, or keep it out of the encoder.",
    examples=(
        Example(
            python="from pydantic import BaseModel\n\nclass Invoice(BaseModel):\n    total: int\n",
            elixir=(
                "defmodule Shop.Invoice do\n  defstruct [:total, :cache]\n"
                "  @type t :: %__MODULE__{total: integer(), cache: term()}\nend\n"
            ),
            fires=(("Invoice", "cache", Severity.P3),),
        ),
        Example(
            python="from pydantic import BaseModel\n\nclass Invoice(BaseModel):\n    total: int\n",
            elixir="defmodule Shop.Invoice do\n  defstruct [:total]\n  @type t :: %__MODULE__{total: integer()}\nend\n",
        ),
    ),
    check_pair=check,
)
