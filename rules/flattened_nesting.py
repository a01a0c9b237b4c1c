"""flattened-nesting: a Python nested model (or a list/dict of models) is a scalar in Elixir."""

from auditor.align import FieldPair
from auditor.compare import Context, Mismatch, describe, is_scalar_like
from auditor.findings import Severity
from auditor.rulebase import Example, Rule, Verdict


def classify(mismatch: Mismatch, field: FieldPair | None, context: Context) -> Verdict | None:
    if context.python_has_model(mismatch.python) and is_scalar_like(mismatch.elixir):
        return Verdict(
            Severity.P0,
            f"Python nests {describe(mismatch.python)} here, the port flattens it to "
            f"{describe(mismatch.elixir)}: every field of the nested model is lost.",
        )
    return None


RULE = Rule(
    slug="flattened-nesting",
    severity="P0",
    summary="A Python nested model, or list/dict of models, is a scalar or list of scalars in Elixir.",
    explanation=(
        "`supported_models: List[SupportedModel]` ported as `[String.t()]` keeps one attribute (often "
        "the name) and loses the rest; decoding the real response either crashes or silently drops "
        "data, and requests cannot be built with the nested structure the server expects."
    ),
    fix="Port the nested model as its own struct and use `Nested.t()` / `[Nested.t()]` in the typespec.",
    examples=(
        Example(
            python=(
                "from typing import List\nfrom pydantic import BaseModel\n\nclass Model(BaseModel):\n"
                "    name: str\n\nclass Catalog(BaseModel):\n    models: List[Model]\n"
            ),
            elixir=(
                "defmodule Api.Model do\n  defstruct [:name]\n  @type t :: %__MODULE__{name: String.t()}\nend\n"
                "defmodule Api.Catalog do\n  defstruct [:models]\n  @type t :: %__MODULE__{models: [String.t()]}\nend\n"
            ),
            fires=(("Catalog", "models", Severity.P0),),
        ),
        Example(
            python=(
                "from typing import List\nfrom pydantic import BaseModel\n\nclass Model(BaseModel):\n"
                "    name: str\n\nclass Catalog(BaseModel):\n    models: List[Model]\n"
            ),
            elixir=(
                "defmodule Api.Model do\n  defstruct [:name]\n  @type t :: %__MODULE__{name: String.t()}\nend\n"
                "defmodule Api.Catalog do\n  defstruct [:models]\n"
                "  @type t :: %__MODULE__{models: [Api.Model.t()]}\nend\n"
            ),
        ),
    ),
    classify=classify,
)
