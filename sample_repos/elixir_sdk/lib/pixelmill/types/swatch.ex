defmodule Pixelmill.Types.Swatch do
  @moduledoc "A named colour of a palette."

  @enforce_keys [:name, :hex]
  defstruct [:name, :hex, :cmyk]

  @type t :: %__MODULE__{
          name: String.t(),
          hex: String.t(),
          cmyk: [float()] | nil
        }
end

defimpl Jason.Encoder, for: Pixelmill.Types.Swatch do
  def encode(swatch, opts) do
    swatch
    |> Map.from_struct()
    |> Enum.reject(fn {_key, value} -> is_nil(value) end)
    |> Map.new()
    |> Jason.Encode.map(opts)
  end
end
