"""enum-catch-all: the port's decoder turns every wire value it does not know into one atom."""

from collections.abc import Iterator

from auditor.align import TypePair
from auditor.compare import Context
from auditor.findings import Finding, Severity
from auditor.rulebase import Example, Rule, make_finding


def check(pair: TypePair, context: Context) -> Iterator[Finding]:
    if pair.python is None or pair.elixir is None or pair.elixir.catch_all is None:
        return
    catch_all = pair.elixir.catch_all
    yield make_finding(
        RULE.slug,
        Severity.P3,
        pair,
        None,
        f"the port's decoder maps every wire value it does not know to :{catch_all.atom}: a value upstream "
        f"adds later is silently read as :{catch_all.atom} instead of failing or being kept.",
        elixir_at=catch_all.location,
    )


RULE = Rule(
    slug="enum-catch-all",
    severity="P3",
    summary="An Elixir enum's decoder maps every unknown wire value to one atom (`def parse(_), do: :unknown`).",
    explanation=(
        "Read from the port's own converter functions: a clause with a wildcard argument beside clauses "
        "that decode string literals. Today's values still decode, so nothing breaks now; but a value the "
        "Python SDK adds later is folded into the catch-all atom, and the port never notices it drifted."
    ),
    fix="Return an error (or keep the unknown string) for values the table does not list.",
    examples=(
        Example(
            python='from typing import Literal\n\nLevel = Literal["LEVEL_LOW", "LEVEL_HIGH"]\n',
            elixir=(
                "defmodule Api.Level do\n  @type t :: :low | :high\n"
                '  def from_api("LEVEL_LOW"), do: :low\n  def from_api("LEVEL_HIGH"), do: :high\n'
                "  def from_api(_), do: :low\nend\n"
            ),
            fires=(("Level", None, Severity.P3),),
        ),
        Example(
            python='from typing import Literal\n\nLevel = Literal["low", "high"]\n',
            elixir=(
                "defmodule Api.Level do\n  @type t :: :low | :high | :unknown\n"
                "  def parse(value) when is_binary(value) do\n    case String.downcase(value) do\n"
                '      "low" -> :low\n      "high" -> :high\n      _ -> :unknown\n    end\n  end\nend\n'
            ),
            fires=(("Level", None, Severity.P3),),
            says="to :unknown",
        ),
        Example(
            python='from typing import Literal\n\nLevel = Literal["LEVEL_LOW", "LEVEL_HIGH"]\n',
            elixir=(
                "defmodule Api.Level do\n  @type t :: :low | :high\n"
                '  def from_api("LEVEL_LOW"), do: :low\n  def from_api("LEVEL_HIGH"), do: :high\n'
                "  def from_api(other), do: {:error, other}\nend\n"
            ),
        ),
    ),
    check_pair=check,
)
