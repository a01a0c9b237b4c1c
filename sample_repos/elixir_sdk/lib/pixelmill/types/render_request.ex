defmodule Pixelmill.Types.RenderRequest do
  @moduledoc "The body of a render submission."

  alias Pixelmill.Types.{Asset, AssetUpload, Canvas, RenderOptions}

  @enforce_keys [:canvas, :orientation]
  @derive Jason.Encoder
  defstruct [
    :template_id,
    :canvas,
    :orientation,
    :callback_url,
    options: %RenderOptions{},
    tags: [],
    assets: []
  ]

  @type t :: %__MODULE__{
          template_id: String.t() | nil,
          canvas: Canvas.t(),
          orientation: String.t(),
          options: RenderOptions.t() | nil,
          tags: [String.t()],
          callback_url: String.t() | nil,
          assets: [Asset.t() | AssetUpload.t()]
        }
end
