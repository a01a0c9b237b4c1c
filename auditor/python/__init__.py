"""The Python front end: reads a Python SDK's source with libcst and lowers its types into the model.

Phase one summarizes each file on its own (`summarize_python`, picklable, cacheable); phase two
(`extract_python`) resolves names across the summaries and builds the model.
"""

from auditor.python.extractor import extract_python
from auditor.python.summary import PythonFileSummary, summarize_python

__all__ = ["PythonFileSummary", "extract_python", "summarize_python"]
