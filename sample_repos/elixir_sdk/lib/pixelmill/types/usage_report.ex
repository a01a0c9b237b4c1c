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
end
