from typing import List, Literal, Optional

from pydantic import Field

from .._models import StrictBase
from .canvas import Canvas
from .format import Finish, Format

Orientation = Literal["portrait", "landscape"]


class RenderOptions(StrictBase):
    format: Format
    dpi: int
    quality: int = 90
    max_retries: int = 3
    finish: Optional[Finish] = None
    color_profile: str | None = None


class RenderRequest(StrictBase):
    template_id: str
    canvas: Canvas
    orientation: Orientation
    options: Optional[RenderOptions] = None
    tags: List[str] = Field(default_factory=list)
    callback_url: Optional[str] = None
