"""The wire strings an atom enum stands for, read from the converter functions and maps beside it."""

from __future__ import annotations

import pytest

from auditor.elixir import summarize_elixir
from auditor.model import AtomSet, CatchAll, LiteralOf, Location, TypeExpr, UnionOf


def _enum(body: str) -> tuple[TypeExpr | None, CatchAll | None]:
    source = f"defmodule Api.Level do\n  @type t :: :unspecified | :low | :high\n{body}end\n"
    (typedef,) = summarize_elixir("level.ex", source.encode()).types
    return typedef.target, typedef.catch_all


def test_encoder_clauses_give_each_atom_its_wire_string() -> None:
    target, catch_all = _enum(
        '  def to_api(:unspecified), do: "LEVEL_UNSPECIFIED"\n'
        '  def to_api(:low), do: "LEVEL_LOW"\n'
        '  def to_api(:high) do\n    "LEVEL_HIGH"\n  end\n'
    )
    assert target == LiteralOf(("LEVEL_UNSPECIFIED", "LEVEL_LOW", "LEVEL_HIGH"))
    assert catch_all is None


def test_decoder_clauses_and_their_wildcard() -> None:
    target, catch_all = _enum(
        '  def from_api("LEVEL_LOW"), do: :low\n  def from_api("LEVEL_HIGH"), do: :high\n'
        "  def from_api(_), do: :unspecified\n"
    )
    assert target == UnionOf((LiteralOf(("LEVEL_LOW", "LEVEL_HIGH")), AtomSet(("unspecified",))))
    assert catch_all == CatchAll("unspecified", Location("level.ex", 5))


def test_a_case_on_the_normalised_argument_is_read_arm_by_arm() -> None:
    target, catch_all = _enum(
        "  def parse(value) when is_binary(value) do\n    case String.downcase(value) do\n"
        '      "low" -> :low\n      "high" -> :high\n      "unspecified" -> :unspecified\n      _ -> :low\n'
        "    end\n  end\n"
    )
    assert target == LiteralOf(("unspecified", "low", "high"))
    assert catch_all == CatchAll("low", Location("level.ex", 8))


def test_an_attribute_map_of_atoms_to_strings() -> None:
    target, _ = _enum(
        '  @wire %{:unspecified => "LEVEL_UNSPECIFIED", :low => "LEVEL_LOW", :high => "LEVEL_HIGH"}\n'
        "  def to_api(level), do: Map.fetch!(@wire, level)\n"
    )
    assert target == LiteralOf(("LEVEL_UNSPECIFIED", "LEVEL_LOW", "LEVEL_HIGH"))


@pytest.mark.parametrize(
    "body",
    [
        # A label for one atom of three is not this enum's wire table.
        '  def label(:low), do: "Low priority"\n',
        # Computed strings are not read.
        '  def to_api(:low), do: "LEVEL_#{:low}"\n  def to_api(:high), do: "LEVEL_#{:high}"\n',
        "  def to_api(level), do: level |> Atom.to_string() |> String.upcase()\n",
        # A default with no decoding clause beside it decodes nothing.
        "  def kind(_), do: :low\n",
        # A map whose values are not all plain strings.
        '  @wire %{low: "LEVEL_LOW", high: :high}\n',
    ],
)
def test_what_is_not_a_wire_table_leaves_the_atoms_as_they_are(body: str) -> None:
    assert _enum(body) == (AtomSet(("unspecified", "low", "high")), None)


def test_a_local_atom_type_uses_the_tables_of_its_module() -> None:
    source = (
        "defmodule Api.Files do\n  defstruct [:sort]\n  @type sort :: :last_modified | :name\n"
        "  @type t :: %__MODULE__{sort: sort()}\n"
        '  defp sort_to_string(:last_modified), do: "lastModified"\n'
        '  defp sort_to_string(:name), do: "name"\nend\n'
    )
    types = {t.qualname: t for t in summarize_elixir("files.ex", source.encode()).types}
    assert types["Api.Files.sort"].target == LiteralOf(("lastModified", "name"))
