defmodule Pixelmill.Types.AssetUpload do
  @moduledoc "The body of an upload; `data` holds the file base64-encoded."

  @enforce_keys [:filename, :data]
  @derive Jason.Encoder
  defstruct [:filename, :data, :content_type]

  @type t :: %__MODULE__{
          filename: String.t(),
          data: String.t(),
          content_type: String.t() | nil
        }
end
