defmodule Pixelmill.Types.Job do
  @moduledoc "A render job as reported by the service."

  @type job_state :: :queued | :running | :done

  @enforce_keys [:id, :state, :created_at]
  @derive Jason.Encoder
  defstruct [
    :id,
    :state,
    :created_at,
    :finished_at,
    :error_message,
    progress: 0.0,
    metadata: %{},
    outputs: []
  ]

  @type t :: %__MODULE__{
          id: String.t(),
          state: job_state(),
          created_at: DateTime.t() | String.t(),
          finished_at: DateTime.t() | nil,
          progress: float(),
          metadata: map(),
          outputs: [String.t()],
          error_message: String.t() | nil
        }

  @spec finished?(t()) :: boolean()
  def finished?(%__MODULE__{state: state}), do: state == :done
end
