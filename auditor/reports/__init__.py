"""Stage 5: render an audit result. Each format is one module with a `render(result, options) -> str`."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from auditor.audit import AuditResult


class MarkdownSize(StrEnum):
    """Which form of the Markdown report to write."""

    FULL = "full"
    SUMMARY = "summary"
    """The compact form, short enough for a pull-request comment."""
    AUTO = "auto"
    """The full form, or the compact one when the full one is too long for a pull-request comment."""


@dataclass(frozen=True)
class ReportOptions:
    """How much a report shows; what it shows it takes from the result alone."""

    show_baselined: bool = False
    """List the findings the baseline records in full, not only count them (the text report)."""
    markdown_size: MarkdownSize = MarkdownSize.FULL
    """The form of the Markdown report. The command line's default is AUTO; a caller of `render` gets it all."""
    full_markdown: str | None = None
    """The file the same run writes the full Markdown report to, for the compact form to name."""
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
