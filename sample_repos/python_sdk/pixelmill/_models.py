"""Base classes every Pixelmill response and request model derives from."""

import pydantic
from pydantic import ConfigDict


class BaseModel(pydantic.BaseModel):
    """Tolerant base: unknown keys sent by the server are kept, not rejected."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    def to_wire(self) -> dict:
        return self.model_dump(by_alias=True, exclude_none=True)


class StrictBase(BaseModel):
    """Base for request bodies: unknown keys are a programming error."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
