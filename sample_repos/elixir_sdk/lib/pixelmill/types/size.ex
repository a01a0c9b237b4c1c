defmodule Pixelmill.Types.Size do
  @moduledoc "Pixel dimensions of a canvas, a crop or a proof page."

  @derive {Jason.Encoder, only: [:width, :height, :dpi]}
  @enforce_keys [:width, :height]
  defstruct [:width, :height, :dpi]

  @type t :: %__MODULE__{
          width: pos_integer(),
          height: non_neg_integer(),
          dpi: pos_integer() | nil
        }
end
