"""Errors raised by the client. These are plain exceptions, not data types."""


class PixelmillError(Exception):
    """Base class of every error this package raises."""


class APIStatusError(PixelmillError):
    """The service answered with a non-2xx status."""

    status_code: int
    body: object

    def __init__(self, message: str, *, status_code: int, body: object = None) -> None:
        super().__init__(message)
        self.status_code = status_code
        self.body = body
