from typing import Any, Dict, Optional

from .._models import BaseModel

Metadata = Dict[str, Any]
"""Free-form key/value pairs the caller attaches to a job."""


class Size(BaseModel):
    """Pixel dimensions of a canvas, a crop or a proof page."""

    width: int
    height: int
    dpi: Optional[int] = None
