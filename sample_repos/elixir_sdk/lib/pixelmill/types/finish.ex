defmodule Pixelmill.Types.Finish do
  @moduledoc "Paper finishes for printed orders."

  @type t :: :glossy | :matte | :lustre
end
