defmodule PixelmillTest do
  use ExUnit.Case

  defmodule Pixelmill.Types.FakeJob do
    @moduledoc false
    defstruct [:id, retries: 0]
    @type t :: %__MODULE__{id: String.t(), retries: non_neg_integer()}
  end

  test "a job is finished when done" do
    job = %Pixelmill.Types.Job{id: "job_1", state: :done, created_at: ~U[2024-05-01 10:00:00Z]}
    assert Pixelmill.Types.Job.finished?(job)
  end
end
