"""Helpers that paper over the differences between pydantic major versions."""

import pydantic

PYDANTIC_V2 = pydantic.VERSION.startswith("2.")
