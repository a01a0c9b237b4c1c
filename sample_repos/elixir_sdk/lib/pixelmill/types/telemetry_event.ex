defmodule Pixelmill.Types.TelemetryEvent do
  @moduledoc "A usage event sent by an SDK; client details travel in `context`."

  @enforce_keys [:name, :occurred_at]
  @derive Jason.Encoder
  defstruct [:name, :occurred_at, context: %{}]

  @type t :: %__MODULE__{
          name: String.t(),
          occurred_at: DateTime.t(),
          context: map()
        }
end
