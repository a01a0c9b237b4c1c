from typing import List, Literal, Optional

from pydantic import Field

from .._models import StrictBase
from .asset import Asset
from .canvas import Canvas
from .format import Finish, Format

Orientation = Literal["portrait", "landscape"]


class RenderOptionsWatermark(StrictBase):
    """Text stamped over every page of a proof render."""

    text: str
    opacity: float = 0.25
    rotation: int = 0
    tiled: bool = False


class RenderOptions(StrictBase):
    format: Format
    dpi: int
    quality: int = 90
    max_retries: int = 3
    finish: Optional[Finish] = None
    color_profile: str | None = None
    watermark: Optional[RenderOptionsWatermark] = None


class RenderRequest(StrictBase):
    template_id: str
    canvas: Canvas
    orientation: Orientation
    options: Optional[RenderOptions] = None
    tags: List[str] = Field(default_factory=list)
    callback_url: Optional[str] = None
    assets: List[Asset] = Field(default_factory=list)
