"""Pixelmill: a client for a fictional print-shop and image-rendering service."""

from . import types
from ._client import Pixelmill
from ._exceptions import APIStatusError, PixelmillError

__all__ = ["types", "Pixelmill", "PixelmillError", "APIStatusError"]
__version__ = "0.3.1"
