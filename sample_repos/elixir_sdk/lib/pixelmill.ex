defmodule Pixelmill do
  @moduledoc """
  Elixir port of the Pixelmill print-shop and image-rendering client.

  Data types live under `Pixelmill.Types`; `Pixelmill.Client` sends them.
  """

  @doc "The version of the Python SDK this port follows."
  @spec upstream_version() :: String.t()
  def upstream_version, do: "0.3.1"
end
