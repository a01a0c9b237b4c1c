"""missing-type: a Python type has no Elixir counterpart."""

from collections.abc import Iterator

from auditor.align import TypePair
from auditor.compare import Context
from auditor.findings import Finding, Severity
from auditor.rulebase import Example, Rule, make_finding


def check(pair: TypePair, context: Context) -> Iterator[Finding]:
    if pair.python is None or pair.elixir is not None:
        return
    reason = f" ({pair.note})" if pair.note else ""
    yield make_finding(
        RULE.slug,
        Severity.P1,
        pair,
        None,
        f"{pair.python.name} ({pair.python.kind.value}) has no Elixir counterpart{reason}: "
        "the port can neither build nor decode it.",
    )


RULE = Rule(
    slug="missing-type",
    severity="P1",
    summary="A Python type (model, enum, Literal or Union alias) has no Elixir counterpart.",
    explanation=(
        "Types line up by name (the Python class or alias name against the last segment of an Elixir "
        "module, or against a module path that spells it: `Job.Operation.Add` for `JobOperationAdd`), "
        "then by shape (most fields or values shared, with a shared name word or a use in a paired type; "
        "a Literal alias also against a local `@type` of the struct that uses it). Only a candidate of a "
        "compatible kind counts: a union module with a model's name is a false friend, and the finding "
        "says so. When nothing lines up, every endpoint that sends or returns this type is unusable from "
        "the port, or the port passes raw maps where the SDK has structure."
    ),
    fix=(
        "Port the type as `defmodule <App>.Types.<Name>` with a struct and `@type t`, or, if the port "
        "names it differently, pin the pair with `--map Name=Full.Elixir.Module`."
    ),
    examples=(
        Example(
            python="from pydantic import BaseModel\n\nclass Invoice(BaseModel):\n    total: int\n",
            elixir="defmodule Shop.Receipt do\n  defstruct [:total]\n  @type t :: %__MODULE__{total: integer()}\nend\n",
            fires=(("Invoice", None, Severity.P1),),
        ),
        Example(
            python="from pydantic import BaseModel\n\nclass Invoice(BaseModel):\n    total: int\n",
            elixir="defmodule Shop.Invoice do\n  defstruct [:total]\n  @type t :: %__MODULE__{total: integer()}\nend\n",
        ),
        Example(
            python="from pydantic import BaseModel\n\nclass Tool(BaseModel):\n    name: str\n    schema: dict\n",
            elixir="defmodule Shop.Tool do\n  @type t :: Shop.Search.t() | Shop.Browse.t()\nend\n"
            "defmodule Shop.Search do\n  defstruct [:query]\nend\n",
            fires=(("Tool", None, Severity.P1),),
            says="same name as Shop.Tool, different shape",
        ),
        Example(
            python="from pydantic import BaseModel\n\nclass InvoiceLine(BaseModel):\n    sku: str\n",
            elixir="defmodule Shop.Invoice.Line do\n  defstruct [:sku]\n  @type t :: %__MODULE__{sku: String.t()}\nend\n",
        ),
    ),
    check_pair=check,
)
