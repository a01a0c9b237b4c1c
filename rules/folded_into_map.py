"""folded-into-map: several Python fields are absent and the port has a generic map field instead."""

from collections.abc import Iterator

from auditor.align import TypePair
from auditor.compare import Context, is_untyped, single_literal
from auditor.findings import Finding, Severity
from auditor.model import ListOf
from auditor.rulebase import Example, Rule, make_finding

MINIMUM_FOLDED = 2


def check(pair: TypePair, context: Context) -> Iterator[Finding]:
    absent = [
        field
        for field in pair.fields
        if field.python is not None
        and field.elixir is None
        and single_literal(field.python.type, context) is None
    ]
    generic_maps = [
        field.elixir.name
        for field in pair.fields
        if field.python is None
        and field.elixir is not None
        and is_untyped(field.elixir.type)
        and not isinstance(field.elixir.type, ListOf)
    ]
    if len(absent) < MINIMUM_FOLDED or not generic_maps:
        return
    target = generic_maps[0]
    for field in absent:
        assert field.python is not None
        yield make_finding(
            RULE.slug,
            Severity.P2,
            pair,
            field,
            f"`{field.python.name}` has no field of its own in the port; it is presumably carried in the "
            f"generic map `{target}`, which nothing type-checks or names on the wire.",
        )


RULE = Rule(
    slug="folded-into-map",
    severity="P2",
    summary="Several named Python fields are absent and the Elixir struct has a generic map field instead.",
    explanation=(
        "A port sometimes folds named fields (platform, sdk_version, session_id) into one "
        "`metadata: map()`. The keys still exist at run time, but no typespec names them, the encoder "
        "nests them one level deeper than the Python SDK sends them, and typos go unnoticed."
    ),
    fix="Promote each folded key to a struct field with its Python name and type.",
    examples=(
        Example(
            python=(
                "from pydantic import BaseModel\n\nclass Hello(BaseModel):\n"
                "    platform: str\n    sdk_version: str\n    session_id: str\n"
            ),
            elixir=(
                "defmodule Sdk.Hello do\n  defstruct [:session_id, metadata: %{}]\n"
                "  @type t :: %__MODULE__{session_id: String.t(), metadata: map()}\nend\n"
            ),
            fires=(("Hello", "platform", Severity.P2), ("Hello", "sdk_version", Severity.P2)),
        ),
        Example(
            python="from pydantic import BaseModel\n\nclass Hello(BaseModel):\n    platform: str\n    sdk_version: str\n",
            elixir="defmodule Sdk.Hello do\n  defstruct [:session_id]\n  @type t :: %__MODULE__{session_id: String.t()}\nend\n",
        ),
    ),
    check_pair=check,
    replaces=("missing-field",),
)
