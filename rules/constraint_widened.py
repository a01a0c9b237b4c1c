"""constraint-widened: a Python constrained type is wider in Elixir, without losing a model."""

from auditor.align import FieldPair
from auditor.compare import Context, Mismatch, compare_members, describe, is_untyped
from auditor.findings import Severity
from auditor.rulebase import Example, Rule, Verdict


def classify(mismatch: Mismatch, field: FieldPair | None, context: Context) -> Verdict | None:
    members = compare_members(mismatch.python, mismatch.elixir, context)
    if members is not None and not members.missing and members.extra:
        if not all(is_untyped(member) for member in members.extra):
            return None
        # `Model.t() | map()`: the port takes what Python sends, or any map in its place.
        return Verdict(
            Severity.P3,
            f"the port accepts {describe(mismatch.python)} as Python does, or any "
            f"{' or '.join(sorted(describe(member) for member in members.extra))} in its place, so a "
            "malformed value is caught only by the server.",
        )
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
    summary=(
        "A Python constrained type is wider in Elixir without losing a model (dict[str, str] vs map(), "
        "a model vs the model or any map)."
    ),
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
                "from typing import Optional\nfrom pydantic import BaseModel\n\nclass Usage(BaseModel):\n"
                "    tokens: int\n\nclass Reply(BaseModel):\n    usage: Optional[Usage] = None\n"
            ),
            elixir=(
                "defmodule Api.Usage do\n  defstruct [:tokens]\n  @type t :: %__MODULE__{tokens: integer()}\nend\n"
                "defmodule Api.Reply do\n  defstruct [:usage]\n"
                "  @type t :: %__MODULE__{usage: Api.Usage.t() | map() | nil}\nend\n"
            ),
            fires=(("Reply", "usage", Severity.P3),),
            says="or any map",
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
