from typing import List, Optional

from pydantic import Field

from .._models import BaseModel
from .layer import Layer
from .shared import Size


class Margins(BaseModel):
    """Blank space kept clear of layers along each edge, in pixels."""

    top: int = 0
    right: int = 0
    bottom: int = 0
    left: int = 0


class Canvas(BaseModel):
    size: Size
    layers: List[Layer] = Field(default_factory=list)
    background: Optional[str] = None
    margins: Optional[Margins] = None
