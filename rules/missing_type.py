"""missing-type: a Python type has no Elixir counterpart."""

from collections.abc import Iterator

from auditor.align import TypePair
from auditor.compare import Context
from auditor.findings import Finding, Severity
from auditor.rulebase import Example, Rule, make_finding


def check(pair: TypePair, context: Context) -> Iterator[Finding]:
    if pair.python is None or pair.elixir is not None:
        return
    missing = f"{pair.python.name} ({pair.python.kind.value}) has no Elixir counterpart"
    reason = f" ({pair.note})" if pair.note else ""
    needed = context.needed.get(pair.python.qualname)
    if needed is None:
        message = f"{missing}{reason}, and no ported type uses it: unported API surface."
        yield make_finding(RULE.slug, Severity.P2, pair, None, message)
        return
    steps = needed.steps(context.python_types)
    message = (
        f"{missing}{reason}, and the ported {steps[0]} needs it ({' → '.join(steps)}): "
        "the port can neither build nor decode it."
    )
    yield make_finding(RULE.slug, Severity.P1, pair, None, message)


RULE = Rule(
    slug="missing-type",
    severity="P1 (needed by a ported type) / P2 (unported API surface)",
    summary="A Python type (model, enum, Literal or Union alias) has no Elixir counterpart.",
    explanation=(
        "Types line up by name (the Python class or alias name against the last segment of an Elixir "
        "module, or against a module path that spells it: `Job.Operation.Add` for `JobOperationAdd`), "
        "then by shape (most fields or values shared, with a shared name word or a use in a paired type; "
        "a Literal alias also against a local `@type` of the struct that uses it). Only a candidate of a "
        "compatible kind counts: a union module with a model's name is a false friend, and the finding "
        "says so. When nothing lines up, every endpoint that sends or returns this type is unusable from "
        "the port, or the port passes raw maps where the SDK has structure. A missing type that a ported "
        "type needs (a field of a paired Python type refers to it, directly or through other missing "
        "types) breaks that ported type: P1, and the message names the shortest such path "
        "(`Session.config → GenerationConfig → Speech`). A missing type that nothing ported reaches is "
        "API surface the port has not started: P2, summarised by the root type it hangs from."
    ),
    fix=(
        "Port the type as `defmodule <App>.Types.<Name>` with a struct and `@type t`, or, if the port "
        "names it differently, pin the pair with `--map Name=Full.Elixir.Module`. A surface the port leaves "
        "out on purpose goes under `[unported]` in the config, with the reason."
    ),
    examples=(
        Example(
            python="from pydantic import BaseModel\n\nclass Invoice(BaseModel):\n    total: int\n\n"
            "class Order(BaseModel):\n    invoice: Invoice\n",
            elixir="defmodule Shop.Order do\n  defstruct [:invoice]\n  @type t :: %__MODULE__{invoice: map()}\nend\n",
            fires=(("Invoice", None, Severity.P1),),
            says="the ported Order.invoice needs it (Order.invoice → Invoice)",
        ),
        Example(
            python="from pydantic import BaseModel\n\nclass Invoice(BaseModel):\n    total: int\n",
            elixir="defmodule Shop.Receipt do\n  defstruct [:total]\n  @type t :: %__MODULE__{total: integer()}\nend\n",
            fires=(("Invoice", None, Severity.P2),),
            says="no ported type uses it: unported API surface",
        ),
        Example(
            python="from pydantic import BaseModel\n\nclass Invoice(BaseModel):\n    total: int\n",
            elixir="defmodule Shop.Invoice do\n  defstruct [:total]\n  @type t :: %__MODULE__{total: integer()}\nend\n",
        ),
        Example(
            python="from pydantic import BaseModel\n\nclass Tool(BaseModel):\n    name: str\n    schema: dict\n",
            elixir="defmodule Shop.Tool do\n  @type t :: Shop.Search.t() | Shop.Browse.t()\nend\n"
            "defmodule Shop.Search do\n  defstruct [:query]\nend\n",
            fires=(("Tool", None, Severity.P2),),
            says="same name as Shop.Tool, different shape",
        ),
        Example(
            python="from pydantic import BaseModel\n\nclass InvoiceLine(BaseModel):\n    sku: str\n",
            elixir="defmodule Shop.Invoice.Line do\n  defstruct [:sku]\n  @type t :: %__MODULE__{sku: String.t()}\nend\n",
        ),
    ),
    check_pair=check,
)
