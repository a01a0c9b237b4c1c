"""missing-field: a Python field has no Elixir struct field, or the port's encoder never sends it."""

from collections.abc import Iterator

from auditor.align import TypePair
from auditor.compare import Context
from auditor.findings import Finding, Severity
from auditor.rulebase import Example, Rule, make_finding


def check(pair: TypePair, context: Context) -> Iterator[Finding]:
    if pair.elixir is None:
        return
    wire_fields = pair.elixir.wire_fields
    for field in pair.fields:
        if field.python is None:
            continue
        severity = Severity.P0 if field.python.required else Severity.P1
        requirement = "required" if field.python.required else "optional"
        if field.elixir is None:
            yield make_finding(
                RULE.slug,
                severity,
                pair,
                field,
                f"`{field.python.name}` ({requirement}) is not a field of the Elixir struct: the port cannot "
                "send it and drops it from responses.",
            )
        elif wire_fields is not None and field.elixir.name not in wire_fields:
            yield make_finding(
                RULE.slug,
                severity,
                pair,
                field,
                f"`{field.python.name}` ({requirement}) is in the struct, but the port's Jason.Encoder "
                "leaves it out, so it never reaches the wire.",
            )


RULE = Rule(
    slug="missing-field",
    severity="P0 (required in Python) / P1 (optional)",
    summary="A Python field has no Elixir struct field, or the port's encoder never sends it.",
    explanation=(
        "Fields line up by name (or by a pydantic alias). A required Python field the port lacks "
        "makes every request the port builds invalid (P0); an optional one silently loses data in "
        "both directions (P1). A field excluded by `@derive {Jason.Encoder, only: [...]}` is missing "
        "on the wire even though the struct has it."
    ),
    fix="Add the field to `defstruct` and `@type t` (and to `@enforce_keys` when Python requires it).",
    examples=(
        Example(
            python="from pydantic import BaseModel\n\nclass Invoice(BaseModel):\n    total: int\n    note: str = ''\n",
            elixir="defmodule Shop.Invoice do\n  defstruct [:id]\nend\n",
            fires=(("Invoice", "total", Severity.P0), ("Invoice", "note", Severity.P1)),
        ),
        Example(
            python="from pydantic import BaseModel\n\nclass Invoice(BaseModel):\n    total: int\n",
            elixir="defmodule Shop.Invoice do\n  defstruct [:total]\n  @type t :: %__MODULE__{total: integer()}\nend\n",
        ),
    ),
    check_pair=check,
)
