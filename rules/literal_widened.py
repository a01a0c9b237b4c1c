"""literal-widened: a Python Literal/Enum is a plain string/atom in Elixir."""

from auditor.align import FieldPair
from auditor.compare import Context, Mismatch, describe, literal_values
from auditor.findings import Severity
from auditor.model import ATOM, BOOL, INT, STR, UnionOf
from auditor.rulebase import Example, Rule, Verdict

OPEN_SCALARS = frozenset({STR, ATOM, INT, BOOL})


def _is_open(expr: object) -> bool:
    members = expr.members if isinstance(expr, UnionOf) else (expr,)
    return any(member in OPEN_SCALARS for member in members)


def classify(mismatch: Mismatch, field: FieldPair | None, context: Context) -> Verdict | None:
    if literal_values(mismatch.python) is None or not _is_open(mismatch.elixir):
        return None
    return Verdict(
        Severity.P3,
        f"Python allows only {describe(mismatch.python)}; the port accepts any "
        f"{describe(mismatch.elixir)}, so a typo reaches the server instead of failing at compile time.",
    )


RULE = Rule(
    slug="literal-widened",
    severity="P3",
    summary="A Python Literal/Enum is a plain String.t()/atom()/binary() in Elixir.",
    explanation=(
        "Every valid value still round-trips, but the port no longer documents or checks the closed "
        "set: Dialyzer cannot flag an invalid value and readers have to look up the Python SDK. A "
        "single-value discriminator is exempt when the Elixir field defaults to that value."
    ),
    fix='Type the field with the value union (`:a | :b` or `"a" | "b"`) or the ported enum\'s `t()`.',
    examples=(
        Example(
            python=(
                "from typing import Literal\nfrom pydantic import BaseModel\n\nclass Job(BaseModel):\n"
                '    state: Literal["queued", "done"]\n    kind: Literal["batch"]\n'
            ),
            elixir=(
                "defmodule Api.Job do\n  defstruct [:state, :kind]\n"
                "  @type t :: %__MODULE__{state: String.t(), kind: atom()}\nend\n"
            ),
            fires=(("Job", "state", Severity.P3), ("Job", "kind", Severity.P3)),
        ),
        Example(
            python=(
                "from typing import Literal\nfrom pydantic import BaseModel\n\nclass Job(BaseModel):\n"
                '    type: Literal["batch"] = "batch"\n'
            ),
            elixir='defmodule Api.Job do\n  defstruct type: "batch"\n  @type t :: %__MODULE__{type: String.t()}\nend\n',
        ),
    ),
    classify=classify,
)
