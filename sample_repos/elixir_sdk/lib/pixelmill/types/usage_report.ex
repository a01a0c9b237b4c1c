defmodule Pixelmill.Types.UsageReport do
  @moduledoc "Render and print usage over a billing period."

  use TypedStruct

  @derive Jason.Encoder

  typedstruct do
    field :period_start, Date.t(), enforce: true
    field :period_end, Date.t(), enforce: true
    field :renders, non_neg_integer(), enforce: true
    field :pages_by_format, %{String.t() => non_neg_integer()}, default: %{}
    field :labels, map(), default: %{}
    field :cost_by_sku, map(), default: %{}
  end

  @doc "Reads the body of a usage response."
  @spec from_api(map()) :: t()
  def from_api(body) when is_map(body) do
    %__MODULE__{
      period_start: Date.from_iso8601!(body["period_start"]),
      period_end: Date.from_iso8601!(body["period_end"]),
      renders: body["renders"],
      pages_by_format: Map.get(body, "pagesByFormat", %{}),
      labels: body["labels"] || %{}
    }
  end
end
