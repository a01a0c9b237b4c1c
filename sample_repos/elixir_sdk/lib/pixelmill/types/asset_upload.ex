defmodule Pixelmill.Types.AssetUpload do
  @moduledoc "The body of an upload; `data` holds the file base64-encoded."

  @enforce_keys [:filename, :data]
  defstruct [:filename, :data, :content_type]

  @type t :: %__MODULE__{
          filename: String.t(),
          data: String.t(),
          content_type: String.t() | nil
        }

  @doc "The request body `Pixelmill.Client` sends."
  @spec to_api(t()) :: map()
  def to_api(%__MODULE__{} = upload) do
    %{"filename" => upload.filename, "data" => upload.data}
  end
end
