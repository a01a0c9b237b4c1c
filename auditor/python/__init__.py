"""The Python front end: reads a Python SDK's source with libcst and lowers its types into the model.

Phase one summarizes each file on its own (`summarize_python`, picklable, cacheable); phase two
(`extract_python`) resolves names across the summaries and builds the model.

The names are imported on first use: the parser host and its workers import the summarizer only, and
the resolution phase's modules (about 30 ms of imports) would otherwise delay every worker's first parse.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from auditor.python.extractor import extract_python
    from auditor.python.summary import PythonFileSummary, summarize_python

__all__ = ["PythonFileSummary", "extract_python", "summarize_python"]

_HOMES = {
    "PythonFileSummary": "auditor.python.summary",
    "extract_python": "auditor.python.extractor",
    "summarize_python": "auditor.python.summary",
}


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(_HOMES[name]), name)
