"""Counts every report shows, computed once from the result."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from auditor.align import How, TypePair
from auditor.audit import AuditResult, Status, TypeStatus
from auditor.findings import Finding, Severity
from auditor.model import TypeKind


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


KIND_LABELS = {TypeKind.STRUCT: "models", TypeKind.ENUM: "enums", TypeKind.UNION: "unions"}
MISSING_TYPE = "missing-type"
ARROW = " → "


@dataclass(frozen=True)
class Ratio:
    done: int
    total: int

    @property
    def percent(self) -> float | None:
        """One decimal, so that a report changes only when the number does; None of nothing."""
        return round(100 * self.done / self.total, 1) if self.total else None

    def shown(self) -> str:
        percent = self.percent
        return f"{self.done} of {self.total}" + ("" if percent is None else f" ({percent}%)")


@dataclass(frozen=True)
class Coverage:
    """How far the port has come, in numbers it can track from run to run."""

    types: Ratio
    """Python types with an Elixir counterpart, of the audited ones not out of scope."""
    by_kind: tuple[tuple[str, Ratio], ...]
    """("models", ...), ("enums", ...), ("unions", ...)."""
    fields: Ratio
    """Fields of ported Python models that the port's struct has, of all the fields of those models."""
    breaking: int
    """P0 to P3 findings that break a ported type: on a ported pair, or a missing type it needs."""
    needed: int
    """Missing types a ported type needs."""
    unported: int
    """Missing types no ported type reaches."""
    out_of_scope: int
    """Audited Python types the config's `[unported]` leaves out."""

    @property
    def per_100_fields(self) -> float | None:
        return round(100 * self.breaking / self.fields.done, 1) if self.fields.done else None


def coverage(result: AuditResult) -> Coverage:
    in_scope = [
        entry.pair
        for entry in result.types
        if entry.pair.python is not None and entry.pair.python.qualname not in result.out_of_scope
    ]
    kinds = Counter(pair.python.kind for pair in in_scope if pair.python is not None)
    ported = [pair.python for pair in in_scope if pair.python is not None and pair.elixir is not None]
    ported_kinds = Counter(python.kind for python in ported)
    models = [pair for pair in _models(in_scope) if pair.elixir is not None]
    fields = Ratio(
        sum(1 for pair in models for field in pair.fields if field.python is not None and field.elixir is not None),
        sum(len(pair.python.fields) for pair in models if pair.python is not None),
    )
    unported = unported_types(result)
    breaking = sum(
        1
        for finding in result.findings
        if finding.severity is not Severity.INFO
        and finding.python_type is not None
        and (finding.elixir_type is not None or finding.python_type in result.reach.needed)
        and finding.python_type not in unported
    )
    missing = [pair.python.qualname for pair in in_scope if pair.elixir is None and pair.python is not None]
    return Coverage(
        Ratio(len(ported), len(in_scope)),
        tuple((label, Ratio(ported_kinds[kind], kinds[kind])) for kind, label in KIND_LABELS.items()),
        fields,
        breaking,
        sum(1 for qualname in missing if qualname in result.reach.needed),
        sum(1 for qualname in missing if qualname in unported),
        len(result.out_of_scope),
    )


def _models(pairs: Sequence[TypePair]) -> list[TypePair]:
    return [pair for pair in pairs if pair.python is not None and pair.python.kind is TypeKind.STRUCT]


def coverage_line(covered: Coverage) -> str:
    """The one line a port tracks: `Coverage: Python types ported 27 of 29 (93.1%): models 21 of 22, ...`."""
    kinds = ", ".join(f"{label} {ratio.done} of {ratio.total}" for label, ratio in covered.by_kind)
    density = covered.per_100_fields
    per_field = "no ported field" if density is None else f"{density} findings per 100 ported fields"
    return (
        f"Coverage: Python types ported {covered.types.shown()}: {kinds}; "
        f"fields of ported models {covered.fields.shown()}; {per_field}"
    )


def coverage_document(covered: Coverage) -> dict[str, object]:
    """`summary.coverage` in JSON, and the SARIF run's `coverage` property."""

    def ratio(value: Ratio) -> dict[str, object]:
        return {"ported": value.done, "total": value.total, "percent": value.percent}

    return {
        "types": ratio(covered.types),
        "by_kind": {label: ratio(value) for label, value in covered.by_kind},
        "fields": ratio(covered.fields),
        "breaking_findings": covered.breaking,
        "findings_per_100_fields": covered.per_100_fields,
        "missing_types": {"needed": covered.needed, "unported": covered.unported},
        "out_of_scope": covered.out_of_scope,
    }


def unported_types(result: AuditResult) -> frozenset[str]:
    return result.reach.unported_types()


def is_unported(finding: Finding, unported: frozenset[str]) -> bool:
    """A missing-type finding on a type no ported type reaches: summarised apart from the work list."""
    return finding.rule == MISSING_TYPE and finding.python_type in unported


@dataclass(frozen=True)
class WorkItem:
    """The findings that break one ported type (or concern one unpaired type), and how many ported
    types reach it: fixing a type many others use fixes them too."""

    pair: TypePair
    reached_from: int
    findings: tuple[Finding, ...]

    @cached_property
    def worst(self) -> Severity:
        return min((finding.severity for finding in self.findings), key=lambda severity: severity.rank)


def work_list(result: AuditResult, findings: Sequence[Finding]) -> list[WorkItem]:
    """`findings` (but unported surface) grouped by the ported type they break, a missing type a ported type
    needs under that type; most severe first, then the type the most ported types reach, then by name."""
    pairs = {entry.pair.key: entry.pair for entry in result.types}
    by_python = {entry.pair.python.qualname: entry.pair for entry in result.types if entry.pair.python is not None}
    unported = unported_types(result)
    grouped: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        if is_unported(finding, unported):
            continue
        needed = result.reach.needed.get(finding.python_type or "") if finding.rule == MISSING_TYPE else None
        key = by_python[needed.root].key if needed is not None and needed.root in by_python else finding.pair
        grouped.setdefault(key, []).append(finding)
    items = [
        WorkItem(pairs[key], result.reach.reached_from.get(key[0], 0), tuple(sorted(found, key=Finding.sort_key)))
        for key, found in grouped.items()
        if key in pairs  # a result trimmed by hand may keep findings on types it no longer lists
    ]
    return sorted(items, key=lambda item: (item.worst.rank, -item.reached_from, item.pair.name, item.pair.key))


def needed_path(result: AuditResult, qualname: str) -> tuple[str, ...] | None:
    """The path a ported type needs a missing type by, as names: `("Session.config", "GenerationConfig")`."""
    needed = result.reach.needed.get(qualname)
    return None if needed is None else needed.steps(result.python.by_qualname())
