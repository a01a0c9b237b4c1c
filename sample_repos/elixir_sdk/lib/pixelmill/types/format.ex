defmodule Pixelmill.Types.Format do
  @moduledoc "Raster formats the renderer can write."

  @type t :: :png | :jpeg | :webp

  @values [:png, :jpeg, :webp]

  @spec values() :: [t()]
  def values, do: @values

  @spec parse(String.t()) :: {:ok, t()} | :error
  def parse(value) when is_binary(value) do
    case Enum.find(@values, fn atom -> Atom.to_string(atom) == value end) do
      nil -> :error
      atom -> {:ok, atom}
    end
  end
end
