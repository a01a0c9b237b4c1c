defmodule Pixelmill.Types.Canvas do
  @moduledoc "The page a render draws its layers on."

  alias Pixelmill.Types.{ImageLayer, Size, TextLayer}

  defmodule Margins do
    @moduledoc "Blank space kept clear of layers along each edge, in pixels."

    @derive Jason.Encoder
    defstruct top: 0, right: 0, bottom: 0, left: 0

    @type t :: %__MODULE__{
            top: non_neg_integer(),
            right: non_neg_integer(),
            bottom: non_neg_integer(),
            left: non_neg_integer()
          }
  end

  @type layer :: TextLayer.t() | ImageLayer.t()

  @enforce_keys [:size]
  @derive Jason.Encoder
  defstruct [:size, :background, :margins, layers: []]

  @type t :: %__MODULE__{
          size: Size.t(),
          layers: [layer()],
          background: String.t() | nil,
          margins: Margins.t() | nil
        }
end
