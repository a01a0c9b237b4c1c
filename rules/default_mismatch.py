"""default-mismatch: the two sides default a field differently."""

from collections.abc import Iterator

from auditor.align import TypePair
from auditor.compare import Context, same_default
from auditor.findings import Finding, Severity
from auditor.model import Default
from auditor.rulebase import Example, Rule, make_finding


def _shown(default: Default | None, side: str) -> str:
    if default is None:
        return "no default (required)" if side == "python" else "no default (nil)"
    return f"`{default.text}`"


def check(pair: TypePair, context: Context) -> Iterator[Finding]:
    for field in pair.fields:
        python, elixir = field.python, field.elixir
        if python is None or elixir is None:
            continue
        if same_default(python.default, elixir.default) is False:
            yield make_finding(
                RULE.slug,
                Severity.P3,
                pair,
                field,
                f"Python defaults `{python.name}` to {_shown(python.default, 'python')}, the port to "
                f"{_shown(elixir.default, 'elixir')}: a value built without it differs between the SDKs.",
            )


RULE = Rule(
    slug="default-mismatch",
    severity="P3",
    summary="The two sides default a field differently.",
    explanation=(
        "A struct built without the field carries a different value than the Python model built "
        "without it: the request differs on the wire, or a decoded response shows a value the server "
        "never sent. Includes a Python-required field that the port defaults, a Python default the port "
        "leaves nil, and a Python None default that the port replaces with a struct."
    ),
    fix="Use the Python default in `defstruct` (an Elixir bare key means nil).",
    examples=(
        Example(
            python=(
                "from pydantic import BaseModel\n\nclass Page(BaseModel):\n"
                "    size: int = 10\n    token: str\n    retries: int = 3\n"
            ),
            elixir=(
                'defmodule Api.Page do\n  defstruct [:retries, size: 20, token: ""]\n'
                "  @type t :: %__MODULE__{size: integer(), token: String.t(), retries: integer()}\nend\n"
            ),
            fires=(
                ("Page", "size", Severity.P3),
                ("Page", "token", Severity.P3),
                ("Page", "retries", Severity.P3),
            ),
        ),
        Example(
            python=(
                "from typing import Optional\nfrom pydantic import BaseModel\n\nclass Page(BaseModel):\n"
                "    size: int = 10\n    cursor: Optional[str] = None\n    token: str\n"
            ),
            elixir=(
                "defmodule Api.Page do\n  defstruct [:cursor, :token, size: 10]\n"
                "  @type t :: %__MODULE__{size: integer(), cursor: String.t() | nil, token: String.t()}\nend\n"
            ),
        ),
    ),
    check_pair=check,
)
