defmodule Pixelmill.Types.ProofJob do
  @moduledoc "A job that renders proof pages for approval. Repeats the fields of `Job`."

  alias Pixelmill.Types.Job

  @enforce_keys [:id, :state, :created_at]
  defstruct [
    :id,
    :state,
    :created_at,
    :finished_at,
    :error_message,
    :reviewer,
    progress: 0.0,
    outputs: [],
    pages: [],
    approved: false
  ]

  @type t :: %__MODULE__{
          id: String.t(),
          state: Job.job_state(),
          created_at: DateTime.t(),
          finished_at: DateTime.t() | nil,
          progress: float(),
          outputs: [String.t()],
          error_message: String.t() | nil,
          pages: [String.t()],
          approved: boolean(),
          reviewer: String.t() | nil
        }
end
