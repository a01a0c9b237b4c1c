"""type-mismatch: incompatible types that no more specific rule explains."""

from auditor.align import FieldPair
from auditor.compare import Context, Mismatch, describe
from auditor.findings import Severity
from auditor.rulebase import Example, Rule, Verdict


def classify(mismatch: Mismatch, field: FieldPair | None, context: Context) -> Verdict | None:
    return Verdict(
        Severity.P1,
        f"Python expects {describe(mismatch.python)}, the port {describe(mismatch.elixir)}: values do not "
        "survive the round trip.",
    )


RULE = Rule(
    slug="type-mismatch",
    severity="P1",
    summary="Otherwise incompatible types (int vs String.t(), scalar vs list, bool vs integer).",
    explanation=(
        "The two sides disagree on what the value is, and none of the more specific rules explains "
        "how. Whatever one side encodes, the other fails to validate or decodes into the wrong type."
    ),
    fix="Use the Elixir type that corresponds to the Python annotation.",
    examples=(
        Example(
            python=(
                "from typing import Optional\nfrom pydantic import BaseModel\n\nclass Error(BaseModel):\n"
                "    code: int\n    message: Optional[str] = None\n\nclass Reply(BaseModel):\n    error: Error\n"
                "    detail: Error\n"
            ),
            elixir=(
                "defmodule Api.Reply do\n  defstruct [:error, :detail]\n  @type t :: %__MODULE__{\n"
                "    error: %{required(:code) => String.t(), optional(:message) => String.t() | nil},\n"
                "    detail: %{code: integer()}\n  }\nend\n"
            ),
            # The map stands in for the model key by key: `code` has the wrong type, `detail` lacks `message`.
            fires=(("Reply", "error", Severity.P1), ("Reply", "detail", Severity.P1)),
        ),
        Example(
            python=(
                "from typing import Optional\nfrom pydantic import BaseModel\n\nclass Error(BaseModel):\n"
                "    code: int\n    message: Optional[str] = None\n\nclass Reply(BaseModel):\n    error: Error\n"
            ),
            elixir=(
                "defmodule Api.Reply do\n  defstruct [:error]\n  @type t :: %__MODULE__{\n"
                "    error: %{required(:code) => integer(), optional(:message) => String.t() | nil}\n  }\nend\n"
            ),
        ),
        Example(
            python="from pydantic import BaseModel\n\nclass Item(BaseModel):\n    count: int\n    tags: str\n",
            elixir=(
                "defmodule Api.Item do\n  defstruct [:count, :tags]\n"
                "  @type t :: %__MODULE__{count: String.t(), tags: [String.t()]}\nend\n"
            ),
            fires=(("Item", "count", Severity.P1), ("Item", "tags", Severity.P1)),
        ),
        Example(
            python="from pydantic import BaseModel\n\nclass Item(BaseModel):\n    count: int\n    ratio: float\n",
            elixir=(
                "defmodule Api.Item do\n  defstruct [:count, :ratio]\n"
                "  @type t :: %__MODULE__{count: non_neg_integer(), ratio: number()}\nend\n"
            ),
        ),
    ),
    classify=classify,
)
