"""constraint-widened: a Python constrained type is wider in Elixir, without losing a model."""

from auditor.align import FieldPair
from auditor.compare import Context, Mismatch, describe, is_untyped
from auditor.findings import Severity
from auditor.rulebase import Example, Rule, Verdict


def classify(mismatch: Mismatch, field: FieldPair | None, context: Context) -> Verdict | None:
    if context.python_has_model(mismatch.python) or not is_untyped(mismatch.elixir):
        return None
    return Verdict(
        Severity.P3,
        f"Python constrains this to {describe(mismatch.python)}; the port accepts "
        f"{describe(mismatch.elixir)}, so wrong values are caught only by the server.",
    )


RULE = Rule(
    slug="constraint-widened",
    severity="P3",
    summary="A Python constrained type is wider in Elixir without losing a model (dict[str, str] vs map()).",
    explanation=(
        "Everything Python sends still fits, so nothing breaks on the wire, but the port stops "
        "documenting and checking what the values are: `Dict[str, float]` ported as `map()` accepts "
        "strings that the server then rejects."
    ),
    fix="Narrow the typespec: `%{String.t() => float()}`, `[integer()]`.",
    examples=(
        Example(
            python=(
                "from typing import Dict, List\nfrom pydantic import BaseModel\n\nclass Stats(BaseModel):\n"
                "    weights: Dict[str, float]\n    ids: List[int]\n"
            ),
            elixir=(
                "defmodule Api.Stats do\n  defstruct [:weights, :ids]\n"
                "  @type t :: %__MODULE__{weights: map(), ids: list()}\nend\n"
            ),
            fires=(("Stats", "weights", Severity.P3), ("Stats", "ids", Severity.P3)),
        ),
        Example(
            python=(
                "from typing import Any, Dict\nfrom pydantic import BaseModel\n\nclass Stats(BaseModel):\n"
                "    weights: Dict[str, float]\n    extra: Dict[str, Any]\n"
            ),
            elixir=(
                "defmodule Api.Stats do\n  defstruct [:weights, :extra]\n"
                "  @type t :: %__MODULE__{weights: %{String.t() => float()}, extra: map()}\nend\n"
            ),
        ),
    ),
    classify=classify,
)
