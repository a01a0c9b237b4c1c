"""Stage 5: render an audit result. Each format is one module with a `render(result) -> str`."""

from __future__ import annotations

from collections.abc import Callable

from auditor.audit import AuditResult
from auditor.reports import json_report, text_report

RENDERERS: dict[str, Callable[[AuditResult], str]] = {
    "text": text_report.render,
    "json": json_report.render,
}
