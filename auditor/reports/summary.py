"""Counts every report shows, computed once from the result."""

from __future__ import annotations

from collections import Counter

from auditor.align import How
from auditor.audit import AuditResult, Status, TypeStatus
from auditor.findings import Severity


def type_counts(result: AuditResult) -> dict[str, int]:
    counted = Counter(entry.status for entry in result.types)
    return {status.value: counted[status] for status in Status}


def finding_counts(result: AuditResult) -> dict[str, int]:
    counted = Counter(finding.severity for finding in result.findings)
    return {severity.value: counted[severity] for severity in Severity}


def audited_type_count(result: AuditResult, side: str) -> int:
    """Types the alignment considered on one side (Python: everything audited; Elixir: modules)."""
    if side == "python":
        return sum(1 for entry in result.types if entry.pair.python is not None)
    return sum(1 for entry in result.types if entry.pair.elixir is not None)


def triage_counts(result: AuditResult) -> dict[str, int]:
    """Findings a suppression took out of the report, findings the baseline records, and the rest (new)."""
    baselined = sum(1 for finding in result.findings if not result.is_new(finding))
    return {
        "suppressed": len(result.suppressed),
        "baselined": baselined,
        "new": len(result.findings) - baselined,
    }


INFERRED = frozenset({How.PATH, How.SHAPE, How.LOCAL_TYPE})
"""Ways of finding a pair that a maintainer may want to confirm: not the same name, not a pin."""

PINNING_HINT = "Pin another counterpart with --map Name=Module, or keep a type unpaired with --map Name=."


def inferred_pairs(result: AuditResult) -> list[TypeStatus]:
    """The pairs found by module path, shape or as a local type, in report order."""
    return [entry for entry in result.types if entry.pair.found is not None and entry.pair.found.how in INFERRED]
