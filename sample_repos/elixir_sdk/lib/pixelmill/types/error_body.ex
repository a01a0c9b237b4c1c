defmodule Pixelmill.Types.ErrorBody do
  @moduledoc "The JSON body of an error response. The Python SDK has no model for it."

  @enforce_keys [:code, :message]
  @derive Jason.Encoder
  defstruct [:code, :message, details: %{}]

  @type t :: %__MODULE__{
          code: String.t(),
          message: String.t(),
          details: map()
        }
end
