defmodule Pixelmill.Types.RenderOptions do
  @moduledoc "Output settings of a render."

  alias Pixelmill.Types.{Finish, Format, Watermark}

  @derive Jason.Encoder
  defstruct [:format, :max_retries, :finish, :color_profile, :watermark, dpi: 300, quality: 85]

  @type t :: %__MODULE__{
          format: Format.t(),
          dpi: pos_integer(),
          quality: non_neg_integer(),
          max_retries: non_neg_integer(),
          finish: Finish.t() | nil,
          color_profile: String.t() | nil,
          watermark: Watermark.t() | nil
        }
end
