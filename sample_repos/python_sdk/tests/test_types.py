"""Tests live outside the audited tree; the model below must never be reported as a type."""

from pixelmill._models import BaseModel
from pixelmill.types import Job


class FakeJob(BaseModel):
    id: str
    retries: int = 0


def test_job_is_finished() -> None:
    job = Job.model_validate({"id": "job_1", "state": "done", "created_at": "2024-05-01T10:00:00Z"})
    assert job.is_finished
    assert FakeJob(id="x").retries == 0
