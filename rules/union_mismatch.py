"""union-mismatch: a union or tagged union has different members, or a different shape, in Elixir."""

from auditor.align import FieldPair
from auditor.compare import Context, Mismatch, compare_members, describe
from auditor.findings import Severity
from auditor.model import TypeExpr, UnionOf
from auditor.rulebase import Example, Rule, Verdict


def _listed(members: tuple[TypeExpr, ...]) -> str:
    return ", ".join(sorted(describe(member) for member in members))


def classify(mismatch: Mismatch, field: FieldPair | None, context: Context) -> Verdict | None:
    if not isinstance(mismatch.python, UnionOf) and not isinstance(mismatch.elixir, UnionOf):
        return None
    members = compare_members(mismatch.python, mismatch.elixir, context)
    if members is None:
        return Verdict(
            Severity.P1,
            f"Python's union is {describe(mismatch.python)}, the port's {describe(mismatch.elixir)}: values "
            "of the members that differ cannot be sent or decoded.",
        )
    if not members.missing:
        return None  # the port only adds members: union-widened or constraint-widened
    extra = f"; it has {_listed(members.extra)}, which Python does not" if members.extra else ""
    return Verdict(
        Severity.P1,
        f"the port lacks {_listed(members.missing)}{extra}. Python's union is {describe(mismatch.python)}, "
        f"the port's {describe(mismatch.elixir)}: values of a missing member cannot be sent or decoded.",
    )


RULE = Rule(
    slug="union-mismatch",
    severity="P1",
    summary="A union or tagged-union type lacks members, or has a different shape, in Elixir.",
    explanation=(
        "Members line up by type name. A member missing in the port means a response of that variant "
        "cannot be decoded; a port that models the union differently (status wrappers instead of the "
        "typed responses) forces callers to branch on a shape the SDK does not have. The message names "
        "exactly the members the port lacks and those only it has, sorted. A port that only adds "
        "members is union-widened (or constraint-widened when what it adds is a bare map())."
    ),
    fix="Make the Elixir union list exactly the ported counterparts of the Python members.",
    examples=(
        Example(
            python=(
                "from typing import Union\nfrom pydantic import BaseModel\n\nclass Text(BaseModel):\n    text: str\n\n"
                "class Image(BaseModel):\n    url: str\n\nPart = Union[Text, Image]\n"
            ),
            elixir=(
                "defmodule Api.Text do\n  defstruct [:text]\n  @type t :: %__MODULE__{text: String.t()}\nend\n"
                "defmodule Api.Image do\n  defstruct [:url]\n  @type t :: %__MODULE__{url: String.t()}\nend\n"
                "defmodule Api.Parts do\n  @type part :: Api.Text.t() | String.t()\nend\n"
            ),
            fires=(("Part", None, Severity.P1),),
            says="the port lacks Image; it has str, which Python does not.",
        ),
        Example(
            python=(
                "from typing import Union\nfrom pydantic import BaseModel\n\nclass Text(BaseModel):\n    text: str\n\n"
                "class Image(BaseModel):\n    url: str\n\nPart = Union[Text, Image]\n"
            ),
            elixir=(
                "defmodule Api.Text do\n  defstruct [:text]\n  @type t :: %__MODULE__{text: String.t()}\nend\n"
                "defmodule Api.Image do\n  defstruct [:url]\n  @type t :: %__MODULE__{url: String.t()}\nend\n"
                "defmodule Api.Parts do\n  @type part :: Api.Image.t() | Api.Text.t()\nend\n"
            ),
        ),
        Example(
            python=(
                "from typing import List, Union\nfrom pydantic import BaseModel\n\nclass Tensor(BaseModel):\n"
                "    values: Union[List[int], List[float]]\n"
            ),
            elixir=(
                "defmodule Api.Tensor do\n  defstruct [:values]\n  @type t :: %__MODULE__{values: [number()]}\nend\n"
            ),
        ),
    ),
    classify=classify,
)
