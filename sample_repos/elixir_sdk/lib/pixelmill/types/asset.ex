defmodule Pixelmill.Types.Asset do
  @moduledoc "An uploaded image the renderer can place on a canvas."

  alias Pixelmill.Types.Size

  @enforce_keys [:id, :content_type, :byte_size, :uploaded_at]
  @derive Jason.Encoder
  defstruct [:id, :content_type, :byte_size, :uploaded_at, :checksum, :dimensions, :url]

  @type t :: %__MODULE__{
          id: String.t(),
          content_type: String.t(),
          byte_size: String.t(),
          uploaded_at: DateTime.t(),
          checksum: String.t() | nil,
          dimensions: Size.t() | nil,
          url: String.t() | nil
        }
end
