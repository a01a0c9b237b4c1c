from typing import List, Optional

from pydantic import Field

from .._models import BaseModel
from .layer import Layer
from .shared import Size


class Canvas(BaseModel):
    size: Size
    layers: List[Layer] = Field(default_factory=list)
    background: Optional[str] = None
