defmodule Pixelmill.Types.Watermark do
  @moduledoc "Text stamped over every page of a proof render (`RenderOptions.watermark`)."

  @enforce_keys [:text]
  @derive Jason.Encoder
  defstruct [:text, opacity: 0.25, rotation: 0, tiled: false]

  @type t :: %__MODULE__{
          text: String.t(),
          opacity: float(),
          rotation: integer(),
          tiled: boolean()
        }
end
