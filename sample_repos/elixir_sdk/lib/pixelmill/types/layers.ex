defmodule Pixelmill.Types.TextLayer do
  @moduledoc "A run of text drawn on a canvas."

  @enforce_keys [:text]
  @derive Jason.Encoder
  defstruct [:text, :color, type: "text", font: "Inter", font_size: 12]

  @type t :: %__MODULE__{
          type: String.t(),
          text: String.t(),
          font: String.t(),
          font_size: pos_integer(),
          color: String.t() | nil
        }
end

defmodule Pixelmill.Types.ImageLayer do
  @moduledoc "A placed image asset. (The port leaves out the `type` tag.)"

  @enforce_keys [:asset_id]
  @derive Jason.Encoder
  defstruct [:asset_id, opacity: 1.0, x: 0, y: 0]

  @type t :: %__MODULE__{
          asset_id: String.t(),
          opacity: float(),
          x: integer(),
          y: integer()
        }
end
