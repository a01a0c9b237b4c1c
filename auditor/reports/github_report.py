"""`--format github`: GitHub Actions workflow commands, one `::error`/`::warning`/`::notice` line each.

Printed in a workflow step, every line becomes an annotation on the run (and on the file and line it
names). Lines come in the order a reader needs them, because GitHub shows only a few annotations of
each kind per step (the log keeps every line): diagnostics first (the audit may be incomplete), then
new findings by severity, then findings the baseline records, as notices. Suppressed findings are
not annotated: the port team has accepted them.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterator

from auditor.audit import AuditResult
from auditor.findings import Finding, SideRef, type_and_field
from auditor.reports import DEFAULT_OPTIONS, ReportOptions
from auditor.reports.sarif_report import level, primary_side
from auditor.reports.untrusted import replace_unsafe

_KINDS = {"error": "error", "warning": "warning", "note": "notice"}
"""The annotation kind of each SARIF level, so both formats grade a finding alike."""


def escape_data(text: str) -> str:
    """A command's message as GitHub reads it: the runner unescapes `%25`, `%0D` and `%0A` (the rules of
    `escapeData` in actions/toolkit's packages/core/src/command.ts)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A property value (`file=`, `title=`): the message escapes plus `:` and `,`, which end the
    properties and separate them (`escapeProperty` in the same file)."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _printable(text: str) -> str:
    return replace_unsafe(text, kept="\t\r\n")  # CR and LF are escaped; a tab is harmless


def command(kind: str, message: str, title: str, file: str | None = None, line: int | None = None) -> str:
    """One workflow command line; `line` is given only with `file`, and only when it is a real line."""
    properties = []
    if file is not None:
        properties.append(f"file={escape_property(_printable(file))}")
        if line is not None and line >= 1:
            properties.append(f"line={line}")
    properties.append(f"title={escape_property(_printable(title))}")
    return f"::{kind} {','.join(properties)}::{escape_data(_printable(message))}"


def _joined_path(root: str, path: str) -> str:
    """A checkout file as the root was given joined with its path: `lib/x.ex` under `.`, `port/lib/x.ex`
    under `port`."""
    return posixpath.normpath(posixpath.join(root.replace(os.sep, "/"), path))


def _workspace_path(root: str, path: str) -> str | None:
    """The path GitHub resolves against the workspace, or None when it would leave the workspace."""
    if os.path.isabs(root):
        return None
    joined = _joined_path(root, path)
    if joined == ".." or joined.startswith("../") or posixpath.isabs(joined):
        return None
    return joined


def _title(finding: Finding) -> str:
    return f"{finding.severity.value} {finding.rule}: {type_and_field(finding.shown_type, finding.field)}"


def _side_line(name: str, root: str, ref: SideRef) -> str:
    where = f"{_joined_path(root, ref.location.path)}:{ref.location.line}"
    return f"{name}: {ref.annotation} ({where})" if ref.annotation else f"{name}: {where}"


def _finding(result: AuditResult, finding: Finding, baselined: bool) -> str:
    roots = {"python": result.python_input.root, "elixir": result.elixir_input.root}
    lines = [finding.message]
    if finding.python is not None:
        lines.append(_side_line("python", roots["python"], finding.python))
    if finding.elixir is not None:
        lines.append(_side_line("elixir", roots["elixir"], finding.elixir))
    side, ref = primary_side(finding)
    title = f"baselined {_title(finding)}" if baselined else _title(finding)
    return command(
        "notice" if baselined else _KINDS[level(finding.severity)],
        "\n".join(lines),
        title,
        _workspace_path(roots[side], ref.location.path),
        ref.location.line,
    )


def _diagnostics(result: AuditResult) -> Iterator[str]:
    for side, diagnostic in result.diagnostics:
        # Alignment diagnostics name Python types, at their Python paths; a config file's path is as given.
        roots = {"elixir": result.elixir_input.root, "config": "."}
        root = roots.get(side, result.python_input.root)
        yield command(
            "error" if diagnostic.level == "error" else "warning",
            diagnostic.message,
            f"parity-audit {side} {diagnostic.level}",
            _workspace_path(root, diagnostic.path),
            diagnostic.line,
        )


def render(result: AuditResult, options: ReportOptions = DEFAULT_OPTIONS) -> str:
    new = [finding for finding in result.findings if result.is_new(finding)]
    baselined = [finding for finding in result.findings if not result.is_new(finding)]
    lines = [
        *_diagnostics(result),
        *(_finding(result, finding, baselined=False) for finding in new),
        *(_finding(result, finding, baselined=True) for finding in baselined),
    ]
    return "".join(f"{line}\n" for line in lines)
