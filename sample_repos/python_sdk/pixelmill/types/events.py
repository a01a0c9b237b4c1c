from datetime import datetime
from typing import Any, Dict, Literal, Optional

from pydantic import Field

from .._models import BaseModel
from .job import Job
from .job_id import JobID


class WebhookEvent(BaseModel):
    id: str
    kind: Literal["job_completed", "job_failed", "order_shipped"]
    sent_at: datetime
    job_id: Optional[JobID] = None
    job: Optional[Job] = None
    data: Dict[str, Any] = Field(default_factory=dict)
    attempt: int = 1


class TelemetryEvent(BaseModel):
    name: str
    occurred_at: datetime
    device: Optional[str] = None
    locale: Optional[str] = None
    app_version: Optional[str] = None
