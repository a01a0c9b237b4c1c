defmodule Pixelmill.Types.Priority do
  @moduledoc """
  How urgently a print order is produced. The API spells the values `PRIORITY_*`; the port keeps
  short atoms and converts at the edge.
  """

  @type t :: :low | :normal | :rush

  @spec to_api(t()) :: String.t()
  def to_api(:low), do: "PRIORITY_LOW"
  def to_api(:normal), do: "PRIORITY_NORMAL"
  def to_api(:rush), do: "PRIORITY_RUSH"

  @spec from_api(String.t()) :: t()
  def from_api("PRIORITY_LOW"), do: :low
  def from_api("PRIORITY_NORMAL"), do: :normal
  def from_api("PRIORITY_RUSH"), do: :rush
  def from_api(_), do: :normal
end
