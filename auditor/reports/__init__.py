"""Stage 5: render an audit result. Each format is one module with a `render(result) -> str`."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from auditor.audit import AuditResult

_MODULES = {
    "text": "text_report",
    "json": "json_report",
    "markdown": "markdown_report",
    "sarif": "sarif_report",
    "github": "github_report",
}
FORMATS = tuple(_MODULES)


def renderer(output_format: str) -> Callable[[AuditResult], str]:
    """The `render` of one format, its module imported on first use: a JSON run never imports rich."""
    module = importlib.import_module(f"auditor.reports.{_MODULES[output_format]}")
    render: Callable[[AuditResult], str] = module.render
    return render
