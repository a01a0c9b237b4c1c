import datetime
from typing import Optional

from pydantic import Field

from .._models import BaseModel
from .shared import Size


class Asset(BaseModel):
    id: str
    filename: str
    content_type: str = Field(alias="contentType")
    byte_size: int
    uploaded_at: datetime.datetime
    checksum: Optional[str] = None
    dimensions: Optional[Size] = None


class AssetUpload(BaseModel):
    filename: str
    data: bytes
    content_type: Optional[str] = None
