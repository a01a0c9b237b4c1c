"""decoder-drops-field: the port's own decoder never sets a field both sides declare."""

from collections.abc import Iterator

from auditor.align import TypePair
from auditor.compare import Context, same_default, single_literal
from auditor.findings import Finding, Severity
from auditor.rulebase import Example, Rule, fields_with_known_wire_names, make_finding


def check(pair: TypePair, context: Context) -> Iterator[Finding]:
    decoder = pair.elixir.decoder if pair.elixir is not None else None
    if decoder is None:
        return
    for field in fields_with_known_wire_names(pair):
        assert field.python is not None and field.elixir is not None
        if decoder.of(field.elixir.name) is not None:
            continue
        if single_literal(field.python.type, context) is not None and same_default(
            field.python.default, field.elixir.default
        ):
            continue  # a tag (`type: "get_info"`) whose struct default is the one value the server sends
        yield make_finding(
            RULE.slug,
            Severity.P1,
            pair,
            field,
            f"the port's {decoder.function}/1 never reads `{field.elixir.name}`: after decoding, the struct "
            "field is always its default, whatever the server sent.",
            elixir_at=decoder.location,
        )


RULE = Rule(
    slug="decoder-drops-field",
    severity="P1",
    summary="The port's own decoder (`from_map`, `from_api`, ...) never sets a field both sides declare.",
    explanation=(
        "Read from a decoder whose result is the module's struct literal. A field both sides declare that "
        "the literal leaves out stays at its default after every decode: the response carried it, the "
        "caller never sees it. A field set to a constant, or a one-value tag left to a struct default "
        "equal to Python's, is not dropped."
    ),
    fix="Set the field in the decoder from its wire key.",
    examples=(
        Example(
            python="from pydantic import BaseModel\n\nclass Page(BaseModel):\n    items: list[str]\n    total: int\n",
            elixir=(
                "defmodule Api.Page do\n  defstruct [:items, :total]\n"
                "  @type t :: %__MODULE__{items: [String.t()], total: integer()}\n"
                '  def from_map(m), do: %__MODULE__{items: m["items"]}\nend\n'
            ),
            fires=(("Page", "total", Severity.P1),),
        ),
        Example(
            python="from pydantic import BaseModel\n\nclass Page(BaseModel):\n    items: list[str]\n    total: int\n",
            elixir=(
                "defmodule Api.Page do\n  defstruct [:items, :total]\n"
                "  @type t :: %__MODULE__{items: [String.t()], total: integer()}\n"
                "  def from_map(m) do\n    total = Map.get(m, \"total\", 0)\n"
                '    %__MODULE__{items: m["items"] || [], total: total}\n  end\nend\n'
            ),
        ),
    ),
    check_pair=check,
)
