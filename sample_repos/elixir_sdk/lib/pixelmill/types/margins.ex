defmodule Pixelmill.Types.Margins do
  @moduledoc """
  Margins as a caller may write them: one width for every edge, or a `Canvas.Margins` struct.

  Only the struct goes on the wire; `expand/1` turns the shorthand into it.
  """

  alias Pixelmill.Types.Canvas

  @type t :: non_neg_integer() | Canvas.Margins.t()

  @spec expand(t()) :: Canvas.Margins.t()
  def expand(%Canvas.Margins{} = margins), do: margins

  def expand(width) when is_integer(width) and width >= 0,
    do: %Canvas.Margins{top: width, right: width, bottom: width, left: width}
end
