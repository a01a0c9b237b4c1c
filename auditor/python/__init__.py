"""The Python front end: reads a Python SDK's source with libcst and lowers its types into the model."""

from auditor.python.extractor import extract_python

__all__ = ["extract_python"]
