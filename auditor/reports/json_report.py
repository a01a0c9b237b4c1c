"""`--format json`: a stable machine-readable document (schema_version 1: keys are only ever added)."""

from __future__ import annotations

import json
from typing import Any

import orjson

from auditor import __version__
from auditor.audit import AuditResult, TypeStatus
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


def _type(result: AuditResult, entry: TypeStatus, unported_roots: dict[str, str]) -> dict[str, Any]:
    python, elixir, found = entry.pair.python, entry.pair.elixir, entry.pair.found
    return {
        "name": entry.pair.name,
        "status": entry.status.value,
        "python": None
        if python is None
        else {
            "name": python.name,
            "qualname": python.qualname,
            "path": python.location.path,
            "line": python.location.line,
        },
        "elixir": None
        if elixir is None
        else {"module": elixir.qualname, "path": elixir.location.path, "line": elixir.location.line},
        "alignment": None
        if found is None
        else {"how": found.how.value, "score": found.score, "evidence": found.evidence},
        "note": entry.pair.note,
        "needed_by": None if python is None else needed_path(result, python.qualname),
        "unported_group": None if python is None else unported_roots.get(python.qualname),
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
        "types": [_type(result, entry, unported_roots) for entry in result.types],
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


def dumps(value: Any) -> str:
    """`json.dumps(value, indent=2, ensure_ascii=False)` and a line break, written by orjson: the standard
    library's encoder does not run in C once it indents, and took three quarters of the report's time.

    The bytes are the same for any document of this module: the two spell floats apart only below 1e-4
    (`1e-05` against `0.00001`) and for NaN, and every float here is a count's ratio rounded to two
    decimals at most. What orjson refuses (a lone surrogate, as a file name that is not UTF-8 decodes to;
    an integer beyond 64 bits) goes to the standard library, which writes it as is.
    """
    try:
        return orjson.dumps(value, option=orjson.OPT_INDENT_2 | orjson.OPT_APPEND_NEWLINE).decode("utf-8")
    except orjson.JSONEncodeError:
        return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def render(result: AuditResult, options: ReportOptions = DEFAULT_OPTIONS) -> str:
    return dumps(document(result))
