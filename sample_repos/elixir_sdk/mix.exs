defmodule Pixelmill.MixProject do
  use Mix.Project

  def project do
    [
      app: :pixelmill,
      version: "0.3.1",
      elixir: "~> 1.14",
      start_permanent: Mix.env() == :prod,
      deps: deps()
    ]
  end

  def application do
    [extra_applications: [:logger]]
  end

  defp deps do
    [
      {:jason, "~> 1.4"},
      {:typed_struct, "~> 0.3"},
      {:req, "~> 0.4"}
    ]
  end
end
