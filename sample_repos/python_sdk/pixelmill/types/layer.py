from typing import Annotated, Literal, Optional, TypeAlias, Union

from .._models import BaseModel
from .._utils import PropertyInfo


class TextLayer(BaseModel):
    type: Literal["text"] = "text"
    text: str
    font: str = "Inter"
    font_size: int = 12
    color: Optional[str] = None


class ImageLayer(BaseModel):
    type: Literal["image"] = "image"
    asset_id: str
    opacity: float = 1.0
    x: int = 0
    y: int = 0


class ShapeLayer(BaseModel):
    type: Literal["shape"] = "shape"
    shape: Literal["rect", "ellipse"]
    fill: Optional[str] = None


Layer: TypeAlias = Annotated[Union[TextLayer, ImageLayer, ShapeLayer], PropertyInfo(discriminator="type")]
