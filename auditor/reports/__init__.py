"""Stage 5: render an audit result. Each format is one module with a `render(result, options) -> str`."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from auditor.audit import AuditResult


@dataclass(frozen=True)
class ReportOptions:
    """How much a report shows; what it shows it takes from the result alone."""

    show_baselined: bool = False
    """List the findings the baseline records in full, not only count them (the text report)."""
    show_unported: bool = False
    """List every missing type no ported type reaches, not only a count per group (the text report)."""


DEFAULT_OPTIONS = ReportOptions()


_MODULES = {
    "text": "text_report",
    "json": "json_report",
    "markdown": "markdown_report",
    "sarif": "sarif_report",
    "github": "github_report",
}
FORMATS = tuple(_MODULES)


def renderer(output_format: str) -> Callable[[AuditResult, ReportOptions], str]:
    """The `render` of one format, its module imported on first use: a JSON run never imports rich."""
    module = importlib.import_module(f"auditor.reports.{_MODULES[output_format]}")
    render: Callable[[AuditResult, ReportOptions], str] = module.render
    return render
