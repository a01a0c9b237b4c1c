"""`--format json`: a stable machine-readable document (schema_version 1: keys are only ever added)."""

from __future__ import annotations

import json
from typing import Any

from auditor import __version__
from auditor.audit import AuditResult
from auditor.findings import Finding, SideRef
from auditor.reports import DEFAULT_OPTIONS, ReportOptions
from auditor.reports.summary import (
    audited_type_count,
    coverage,
    coverage_document,
    finding_counts,
    needed_path,
    triage_counts,
    type_counts,
)

SCHEMA_VERSION = 1


def _side(side: SideRef | None) -> dict[str, Any] | None:
    if side is None:
        return None
    return {"path": side.location.path, "line": side.location.line, "annotation": side.annotation}


def _finding(result: AuditResult, finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "severity": finding.severity.value,
        "type": finding.type_name,
        "field": finding.field,
        "python_type": finding.python_type,
        "elixir_type": finding.elixir_type,
        "message": finding.message,
        "python": _side(finding.python),
        "elixir": _side(finding.elixir),
        "fingerprint": finding.fingerprint,
        "baselined": not result.is_new(finding),
    }


def document(result: AuditResult) -> dict[str, Any]:
    unported_roots = {qualname: group.root for group in result.reach.unported for qualname in group.types}
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "parity-audit", "version": __version__},
        "inputs": {
            side: {
                "root": model.root,
                "files": len(model.files),
                "types": audited_type_count(result, side),
                "revision": checkout.revision,
                "commit": checkout.commit,
                "commit_date": checkout.commit_date,
                "branch": checkout.branch,
            }
            for side, model, checkout in (
                ("python", result.python, result.python_input),
                ("elixir", result.elixir, result.elixir_input),
            )
        },
        "summary": {
            "types": type_counts(result),
            "findings": finding_counts(result),
            **triage_counts(result),
            "coverage": coverage_document(coverage(result)),
        },
        "types": [
            {
                "name": entry.pair.name,
                "status": entry.status.value,
                "python": None
                if entry.pair.python is None
                else {
                    "name": entry.pair.python.name,
                    "qualname": entry.pair.python.qualname,
                    "path": entry.pair.python.location.path,
                    "line": entry.pair.python.location.line,
                },
                "elixir": None
                if entry.pair.elixir is None
                else {
                    "module": entry.pair.elixir.qualname,
                    "path": entry.pair.elixir.location.path,
                    "line": entry.pair.elixir.location.line,
                },
                "alignment": None
                if entry.pair.found is None
                else {
                    "how": entry.pair.found.how.value,
                    "score": entry.pair.found.score,
                    "evidence": entry.pair.found.evidence,
                },
                "note": entry.pair.note,
                "needed_by": None if entry.pair.python is None else needed_path(result, entry.pair.python.qualname),
                "unported_group": None if entry.pair.python is None else unported_roots.get(entry.pair.python.qualname),
            }
            for entry in result.types
        ],
        "findings": [_finding(result, finding) for finding in result.findings],
        "diagnostics": [
            {
                "level": diagnostic.level,
                "side": side,
                "path": diagnostic.path,
                "line": diagnostic.line,
                "message": diagnostic.message,
            }
            for side, diagnostic in result.diagnostics
        ],
        "suppressed": [
            {
                **_finding(result, entry.finding),
                "suppression": {
                    "source": entry.source,
                    "reason": entry.reason,
                    "path": entry.where.path,
                    "line": entry.where.line,
                },
            }
            for entry in result.suppressed
        ],
        "baseline": None if result.baseline is None else {"path": result.baseline.path, "fixed": result.baseline.fixed},
    }


def render(result: AuditResult, options: ReportOptions = DEFAULT_OPTIONS) -> str:
    return json.dumps(document(result), indent=2, ensure_ascii=False) + "\n"
