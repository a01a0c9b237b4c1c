defmodule Pixelmill.Client do
  @moduledoc """
  A thin HTTP client. It has no struct of its own: it keeps its settings in a keyword list.
  """

  alias Pixelmill.Types.{Job, RenderRequest}

  @default_base_url "https://api.pixelmill.example/v1"

  @type option :: {:api_key, String.t()} | {:base_url, String.t()} | {:timeout, pos_integer()}

  @spec new([option()]) :: keyword()
  def new(opts) do
    api_key = Keyword.fetch!(opts, :api_key)

    [
      base_url: Keyword.get(opts, :base_url, @default_base_url),
      timeout: Keyword.get(opts, :timeout, 30_000),
      headers: [{"authorization", "Bearer " <> api_key}]
    ]
  end

  @spec submit_render(keyword(), RenderRequest.t()) :: {:ok, Job.t()} | {:error, term()}
  def submit_render(config, %RenderRequest{} = request) do
    body = Jason.encode!(request)
    url = Keyword.fetch!(config, :base_url) <> "/renders"
    {:error, {:offline, url, byte_size(body)}}
  end
end
