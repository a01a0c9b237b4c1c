"""extra-type: an Elixir type has no Python counterpart."""

from collections.abc import Iterator

from auditor.align import TypePair
from auditor.compare import Context
from auditor.findings import Finding, Severity
from auditor.rulebase import Example, Rule, make_finding


def check(pair: TypePair, context: Context) -> Iterator[Finding]:
    if pair.elixir is None or pair.python is not None:
        return
    yield make_finding(
        RULE.slug,
        Severity.P3,
        pair,
        None,
        f"{pair.elixir.qualname} has no Python counterpart: it is port-only API, or a type upstream "
        "renamed or removed.",
    )


RULE = Rule(
    slug="extra-type",
    severity="P3",
    summary="An Elixir struct or enum module has no Python counterpart.",
    explanation=(
        "Port-only types are often legitimate (helpers, parsed views of a response), but they are also "
        "what is left behind when upstream renames or removes a type. Nothing breaks on the wire by "
        "itself; the port simply carries API the reference does not define."
    ),
    fix=(
        "Delete or rename the module if upstream renamed or removed the type; otherwise exclude it with "
        "`--exclude-type` or pin its Python counterpart with `--map`."
    ),
    examples=(
        Example(
            python="from pydantic import BaseModel\n\nclass Invoice(BaseModel):\n    total: int\n",
            elixir=(
                "defmodule Shop.Invoice do\n  defstruct [:total]\n  @type t :: %__MODULE__{total: integer()}\nend\n"
                "defmodule Shop.Receipt do\n  defstruct [:total]\nend\n"
            ),
            fires=(("Receipt", None, Severity.P3),),
        ),
        Example(
            python="from pydantic import BaseModel\n\nclass Invoice(BaseModel):\n    total: int\n",
            elixir="defmodule Shop.Invoice do\n  defstruct [:total]\n  @type t :: %__MODULE__{total: integer()}\nend\n",
        ),
    ),
    check_pair=check,
)
