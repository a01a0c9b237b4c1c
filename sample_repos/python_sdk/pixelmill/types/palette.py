from datetime import datetime
from typing import Dict, List, Optional

from pydantic import Field

from .._models import BaseModel


class Swatch(BaseModel):
    name: str
    hex: str
    cmyk: Optional[List[float]] = None


class Palette(BaseModel):
    id: str
    name: str
    swatches: Dict[str, Swatch] = Field(default_factory=dict)
    created_at: datetime
