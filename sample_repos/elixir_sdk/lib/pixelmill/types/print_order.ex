defmodule Pixelmill.Types.PrintOrder do
  @moduledoc "An order for printed copies of a finished job."

  defmodule ShippingAddress do
    @moduledoc "Where a print order is delivered."

    @enforce_keys [:name, :line1, :city, :postal_code]
    @derive Jason.Encoder
    defstruct [:name, :line1, :line2, :city, :postal_code, country: "US"]

    @type t :: %__MODULE__{
            name: String.t(),
            line1: String.t(),
            line2: String.t() | nil,
            city: String.t(),
            postal_code: String.t(),
            country: String.t()
          }
  end

  defmodule Tracking do
    @moduledoc "Carrier details, filled in once the order has left the print shop."

    @enforce_keys [:carrier, :tracking_number]
    @derive Jason.Encoder
    defstruct [:carrier, :tracking_number, :url, :shipped_at]

    @type t :: %__MODULE__{
            carrier: String.t(),
            tracking_number: String.t(),
            url: String.t() | nil,
            shipped_at: DateTime.t() | nil
          }
  end

  @type speed :: :standard | :express | :overnight

  @enforce_keys [:id, :job_id, :items, :ship_to, :placed_at, :total_cents]
  @derive Jason.Encoder
  defstruct [
    :id,
    :job_id,
    :items,
    :ship_to,
    :placed_at,
    :ship_by,
    :total_cents,
    :tracking,
    :priority,
    paid: false,
    shipping_speed: :standard
  ]

  @type t :: %__MODULE__{
          id: String.t(),
          job_id: String.t(),
          items: [map()],
          ship_to: ShippingAddress.t(),
          placed_at: String.t(),
          ship_by: Date.t() | nil,
          total_cents: non_neg_integer(),
          paid: integer(),
          shipping_speed: speed(),
          tracking: Tracking.t() | nil,
          priority: Pixelmill.Types.Priority.t() | nil
        }
end
