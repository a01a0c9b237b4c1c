"""optionality-mismatch: the sides disagree on whether a field may be omitted or be None/nil."""

from collections.abc import Iterator

from auditor.align import TypePair
from auditor.compare import Context
from auditor.findings import Finding, Severity
from auditor.rulebase import Example, Rule, make_finding


def check(pair: TypePair, context: Context) -> Iterator[Finding]:
    for field in pair.fields:
        python, elixir = field.python, field.elixir
        if python is None or elixir is None:
            continue
        has_typespec = bool(elixir.annotation)
        if elixir.required and not python.required:
            message = (
                f"the port enforces `{elixir.name}` at construction, but Python lets callers omit it: "
                "code that works with the SDK raises ArgumentError in the port."
            )
            yield make_finding(RULE.slug, Severity.P1, pair, field, message)
        elif has_typespec and elixir.nullable and not python.nullable:
            message = (
                f"the port's typespec admits nil for `{elixir.name}`, but Python rejects None: the port "
                "can send a null the server refuses."
            )
            yield make_finding(RULE.slug, Severity.P3, pair, field, message)
        elif has_typespec and python.nullable and not elixir.nullable:
            message = (
                f"Python accepts None for `{python.name}`, but the port's typespec does not admit nil: "
                "Dialyzer flags valid responses, and callers cannot express an absent value."
            )
            yield make_finding(RULE.slug, Severity.P3, pair, field, message)


RULE = Rule(
    slug="optionality-mismatch",
    severity="P3 (lenient, or stricter in the typespec only) / P1 (enforced at construction)",
    summary="The sides disagree on whether a field may be omitted or be None/nil.",
    explanation=(
        "P1 when the port is stricter at construction: Python treats the field as optional or "
        "defaulted, but the Elixir struct lists it in @enforce_keys, so building it without the field "
        "raises. P3 when the port is more lenient (Python requires a non-None value, the typespec "
        "admits nil) or stricter only in its typespec (Python accepts None, the typespec does not)."
    ),
    fix="Match @enforce_keys to the Python fields without defaults, and add or remove `| nil` to match Optional.",
    examples=(
        Example(
            python=(
                "from typing import Optional\nfrom pydantic import BaseModel\n\nclass Page(BaseModel):\n"
                "    size: int = 10\n    cursor: Optional[str] = None\n    total: int\n"
            ),
            elixir=(
                "defmodule Api.Page do\n  @enforce_keys [:size]\n  defstruct [:size, :cursor, :total]\n"
                "  @type t :: %__MODULE__{size: integer(), cursor: String.t(), total: integer() | nil}\nend\n"
            ),
            fires=(
                ("Page", "size", Severity.P1),
                ("Page", "cursor", Severity.P3),
                ("Page", "total", Severity.P3),
            ),
        ),
        Example(
            python=(
                "from typing import Optional\nfrom pydantic import BaseModel\n\nclass Page(BaseModel):\n"
                "    cursor: Optional[str] = None\n    total: int\n"
            ),
            elixir=(
                "defmodule Api.Page do\n  defstruct [:cursor, :total]\n"
                "  @type t :: %__MODULE__{cursor: String.t() | nil, total: integer()}\nend\n"
            ),
        ),
    ),
    check_pair=check,
)
