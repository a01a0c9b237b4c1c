"""union-mismatch: a union or tagged union has different members, or a different shape, in Elixir."""

from auditor.align import FieldPair
from auditor.compare import Context, Mismatch, describe
from auditor.findings import Severity
from auditor.model import UnionOf
from auditor.rulebase import Example, Rule, Verdict


def classify(mismatch: Mismatch, field: FieldPair | None, context: Context) -> Verdict | None:
    if not isinstance(mismatch.python, UnionOf) and not isinstance(mismatch.elixir, UnionOf):
        return None
    return Verdict(
        Severity.P1,
        f"Python's union is {describe(mismatch.python)}, the port's {describe(mismatch.elixir)}: values "
        "of the members that differ cannot be sent or decoded.",
    )


RULE = Rule(
    slug="union-mismatch",
    severity="P1",
    summary="A union or tagged-union type has different members, or a different shape, in Elixir.",
    explanation=(
        "Members line up by type name. A member missing in the port means a response of that variant "
        "cannot be decoded; a port that models the union differently (status wrappers instead of the "
        "typed responses) forces callers to branch on a shape the SDK does not have."
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
