defmodule Pixelmill.Types.Canvas do
  @moduledoc "The page a render draws its layers on."

  alias Pixelmill.Types.{ImageLayer, Size, TextLayer}

  @type layer :: TextLayer.t() | ImageLayer.t()

  @enforce_keys [:size]
  @derive Jason.Encoder
  defstruct [:size, :background, layers: []]

  @type t :: %__MODULE__{
          size: Size.t(),
          layers: [layer()],
          background: String.t() | nil
        }
end
