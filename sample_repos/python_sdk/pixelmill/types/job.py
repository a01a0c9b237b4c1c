from datetime import datetime
from typing import List, Optional

from pydantic import ConfigDict, Field, field_validator

from .._compat import PYDANTIC_V2
from .._models import BaseModel
from .job_id import JobID
from .job_state import JobState
from .shared import Metadata, Size


class Job(BaseModel):
    id: JobID
    state: JobState
    created_at: datetime
    finished_at: Optional[datetime] = None
    progress: float = 0.0
    metadata: Metadata = Field(default_factory=dict)
    outputs: List[str] = Field(default_factory=list)
    error_message: str | None = None

    if PYDANTIC_V2:
        model_config = ConfigDict(extra="allow", populate_by_name=True)
    else:

        class Config:
            extra = "allow"
            allow_population_by_field_name = True

    @field_validator("progress")
    @classmethod
    def _clamp_progress(cls, value: float) -> float:
        return min(max(value, 0.0), 1.0)

    @property
    def is_finished(self) -> bool:
        return self.state == "done"


class ProofJob(Job):
    """A job that renders low-resolution proof pages for approval; inherits every Job field."""

    pages: List[Size] = Field(default_factory=list)
    approved: bool = False
    reviewer: Optional[str] = None
