"""The keys a port's own encoder writes and its own decoder reads, read from the source, never run."""

from __future__ import annotations

from auditor.elixir import summarize_elixir
from auditor.model import Location, TypeDef, WireKeys

HEAD = "defmodule Api.Sampling do\n  defstruct [:max_tokens, :seed, :kind]\n"


def _struct(body: str) -> tuple[TypeDef, list[str]]:
    summary = summarize_elixir("sampling.ex", f"{HEAD}{body}end\n".encode())
    (typedef,) = summary.types
    return typedef, [f"{d.line} {d.level} {d.message}" for d in summary.diagnostics]


def test_an_encoder_map_literal_gives_each_field_its_key() -> None:
    typedef, diagnostics = _struct(
        "  def to_api(%__MODULE__{} = s) do\n"
        '    %{"maxTokens" => s.max_tokens, "seed" => Map.get(s, :seed), "type" => "sampling"}\n'
        "    |> Enum.reject(fn {_k, v} -> is_nil(v) end)\n    |> Map.new()\n  end\n"
    )
    assert typedef.encoder == WireKeys(
        "to_api", Location("sampling.ex", 3), (("max_tokens", "maxTokens"), ("seed", "seed"), ("", "type"))
    )
    assert typedef.encoder.of("kind") is None
    assert typedef.decoder is None
    assert diagnostics == []


def test_a_decoder_reads_keys_directly_through_variables_and_fallbacks() -> None:
    typedef, _ = _struct(
        "  def from_api(map) when is_map(map) do\n"
        '    seed = Map.get(map, "seed")\n'
        '    %__MODULE__{max_tokens: map["maxTokens"] || map[:max_tokens], seed: seed, kind: :sampling}\n'
        "  end\n"
    )
    assert typedef.decoder is not None
    assert typedef.decoder.of("max_tokens") == ("maxTokens", "max_tokens")
    assert typedef.decoder.of("seed") == ("seed",)
    assert typedef.decoder.of("kind") == ("",)  # set to a constant: not dropped, and no key to judge


def test_a_map_pattern_in_the_decoder_head_names_the_keys() -> None:
    typedef, _ = _struct(
        '  def from_map(%{"maxTokens" => max, "seed" => seed}), do: %__MODULE__{max_tokens: max, seed: seed}\n'
    )
    assert typedef.decoder is not None
    assert typedef.decoder.keys == (("max_tokens", "maxTokens"), ("seed", "seed"))


def test_a_constructor_that_reads_no_key_is_not_a_decoder_and_not_a_diagnostic() -> None:
    typedef, diagnostics = _struct("  def new(opts), do: struct(__MODULE__, opts)\n")
    assert typedef.decoder is None
    assert diagnostics == []


def test_a_function_too_dynamic_to_read_is_one_info_diagnostic_for_the_module() -> None:
    typedef, diagnostics = _struct(
        "  def to_map(s), do: s |> Map.from_struct() |> Map.new(fn {k, v} -> {camel(k), v} end)\n"
        "  def from_map(m), do: struct(__MODULE__, atomize(m))\n"
    )
    assert typedef.encoder is None and typedef.decoder is None
    assert diagnostics == [
        "3 info Api.Sampling: to_map/1, from_map/1 build or read the wire map in a way parity-audit does not "
        "read; the keys they use are not judged"
    ]


def test_the_preferred_encoder_wins_when_several_are_read() -> None:
    typedef, _ = _struct(
        '  def to_map(s), do: %{"seed" => s.seed}\n  def to_api(s), do: %{"maxTokens" => s.max_tokens}\n'
    )
    assert typedef.encoder is not None
    assert typedef.encoder.function == "to_api"


def test_an_encoder_head_that_destructures_the_struct() -> None:
    typedef, _ = _struct(
        "  def to_json(%__MODULE__{max_tokens: max, seed: seed}) do\n"
        '    %{"maxTokens" => max, "seed" => seed}\n  end\n'
    )
    assert typedef.encoder is not None
    assert typedef.encoder.keys == (("max_tokens", "maxTokens"), ("seed", "seed"))


def test_keys_read_through_a_pipe_and_a_chain_of_variables() -> None:
    typedef, _ = _struct(
        "  def from_map(map) when is_map(map) do\n"
        '    raw = map |> fetch("maxTokens")\n    max = raw |> List.wrap()\n'
        '    %__MODULE__{max_tokens: max, seed: map |> fetch("seed") |> to_int()}\n  end\n'
        "  defp fetch(map, key), do: map[key]\n"
    )
    assert typedef.decoder is not None
    assert typedef.decoder.keys == (("max_tokens", "maxTokens"), ("seed", "seed"))
