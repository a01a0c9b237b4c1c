import datetime
from typing import Dict

from pydantic import Field

from .._models import BaseModel


class UsageReport(BaseModel):
    period_start: datetime.date
    period_end: datetime.date
    renders: int
    pages_by_format: Dict[str, int] = Field(default_factory=dict)
    labels: Dict[str, str] = Field(default_factory=dict)
    cost_by_sku: Dict[str, float] = Field(default_factory=dict)
