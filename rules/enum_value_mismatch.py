"""enum-value-mismatch: a Python Literal/Enum value is not accepted by the Elixir type."""

from auditor.align import FieldPair
from auditor.compare import Context, Mismatch, compare_values
from auditor.findings import Severity
from auditor.rulebase import Example, Rule, Verdict


def _listed(values: tuple[str | int | bool, ...]) -> str:
    return ", ".join(
        value if isinstance(value, str) and value.startswith(":") else repr(value) for value in values
    )


def classify(mismatch: Mismatch, field: FieldPair | None, context: Context) -> Verdict | None:
    comparison = compare_values(mismatch.python, mismatch.elixir)
    if comparison is None:
        return None
    also = (
        f" It also accepts {_listed(comparison.elixir_only)}, which Python does not define."
        if comparison.elixir_only
        else ""
    )
    if comparison.python_only:
        return Verdict(
            Severity.P1,
            f"the port does not accept {_listed(comparison.python_only)}: a response carrying "
            f"that value fails to decode, and callers cannot send it.{also}",
        )
    if comparison.elixir_only:
        return Verdict(
            Severity.P3,
            f"the port also accepts {_listed(comparison.elixir_only)}, which Python does not define: "
            "the server rejects requests that use it.",
        )
    return None


RULE = Rule(
    slug="enum-value-mismatch",
    severity="P1 (a Python value is missing) / P3 (values only in Elixir)",
    summary="A Python Literal/Enum value is not accepted by the Elixir type.",
    explanation=(
        "Values are compared exactly for string literals and case-insensitively against atoms (the "
        'usual `"cross_entropy"` <-> `:cross_entropy` convention). Where the port states an atom\'s wire '
        'string in code (`def to_api(:low), do: "LEVEL_LOW"`, `def from_api("LEVEL_LOW"), do: :low`, or a '
        '`@wire %{low: "LEVEL_LOW"}` map), that string is the value compared. A Python value the port lacks '
        "means a valid response fails to decode or a valid request cannot be expressed (P1); a value "
        "only the port has is an invitation to send something the server rejects (P3)."
    ),
    fix="Add the missing values to the Elixir union (and its parse/encode functions); drop extra ones.",
    examples=(
        Example(
            python='from typing import Literal\n\nState = Literal["queued", "running", "done"]\n',
            elixir="defmodule Api.Types do\n  @type state :: :queued | :running\nend\n",
            fires=(("State", None, Severity.P1),),
        ),
        Example(
            python=(
                "from typing import Literal\nfrom pydantic import BaseModel\n\n"
                'Modality = Literal["text", "image"]\n\nclass Part(BaseModel):\n'
                '    kind: Literal["text", "image", "audio", "document"]\n'
            ),
            elixir=(
                "defmodule Api.Modality do\n  @type t :: :text | :image\nend\n"
                "defmodule Api.Part do\n  defstruct [:kind]\n"
                "  @type t :: %__MODULE__{kind: Api.Modality.t() | :document}\nend\n"
            ),
            fires=(("Part", "kind", Severity.P1),),
            says="does not accept 'audio':",
        ),
        Example(
            python='from typing import Literal\n\nLevel = Literal["LEVEL_UNSPECIFIED", "LEVEL_LOW", "LEVEL_HIGH"]\n',
            elixir=(
                "defmodule Api.Level do\n  @type t :: :unspecified | :low\n"
                '  def to_api(:unspecified), do: "LEVEL_UNSPECIFIED"\n  def to_api(:low), do: "LEVEL_LOW"\nend\n'
            ),
            fires=(("Level", None, Severity.P1),),
            says="does not accept 'LEVEL_HIGH':",
        ),
        Example(
            python='from typing import Literal\n\nLevel = Literal["LEVEL_UNSPECIFIED", "LEVEL_LOW"]\n',
            elixir=(
                "defmodule Api.Level do\n  @type t :: :unspecified | :low\n"
                '  @wire %{unspecified: "LEVEL_UNSPECIFIED", low: "LEVEL_LOW"}\n'
                "  def to_api(level), do: Map.fetch!(@wire, level)\nend\n"
            ),
        ),
        Example(
            python='from typing import Literal\n\nState = Literal["queued", "running"]\n',
            elixir="defmodule Api.Types do\n  @type state :: :queued | :running\nend\n",
        ),
    ),
    classify=classify,
)
