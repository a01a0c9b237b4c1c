defmodule Pixelmill.Types.OrderItem do
  @moduledoc "One line of a print order."

  alias Pixelmill.Types.Finish

  @enforce_keys [:sku, :quantity, :unit_price_cents]
  @derive Jason.Encoder
  defstruct [:sku, :finish, :unit_price_cents, quantity: 1]

  @type t :: %__MODULE__{
          sku: String.t(),
          quantity: pos_integer(),
          finish: Finish.t() | nil,
          unit_price_cents: non_neg_integer()
        }
end
