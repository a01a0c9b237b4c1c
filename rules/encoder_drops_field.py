"""encoder-drops-field: the port's own encoder leaves out a field both sides declare."""

from collections.abc import Iterator

from auditor.align import TypePair
from auditor.compare import Context
from auditor.findings import Finding, Severity
from auditor.rulebase import Example, Rule, fields_with_known_wire_names, make_finding, python_wire_names


def check(pair: TypePair, context: Context) -> Iterator[Finding]:
    encoder = pair.elixir.encoder if pair.elixir is not None else None
    if encoder is None:
        return
    written = {key for _, key in encoder.keys}
    for field in fields_with_known_wire_names(pair):
        assert field.elixir is not None
        if encoder.of(field.elixir.name) is not None or python_wire_names(field) & written:
            continue
        yield make_finding(
            RULE.slug,
            Severity.P1,
            pair,
            field,
            f"the port's {encoder.function}/1 never writes `{field.elixir.name}`: the struct holds it, but "
            "the server never receives it.",
            elixir_at=encoder.location,
        )


RULE = Rule(
    slug="encoder-drops-field",
    severity="P1",
    summary="The port's own encoder (`to_map`, `to_api`, ...) leaves out a field both sides declare.",
    explanation=(
        "Read from an encoder that builds a map literal with literal keys from the struct's fields. A "
        "field both sides declare that no key carries is silently dropped from every request: the struct "
        "accepts it, so nothing warns the caller."
    ),
    fix="Add the field to the map the encoder builds, under its wire name.",
    examples=(
        Example(
            python="from pydantic import BaseModel\n\nclass Query(BaseModel):\n    text: str\n    limit: int = 10\n",
            elixir=(
                "defmodule Api.Query do\n  defstruct [:text, limit: 10]\n"
                "  @type t :: %__MODULE__{text: String.t(), limit: integer()}\n"
                '  def to_map(%__MODULE__{} = q), do: %{"text" => q.text}\nend\n'
            ),
            fires=(("Query", "limit", Severity.P1),),
        ),
        Example(
            python="from pydantic import BaseModel\n\nclass Query(BaseModel):\n    text: str\n    limit: int = 10\n",
            elixir=(
                "defmodule Api.Query do\n  defstruct [:text, limit: 10]\n"
                "  @type t :: %__MODULE__{text: String.t(), limit: integer()}\n"
                "  def to_map(%__MODULE__{} = q) do\n"
                '    %{"text" => q.text, "limit" => Map.get(q, :limit)} |> Map.reject(fn {_, v} -> is_nil(v) end)\n'
                "  end\nend\n"
            ),
        ),
    ),
    check_pair=check,
)
