defmodule Pixelmill.Types.Palette do
  @moduledoc "A reusable set of named colours."

  use TypedStruct

  @derive Jason.Encoder

  alias Pixelmill.Types.Swatch

  typedstruct do
    field :id, String.t(), enforce: true
    field :name, String.t(), enforce: true
    field :swatches, %{String.t() => Swatch.t()}, default: %{}
    field :created_at, DateTime.t(), enforce: true
  end
end
