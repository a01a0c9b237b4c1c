"""datetime-as-string: a Python datetime/date/time is a string in Elixir."""

from auditor.align import FieldPair
from auditor.compare import Context, Mismatch, admits, describe
from auditor.findings import Severity
from auditor.model import DATE, DATETIME, TIME, ScalarKind
from auditor.rulebase import Example, Rule, Verdict


def classify(mismatch: Mismatch, field: FieldPair | None, context: Context) -> Verdict | None:
    if mismatch.python in (DATETIME, DATE, TIME) and admits(mismatch.elixir, ScalarKind.STR):
        return Verdict(
            Severity.P2,
            f"Python parses a {describe(mismatch.python)}, the port admits a plain string "
            f"({describe(mismatch.elixir)}): callers cannot rely on a parsed value and comparisons "
            "and arithmetic silently work on text.",
        )
    return None


RULE = Rule(
    slug="datetime-as-string",
    severity="P2",
    summary="A Python datetime/date/time field is String.t() in Elixir, or admits it.",
    explanation=(
        "Pydantic parses ISO-8601 strings into datetime objects; a port typed `String.t()` (or "
        "`DateTime.t() | String.t()`) hands callers text, or sometimes text and sometimes a DateTime, "
        "so every consumer has to parse and handle both."
    ),
    fix="Parse with `DateTime.from_iso8601/1` when decoding and type the field `DateTime.t()`.",
    examples=(
        Example(
            python=(
                "from datetime import datetime\nfrom pydantic import BaseModel\n\nclass Run(BaseModel):\n"
                "    started: datetime\n    ended: datetime\n"
            ),
            elixir=(
                "defmodule Api.Run do\n  defstruct [:started, :ended]\n"
                "  @type t :: %__MODULE__{started: String.t(), ended: DateTime.t() | String.t()}\nend\n"
            ),
            fires=(("Run", "started", Severity.P2), ("Run", "ended", Severity.P2)),
        ),
        Example(
            python="import datetime\nfrom pydantic import BaseModel\n\nclass Run(BaseModel):\n    started: datetime.datetime\n",
            elixir="defmodule Api.Run do\n  defstruct [:started]\n  @type t :: %__MODULE__{started: DateTime.t()}\nend\n",
        ),
    ),
    classify=classify,
)
