defmodule Pixelmill.Types.WebhookEvent do
  @moduledoc "A notification the service posts to a caller's callback URL."

  @enforce_keys [:id, :kind, :sent_at]
  @derive Jason.Encoder
  defstruct [:id, :kind, :sent_at, :job_id, :job, data: %{}, attempt: 1]

  @type t :: %__MODULE__{
          id: String.t(),
          kind: :job_completed | :job_failed,
          sent_at: DateTime.t(),
          job_id: String.t(),
          job: map() | nil,
          data: map(),
          attempt: pos_integer()
        }
end
