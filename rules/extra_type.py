"""extra-type: an Elixir type has no Python counterpart."""

from collections.abc import Iterator

from auditor.align import TypePair
from auditor.compare import Context
from auditor.findings import Finding, Severity
from auditor.rulebase import Example, Rule, make_finding


def check(pair: TypePair, context: Context) -> Iterator[Finding]:
    if pair.elixir is None or pair.python is not None:
        return
    reason = f" ({pair.note})" if pair.note else ""
    yield make_finding(
        RULE.slug,
        Severity.P3,
        pair,
        None,
        f"{pair.elixir.qualname} has no Python counterpart{reason}: it is port-only API, or a type upstream "
        "renamed or removed.",
    )


RULE = Rule(
    slug="extra-type",
    severity="P3",
    summary="An Elixir struct or enum module has no Python counterpart.",
    explanation=(
        "Port-only types are often legitimate (helpers, parsed views of a response), but they are also "
        "what is left behind when upstream renames or removes a type. Nothing breaks on the wire by "
        "itself; the port simply carries API the reference does not define. A module that shares a Python "
        "type's name but not its kind or fields (a union module named like a model) is a false friend: "
        "the finding names the Python type, and where that type is paired instead."
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
        Example(
            python="from pydantic import BaseModel\n\nclass Content(BaseModel):\n    text: str\n    lang: str\n",
            elixir=(
                "defmodule Shop.Content do\n  @type t :: Shop.Chat.Content.t() | String.t()\nend\n"
                "defmodule Shop.Chat.Content do\n  defstruct [:text, :lang]\nend\n"
            ),
            fires=(("Content", None, Severity.P3),),
            says="is paired with Shop.Chat.Content",
        ),
    ),
    check_pair=check,
)
