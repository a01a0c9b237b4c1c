"""The HTTP client. It holds configuration only; it is not a data type."""

from typing import Any, Dict, Optional

from ._exceptions import APIStatusError
from .types import Job, RenderRequest


class Pixelmill:
    base_url: str = "https://api.pixelmill.example/v1"
    timeout: float = 30.0

    def __init__(self, api_key: str, *, base_url: Optional[str] = None, timeout: float = 30.0) -> None:
        self.api_key = api_key
        if base_url is not None:
            self.base_url = base_url
        self.timeout = timeout

    def _headers(self) -> Dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}

    def submit_render(self, request: RenderRequest) -> Job:
        payload: Dict[str, Any] = request.to_wire()
        raise APIStatusError(f"offline sample client cannot send {len(payload)} keys", status_code=503)
