import datetime
from typing import List, Literal, Optional

from .._models import BaseModel
from .format import Finish
from .job_id import JobID

ShippingSpeed = Literal["standard", "express", "overnight"]

Priority = Literal["PRIORITY_LOW", "PRIORITY_NORMAL", "PRIORITY_RUSH"]


class ShippingAddress(BaseModel):
    name: str
    line1: str
    line2: Optional[str] = None
    city: str
    postal_code: str
    country: str = "US"


class OrderItem(BaseModel):
    sku: str
    quantity: int = 1
    finish: Optional[Finish] = None
    unit_price_cents: int


class PrintOrderTracking(BaseModel):
    """Carrier details, filled in once the order has left the print shop."""

    carrier: str
    tracking_number: str
    url: Optional[str] = None
    shipped_at: Optional[datetime.datetime] = None


class PrintOrder(BaseModel):
    id: str
    job_id: JobID
    items: List[OrderItem]
    ship_to: ShippingAddress
    placed_at: datetime.datetime
    ship_by: Optional[datetime.date] = None
    total_cents: int
    paid: bool = False
    notes: Optional[str] = None
    shipping_speed: ShippingSpeed = "standard"
    tracking: Optional[PrintOrderTracking] = None
    priority: Optional[Priority] = None
