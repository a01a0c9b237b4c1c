"""union-widened: the Elixir union has every Python member and more."""

from auditor.align import FieldPair
from auditor.compare import Context, Mismatch, compare_members, describe, is_untyped
from auditor.findings import Severity
from auditor.rulebase import Example, Rule, Verdict


def classify(mismatch: Mismatch, field: FieldPair | None, context: Context) -> Verdict | None:
    members = compare_members(mismatch.python, mismatch.elixir, context)
    if members is None or members.missing or not members.extra:
        return None
    if all(is_untyped(member) for member in members.extra):
        return None  # the model or any map: constraint-widened
    extra = ", ".join(sorted(describe(member) for member in members.extra))
    return Verdict(
        Severity.P3,
        f"the port also accepts {extra}, which Python does not define here: everything the SDK sends "
        f"or receives still fits {describe(mismatch.elixir)}, but the extra members invite values the "
        "server rejects.",
    )


RULE = Rule(
    slug="union-widened",
    severity="P3",
    summary="The Elixir type accepts every Python member and more (a list of Event or Batch for List[Event]).",
    explanation=(
        "Members line up by type name, and a member that is an alias or enum counts by what it expands "
        "to. Nothing Python sends or decodes is lost, as with literal-widened, but the port's typespec "
        "admits values the SDK never produces."
    ),
    fix="Drop the members Python does not have, or confirm upstream accepts them and note it.",
    examples=(
        Example(
            python=(
                "from typing import List\nfrom pydantic import BaseModel\n\nclass Event(BaseModel):\n    id: str\n\n"
                "class Feed(BaseModel):\n    events: List[Event]\n"
            ),
            elixir=(
                "defmodule Api.Event do\n  defstruct [:id]\n  @type t :: %__MODULE__{id: String.t()}\nend\n"
                "defmodule Api.Batch do\n  defstruct [:ids]\n  @type t :: %__MODULE__{ids: [String.t()]}\nend\n"
                "defmodule Api.Feed do\n  defstruct [:events]\n"
                "  @type t :: %__MODULE__{events: [Api.Event.t() | Api.Batch.t()]}\nend\n"
            ),
            fires=(("Feed", "events", Severity.P3),),
        ),
        Example(
            python=(
                "from typing import List\nfrom pydantic import BaseModel\n\nclass Event(BaseModel):\n    id: str\n\n"
                "class Feed(BaseModel):\n    events: List[Event]\n"
            ),
            elixir=(
                "defmodule Api.Event do\n  defstruct [:id]\n  @type t :: %__MODULE__{id: String.t()}\nend\n"
                "defmodule Api.Feed do\n  defstruct [:events]\n  @type t :: %__MODULE__{events: [Api.Event.t()]}\nend\n"
            ),
        ),
    ),
    classify=classify,
)
