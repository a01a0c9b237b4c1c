from typing import Literal

JobState = Literal["queued", "running", "done"]
